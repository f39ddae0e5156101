// CUNMF_CUDA_CHECK for the kernels' launchers (DESIGN.md rule 4): a failing CUDA runtime call
// throws cunmf::CudaError (DeviceOutOfMemory for an allocation failure) whose message reads
// `file:line: expression: error-name: description`. The throwing function is defined with the
// backend (src/cuda/cuda_check.cpp); kernels/ stays a leaf that includes only itself and CUDA.
#pragma once

#include <cuda_runtime_api.h>

namespace cunmf::cuda_backend {

/// Throws the CudaError (or DeviceOutOfMemory) for a failed CUDA runtime call.
[[noreturn]] void throw_cuda_error(cudaError_t error, const char* file, int line,
                                   const char* expression);

}  // namespace cunmf::cuda_backend

/// Evaluates a CUDA runtime call and throws cunmf::CudaError unless it returned cudaSuccess.
#define CUNMF_CUDA_CHECK(expr)                                                           \
  do {                                                                                   \
    const cudaError_t cunmf_status_ = (expr);                                            \
    if (cunmf_status_ != cudaSuccess) {                                                  \
      ::cunmf::cuda_backend::throw_cuda_error(cunmf_status_, __FILE__, __LINE__, #expr); \
    }                                                                                    \
  } while (0)
