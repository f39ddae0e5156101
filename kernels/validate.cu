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
                                          unsigned long long* first, bool positive) {
  const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < count; i += step) {
    const T v = x[i];
    // NaN fails both comparisons; +Inf fails the second.
    const bool above_bound = positive ? v > T(0) : v >= T(0);
    if (!(above_bound && v <= std::numeric_limits<T>::max())) {
      atomicMin(first, static_cast<unsigned long long>(i));
      return;  // later entries of this thread have larger indices
    }
  }
}

}  // namespace

template <class T>
void find_first_invalid(const T* x, std::int64_t count, unsigned long long* first,
                        cudaStream_t stream, bool positive) {
  if (count <= 0) return;
  launch(find_first_invalid_kernel<T>, grid_blocks(count), kBlockThreads, 0, stream, x, count,
         first, positive);
}

template void find_first_invalid<float>(const float*, std::int64_t, unsigned long long*,
                                        cudaStream_t, bool);
template void find_first_invalid<double>(const double*, std::int64_t, unsigned long long*,
                                         cudaStream_t, bool);

}  // namespace cunmf::detail
