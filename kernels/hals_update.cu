// The coordinate-descent (HALS) sweep kernel: rows are independent given the Gram matrix, so one
// kernel updates every row, each thread keeping the Gauss–Seidel order over the columns of its row.
#include "elementwise.cuh"
#include "grid.cuh"
#include "hals_update.cuh"
#include "launch.cuh"

namespace cunmf::detail {

namespace {

/// Each thread sweeps the rows i ≡ thread index (mod grid size). Neighbouring threads hold
/// neighbouring rows, so each read of a column-major F(i, r) or N(i, t) is coalesced across the
/// warp, and every thread reads the same G(t, r) at the same time (one broadcast).
template <class T>
__global__ void hals_update_kernel(T* __restrict__ factor, const T* __restrict__ numerator,
                                   const T* __restrict__ gram, std::int64_t rows, std::int64_t k) {
  const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < rows;
       i += step) {
    hals_row_sweep(factor + i, rows, numerator + i, rows, gram, k);
  }
}

}  // namespace

template <class T>
void hals_update(T* factor, const T* numerator, const T* gram, std::int64_t rows, std::int64_t k,
                 cudaStream_t stream) {
  if (rows <= 0 || k <= 0) return;
  launch(hals_update_kernel<T>, grid_blocks(rows), kBlockThreads, 0, stream, factor, numerator,
         gram, rows, k);
}

#define CUNMF_INSTANTIATE_HALS_UPDATE(T) \
  template void hals_update<T>(T*, const T*, const T*, std::int64_t, std::int64_t, cudaStream_t);
CUNMF_INSTANTIATE_HALS_UPDATE(float)
CUNMF_INSTANTIATE_HALS_UPDATE(double)
#undef CUNMF_INSTANTIATE_HALS_UPDATE

}  // namespace cunmf::detail
