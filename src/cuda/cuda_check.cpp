// The throwing halves of CUNMF_CUDA_CHECK, CUNMF_CUBLAS_CHECK, CUNMF_CUSPARSE_CHECK and
// CUNMF_CUSOLVER_CHECK.
#include "cuda_check.hpp"

#include <string>

#include "cunmf/errors.hpp"

namespace cunmf::cuda_backend {

namespace {

std::string where(const char* file, int line, const char* expression) {
  return std::string(file) + ":" + std::to_string(line) + ": " + expression + ": ";
}

/// cuSOLVER has no status-name function: the names of <cusolver_common.h> and the meanings its
/// documentation gives them.
std::string cusolver_status_text(cusolverStatus_t status) {
  switch (status) {
    case CUSOLVER_STATUS_NOT_INITIALIZED:
      return "CUSOLVER_STATUS_NOT_INITIALIZED: the library was not initialized";
    case CUSOLVER_STATUS_ALLOC_FAILED:
      return "CUSOLVER_STATUS_ALLOC_FAILED: the resource allocation failed";
    case CUSOLVER_STATUS_INVALID_VALUE:
      return "CUSOLVER_STATUS_INVALID_VALUE: an invalid value or parameter was passed";
    case CUSOLVER_STATUS_ARCH_MISMATCH:
      return "CUSOLVER_STATUS_ARCH_MISMATCH: the device does not support the feature";
    case CUSOLVER_STATUS_EXECUTION_FAILED:
      return "CUSOLVER_STATUS_EXECUTION_FAILED: the GPU program failed to execute";
    case CUSOLVER_STATUS_INTERNAL_ERROR:
      return "CUSOLVER_STATUS_INTERNAL_ERROR: an internal operation failed";
    case CUSOLVER_STATUS_MATRIX_TYPE_NOT_SUPPORTED:
      return "CUSOLVER_STATUS_MATRIX_TYPE_NOT_SUPPORTED: the matrix type is not supported";
    default:
      return "cusolverStatus_t " + std::to_string(static_cast<int>(status));
  }
}

}  // namespace

void throw_cuda_error(cudaError_t error, const char* file, int line, const char* expression) {
  const std::string message =
      where(file, line, expression) + cudaGetErrorName(error) + ": " + cudaGetErrorString(error);
  if (error == cudaErrorMemoryAllocation) {
    (void)cudaGetLastError();  // an allocation failure is not sticky: clear it for later calls
    throw DeviceOutOfMemory(message);
  }
  throw CudaError(message);
}

void throw_cublas_error(cublasStatus_t status, const char* file, int line, const char* expression) {
  const std::string message = where(file, line, expression) + cublasGetStatusName(status) + ": " +
                              cublasGetStatusString(status);
  if (status == CUBLAS_STATUS_ALLOC_FAILED) throw DeviceOutOfMemory(message);
  throw CudaError(message);
}

void throw_cusparse_error(cusparseStatus_t status, const char* file, int line,
                          const char* expression) {
  const std::string message = where(file, line, expression) + cusparseGetErrorName(status) + ": " +
                              cusparseGetErrorString(status);
  if (status == CUSPARSE_STATUS_ALLOC_FAILED) throw DeviceOutOfMemory(message);
  throw CudaError(message);
}

void throw_cusolver_error(cusolverStatus_t status, const char* file, int line,
                          const char* expression) {
  const std::string message = where(file, line, expression) + cusolver_status_text(status);
  if (status == CUSOLVER_STATUS_ALLOC_FAILED) throw DeviceOutOfMemory(message);
  throw CudaError(message);
}

}  // namespace cunmf::cuda_backend
