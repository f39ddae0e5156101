// cunmf::cuda::Context: owns the device selection, a stream and the library handles (RAII).
// Plain C++: the stream is exposed as the CUDA runtime's opaque CUstream_st pointer
// (cudaStream_t), so this header needs no CUDA include.
#pragma once

#include <memory>

struct CUstream_st;

namespace cunmf::cuda_backend {
class ContextAccess;  // cuNMF's own code reaches the handles through it
}  // namespace cunmf::cuda_backend

namespace cunmf::cuda {

/// The device-side state cuNMF works with: the device ordinal, one stream, the cuBLAS, cuSPARSE and
/// cuSOLVER handles bound to that stream. Move-only; all work of a factorization is queued on its stream.
class Context {
 public:
  /// Selects `device` and creates the stream and handles. Throws DeviceUnavailable when there is no
  /// such device, CudaError when a handle cannot be created.
  explicit Context(int device = 0);
  ~Context();
  Context(Context&&) noexcept;
  Context& operator=(Context&&) noexcept;
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  /// The device ordinal.
  int device() const;
  /// The stream all of this context's work is queued on (a cudaStream_t).
  CUstream_st* stream() const;
  /// Blocks until the stream's work is done. Throws CudaError when that work failed.
  void synchronize() const;

  struct Impl;

 private:
  friend class cuda_backend::ContextAccess;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cunmf::cuda
