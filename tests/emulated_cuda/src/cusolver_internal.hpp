// What the emulated cuSOLVER's translation units share (cusolver.cpp: handles and Cholesky;
// cusolver_qr.cpp: the QR routines): the handle registry, the launch check and the operand check.
// Private to the emulated device.
#pragma once

#include <cuda_runtime_api.h>
#include <cusolverDn.h>

#include <cstddef>

#include "device_memory.hpp"
#include "handle_registry.hpp"

namespace cunmf_emu::detail {

/// A cuSOLVER dense handle's settings; cusolverDnHandle_t points at one.
struct SolverHandle {
  cudaStream_t stream = nullptr;
};

/// The live cuSOLVER dense handles (defined in cusolver.cpp).
extern HandleRegistry<SolverHandle> g_solvers;

/// The stream of the live handle `h` (copied out), or false.
bool find_solver(cusolverDnHandle_t h, cudaStream_t* stream);

/// A dead device or stream fails the call (EXECUTION_FAILED), as a launch into a dead context does;
/// SUCCESS otherwise.
cusolverStatus_t check_launch(cudaStream_t stream, const char* api);

/// Checks the whole extent of a rows × cols column-major operand with leading dimension ld.
template <class T>
bool check_matrix(const T* p, int rows, int cols, int ld, const char* api, const char* name) {
  if (rows == 0 || cols == 0) return true;
  const std::size_t elements = static_cast<std::size_t>(ld) * (cols - 1) + rows;
  return check_device_range(p, elements * sizeof(T), api, name);
}

}  // namespace cunmf_emu::detail
