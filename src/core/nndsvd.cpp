// NNDSVD initialization (nndsvd.hpp).
#include "../cpu/product.hpp"  // first: it configures Eigen

#include "nndsvd.hpp"

#include <Eigen/QR>
#include <Eigen/SVD>
#include <Eigen/SparseCore>
#include <algorithm>
#include <cmath>
#include <random>

#include "expects.hpp"

namespace cunmf::detail {

namespace {

using MatrixD = Eigen::MatrixXd;

/// scikit-learn's threshold below which an NNDSVD entry counts as zero.
constexpr double kZeroBelow = 1e-6;
/// Standard normal draws from a seeded engine: Box–Muller on the engine's bits, so that a seed
/// means the same numbers everywhere (std::normal_distribution is implementation-defined).
class NormalDraws {
 public:
  explicit NormalDraws(std::uint64_t seed) : engine_(seed) {}
  double next() {
    const double u1 = (static_cast<double>(engine_() >> 11) + 1.0) * 0x1p-53;  // (0, 1]
    const double u2 = static_cast<double>(engine_() >> 11) * 0x1p-53;          // [0, 1)
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  }

 private:
  std::mt19937_64 engine_;
};

/// An orthonormal basis of Y's columns (thin Householder QR).
MatrixD orthonormal_basis(const MatrixD& Y) {
  const Eigen::HouseholderQR<MatrixD> qr(Y);
  return qr.householderQ() * MatrixD::Identity(Y.rows(), Y.cols());
}

/// The leading k singular triplets of the m × n X that `times` (F ↦ X·F) and `transpose_times`
/// (F ↦ Xᵀ·F) apply.
template <class Times, class TransposeTimes>
TruncatedSvd truncated_svd(std::int64_t m, std::int64_t n, std::int64_t k, std::uint64_t seed,
                           Times times, TransposeTimes transpose_times) {
  const std::int64_t l = sketch_columns(m, n, k);
  const std::vector<double> draws = sketch_test_matrix(n, l, seed);
  const Eigen::Map<const MatrixD> omega(draws.data(), n, l);
  MatrixD Q = orthonormal_basis(times(omega));
  for (int it = 0; it < kNndsvdPowerIterations; ++it) {
    Q = orthonormal_basis(times(orthonormal_basis(transpose_times(Q))));
  }
  const MatrixD Bt = transpose_times(Q);  // (Qᵀ X)ᵀ, n × l
  const Eigen::BDCSVD<MatrixD> svd(Bt, Eigen::ComputeThinU | Eigen::ComputeThinV);
  // Bt = U' S V'ᵀ, so Qᵀ X = V' S U'ᵀ and X ≈ (Q V') S U'ᵀ.
  TruncatedSvd t{m,
                 n,
                 k,
                 std::vector<double>(static_cast<std::size_t>(m * k)),
                 std::vector<double>(static_cast<std::size_t>(k)),
                 std::vector<double>(static_cast<std::size_t>(n * k))};
  Eigen::Map<MatrixD>(t.u.data(), m, k) = Q * svd.matrixV().leftCols(k);
  Eigen::Map<Eigen::VectorXd>(t.s.data(), k) = svd.singularValues().head(k);
  Eigen::Map<MatrixD>(t.v.data(), n, k) = svd.matrixU().leftCols(k);
  return t;
}

}  // namespace

std::int64_t sketch_columns(std::int64_t m, std::int64_t n, std::int64_t k) {
  return std::min(k + kNndsvdOversampling, std::min(m, n));
}

std::vector<double> sketch_test_matrix(std::int64_t n, std::int64_t l, std::uint64_t seed) {
  NormalDraws draws(seed);
  std::vector<double> omega(static_cast<std::size_t>(n * l));
  for (double& w : omega) w = draws.next();  // column by column
  return omega;
}

SmallSvd small_svd(const std::vector<double>& R, std::int64_t l) {
  const Eigen::JacobiSVD<MatrixD> svd(Eigen::Map<const MatrixD>(R.data(), l, l),
                                      Eigen::ComputeFullU | Eigen::ComputeFullV);
  const MatrixD& ur = svd.matrixU();
  const MatrixD& vr = svd.matrixV();
  const Eigen::VectorXd& s = svd.singularValues();
  return {std::vector<double>(ur.data(), ur.data() + ur.size()),
          std::vector<double>(s.data(), s.data() + s.size()),
          std::vector<double>(vr.data(), vr.data() + vr.size())};
}

void check_nndsvd_rank(std::int64_t rows, std::int64_t cols, std::int64_t k) {
  CUNMF_EXPECTS(k >= 1 && k <= std::min(rows, cols),
                "NNDSVD: rank " + std::to_string(k) + " is out of range for X of " +
                    std::to_string(rows) + " x " + std::to_string(cols));
}

template <class T>
HostFactors<T> nndsvd_from_svd(const TruncatedSvd& svd, Init init, double mean,
                               std::uint64_t seed) {
  const std::int64_t m = svd.m, n = svd.n, k = svd.k;
  const Eigen::Map<const MatrixD> U(svd.u.data(), m, k), V(svd.v.data(), n, k);
  const Eigen::Map<const Eigen::VectorXd> s(svd.s.data(), k);
  MatrixD W(m, k), Ht(n, k);
  W.col(0) = std::sqrt(s(0)) * U.col(0).cwiseAbs();
  Ht.col(0) = std::sqrt(s(0)) * V.col(0).cwiseAbs();
  for (std::int64_t j = 1; j < k; ++j) {
    const Eigen::VectorXd x = U.col(j), y = V.col(j);
    const Eigen::VectorXd xp = x.cwiseMax(0.0), yp = y.cwiseMax(0.0);
    const Eigen::VectorXd xn = (-x).cwiseMax(0.0), yn = (-y).cwiseMax(0.0);
    const double xp_norm = xp.norm(), yp_norm = yp.norm(), xn_norm = xn.norm(), yn_norm = yn.norm();
    const double positive = xp_norm * yp_norm, negative = xn_norm * yn_norm;
    // The pair of parts (both positive or both negative) that carries more of the rank-one term;
    // a sign flip of the singular pair swaps the two, so the choice does not depend on it.
    const bool take_positive = positive > negative;
    const double sigma = take_positive ? positive : negative;
    const double lambda = std::sqrt(s(j) * sigma);
    if (sigma > 0.0) {
      W.col(j) = lambda / (take_positive ? xp_norm : xn_norm) * (take_positive ? xp : xn);
      Ht.col(j) = lambda / (take_positive ? yp_norm : yn_norm) * (take_positive ? yp : yn);
    } else {
      W.col(j).setZero();
      Ht.col(j).setZero();
    }
  }
  NormalDraws draws(seed + 1);  // not the SVD's test-matrix draws
  const auto fill = [&](MatrixD& F) {
    for (Eigen::Index c = 0; c < F.cols(); ++c) {
      for (Eigen::Index r = 0; r < F.rows(); ++r) {
        double& v = F(r, c);
        if (v >= kZeroBelow) continue;
        v = init == Init::Nndsvda    ? mean
            : init == Init::Nndsvdar ? std::abs(mean * draws.next() / 100.0)
                                     : 0.0;
      }
    }
  };
  fill(W);
  fill(Ht);
  HostFactors<T> f{m, n, k, std::vector<T>(static_cast<std::size_t>(m * k)),
                   std::vector<T>(static_cast<std::size_t>(n * k))};
  Eigen::Map<cpu::Matrix<T>>(f.w.data(), m, k) = W.cast<T>();
  Eigen::Map<cpu::Matrix<T>>(f.ht.data(), n, k) = Ht.cast<T>();
  return f;
}

namespace {

/// X (any Eigen expression with products) through truncated_svd, in T, each result in double.
template <class T, class XMap>
TruncatedSvd svd_of(const XMap& X, std::int64_t k, std::uint64_t seed) {
  return truncated_svd(
      X.rows(), X.cols(), k, seed,
      [&](const MatrixD& F) -> MatrixD { return (X * F.cast<T>()).template cast<double>(); },
      [&](const MatrixD& F) -> MatrixD {
        return (X.transpose() * F.cast<T>()).template cast<double>();
      });
}

}  // namespace

template <class T>
HostFactors<T> nndsvd_factors(DenseView<const T> X, std::int64_t k, Init init, std::uint64_t seed) {
  check_nndsvd_rank(X.rows, X.cols, k);
  const double mean = mean_of(X);
  if (X.layout == Layout::RowMajor) {
    using RowMajor = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const Eigen::Map<const RowMajor> map(X.data, X.rows, X.cols);
    return nndsvd_from_svd<T>(svd_of<T>(map, k, seed), init, mean, seed);
  }
  const Eigen::Map<const cpu::Matrix<T>> map(X.data, X.rows, X.cols);
  return nndsvd_from_svd<T>(svd_of<T>(map, k, seed), init, mean, seed);
}

template <class T, class Index>
HostFactors<T> nndsvd_factors(CsrView<const T, Index> X, std::int64_t k, Init init,
                              std::uint64_t seed) {
  check_nndsvd_rank(X.rows, X.cols, k);
  using Sparse = Eigen::SparseMatrix<T, Eigen::RowMajor, Index>;
  const Eigen::Map<const Sparse> map(X.rows, X.cols, X.nnz, X.row_ptr, X.col_idx, X.values);
  return nndsvd_from_svd<T>(svd_of<T>(map, k, seed), init, mean_of(X), seed);
}

template HostFactors<float> nndsvd_from_svd<float>(const TruncatedSvd&, Init, double,
                                                   std::uint64_t);
template HostFactors<double> nndsvd_from_svd<double>(const TruncatedSvd&, Init, double,
                                                     std::uint64_t);
template HostFactors<float> nndsvd_factors<float>(DenseView<const float>, std::int64_t, Init,
                                                  std::uint64_t);
template HostFactors<double> nndsvd_factors<double>(DenseView<const double>, std::int64_t, Init,
                                                    std::uint64_t);
#define CUNMF_INSTANTIATE_NNDSVD_CSR(T, Index)                                                  \
  template HostFactors<T> nndsvd_factors<T, Index>(CsrView<const T, Index>, std::int64_t, Init, \
                                                   std::uint64_t);
CUNMF_INSTANTIATE_NNDSVD_CSR(float, std::int32_t)
CUNMF_INSTANTIATE_NNDSVD_CSR(float, std::int64_t)
CUNMF_INSTANTIATE_NNDSVD_CSR(double, std::int32_t)
CUNMF_INSTANTIATE_NNDSVD_CSR(double, std::int64_t)
#undef CUNMF_INSTANTIATE_NNDSVD_CSR

}  // namespace cunmf::detail
