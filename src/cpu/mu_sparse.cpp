// The CPU reference of the multiplicative updates for a CSR X (sparse_problem.hpp for the
// orientation: W row-major m×k, H column-major k×n). Row-parallel loops for the sparse products
// and for W·H at the non-zeros; Eigen for the k×k Gram products. Nothing m×n is formed.
#include "product.hpp"  // first: it configures Eigen

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "mu.hpp"
#include "residual.hpp"
#include "sparse_residual.hpp"

namespace cunmf::cpu {

namespace {

template <class T>
using RowVector = Eigen::Matrix<T, 1, Eigen::Dynamic>;

/// Σ_r a[r]·b[r], accumulated in Accumulator.
template <class Accumulator, class T>
Accumulator dot(const T* a, const T* b, std::int64_t k) {
  Accumulator sum = 0;
  for (std::int64_t r = 0; r < k; ++r) sum += Accumulator(a[r]) * Accumulator(b[r]);
  return sum;
}

/// C (rows × k, row-major) ← A · B, where A is the CSR pattern of `a` with `values` and B is
/// row-major (cols × k). Rows of C are independent; each sums its entries in stored order.
template <class T, class Index>
void csr_times_row_major(CsrView<const T, Index> a, const T* values, const T* B, std::int64_t k,
                         T* C) {
  const bool parallel = static_cast<double>(a.nnz) * static_cast<double>(k) > kMinParallelWork;
#pragma omp parallel for schedule(dynamic, 64) if (parallel)
  for (std::int64_t i = 0; i < a.rows; ++i) {
    Eigen::Map<RowVector<T>> c(C + i * k, k);
    c.setZero();
    for (std::int64_t e = a.row_ptr[i]; e < a.row_ptr[i + 1]; ++e) {
      c += values[e] * Eigen::Map<const RowVector<T>>(B + std::int64_t(a.col_idx[e]) * k, k);
    }
  }
}

/// ratio[e] ← x[e] / (A_p · B_q) at each stored entry (p, q) of the pattern, a zero product
/// counting as ε; A (rows × k) and B (cols × k) row-major.
template <class T, class Index>
void kl_ratio_at_nonzeros(CsrView<const T, Index> x, const T* A, const T* B, std::int64_t k,
                          T* ratio) {
  const bool parallel = static_cast<double>(x.nnz) * static_cast<double>(k) > kMinParallelWork;
#pragma omp parallel for schedule(dynamic, 64) if (parallel)
  for (std::int64_t p = 0; p < x.rows; ++p) {
    for (std::int64_t e = x.row_ptr[p]; e < x.row_ptr[p + 1]; ++e) {
      ratio[e] = x.values[e] / nonzero(dot<T>(A + p * k, B + std::int64_t(x.col_idx[e]) * k, k));
    }
  }
}

template <class T, class Index>
class SparseMuSteps final : public detail::MuSteps {
 public:
  SparseMuSteps(CsrView<const T, Index> x, CsrView<const T, Index> xt, std::int64_t k,
                detail::SparseFactors<T>& f, Loss loss)
      : x_(x),
        xt_(xt),
        k_(k),
        loss_(loss),
        w_(f.w.data(), x.rows, k),
        h_(f.h.data(), k, x.cols),
        numerator_(static_cast<std::size_t>(std::max(x.rows, x.cols) * k)),
        denominator_(static_cast<std::size_t>(std::max(x.rows, x.cols) * k)),
        gram_(k, k) {
    if (loss == Loss::KullbackLeibler) ratio_.resize(static_cast<std::size_t>(x.nnz));
  }

  void update_h() override {
    const std::int64_t n = x_.cols;
    Eigen::Map<Matrix<T>> numerator(numerator_.data(), k_, n);  // (XᵀW)ᵀ, H's layout
    if (loss_ == Loss::Frobenius) {
      // H ← H ⊙ (WᵀX) ⊘ (WᵀW H)
      csr_times_row_major(xt_, xt_.values, w_.data(), k_, numerator_.data());
      gram_.noalias() = w_.transpose() * w_;
      Eigen::Map<Matrix<T>> denominator(denominator_.data(), k_, n);
      product_into(denominator, gram_, h_);
      h_.array() *= numerator.array() / denominator.array().unaryExpr(&nonzero<T>);
    } else {
      // H ← H ⊙ (Wᵀ(X ⊘ WH)) ⊘ (Wᵀ1), the ratio at the non-zeros of Xᵀ.
      kl_ratio_at_nonzeros(xt_, h_.data(), w_.data(), k_, ratio_.data());
      csr_times_row_major(xt_, ratio_.data(), w_.data(), k_, numerator_.data());
      const Eigen::Matrix<T, Eigen::Dynamic, 1> w_sums =
          w_.colwise().sum().transpose().unaryExpr(&nonzero<T>);
      h_.array() *= numerator.array().colwise() / w_sums.array();
    }
  }

  void update_w() override {
    const std::int64_t m = x_.rows;
    Eigen::Map<RowMajorMatrix<T>> numerator(numerator_.data(), m, k_);
    if (loss_ == Loss::Frobenius) {
      // W ← W ⊙ (XHᵀ) ⊘ (W HHᵀ); H column-major k×n is Hᵀ row-major n×k.
      csr_times_row_major(x_, x_.values, h_.data(), k_, numerator_.data());
      gram_.noalias() = h_ * h_.transpose();
      Eigen::Map<RowMajorMatrix<T>> denominator(denominator_.data(), m, k_);
      product_into(denominator, w_, gram_);
      w_.array() *= numerator.array() / denominator.array().unaryExpr(&nonzero<T>);
    } else {
      // W ← W ⊙ ((X ⊘ WH)Hᵀ) ⊘ (1Hᵀ), the ratio at the non-zeros of X.
      kl_ratio_at_nonzeros(x_, w_.data(), h_.data(), k_, ratio_.data());
      csr_times_row_major(x_, ratio_.data(), h_.data(), k_, numerator_.data());
      const RowVector<T> h_sums = h_.rowwise().sum().transpose().unaryExpr(&nonzero<T>);
      w_.array() *= numerator.array().rowwise() / h_sums.array();
    }
  }

  double loss() override {
    const RowMajorMatrix<double> w = w_.template cast<double>();
    const Matrix<double> h = h_.template cast<double>();
    if (loss_ == Loss::Frobenius) return 0.5 * sparse_squared_residual(x_, w, h, x_squared_norm_);
    return sparse_kl_divergence(x_, w, h);
  }

 private:
  CsrView<const T, Index> x_, xt_;
  std::int64_t k_;
  Loss loss_;
  Eigen::Map<RowMajorMatrix<T>> w_;  ///< m × k, the caller's f.w
  Eigen::Map<Matrix<T>> h_;          ///< k × n, the caller's f.h
  std::vector<T> numerator_, denominator_, ratio_;
  Matrix<T> gram_;
  double x_squared_norm_ = squared_norm(x_);
};

}  // namespace

template <class T, class Index>
detail::LoopOutcome run_mu_sparse(CsrView<const T, Index> x, CsrView<const T, Index> xt,
                                  std::int64_t k, detail::SparseFactors<T>& f,
                                  const Options& options) {
  SparseMuSteps<T, Index> steps(x, xt, k, f, options.loss);
  return detail::run_iterations(steps, options, /*h_first=*/true);
}

#define CUNMF_INSTANTIATE_CPU_SPARSE_MU(T, Index)                                             \
  template detail::LoopOutcome run_mu_sparse<T, Index>(CsrView<const T, Index>,               \
                                                       CsrView<const T, Index>, std::int64_t, \
                                                       detail::SparseFactors<T>&, const Options&);
CUNMF_INSTANTIATE_CPU_SPARSE_MU(float, std::int32_t)
CUNMF_INSTANTIATE_CPU_SPARSE_MU(float, std::int64_t)
CUNMF_INSTANTIATE_CPU_SPARSE_MU(double, std::int32_t)
CUNMF_INSTANTIATE_CPU_SPARSE_MU(double, std::int64_t)
#undef CUNMF_INSTANTIATE_CPU_SPARSE_MU

}  // namespace cunmf::cpu
