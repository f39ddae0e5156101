// Launcher of the coordinate-descent (HALS) sweep kernel.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace cunmf::detail {

/// One coordinate-descent sweep of the column-major factor F (rows × k) given the column-major
/// numerator N = A·B (rows × k) and Gram G = BᵀB (k × k): every row gets hals_row_sweep
/// (elementwise.cuh), columns in order within a row. One thread per row, no atomics, so the
/// result is the same bits on every run. Queued on `stream`.
template <class T>
void hals_update(T* factor, const T* numerator, const T* gram, std::int64_t rows, std::int64_t k,
                 cudaStream_t stream);

}  // namespace cunmf::detail
