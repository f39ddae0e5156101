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
/// Oversampling and power iterations of the randomized SVD: scikit-learn's randomized_svd
/// defaults (10 extra columns; 7 iterations when k is small against the matrix). With a gap after
/// the k-th singular value, the subspace error falls as (σ_{k+11} / σ_k)^15.
constexpr std::int64_t kOversampling = 10;
constexpr int kPowerIterations = 7;

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
struct Truncated {
  MatrixD U;         ///< m × k
  Eigen::VectorXd s;  ///< k, descending
  MatrixD V;         ///< n × k
};

template <class Times, class TransposeTimes>
Truncated truncated_svd(std::int64_t m, std::int64_t n, std::int64_t k, std::uint64_t seed,
                        Times times, TransposeTimes transpose_times) {
  const std::int64_t l = std::min(k + kOversampling, std::min(m, n));
  NormalDraws draws(seed);
  MatrixD omega(n, l);
  for (std::int64_t c = 0; c < l; ++c)
    for (std::int64_t r = 0; r < n; ++r) omega(r, c) = draws.next();
  MatrixD Q = orthonormal_basis(times(omega));
  for (int it = 0; it < kPowerIterations; ++it) {
    Q = orthonormal_basis(times(orthonormal_basis(transpose_times(Q))));
  }
  const MatrixD Bt = transpose_times(Q);  // (Qᵀ X)ᵀ, n × l
  const Eigen::BDCSVD<MatrixD> svd(Bt, Eigen::ComputeThinU | Eigen::ComputeThinV);
  // Bt = U' S V'ᵀ, so Qᵀ X = V' S U'ᵀ and X ≈ (Q V') S U'ᵀ.
  return {Q * svd.matrixV().leftCols(k), svd.singularValues().head(k),
          svd.matrixU().leftCols(k)};
}

/// The NNDSVD factors of the truncated SVD, into f (W column-major m × k, Hᵀ column-major n × k).
template <class T>
HostFactors<T> nndsvd_from(const Truncated& svd, std::int64_t k, Init init, double mean,
                           std::uint64_t seed) {
  const std::int64_t m = svd.U.rows(), n = svd.V.rows();
  MatrixD W(m, k), Ht(n, k);
  W.col(0) = std::sqrt(svd.s(0)) * svd.U.col(0).cwiseAbs();
  Ht.col(0) = std::sqrt(svd.s(0)) * svd.V.col(0).cwiseAbs();
  for (std::int64_t j = 1; j < k; ++j) {
    const Eigen::VectorXd x = svd.U.col(j), y = svd.V.col(j);
    const Eigen::VectorXd xp = x.cwiseMax(0.0), yp = y.cwiseMax(0.0);
    const Eigen::VectorXd xn = (-x).cwiseMax(0.0), yn = (-y).cwiseMax(0.0);
    const double xp_norm = xp.norm(), yp_norm = yp.norm(), xn_norm = xn.norm(),
                 yn_norm = yn.norm();
    const double positive = xp_norm * yp_norm, negative = xn_norm * yn_norm;
    // The pair of parts (both positive or both negative) that carries more of the rank-one term;
    // a sign flip of the singular pair swaps the two, so the choice does not depend on it.
    const bool take_positive = positive > negative;
    const double sigma = take_positive ? positive : negative;
    const double lambda = std::sqrt(svd.s(j) * sigma);
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

void check_rank(std::int64_t rows, std::int64_t cols, std::int64_t k) {
  CUNMF_EXPECTS(k >= 1 && k <= std::min(rows, cols),
                "NNDSVD: rank " + std::to_string(k) + " is out of range for X of " +
                    std::to_string(rows) + " x " + std::to_string(cols));
}

/// X (any Eigen expression with products) through truncated_svd, in T, each result in double.
template <class T, class XMap>
Truncated svd_of(const XMap& X, std::int64_t k, std::uint64_t seed) {
  return truncated_svd(
      X.rows(), X.cols(), k, seed,
      [&](const MatrixD& F) -> MatrixD { return (X * F.cast<T>()).template cast<double>(); },
      [&](const MatrixD& F) -> MatrixD {
        return (X.transpose() * F.cast<T>()).template cast<double>();
      });
}

}  // namespace

template <class T>
HostFactors<T> nndsvd_factors(DenseView<const T> X, std::int64_t k, Init init,
                              std::uint64_t seed) {
  check_rank(X.rows, X.cols, k);
  const double mean = mean_of(X);
  if (X.layout == Layout::RowMajor) {
    using RowMajor = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const Eigen::Map<const RowMajor> map(X.data, X.rows, X.cols);
    return nndsvd_from<T>(svd_of<T>(map, k, seed), k, init, mean, seed);
  }
  const Eigen::Map<const cpu::Matrix<T>> map(X.data, X.rows, X.cols);
  return nndsvd_from<T>(svd_of<T>(map, k, seed), k, init, mean, seed);
}

template <class T, class Index>
HostFactors<T> nndsvd_factors(CsrView<const T, Index> X, std::int64_t k, Init init,
                              std::uint64_t seed) {
  check_rank(X.rows, X.cols, k);
  using Sparse = Eigen::SparseMatrix<T, Eigen::RowMajor, Index>;
  const Eigen::Map<const Sparse> map(X.rows, X.cols, X.nnz, X.row_ptr, X.col_idx, X.values);
  return nndsvd_from<T>(svd_of<T>(map, k, seed), k, init, mean_of(X), seed);
}

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
