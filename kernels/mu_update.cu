// The fused multiplicative-update kernels: numerator, denominator, ε and the product in one pass.
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

/// As mu_update_kernel, with the denominator of entry i taken from per_column[i / rows].
template <class T>
__global__ void mu_update_per_column_kernel(T* __restrict__ factor, const T* __restrict__ numerator,
                                            const T* __restrict__ per_column,
                                            Penalty<T> penalty, T floor, T gamma,
                                            std::int64_t rows, std::int64_t count) {
  const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count;
       i += step) {
    factor[i] = mu_step(factor[i], numerator[i], per_column[i / rows], penalty, floor, gamma);
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
  if (count <= 0) return;
  launch(mu_update_per_column_kernel<T>, grid_blocks(count), kBlockThreads, 0, stream, factor,
         numerator, per_column, penalty, floor, gamma, rows, count);
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
