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

// ---- Failures a real GPU shows only under conditions a test cannot arrange ------------------

/// While `present` is false the machine has no usable device, as without a driver or a GPU:
/// cudaGetDeviceCount reports cudaErrorNoDevice (and a count of 0), and so does cudaSetDevice.
void set_device_present(bool present);

/// The emulated libraries whose handle creation can be made to fail.
enum class Library { Cublas, Cusparse, Cusolver };

/// The next cublasCreate, cusparseCreate or cusolverDnCreate (per `library`) fails, once, with
/// that library's ALLOC_FAILED status, as the real one does when the device has no memory left
/// for the handle's resources.
void fail_next_handle_creation(Library library);

/// Live handles of the emulated cuBLAS, cuSPARSE and cuSOLVER together, and streams created and
/// not destroyed: a test that a failure releases what was created before it compares them.
std::size_t live_library_handles();
std::size_t live_streams();

/// Peak and current bytes of emulated device memory since start or the last reset.
std::size_t peak_device_bytes();
std::size_t current_device_bytes();
void reset_peak_device_bytes();

}  // namespace cunmf_emu
