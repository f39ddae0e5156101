// The device-side CSR transpose (see csr_transpose.cuh): sort the column indices stably with the
// entries' positions, count the rows of Xᵀ by binary search, then move the values and row indices.
#include <thrust/sort.h>

#include "csr_transpose.cuh"
#include "grid.cuh"
#include "launch.cuh"
#include "sorted_search.cuh"
#include "thrust_policy.cuh"

namespace cunmf::detail {

namespace {

/// Each thread e (grid-stride over nnz) copies the column index col_idx[e] to the sort keys and
/// writes its position e to the sort values.
template <class Index>
__global__ void prepare_sort_kernel(const Index* __restrict__ col_idx, std::int64_t nnz,
                                    Index* __restrict__ keys, Index* __restrict__ positions) {
  const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t e = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < nnz;
       e += step) {
    keys[e] = col_idx[e];
    positions[e] = static_cast<Index>(e);
  }
}

/// Each thread j (grid-stride over 0..cols) writes t_row_ptr[j] = the number of sorted column
/// indices below j, i.e. where row j of Xᵀ starts (t_row_ptr[cols] = nnz).
template <class Index>
__global__ void transposed_row_ptr_kernel(const Index* __restrict__ sorted_cols, std::int64_t nnz,
                                          std::int64_t cols, Index* __restrict__ t_row_ptr) {
  const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t j = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; j <= cols;
       j += step) {
    t_row_ptr[j] = static_cast<Index>(first_not_less(sorted_cols, nnz, j));
  }
}

/// Each thread p (grid-stride over nnz) moves entry e = positions[p] of X to place p of Xᵀ: its
/// value, and its row of X (a binary search in row_ptr) as the column index.
template <class T, class Index>
__global__ void gather_transposed_kernel(const Index* __restrict__ row_ptr,
                                         const T* __restrict__ values, std::int64_t rows,
                                         std::int64_t nnz, const Index* __restrict__ positions,
                                         Index* __restrict__ t_col_idx, T* __restrict__ t_values) {
  const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t p = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; p < nnz;
       p += step) {
    const std::int64_t e = static_cast<std::int64_t>(positions[p]);
    t_values[p] = values[e];
    t_col_idx[p] = static_cast<Index>(first_greater(row_ptr, rows + 1, e) - 1);
  }
}

/// Sorts keys[0..nnz) stably, carrying positions along. Only over Index, so Thrust's sort is
/// instantiated twice, not once per value type.
template <class Index>
void stable_sort_positions_by_column(Index* keys, Index* positions, std::int64_t nnz,
                                     cudaStream_t stream) {
  run_thrust(stream, "thrust::stable_sort_by_key (csr_transpose)",
             [=](auto policy) { thrust::stable_sort_by_key(policy, keys, keys + nnz, positions); });
}

}  // namespace

template <class T, class Index>
void csr_transpose(const Index* row_ptr, const Index* col_idx, const T* values, std::int64_t rows,
                   std::int64_t cols, std::int64_t nnz, Index* t_row_ptr, Index* t_col_idx,
                   T* t_values, Index* scratch, cudaStream_t stream) {
  if (nnz > 0) {
    // The sorted columns live in t_col_idx until the gather replaces them with rows of X.
    launch(prepare_sort_kernel<Index>, grid_blocks(nnz), kBlockThreads, 0, stream, col_idx, nnz,
           t_col_idx, scratch);
    stable_sort_positions_by_column(t_col_idx, scratch, nnz, stream);
  }
  // Also with no entries: every row of Xᵀ is then empty.
  launch(transposed_row_ptr_kernel<Index>, grid_blocks(cols + 1), kBlockThreads, 0, stream,
         t_col_idx, nnz, cols, t_row_ptr);
  if (nnz > 0) {
    launch(gather_transposed_kernel<T, Index>, grid_blocks(nnz), kBlockThreads, 0, stream, row_ptr,
           values, rows, nnz, scratch, t_col_idx, t_values);
  }
}

#define CUNMF_INSTANTIATE_CSR_TRANSPOSE(T, Index)                                               \
  template void csr_transpose<T, Index>(const Index*, const Index*, const T*, std::int64_t,     \
                                        std::int64_t, std::int64_t, Index*, Index*, T*, Index*, \
                                        cudaStream_t);
CUNMF_INSTANTIATE_CSR_TRANSPOSE(float, std::int32_t)
CUNMF_INSTANTIATE_CSR_TRANSPOSE(float, std::int64_t)
CUNMF_INSTANTIATE_CSR_TRANSPOSE(double, std::int32_t)
CUNMF_INSTANTIATE_CSR_TRANSPOSE(double, std::int64_t)
#undef CUNMF_INSTANTIATE_CSR_TRANSPOSE

}  // namespace cunmf::detail
