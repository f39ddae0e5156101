// Launchers of the KL coordinate-descent sweep kernels (kl_cd_row_sweep of elementwise.cuh on
// every row of a dense or CSR operand A, for A ≈ F Gᵀ with column-major F and G).
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "elementwise.cuh"

namespace cunmf::detail {

/// One KL coordinate-descent sweep of the column-major F (rows × k) for A ≈ F Gᵀ, A = op(S) with
/// S the column-major storage (leading dimension lds) read as S or, when `transposed`, as Sᵀ;
/// A is rows × cols, G column-major (cols × k, leading dimension cols) and g_sums = 1ᵀG (k
/// values), with F's penalty. `values` is work space of rows × cols entries (W·H where A > 0, column-major, leading
/// dimension rows). One thread per row, no atomics: the same bits on every run. Queued on
/// `stream`.
template <class T>
void dense_kl_cd_update(const T* S, std::int64_t lds, bool transposed, std::int64_t rows,
                        std::int64_t cols, T* F, const T* G, const T* g_sums, Penalty<T> penalty,
                        std::int64_t k, T* values, cudaStream_t stream);

/// The same for a CSR A (rows × cols, nnz stored entries): `values` is work space of nnz entries
/// (W·H at the stored entries); nothing rows × cols is formed.
template <class T, class Index>
void csr_kl_cd_update(const Index* row_ptr, const Index* col_idx, const T* x, std::int64_t rows,
                      std::int64_t cols, T* F, const T* G, const T* g_sums, Penalty<T> penalty,
                      std::int64_t k, T* values, cudaStream_t stream);

}  // namespace cunmf::detail
