// Launcher of the device-side CSR transpose: the CSR of Xᵀ from the CSR of X, for 64-bit indices
// (cuSPARSE's csr2csc takes 32-bit ones only) and 32-bit ones alike.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace cunmf::detail {

/// Writes the CSR of Xᵀ (cols × rows, nnz entries) from the CSR of X (rows × cols), all in device
/// memory: t_row_ptr (cols + 1 entries), t_col_idx and t_values (nnz entries each); each row of Xᵀ
/// lists its columns (the rows of X) in increasing order. The result is the same in any thread
/// order: a stable sort of the column indices, carrying each entry's position, puts the entries of
/// each column of X in row order (Thrust's stable_sort_by_key, see thrust_policy.cuh); then each
/// thread of one kernel computes t_row_ptr[j] for one j ≤ cols (a binary search in the sorted
/// columns), and each thread of another moves one entry (its value, and its row of X, found by a
/// binary search in row_ptr).
///
/// X must be a valid CSR matrix (find_first_csr_problem finds nothing) with rows and nnz that fit
/// in Index. Nothing is read out of bounds whatever col_idx holds, as long as row_ptr has rows + 1
/// entries and col_idx, values nnz each. `scratch` is device memory of nnz Index entries (not
/// read; overwritten). Peak device memory beyond the caller's arrays: none in the emulated build
/// (Thrust's CPP sort works in host memory); under nvcc, Thrust's radix sort allocates (with
/// cudaMalloc, freed before it returns) 2 · nnz · sizeof(Index) bytes, each half rounded up to 128,
/// plus CUB's radix-sort workspace (cub::DeviceRadixSort::SortPairs temp_storage_bytes for nnz
/// keys and values of type Index). Queued on `stream` (every array, scratch included, must stay
/// allocated until that work has run: in the emulated build even the sort runs only when the host
/// synchronizes); under nvcc the sort synchronizes `stream`.
/// Throws CudaError when a launch or the sort fails (DeviceOutOfMemory when the sort cannot allocate).
template <class T, class Index>
void csr_transpose(const Index* row_ptr, const Index* col_idx, const T* values, std::int64_t rows,
                   std::int64_t cols, std::int64_t nnz, Index* t_row_ptr, Index* t_col_idx,
                   T* t_values, Index* scratch, cudaStream_t stream);

}  // namespace cunmf::detail
