// The throwing halves of CUNMF_CUDA_CHECK, CUNMF_CUBLAS_CHECK and CUNMF_CUSPARSE_CHECK.
#include "cuda_check.hpp"

#include <string>

#include "cunmf/errors.hpp"

namespace cunmf::cuda_backend {

namespace {

std::string where(const char* file, int line, const char* expression) {
  return std::string(file) + ":" + std::to_string(line) + ": " + expression + ": ";
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

}  // namespace cunmf::cuda_backend
