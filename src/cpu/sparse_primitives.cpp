// The CPU backend's primitives for a CSR operand: row-parallel loops over the stored entries, each
// reading the contiguous k-vector of a row-major factor panel (the KL coordinate-descent sweep
// included). Nothing m × n is formed.
#include "backend.hpp"

#include <algorithm>

#include "../../kernels/elementwise.cuh"
#include "row_products.hpp"

namespace cunmf::cpu {

namespace {

/// C (rows × k, row-major) ← A · B, where A is the CSR pattern of `a` with `values` and B is
/// row-major (cols × k). Rows of C are independent (one task each), so the result does not depend
/// on the threads.
template <class T, class Index>
void csr_times_rows(const detail::CsrArrays<T, Index>& a, const T* values, const T* B,
                    std::int64_t k, T* C) {
  const bool parallel = static_cast<double>(a.nnz) * static_cast<double>(k) > kMinParallelWork;
#pragma omp parallel for schedule(dynamic, 64) if (parallel)
  for (std::int64_t i = 0; i < a.rows; ++i) {
    add_row_products(C + i * k, k, B, a.col_idx, a.row_ptr[i], a.row_ptr[i + 1], false,
                     [values](std::int64_t e, const T*) { return values[e]; });
  }
}

/// C (rows × k, row-major) ← (X ⊙ ψ(A Bᵀ)) · B at the stored entries of X, in one pass: each
/// stored entry's (A Bᵀ)_pq, its weight(x, (A Bᵀ)_pq) and its multiple of row q of B while that row
/// is in cache. A (rows × k) and B (cols × k) row-major. Rows of C are independent, as above.
template <class T, class Index, class Weight>
void csr_weighted_times_rows(const detail::CsrArrays<T, Index>& x, const T* A, const T* B,
                             std::int64_t k, T* C, Weight weight) {
  const bool parallel = static_cast<double>(x.nnz) * static_cast<double>(k) > kMinParallelWork;
#pragma omp parallel for schedule(dynamic, 64) if (parallel)
  for (std::int64_t p = 0; p < x.rows; ++p) {
    const T* a = A + p * k;
    add_row_products(C + p * k, k, B, x.col_idx, x.row_ptr[p], x.row_ptr[p + 1], true,
                     [&x, a, k, &weight](std::int64_t e, const T* b) {
                       return weight(x.values[e], lane_dot<T>(a, b, k));
                     });
  }
}

}  // namespace

template <class T>
template <class Index>
void Backend<T>::sparse_product(const detail::CsrArrays<T, Index>& A, const T* values,
                                const Matrix& F, Matrix& out) {
  csr_times_rows(A, values, F.data(), F.cols(), out.data());
}

template <class T>
template <class Index>
void Backend<T>::sparse_ratio_product(const detail::CsrArrays<T, Index>& A, const Matrix& W,
                                      const Matrix& F, Matrix& out) {
  csr_weighted_times_rows(A, W.data(), F.data(), F.cols(), out.data(),
                          [](T x, T wh) { return detail::kl_ratio(x, wh); });
}

template <class T>
template <class Index>
void Backend<T>::sparse_beta_numerator(const detail::CsrArrays<T, Index>& A, const Matrix& W,
                                       const Matrix& F, T beta, Matrix& out) {
  const detail::BetaWeights<T> weights(beta);
  csr_weighted_times_rows(A, W.data(), F.data(), F.cols(), out.data(),
                          [weights](T x, T wh) { return weights.numerator(x, wh); });
}

template <class T>
template <class Index>
double Backend<T>::sparse_loss(detail::Divergence loss, const detail::CsrArrays<T, Index>& X,
                               const Matrix& W, const Matrix& Ht) const {
  const Panel<double> w = W.template cast<double>();
  const Panel<double> ht = Ht.template cast<double>();
  if (loss.kind == Loss::Frobenius)
    return 0.5 * sparse_squared_residual(X, w, ht, squared_norm(X.values, X.nnz));
  if (loss.kind == Loss::KullbackLeibler) return sparse_kl_divergence(X, w, ht);
  return sparse_beta_divergence(X, w, ht, loss.beta);
}

template <class T>
template <class Index>
void Backend<T>::sparse_kl_cd_update(const detail::CsrArrays<T, Index>& A, Matrix& F,
                                     const Matrix& G, const Matrix& sums,
                                     detail::Penalty<T> penalty) {
  // Row i keeps its W·H values in its own segment [row_ptr[i], row_ptr[i + 1]) of one buffer of
  // nnz values: rows are independent, so the result does not depend on the threads.
  kl_cd_values_.resize(static_cast<std::size_t>(A.nnz));
  const std::int64_t k = F.cols();
  const bool parallel =
      static_cast<double>(A.nnz) * static_cast<double>(k) * static_cast<double>(k) >
      kMinParallelWork;
#pragma omp parallel for schedule(dynamic, 64) if (parallel)
  for (std::int64_t i = 0; i < A.rows; ++i) {
    const std::int64_t begin = A.row_ptr[i];
    const detail::CsrRowEntries<T, Index> row{A.col_idx + begin, A.values + begin,
                                              std::int64_t(A.row_ptr[i + 1]) - begin};
    detail::kl_cd_row_sweep(F.data() + i * k, 1, G.data(), k, 1, sums.data(), penalty, k, row,
                            kl_cd_values_.data() + begin, 1);
  }
}

#define CUNMF_INSTANTIATE_CPU_SPARSE_PRIMITIVES(T, Index)                                          \
  template void Backend<T>::sparse_product<Index>(const detail::CsrArrays<T, Index>&, const T*,    \
                                                  const Matrix&, Matrix&);                         \
  template void Backend<T>::sparse_ratio_product<Index>(const detail::CsrArrays<T, Index>&,        \
                                                        const Matrix&, const Matrix&, Matrix&);    \
  template void Backend<T>::sparse_beta_numerator<Index>(                                          \
      const detail::CsrArrays<T, Index>&, const Matrix&, const Matrix&, T, Matrix&);               \
  template double Backend<T>::sparse_loss<Index>(                                                  \
      detail::Divergence, const detail::CsrArrays<T, Index>&, const Matrix&, const Matrix&) const; \
  template void Backend<T>::sparse_kl_cd_update<Index>(const detail::CsrArrays<T, Index>&,         \
                                                       Matrix&, const Matrix&, const Matrix&,      \
                                                       detail::Penalty<T>);
CUNMF_INSTANTIATE_CPU_SPARSE_PRIMITIVES(float, std::int32_t)
CUNMF_INSTANTIATE_CPU_SPARSE_PRIMITIVES(float, std::int64_t)
CUNMF_INSTANTIATE_CPU_SPARSE_PRIMITIVES(double, std::int32_t)
CUNMF_INSTANTIATE_CPU_SPARSE_PRIMITIVES(double, std::int64_t)
#undef CUNMF_INSTANTIATE_CPU_SPARSE_PRIMITIVES

}  // namespace cunmf::cpu
