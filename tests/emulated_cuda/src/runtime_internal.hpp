// What the emulated CUDA runtime (runtime.cpp) offers the emulated libraries (cublas.cpp) beyond
// the public CUDA API and runtime_hooks.hpp. Private to the emulated device.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>

#include "cunmf_emu/runtime_hooks.hpp"

namespace cunmf_emu::detail {

/// The sticky error left by an earlier device fault (cudaErrorLaunchFailure), cudaSuccess when
/// the device is healthy. Cleared only by cudaDeviceReset.
cudaError_t sticky_error();

/// True when `stream` is a default stream (0, cudaStreamLegacy, cudaStreamPerThread) or a live
/// stream from cudaStreamCreate*, so work can be queued on it.
bool is_valid_stream(cudaStream_t stream);

/// False while a test has made the device absent (set_device_present, runtime_hooks.hpp).
bool device_present();

/// True, once, after fail_next_handle_creation(library) (runtime_hooks.hpp): the library's create
/// function then fails with its ALLOC_FAILED status.
bool take_handle_creation_failure(Library library);

/// The live handles of each emulated library (live_library_handles sums them).
std::size_t live_cublas_handles();
std::size_t live_cusparse_handles();
std::size_t live_cusolver_handles();

/// Adds `bytes` bytes at `data`, which the device has just handed to the host (a device-to-host
/// copy, a cuBLAS result written through a host pointer), to the host digest (host_digest.hpp).
void add_to_host_digest(const void* data, std::size_t bytes);

}  // namespace cunmf_emu::detail
