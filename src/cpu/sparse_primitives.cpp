// The CPU backend's primitives for a CSR operand: row-parallel loops over the stored entries, each
// reading the contiguous k-vector of a row-major factor panel (the KL coordinate-descent sweep
// included). Nothing m × n is formed.
#include "backend.hpp"

#include "../../kernels/elementwise.cuh"

namespace cunmf::cpu {

namespace {

/// C (rows × k, row-major) ← A · B, where A is the CSR pattern of `a` with `values` and B is
/// row-major (cols × k). Rows of C are independent; each sums its entries in stored order.
template <class T, class Index>
void csr_times_rows(const detail::CsrArrays<T, Index>& a, const T* values, const T* B,
                    std::int64_t k, T* C) {
  const bool parallel = static_cast<double>(a.nnz) * static_cast<double>(k) > kMinParallelWork;
#pragma omp parallel for schedule(dynamic, 64) if (parallel)
  for (std::int64_t i = 0; i < a.rows; ++i) {
    Eigen::Map<Eigen::Matrix<T, 1, Eigen::Dynamic>> c(C + i * k, k);
    c.setZero();
    for (std::int64_t e = a.row_ptr[i]; e < a.row_ptr[i + 1]; ++e) {
      c += values[e] * Eigen::Map<const Eigen::Matrix<T, 1, Eigen::Dynamic>>(
                           B + std::int64_t(a.col_idx[e]) * k, k);
    }
  }
}

/// ratio[e] ← x[e] / max(A_p · B_q, ε) at each stored entry (p, q); A (rows × k) and B (cols × k)
/// row-major.
template <class T, class Index>
void kl_ratio_at_stored(const detail::CsrArrays<T, Index>& x, const T* A, const T* B,
                        std::int64_t k, T* ratio) {
  const bool parallel = static_cast<double>(x.nnz) * static_cast<double>(k) > kMinParallelWork;
#pragma omp parallel for schedule(dynamic, 64) if (parallel)
  for (std::int64_t p = 0; p < x.rows; ++p) {
    const T* a = A + p * k;
    for (std::int64_t e = x.row_ptr[p]; e < x.row_ptr[p + 1]; ++e) {
      const T* b = B + std::int64_t(x.col_idx[e]) * k;
      T wh = 0;
      for (std::int64_t r = 0; r < k; ++r) wh += a[r] * b[r];
      ratio[e] = detail::kl_ratio(x.values[e], wh);
    }
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
  ratio_values_.resize(static_cast<std::size_t>(A.nnz));
  kl_ratio_at_stored(A, W.data(), F.data(), F.cols(), ratio_values_.data());
  csr_times_rows(A, ratio_values_.data(), F.data(), F.cols(), out.data());
}

template <class T>
template <class Index>
double Backend<T>::sparse_loss(Loss loss, const detail::CsrArrays<T, Index>& X, const Matrix& W,
                               const Matrix& Ht) const {
  const Panel<double> w = W.template cast<double>();
  const Panel<double> ht = Ht.template cast<double>();
  if (loss == Loss::Frobenius)
    return 0.5 * sparse_squared_residual(X, w, ht, squared_norm(X.values, X.nnz));
  return sparse_kl_divergence(X, w, ht);
}

template <class T>
template <class Index>
void Backend<T>::sparse_kl_cd_update(const detail::CsrArrays<T, Index>& A, Matrix& F,
                                     const Matrix& G, const Matrix& sums) {
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
    detail::kl_cd_row_sweep(F.data() + i * k, 1, G.data(), k, 1, sums.data(), k, row,
                            kl_cd_values_.data() + begin, 1);
  }
}

#define CUNMF_INSTANTIATE_CPU_SPARSE_PRIMITIVES(T, Index)                                       \
  template void Backend<T>::sparse_product<Index>(const detail::CsrArrays<T, Index>&, const T*, \
                                                  const Matrix&, Matrix&);                      \
  template void Backend<T>::sparse_ratio_product<Index>(const detail::CsrArrays<T, Index>&,     \
                                                        const Matrix&, const Matrix&, Matrix&); \
  template double Backend<T>::sparse_loss<Index>(Loss, const detail::CsrArrays<T, Index>&,      \
                                                 const Matrix&, const Matrix&) const;           \
  template void Backend<T>::sparse_kl_cd_update<Index>(const detail::CsrArrays<T, Index>&,      \
                                                       Matrix&, const Matrix&, const Matrix&);
CUNMF_INSTANTIATE_CPU_SPARSE_PRIMITIVES(float, std::int32_t)
CUNMF_INSTANTIATE_CPU_SPARSE_PRIMITIVES(float, std::int64_t)
CUNMF_INSTANTIATE_CPU_SPARSE_PRIMITIVES(double, std::int32_t)
CUNMF_INSTANTIATE_CPU_SPARSE_PRIMITIVES(double, std::int64_t)
#undef CUNMF_INSTANTIATE_CPU_SPARSE_PRIMITIVES

}  // namespace cunmf::cpu
