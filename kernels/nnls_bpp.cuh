// Launcher of the block principal pivoting kernel of nnls_bpp (core/primitives.hpp), and the size
// of the work space it needs.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace cunmf::detail {

/// Elements of T of work space per row for rank k: the Cholesky factor of the passive block
/// (k × k at most), the row's solution x and its passive part (k each).
inline std::int64_t nnls_bpp_scratch(std::int64_t k) { return k * k + 2 * k; }

/// ints of work space per row for rank k: the passive set with the infeasible marks, and the
/// passive set as a list of indices (k each).
inline std::int64_t nnls_bpp_index_scratch(std::int64_t k) { return 2 * k; }

/// Rows first, …, first + count − 1 of the column-major factor F (rows × k) ← the non-negative
/// least-squares solution of their rows of the column-major numerator N (rows × k) for the
/// ridged Gram matrix `gram` (k × k, column-major, G + δI), by block principal pivoting from F's
/// own passive sets (bpp_rules.cuh; one thread per row). `scratch` holds count ·
/// nnls_bpp_scratch(k) elements and `index_scratch` count · nnls_bpp_index_scratch(k), both
/// interleaved by row so that a warp's accesses are coalesced. A row whose passive block does
/// not factorize (gram not finite) becomes NaN. Queued on `stream`.
template <class T>
void nnls_bpp_rows(const T* gram, const T* numerator, T* factor, std::int64_t rows,
                   std::int64_t first, std::int64_t count, std::int64_t k, T* scratch,
                   int* index_scratch, cudaStream_t stream);

}  // namespace cunmf::detail
