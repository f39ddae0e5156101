// cunmf::cuda::DeviceBuffer<T>: the one owner of device memory (DESIGN.md rule 3). Move-only.
#pragma once

#include <cstddef>
#include <utility>

#include "context.hpp"

namespace cunmf::cuda {

/// Allocates `bytes` of device memory; throws DeviceOutOfMemory (with the size asked and the memory
/// free) or CudaError. DeviceBuffer is its one caller: own device memory through DeviceBuffer.
void* allocate_device_memory(std::size_t bytes);
/// Frees memory from allocate_device_memory; never throws.
void free_device_memory(void* pointer) noexcept;
/// Queues a copy of `bytes` from host to device memory on ctx's stream.
void copy_host_to_device(void* device_dst, const void* host_src, std::size_t bytes,
                         const Context& ctx);
/// Copies `bytes` from device to host memory and waits for it (the host buffer is ready on
/// return). Throws CudaError when the copy, or earlier work on ctx's stream, failed.
void copy_device_to_host(void* host_dst, const void* device_src, std::size_t bytes,
                         const Context& ctx);

/// `size` elements of T in device memory, uninitialized.
template <class T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  /// Allocates `size` elements. Throws DeviceOutOfMemory or CudaError.
  explicit DeviceBuffer(std::size_t size)
      : data_(static_cast<T*>(allocate_device_memory(size * sizeof(T)))), size_(size) {}
  ~DeviceBuffer() { free_device_memory(data_); }
  DeviceBuffer(DeviceBuffer&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept {
    if (this != &other) {
      free_device_memory(data_);
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  T* data() { return data_; }
  const T* data() const { return data_; }
  std::size_t size() const { return size_; }

  /// Queues a copy of size() elements from host memory on ctx's stream.
  void copy_from_host(const T* host, const Context& ctx) {
    copy_host_to_device(data_, host, size_ * sizeof(T), ctx);
  }
  /// Copies size() elements to host memory; complete on return.
  void copy_to_host(T* host, const Context& ctx) const {
    copy_device_to_host(host, data_, size_ * sizeof(T), ctx);
  }

 private:
  T* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace cunmf::cuda
