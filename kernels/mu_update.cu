// The fused multiplicative-update kernels: numerator, denominator, ε and the product in one pass.
#include <algorithm>

#include "elementwise.cuh"
#include "grid.cuh"
#include "launch.cuh"
#include "mu_update.cuh"

namespace cunmf::detail {

namespace {

/// Each thread updates the entries i ≡ thread index (mod grid size).
template <class T>
__global__ void mu_update_kernel(T* __restrict__ factor, const T* __restrict__ numerator,
                                 const T* __restrict__ denominator, Penalty<T> penalty, T floor,
                                 T gamma, std::int64_t count) {
  const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count;
       i += step) {
    factor[i] = mu_step(factor[i], numerator[i], denominator[i], penalty, floor, gamma);
  }
}

/// As mu_update_kernel for a column-major rows × columns factor whose column c has the one
/// denominator per_column[c]: block row y takes columns y, y + gridDim.y, ...; each thread the
/// rows ≡ its index (mod the grid's width) of them. No per-entry division to find the column.
template <class T>
__global__ void mu_update_per_column_kernel(T* __restrict__ factor, const T* __restrict__ numerator,
                                            const T* __restrict__ per_column,
                                            Penalty<T> penalty, T floor, T gamma,
                                            std::int64_t rows, std::int64_t columns) {
  const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  const std::int64_t first = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  for (std::int64_t c = blockIdx.y; c < columns; c += gridDim.y) {
    const T denominator = per_column[c];
    T* column = factor + c * rows;
    const T* column_numerator = numerator + c * rows;
    for (std::int64_t i = first; i < rows; i += step) {
      column[i] = mu_step(column[i], column_numerator[i], denominator, penalty, floor, gamma);
    }
  }
}

}  // namespace

template <class T>
void mu_update(T* factor, const T* numerator, const T* denominator, Penalty<T> penalty, T floor,
               T gamma, std::int64_t count, cudaStream_t stream) {
  if (count <= 0) return;
  launch(mu_update_kernel<T>, grid_blocks(count), kBlockThreads, 0, stream, factor, numerator,
         denominator, penalty, floor, gamma, count);
}

template <class T>
void mu_update_per_column(T* factor, const T* numerator, const T* per_column, Penalty<T> penalty,
                          T floor, T gamma, std::int64_t rows, std::int64_t count,
                          cudaStream_t stream) {
  if (count <= 0 || rows <= 0) return;
  const std::int64_t columns = count / rows;
  const unsigned column_blocks = static_cast<unsigned>(std::min<std::int64_t>(columns, 65535));
  const dim3 grid(grid_blocks(rows, std::max<std::int64_t>(1, kMaxGridBlocks / column_blocks)),
                  column_blocks);
  launch(mu_update_per_column_kernel<T>, grid, dim3(kBlockThreads), 0, stream, factor, numerator,
         per_column, penalty, floor, gamma, rows, columns);
}

#define CUNMF_INSTANTIATE_MU_UPDATE(T)                                                         \
  template void mu_update<T>(T*, const T*, const T*, Penalty<T>, T, T, std::int64_t,       \
                             cudaStream_t);                                                  \
  template void mu_update_per_column<T>(T*, const T*, const T*, Penalty<T>, T, T, std::int64_t, \
                                        std::int64_t, cudaStream_t);
CUNMF_INSTANTIATE_MU_UPDATE(float)
CUNMF_INSTANTIATE_MU_UPDATE(double)
#undef CUNMF_INSTANTIATE_MU_UPDATE

}  // namespace cunmf::detail
