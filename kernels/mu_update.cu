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
                                 const T* __restrict__ denominator, std::int64_t count) {
  const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < count; i += step) {
    factor[i] = mu_step(factor[i], numerator[i], denominator[i]);
  }
}

/// As mu_update_kernel, with the denominator of entry i taken from per_rank[(i / stride) % rank].
template <class T>
__global__ void mu_update_broadcast_kernel(T* __restrict__ factor, const T* __restrict__ numerator,
                                           const T* __restrict__ per_rank, std::int64_t count,
                                           std::int64_t stride, std::int64_t rank) {
  const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < count; i += step) {
    factor[i] = mu_step(factor[i], numerator[i], per_rank[(i / stride) % rank]);
  }
}

}  // namespace

template <class T>
void mu_update(T* factor, const T* numerator, const T* denominator, std::int64_t count,
               cudaStream_t stream) {
  if (count <= 0) return;
  launch(mu_update_kernel<T>, grid_blocks(count), kBlockThreads, 0, stream, factor, numerator,
         denominator, count);
}

template <class T>
void mu_update_broadcast(T* factor, const T* numerator, const T* per_rank, std::int64_t count,
                         std::int64_t stride, std::int64_t rank, cudaStream_t stream) {
  if (count <= 0) return;
  launch(mu_update_broadcast_kernel<T>, grid_blocks(count), kBlockThreads, 0, stream, factor,
         numerator, per_rank, count, stride, rank);
}

template void mu_update<float>(float*, const float*, const float*, std::int64_t, cudaStream_t);
template void mu_update<double>(double*, const double*, const double*, std::int64_t, cudaStream_t);
template void mu_update_broadcast<float>(float*, const float*, const float*, std::int64_t,
                                         std::int64_t, std::int64_t, cudaStream_t);
template void mu_update_broadcast<double>(double*, const double*, const double*, std::int64_t,
                                          std::int64_t, std::int64_t, cudaStream_t);

}  // namespace cunmf::detail
