// cunmf::cuda::Context and device discovery.
#include <string>

#include "context_impl.hpp"
#include "cuda_check.hpp"
#include "cunmf/errors.hpp"
#include "device_info.hpp"

namespace cunmf::cuda_backend {

namespace {

/// The number of usable devices; any error (no driver, driver too old) counts as none.
int device_count(std::string* why) {
  int count = 0;
  const cudaError_t error = cudaGetDeviceCount(&count);
  if (error != cudaSuccess) {
    (void)cudaGetLastError();
    if (why)
      *why = std::string("none: ") + cudaGetErrorName(error) + ": " + cudaGetErrorString(error);
    return 0;
  }
  if (count == 0 && why) *why = "none: no CUDA device is visible";
  return count;
}

}  // namespace

bool device_available() { return device_count(nullptr) > 0; }

const char* device_description() {
  static const std::string description = [] {
    std::string why;
    if (device_count(&why) == 0) return why;
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, 0) != cudaSuccess) return std::string("none: no properties");
    return std::string(prop.name) + " (compute " + std::to_string(prop.major) + "." +
           std::to_string(prop.minor) + ", " + std::to_string(prop.totalGlobalMem >> 20) + " MiB)";
  }();
  return description.c_str();
}

cublasHandle_t blas_handle(const cuda::Context& ctx, bool tf32) {
  cublasHandle_t handle = ContextAccess::impl(ctx).blas;
  CUNMF_CUBLAS_CHECK(cublasSetStream(handle, ContextAccess::impl(ctx).stream));
  CUNMF_CUBLAS_CHECK(
      cublasSetMathMode(handle, tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH));
  return handle;
}

cusparseHandle_t sparse_handle(const cuda::Context& ctx) {
  cusparseHandle_t handle = ContextAccess::impl(ctx).sparse;
  CUNMF_CUSPARSE_CHECK(cusparseSetStream(handle, ContextAccess::impl(ctx).stream));
  return handle;
}

cusolverDnHandle_t dense_solver_handle(const cuda::Context& ctx) {
  cusolverDnHandle_t handle = ContextAccess::impl(ctx).dense_solver;
  CUNMF_CUSOLVER_CHECK(cusolverDnSetStream(handle, ContextAccess::impl(ctx).stream));
  return handle;
}

}  // namespace cunmf::cuda_backend

namespace cunmf::cuda {

Context::Context(int device) : impl_(std::make_unique<Impl>()) {
  std::string why;
  const int count = cuda_backend::device_count(&why);
  if (device < 0 || device >= count) {
    throw DeviceUnavailable("cunmf: CUDA device " + std::to_string(device) + " is not available (" +
                            std::to_string(count) + " visible" +
                            (count == 0 ? "; " + why : std::string()) + ")");
  }
  impl_->device = device;
  CUNMF_CUDA_CHECK(cudaSetDevice(device));
  // Each is kept in impl_ once created (not before: a failed call's out-parameter is not promised
  // to stay null), so that when a later step throws, ~Impl releases it. The handles are bound to
  // the stream each time they are handed out (blas_handle, sparse_handle, dense_solver_handle).
  cudaStream_t stream = nullptr;
  CUNMF_CUDA_CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  impl_->stream = stream;
  cublasHandle_t blas = nullptr;
  CUNMF_CUBLAS_CHECK(cublasCreate(&blas));
  impl_->blas = blas;
  cusparseHandle_t sparse = nullptr;
  CUNMF_CUSPARSE_CHECK(cusparseCreate(&sparse));
  impl_->sparse = sparse;
  cusolverDnHandle_t dense_solver = nullptr;
  CUNMF_CUSOLVER_CHECK(cusolverDnCreate(&dense_solver));
  impl_->dense_solver = dense_solver;
}

Context::Impl::~Impl() {
  if (stream != nullptr) (void)cudaStreamSynchronize(stream);
  if (dense_solver != nullptr) (void)cusolverDnDestroy(dense_solver);
  if (sparse != nullptr) (void)cusparseDestroy(sparse);
  if (blas != nullptr) (void)cublasDestroy(blas);
  if (stream != nullptr) (void)cudaStreamDestroy(stream);
}

Context::~Context() = default;
Context::Context(Context&&) noexcept = default;
Context& Context::operator=(Context&&) noexcept = default;

int Context::device() const { return impl_->device; }
CUstream_st* Context::stream() const { return impl_->stream; }
void Context::synchronize() const { CUNMF_CUDA_CHECK(cudaStreamSynchronize(impl_->stream)); }

}  // namespace cunmf::cuda
