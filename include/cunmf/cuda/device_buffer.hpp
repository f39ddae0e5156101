// cunmf::cuda::DeviceBuffer<T>: the one owner of device memory (DESIGN.md rule 3). Move-only.
#pragma once

#include <cstddef>
#include <utility>

#include "context.hpp"

namespace cunmf::cuda {

namespace detail {
/// Allocates device memory; throws OutOfMemory (with the size asked and the memory free) or
/// CudaError. Only DeviceBuffer calls it.
void* device_allocate(std::size_t bytes);
/// Frees device memory; never throws.
void device_free(void* pointer) noexcept;
/// Queues a host → device copy on the context's stream.
void copy_to_device(void* device_dst, const void* host_src, std::size_t bytes, const Context& ctx);
/// Copies device → host and waits for it (the host buffer is ready on return).
void copy_to_host(void* host_dst, const void* device_src, std::size_t bytes, const Context& ctx);
}  // namespace detail

/// `size` elements of T in device memory, uninitialized.
template <class T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  /// Allocates `size` elements. Throws OutOfMemory or CudaError.
  explicit DeviceBuffer(std::size_t size)
      : data_(static_cast<T*>(detail::device_allocate(size * sizeof(T)))), size_(size) {}
  ~DeviceBuffer() { detail::device_free(data_); }
  DeviceBuffer(DeviceBuffer&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept {
    if (this != &other) {
      detail::device_free(data_);
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
    detail::copy_to_device(data_, host, size_ * sizeof(T), ctx);
  }
  /// Copies size() elements to host memory; complete on return.
  void copy_to_host(T* host, const Context& ctx) const {
    detail::copy_to_host(host, data_, size_ * sizeof(T), ctx);
  }

 private:
  T* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace cunmf::cuda
