// The element-wise kernels of projected gradient: each entry of the panel is independent, so a
// grid-stride loop with no shared memory, barriers or atomics (the same bits on every run).
#include "elementwise.cuh"
#include "grid.cuh"
#include "launch.cuh"
#include "projected_gradient.cuh"

namespace cunmf::detail {

namespace {

/// Each thread computes the entries i ≡ thread index (mod grid size).
template <class T>
__global__ void projected_step_kernel(const T* __restrict__ factor, const T* __restrict__ gradient,
                                      T alpha, T* __restrict__ out, std::int64_t count) {
  const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count;
       i += step) {
    out[i] = projected_step(factor[i], gradient[i], alpha);
  }
}

/// Each thread computes the entries i ≡ thread index (mod grid size). No __restrict__ on
/// `gradient` and `out`: they may be the same array (each entry is read before it is written, by
/// the same thread).
template <class T>
__global__ void projected_gradient_kernel(const T* __restrict__ factor, const T* gradient, T* out,
                                          std::int64_t count) {
  const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count;
       i += step) {
    out[i] = projected_gradient(factor[i], gradient[i]);
  }
}

}  // namespace

template <class T>
void projected_step(const T* factor, const T* gradient, T alpha, T* out, std::int64_t count,
                    cudaStream_t stream) {
  if (count <= 0) return;
  launch(projected_step_kernel<T>, grid_blocks(count), kBlockThreads, 0, stream, factor, gradient,
         alpha, out, count);
}

template <class T>
void projected_gradient(const T* factor, const T* gradient, T* out, std::int64_t count,
                        cudaStream_t stream) {
  if (count <= 0) return;
  launch(projected_gradient_kernel<T>, grid_blocks(count), kBlockThreads, 0, stream, factor,
         gradient, out, count);
}

#define CUNMF_INSTANTIATE_PROJECTED_GRADIENT(T)                                                \
  template void projected_step<T>(const T*, const T*, T, T*, std::int64_t, cudaStream_t);      \
  template void projected_gradient<T>(const T*, const T*, T*, std::int64_t, cudaStream_t);
CUNMF_INSTANTIATE_PROJECTED_GRADIENT(float)
CUNMF_INSTANTIATE_PROJECTED_GRADIENT(double)
#undef CUNMF_INSTANTIATE_PROJECTED_GRADIENT

}  // namespace cunmf::detail
