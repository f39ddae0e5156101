// The CUDA backend's primitives for a CSR operand: cuSPARSE SpMM with column-major factor panels
// (CUSPARSE_SPMM_CSR_ALG1, deterministic for a non-transposed A), and our kernels for W·H at the
// stored entries only (the KL ratio, the loss terms). Nothing m × n is formed.
#include <algorithm>

#include "../../kernels/fused_sparse_kl.cuh"
#include "../../kernels/kl_cd_update.cuh"
#include "../../kernels/losses.cuh"
#include "../../kernels/sparse_terms.cuh"
#include "backend.hpp"
#include "blas.hpp"
#include "cusparse_descriptors.hpp"

namespace cunmf::cuda_backend {

namespace {

constexpr cusparseSpMMAlg_t kSpmmAlgorithm = CUSPARSE_SPMM_CSR_ALG1;

}  // namespace

template <class T>
template <class Index>
void Backend<T>::sparse_product(const detail::CsrArrays<T, Index>& A, const T* values,
                                const Matrix& F, Matrix& out) {
  // out ← A · F, A's pattern with `values`.
  const CsrDescriptor a(A.rows, A.cols, A.nnz, A.row_ptr, A.col_idx, values);
  const ColumnMajorDescriptor f(F.rows(), F.cols(), F.data());
  const ColumnMajorDescriptor c(out.rows(), out.cols(), out.data());
  const T one = 1, zero = 0;
  std::size_t bytes = 0;
  CUNMF_CUSPARSE_CHECK(cusparseSpMM_bufferSize(
      sparse_, CUSPARSE_OPERATION_NON_TRANSPOSE, CUSPARSE_OPERATION_NON_TRANSPOSE, &one, a.get(),
      f.get(), &zero, c.get(), cuda_data_type<T>(), kSpmmAlgorithm, &bytes));
  reserve(spmm_workspace_, static_cast<std::int64_t>(std::max<std::size_t>(bytes, 1)));
  CUNMF_CUSPARSE_CHECK(cusparseSpMM(
      sparse_, CUSPARSE_OPERATION_NON_TRANSPOSE, CUSPARSE_OPERATION_NON_TRANSPOSE, &one, a.get(),
      f.get(), &zero, c.get(), cuda_data_type<T>(), kSpmmAlgorithm, spmm_workspace_.data()));
}

template <class T>
template <class Index>
void Backend<T>::sparse_ratio_product(const detail::CsrArrays<T, Index>& A, const Matrix& W,
                                      const Matrix& F, Matrix& out) {
  // One fused pass over the stored entries (kernels/fused_sparse_kl.cuh) up to its rank; above,
  // ratio ← A ⊘ max(W Fᵀ, ε) at the stored entries, then out ← ratio · F.
  if (F.cols() <= detail::kFusedSparseKlMaxRank) {
    detail::fused_csr_kl_ratio_product(A.row_ptr, A.col_idx, A.values, A.rows, W.data(), W.rows(),
                                       F.data(), F.rows(), F.cols(), out.data(), stream_);
    return;
  }
  reserve(ratio_, A.nnz);
  detail::csr_kl_ratio(A.row_ptr, A.col_idx, A.values, A.rows, W.data(), W.rows(), F.data(),
                       F.rows(), F.cols(), ratio_.data(), stream_);
  sparse_product(A, static_cast<const T*>(ratio_.data()), F, out);
}

template <class T>
template <class Index>
void Backend<T>::sparse_beta_numerator(const detail::CsrArrays<T, Index>& A, const Matrix& W,
                                       const Matrix& F, T beta, Matrix& out) {
  // weights ← x·(W Fᵀ)^(β−2) at the stored entries (in the KL ratio's buffer), then weights · F.
  reserve(ratio_, A.nnz);
  detail::csr_beta_numerator(A.row_ptr, A.col_idx, A.values, A.rows, W.data(), W.rows(), F.data(),
                             F.rows(), F.cols(), beta, ratio_.data(), stream_);
  sparse_product(A, static_cast<const T*>(ratio_.data()), F, out);
}

template <class T>
void Backend<T>::accumulate_power_terms(const double* w, std::int64_t m, const double* ht,
                                        std::int64_t n, std::int64_t k, double beta, double* sum) {
  constexpr std::int64_t kTileEntries = std::int64_t{1} << 23;
  const std::int64_t tile_columns = std::clamp<std::int64_t>(kTileEntries / m, 1, n);
  reserve(double_tile_, m * tile_columns);
  for (std::int64_t j0 = 0; j0 < n; j0 += tile_columns) {
    const std::int64_t columns = std::min(tile_columns, n - j0);
    gemm(blas_, CUBLAS_OP_N, CUBLAS_OP_T, m, columns, k, 1.0, w, m, ht + j0, n, 0.0,
         double_tile_.data(), m);
    detail::accumulate_loss_terms(
        detail::LossTerm::BetaPower, static_cast<const double*>(double_tile_.data()),
        static_cast<const double*>(nullptr), m * columns, partials_.data(), sum, stream_, beta);
  }
}

template <class T>
template <class Index>
double Backend<T>::sparse_loss(detail::Divergence loss, const detail::CsrArrays<T, Index>& X,
                               const Matrix& W, const Matrix& Ht) {
  // Everything in double from the T factors (their products are exact in double), so that the
  // Frobenius expansion ‖X‖² − 2⟨X, WH⟩ + tr((WᵀW)(HHᵀ)) keeps its digits when the fit is good.
  // Each sum of the loss goes to its own accumulator, and the host waits once, for all of them.
  const std::int64_t m = W.rows(), n = Ht.rows(), k = W.cols();
  double* const sums = accumulator_.data();
  const auto add_at_stored = [&](detail::SparseTerm term, double* sum) {
    detail::accumulate_csr_terms(term, X.row_ptr, X.col_idx, X.values, X.rows, W.data(), m,
                                 Ht.data(), n, k, partials_.data(), sum, stream_, loss.beta);
  };
  const auto add_products = [&](const auto* a, const auto* b, std::int64_t count, double* sum) {
    detail::accumulate_loss_terms(detail::LossTerm::Product, a, b, count, partials_.data(), sum,
                                  stream_);
  };
  reserve(factors_double_, (m + n) * k);
  reserve(small_double_, 2 * k * k);
  double* w = factors_double_.data();
  double* ht = w + m * k;
  double* small_a = small_double_.data();
  double* small_b = small_a + k * k;
  detail::convert_to_double(W.data(), w, m * k, stream_);
  detail::convert_to_double(Ht.data(), ht, n * k, stream_);
  reset_accumulator();
  if (loss.kind == Loss::Beta) {
    // Σ over the stored entries of the β terms less their power terms, plus Σ over every entry of
    // the power terms (wh)^β/β (none for β ≤ 0, where every entry is stored).
    add_at_stored(detail::SparseTerm::Beta, sums);
    if (loss.beta > 0.0) accumulate_power_terms(w, m, ht, n, k, loss.beta, sums + 1);
    const auto sum = read_accumulators();
    return sum[0] + sum[1];  // at the stored entries + power terms
  }
  if (loss.kind == Loss::Frobenius) {
    gemm(blas_, CUBLAS_OP_T, CUBLAS_OP_N, k, k, m, 1.0, w, m, w, m, 0.0, small_a, k);
    gemm(blas_, CUBLAS_OP_T, CUBLAS_OP_N, k, k, n, 1.0, ht, n, ht, n, 0.0, small_b, k);
    add_products(small_a, small_b, k * k, sums);
    add_at_stored(detail::SparseTerm::CrossProduct, sums + 1);
    add_products(X.values, X.values, X.nnz, sums + 2);
    const auto [trace, cross, x_squared_norm] = read_accumulators();
    return 0.5 * std::max(0.0, x_squared_norm - 2.0 * cross + trace);
  }
  // Σ over the stored entries of x·log(x / wh) − x, plus Σ over all entries of wh = (1ᵀW)(1ᵀHᵀ)ᵀ.
  add_at_stored(detail::SparseTerm::KullbackLeibler, sums);
  gemv(blas_, CUBLAS_OP_T, m, k, 1.0, w, m, ones_double(std::max(m, n)), 0.0, small_a);
  gemv(blas_, CUBLAS_OP_T, n, k, 1.0, ht, n, ones_double(std::max(m, n)), 0.0, small_b);
  add_products(small_a, small_b, k, sums + 1);
  const auto sum = read_accumulators();
  return sum[0] + sum[1];  // at the stored entries + Σ wh
}

template <class T>
template <class Index>
void Backend<T>::sparse_kl_cd_update(const detail::CsrArrays<T, Index>& A, Matrix& F,
                                     const Matrix& G, const Matrix& sums,
                                     detail::Penalty<T> penalty) {
  // W·H at the stored entries only, in the buffer of the KL ratio (nnz values).
  reserve(ratio_, A.nnz);
  detail::csr_kl_cd_update(A.row_ptr, A.col_idx, A.values, A.rows, A.cols, F.data(), G.data(),
                           sums.data(), penalty, F.cols(), ratio_.data(), stream_);
}

#define CUNMF_INSTANTIATE_CUDA_SPARSE_PRIMITIVES(T, Index)                                      \
  template void Backend<T>::sparse_product<Index>(const detail::CsrArrays<T, Index>&, const T*, \
                                                  const Matrix&, Matrix&);                      \
  template void Backend<T>::sparse_ratio_product<Index>(const detail::CsrArrays<T, Index>&,     \
                                                        const Matrix&, const Matrix&, Matrix&); \
  template void Backend<T>::sparse_beta_numerator<Index>(                                       \
      const detail::CsrArrays<T, Index>&, const Matrix&, const Matrix&, T, Matrix&);            \
  template double Backend<T>::sparse_loss<Index>(                                               \
      detail::Divergence, const detail::CsrArrays<T, Index>&, const Matrix&, const Matrix&);    \
  template void Backend<T>::sparse_kl_cd_update<Index>(const detail::CsrArrays<T, Index>&,      \
                                                       Matrix&, const Matrix&, const Matrix&,   \
                                                       detail::Penalty<T>);
CUNMF_INSTANTIATE_CUDA_SPARSE_PRIMITIVES(float, std::int32_t)
CUNMF_INSTANTIATE_CUDA_SPARSE_PRIMITIVES(float, std::int64_t)
CUNMF_INSTANTIATE_CUDA_SPARSE_PRIMITIVES(double, std::int32_t)
CUNMF_INSTANTIATE_CUDA_SPARSE_PRIMITIVES(double, std::int64_t)
#undef CUNMF_INSTANTIATE_CUDA_SPARSE_PRIMITIVES

}  // namespace cunmf::cuda_backend
