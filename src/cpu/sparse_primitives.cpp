// The CPU backend's primitives for a CSR operand: row-parallel loops over the stored entries, each
// reading the contiguous k-vector of a row-major factor panel (the KL coordinate-descent sweep
// included). Nothing m × n is formed.
#include "backend.hpp"

#include <algorithm>

#include "../../kernels/elementwise.cuh"

namespace cunmf::cpu {

namespace {

/// c (k values) ← Σ_e coefficient(e, b_e) · b_e over the stored entries e of one CSR row, b_e
/// being row col(e) of the row-major B (k columns). The order is fixed by the source: entries in
/// groups of four, whose four products are added pairwise and then to c, then the remaining ones
/// by one. Four independent products per addition to c: one at a time, every addition would wait
/// for the previous one's result (measured: the sparse products took twice as long).
template <class T, class Index, class Coefficient>
void add_row_products(T* c, std::int64_t k, const T* B, const Index* col, std::int64_t begin,
                      std::int64_t end, bool prefetch, Coefficient coefficient) {
  std::fill(c, c + k, T(0));
  auto row = [&](std::int64_t e) { return B + static_cast<std::int64_t>(col[e]) * k; };
  std::int64_t e = begin;
  for (; e + 4 <= end; e += 4) {
    // The rows of the next group come from anywhere in B, which is often larger than the cache:
    // ask for them now, while this group is computed. Measured on 1.2M non-zeros, k = 20: the
    // KL pass (a dot product per entry before its multiple) 23–25 → 20 ms an iteration; the plain
    // product, which has less to overlap, 13.0–14.2 → 14.4 ms, so it does not ask.
    for (std::int64_t ahead = e + 4; prefetch && ahead < std::min(e + 8, end); ++ahead) {
      const char* bytes = reinterpret_cast<const char*>(row(ahead));
      for (std::int64_t offset = 0; offset < k * std::int64_t(sizeof(T)); offset += 64) {
        __builtin_prefetch(bytes + offset);
      }
    }
    const T *b0 = row(e), *b1 = row(e + 1), *b2 = row(e + 2), *b3 = row(e + 3);
    const T v0 = coefficient(e, b0), v1 = coefficient(e + 1, b1);
    const T v2 = coefficient(e + 2, b2), v3 = coefficient(e + 3, b3);
#pragma omp simd
    for (std::int64_t r = 0; r < k; ++r)
      c[r] += (v0 * b0[r] + v1 * b1[r]) + (v2 * b2[r] + v3 * b3[r]);
  }
  for (; e < end; ++e) {
    const T* b = row(e);
    const T v = coefficient(e, b);
#pragma omp simd
    for (std::int64_t r = 0; r < k; ++r) c[r] += v * b[r];
  }
}

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
