// The β-divergence's element-wise weights over a W·H buffer (see beta_weights.cuh).
#include "beta_weights.cuh"
#include "elementwise.cuh"
#include "grid.cuh"
#include "launch.cuh"

namespace cunmf::detail {

namespace {

/// Each thread weighs the entries i ≡ thread index (mod grid size).
template <class T>
__global__ void beta_numerator_kernel(const T* __restrict__ x, T* __restrict__ wh,
                                      std::int64_t count, BetaWeights<T> weights) {
  const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < count; i += step) {
    wh[i] = weights.numerator(x[i], wh[i]);
  }
}

template <class T>
__global__ void beta_denominator_kernel(T* __restrict__ wh, std::int64_t count,
                                        BetaWeights<T> weights) {
  const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < count; i += step) {
    wh[i] = weights.denominator(wh[i]);
  }
}

}  // namespace

template <class T>
void beta_numerator_in_place(const T* x, T* wh, std::int64_t count, BetaWeights<T> weights,
                             cudaStream_t stream) {
  if (count <= 0) return;
  launch(beta_numerator_kernel<T>, grid_blocks(count), kBlockThreads, 0, stream, x, wh, count,
         weights);
}

template <class T>
void beta_denominator_in_place(T* wh, std::int64_t count, BetaWeights<T> weights,
                               cudaStream_t stream) {
  if (count <= 0) return;
  launch(beta_denominator_kernel<T>, grid_blocks(count), kBlockThreads, 0, stream, wh, count,
         weights);
}

#define CUNMF_INSTANTIATE_BETA_WEIGHTS(T)                                               \
  template void beta_numerator_in_place<T>(const T*, T*, std::int64_t, BetaWeights<T>,  \
                                           cudaStream_t);                               \
  template void beta_denominator_in_place<T>(T*, std::int64_t, BetaWeights<T>, cudaStream_t);
CUNMF_INSTANTIATE_BETA_WEIGHTS(float)
CUNMF_INSTANTIATE_BETA_WEIGHTS(double)
#undef CUNMF_INSTANTIATE_BETA_WEIGHTS

}  // namespace cunmf::detail
