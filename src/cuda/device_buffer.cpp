// Device allocation and host/device copies behind cunmf::cuda::DeviceBuffer.
#include <string>

#include "context_impl.hpp"
#include "cuda_check.hpp"
#include "cunmf/cuda/device_buffer.hpp"
#include "cunmf/errors.hpp"

namespace cunmf::cuda {

void* allocate_device_memory(std::size_t bytes) {
  if (bytes == 0) return nullptr;
  void* pointer = nullptr;
  const cudaError_t error = cudaMalloc(&pointer, bytes);
  if (error == cudaErrorMemoryAllocation) {
    (void)cudaGetLastError();  // not sticky; clear it so later calls succeed
    std::size_t free_bytes = 0, total_bytes = 0;
    (void)cudaMemGetInfo(&free_bytes, &total_bytes);
    throw DeviceOutOfMemory("cunmf: out of device memory allocating " + std::to_string(bytes) +
                      " bytes (" + std::to_string(free_bytes) + " of " +
                      std::to_string(total_bytes) + " bytes free)");
  }
  CUNMF_CUDA_CHECK(error);
  return pointer;
}

void free_device_memory(void* pointer) noexcept {
  if (pointer != nullptr) (void)cudaFree(pointer);
}

void copy_host_to_device(void* device_dst, const void* host_src, std::size_t bytes,
                         const Context& ctx) {
  if (bytes == 0) return;
  CUNMF_CUDA_CHECK(
      cudaMemcpyAsync(device_dst, host_src, bytes, cudaMemcpyHostToDevice, ctx.stream()));
}

void copy_device_to_host(void* host_dst, const void* device_src, std::size_t bytes,
                         const Context& ctx) {
  if (bytes == 0) return;
  CUNMF_CUDA_CHECK(
      cudaMemcpyAsync(host_dst, device_src, bytes, cudaMemcpyDeviceToHost, ctx.stream()));
  CUNMF_CUDA_CHECK(cudaStreamSynchronize(ctx.stream()));
}

}  // namespace cunmf::cuda
