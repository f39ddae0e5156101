// Thrust's execution policy, chosen in one place (DESIGN.md rule 6). Under nvcc a Thrust algorithm
// runs with thrust::cuda::par.on(stream); in the emulated build (THRUST_DEVICE_SYSTEM_CPP, where
// that policy does not compile) it runs with thrust::cpp::par as work queued on the emulated
// stream, so it is ordered after the kernels queued before it and may touch device memory (which
// the emulated device poisons outside queued work).
#pragma once

#include <cuda_runtime_api.h>

#include <new>

#include "cuda_check.cuh"

#if defined(CUNMF_CUDA_EMULATION)
#include <thrust/system/cpp/execution_policy.h>

#include "cunmf_emu/runtime_hooks.hpp"
#else
#include <thrust/system/cuda/execution_policy.h>
#include <thrust/system_error.h>
#endif

namespace cunmf::detail {

/// Runs `algorithm(policy)` in the order of `stream`: `algorithm` is a host callable that calls
/// Thrust algorithms on device pointers with the policy it is given (and nothing else), for
/// example `[=](auto policy) { thrust::stable_sort_by_key(policy, k, k + n, v); }`. It captures
/// by value: in the emulated build it runs when the host synchronizes with `stream`. Under nvcc
/// Thrust may synchronize `stream` and allocates its temporary storage with cudaMalloc; a failure
/// there throws CudaError (DeviceOutOfMemory when Thrust could not allocate) naming `what`.
template <class Algorithm>
void run_thrust(cudaStream_t stream, const char* what, Algorithm algorithm) {
#if defined(CUNMF_CUDA_EMULATION)
  (void)what;
  ::cunmf_emu::enqueue(stream, [algorithm] { algorithm(thrust::cpp::par); });
#else
  try {
    algorithm(thrust::cuda::par.on(stream));
  } catch (const thrust::system_error& e) {
    ::cunmf::cuda_backend::throw_cuda_error(static_cast<cudaError_t>(e.code().value()), __FILE__,
                                            __LINE__, what);
  } catch (const std::bad_alloc&) {
    ::cunmf::cuda_backend::throw_cuda_error(cudaErrorMemoryAllocation, __FILE__, __LINE__, what);
  }
#endif
}

}  // namespace cunmf::detail
