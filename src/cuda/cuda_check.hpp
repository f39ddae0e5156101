// Error checks for CUDA runtime, cuBLAS, cuSPARSE and cuSOLVER calls (DESIGN.md rule 4): each
// failing call throws cunmf::CudaError (cunmf::DeviceOutOfMemory for an allocation failure) whose
// message reads `file:line: expression: error-name: description`.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <cusolverDn.h>
#include <cusparse.h>

#include "../../kernels/cuda_check.cuh"  // CUNMF_CUDA_CHECK

namespace cunmf::cuda_backend {

/// Throws the CudaError for a failed cuBLAS call.
[[noreturn]] void throw_cublas_error(cublasStatus_t status, const char* file, int line,
                                     const char* expression);
/// Throws the CudaError for a failed cuSPARSE call.
[[noreturn]] void throw_cusparse_error(cusparseStatus_t status, const char* file, int line,
                                       const char* expression);
/// Throws the CudaError for a failed cuSOLVER call.
[[noreturn]] void throw_cusolver_error(cusolverStatus_t status, const char* file, int line,
                                       const char* expression);

}  // namespace cunmf::cuda_backend

/// Evaluates a cuBLAS call and throws cunmf::CudaError unless it returned CUBLAS_STATUS_SUCCESS.
#define CUNMF_CUBLAS_CHECK(expr)                                                           \
  do {                                                                                     \
    const cublasStatus_t cunmf_status_ = (expr);                                           \
    if (cunmf_status_ != CUBLAS_STATUS_SUCCESS) {                                          \
      ::cunmf::cuda_backend::throw_cublas_error(cunmf_status_, __FILE__, __LINE__, #expr); \
    }                                                                                      \
  } while (0)

/// Evaluates a cuSPARSE call and throws cunmf::CudaError unless it returned
/// CUSPARSE_STATUS_SUCCESS.
#define CUNMF_CUSPARSE_CHECK(expr)                                                           \
  do {                                                                                       \
    const cusparseStatus_t cunmf_status_ = (expr);                                           \
    if (cunmf_status_ != CUSPARSE_STATUS_SUCCESS) {                                          \
      ::cunmf::cuda_backend::throw_cusparse_error(cunmf_status_, __FILE__, __LINE__, #expr); \
    }                                                                                        \
  } while (0)

/// Evaluates a cuSOLVER call and throws cunmf::CudaError unless it returned
/// CUSOLVER_STATUS_SUCCESS.
#define CUNMF_CUSOLVER_CHECK(expr)                                                           \
  do {                                                                                       \
    const cusolverStatus_t cunmf_status_ = (expr);                                           \
    if (cunmf_status_ != CUSOLVER_STATUS_SUCCESS) {                                          \
      ::cunmf::cuda_backend::throw_cusolver_error(cunmf_status_, __FILE__, __LINE__, #expr); \
    }                                                                                        \
  } while (0)
