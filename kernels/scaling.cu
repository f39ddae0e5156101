// The device side of the exact rescaling of an extreme X (scaling.cuh).
#include <cmath>

#include "grid.cuh"
#include "launch.cuh"
#include "scaling.cuh"

namespace cunmf::detail {

namespace {

template <class T>
__global__ void find_largest_entry_kernel(const T* __restrict__ x, std::int64_t count,
                                          unsigned long long* bits) {
  const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  double largest = 0.0;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < count; i += step) {
    largest = fmax(largest, static_cast<double>(x[i]));
  }
  if (largest > 0.0) {
    atomicMax(bits, static_cast<unsigned long long>(__double_as_longlong(largest)));
  }
}

template <class T>
__global__ void scale_by_power_of_two_kernel(const T* x, T* out, std::int64_t count, int p) {
  const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < count; i += step) {
    if constexpr (sizeof(T) == sizeof(float)) {
      out[i] = ldexpf(x[i], p);
    } else {
      out[i] = ldexp(x[i], p);
    }
  }
}

}  // namespace

template <class T>
void find_largest_entry(const T* x, std::int64_t count, unsigned long long* bits,
                        cudaStream_t stream) {
  if (count <= 0) return;
  launch(find_largest_entry_kernel<T>, grid_blocks(count), kBlockThreads, 0, stream, x, count,
         bits);
}

template <class T>
void scale_by_power_of_two(const T* x, T* out, std::int64_t count, int p, cudaStream_t stream) {
  if (count <= 0) return;
  launch(scale_by_power_of_two_kernel<T>, grid_blocks(count), kBlockThreads, 0, stream, x, out,
         count, p);
}

template void find_largest_entry<float>(const float*, std::int64_t, unsigned long long*,
                                        cudaStream_t);
template void find_largest_entry<double>(const double*, std::int64_t, unsigned long long*,
                                         cudaStream_t);
template void scale_by_power_of_two<float>(const float*, float*, std::int64_t, int, cudaStream_t);
template void scale_by_power_of_two<double>(const double*, double*, std::int64_t, int,
                                            cudaStream_t);

}  // namespace cunmf::detail
