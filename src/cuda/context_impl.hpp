// The state behind cunmf::cuda::Context: the stream and the cuBLAS, cuSPARSE and cuSOLVER handles
// bound to it.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <cusolverDn.h>
#include <cusparse.h>

#include "cunmf/cuda/context.hpp"

struct cunmf::cuda::Context::Impl {
  int device = 0;
  cudaStream_t stream = nullptr;
  cublasHandle_t blas = nullptr;
  cusparseHandle_t sparse = nullptr;
  cusolverDnHandle_t dense_solver = nullptr;

  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  /// Finishes the stream's pending work and releases whatever was created (the members not null):
  /// when the Context goes, is assigned over, or fails half-way through its construction. Never
  /// throws: failures are dropped.
  ~Impl();
};

namespace cunmf::cuda_backend {

/// The one door from cuNMF's code to a Context's state (a friend of Context).
class ContextAccess {
 public:
  static cuda::Context::Impl& impl(const cuda::Context& ctx) { return *ctx.impl_; }
};

/// The cuBLAS handle of ctx, bound to ctx's stream, with `tf32` selecting the TF32 math mode.
cublasHandle_t blas_handle(const cuda::Context& ctx, bool tf32);

/// The cuSPARSE handle of ctx, bound to ctx's stream.
cusparseHandle_t sparse_handle(const cuda::Context& ctx);

/// The cuSOLVER dense handle of ctx, bound to ctx's stream.
cusolverDnHandle_t dense_solver_handle(const cuda::Context& ctx);

}  // namespace cunmf::cuda_backend
