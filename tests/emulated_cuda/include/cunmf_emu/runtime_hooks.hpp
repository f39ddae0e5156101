// The seam between the emulated kernel executor (kernel_execution.cpp) and the emulated CUDA
// runtime (runtime.cpp, device_memory.cpp). Internal to the emulated device; not for project code.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <functional>
#include <stdexcept>
#include <string>

namespace cunmf_emu {

/// A fault inside device work (bad pointer, divergent or impossible barrier, bad warp mask ...).
/// Thrown by the executor while work runs; the runtime catches it, prints the message on stderr,
/// remembers it (last_fault_message) and returns a sticky error from later calls, as a GPU does.
class KernelFault : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Queues work on a stream (nullptr is the legacy default stream). It runs, in queue order, when
/// the host synchronizes with that stream, directly or through an event, or with the device.
void enqueue(cudaStream_t stream, std::function<void()> work);

/// True when p is null or points inside a live device allocation.
bool is_device_pointer(const void* p);

/// Records a launch error for cudaGetLastError / cudaPeekAtLastError.
void set_last_error(cudaError_t error);

/// The dynamic shared memory limit set for a kernel with cudaFuncSetAttribute (default 48 KiB).
std::size_t max_dynamic_shared_bytes(const void* kernel);

/// The message of the last KernelFault, empty when none (for tests of the emulator).
std::string last_fault_message();

/// Peak and current bytes of emulated device memory since start or the last reset.
std::size_t peak_device_bytes();
std::size_t current_device_bytes();
void reset_peak_device_bytes();

}  // namespace cunmf_emu
