// The KL ratio X ⊘ WH, written over the WH buffer, and a constant fill.
#include "elementwise.cuh"
#include "grid.cuh"
#include "kl_ratio.cuh"
#include "launch.cuh"

namespace cunmf::detail {

namespace {

/// Each thread turns the entries i ≡ thread index (mod grid size) of wh into x / wh.
template <class T>
__global__ void kl_ratio_kernel(const T* __restrict__ x, T* __restrict__ wh, std::int64_t count) {
  const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < count; i += step) {
    wh[i] = kl_ratio(x[i], wh[i]);
  }
}

/// Each thread writes `value` to the entries i ≡ thread index (mod grid size).
template <class T>
__global__ void fill_kernel(T* __restrict__ data, T value, std::int64_t count) {
  const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < count; i += step) {
    data[i] = value;
  }
}

}  // namespace

template <class T>
void kl_ratio_in_place(const T* x, T* wh, std::int64_t count, cudaStream_t stream) {
  if (count <= 0) return;
  launch(kl_ratio_kernel<T>, grid_blocks(count), kBlockThreads, 0, stream, x, wh, count);
}

template <class T>
void fill(T* data, T value, std::int64_t count, cudaStream_t stream) {
  if (count <= 0) return;
  launch(fill_kernel<T>, grid_blocks(count), kBlockThreads, 0, stream, data, value, count);
}

template void kl_ratio_in_place<float>(const float*, float*, std::int64_t, cudaStream_t);
template void kl_ratio_in_place<double>(const double*, double*, std::int64_t, cudaStream_t);
template void fill<float>(float*, float, std::int64_t, cudaStream_t);
template void fill<double>(double*, double, std::int64_t, cudaStream_t);

}  // namespace cunmf::detail
