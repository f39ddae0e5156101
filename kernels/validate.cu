// The device-side input check. An integer atomicMin gives the same answer in any thread order.
#include <limits>

#include "grid.cuh"
#include "launch.cuh"
#include "validate.cuh"

namespace cunmf::detail {

namespace {

/// Each thread checks the entries i ≡ thread index (mod grid size) and lowers *first to the
/// smallest invalid index it sees.
template <class T>
__global__ void find_first_invalid_kernel(const T* __restrict__ x, std::int64_t count,
                                          unsigned long long* first) {
  const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < count; i += step) {
    const T v = x[i];
    // NaN fails both comparisons; +Inf fails the second.
    if (!(v >= T(0) && v <= std::numeric_limits<T>::max())) {
      atomicMin(first, static_cast<unsigned long long>(i));
      return;  // later entries of this thread have larger indices
    }
  }
}

}  // namespace

template <class T>
void find_first_invalid(const T* x, std::int64_t count, unsigned long long* first,
                        cudaStream_t stream) {
  if (count <= 0) return;
  launch(find_first_invalid_kernel<T>, grid_blocks(count), kBlockThreads, 0, stream, x, count,
         first);
}

template void find_first_invalid<float>(const float*, std::int64_t, unsigned long long*,
                                        cudaStream_t);
template void find_first_invalid<double>(const double*, std::int64_t, unsigned long long*,
                                         cudaStream_t);

}  // namespace cunmf::detail
