// The kernel of add_penalty (penalty.cuh).
#include "grid.cuh"
#include "launch.cuh"
#include "penalty.cuh"

namespace cunmf::detail {

namespace {

/// Each thread takes the numerator entries i ≡ thread index (mod grid size); the first k of them
/// also take the diagonal entry of the Gram in their column.
template <class T>
__global__ void add_penalty_kernel(T* __restrict__ gram, T* __restrict__ numerator,
                                   Penalty<T> penalty, std::int64_t rows, std::int64_t k) {
  const std::int64_t count = rows * k;
  const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  const std::int64_t first = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  for (std::int64_t i = first; i < count; i += step) numerator[i] -= penalty.l1;
  for (std::int64_t t = first; t < k; t += step) gram[t * k + t] += penalty.l2;
}

}  // namespace

template <class T>
void add_penalty(T* gram, T* numerator, Penalty<T> penalty, std::int64_t rows, std::int64_t k,
                 cudaStream_t stream) {
  if (k <= 0) return;
  launch(add_penalty_kernel<T>, grid_blocks(std::max(rows * k, k)), kBlockThreads, 0,
         stream, gram, numerator, penalty, rows, k);
}

#define CUNMF_INSTANTIATE_ADD_PENALTY(T) \
  template void add_penalty<T>(T*, T*, Penalty<T>, std::int64_t, std::int64_t, cudaStream_t);
CUNMF_INSTANTIATE_ADD_PENALTY(float)
CUNMF_INSTANTIATE_ADD_PENALTY(double)
#undef CUNMF_INSTANTIATE_ADD_PENALTY

}  // namespace cunmf::detail
