// Device memory of the emulated CUDA device: host memory tracked in a registry of live allocations,
// filled with a NaN byte pattern, and poisoned for AddressSanitizer whenever no device work runs.
// Private to the emulated device (device_memory.cpp, runtime.cpp, cublas.cpp).
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <optional>
#include <string>

namespace cunmf_emu::detail {

/// One device allocation (live or freed): its first byte and its size in bytes.
struct Allocation {
  const char* base = nullptr;
  std::size_t size = 0;
};

/// Bytes of emulated device memory: CUNMF_EMU_DEVICE_MEMORY (bytes), 16 GiB when unset.
std::size_t device_capacity();

/// cudaMalloc's allocation: `size` bytes (size > 0), 256-byte aligned, every byte 0xFF (a NaN
/// in float and double), poisoned. Returns cudaErrorMemoryAllocation, without asking the host
/// allocator, when `size` exceeds what is left of the capacity.
cudaError_t allocate(void** ptr, std::size_t size);

/// cudaFree's release of a live allocation's base. Anything else (a freed base, an interior
/// pointer, host memory) is reported on stderr under `api` and gives cudaErrorInvalidValue.
cudaError_t release(void* ptr, const char* api);

/// Frees every live and quarantined allocation and resets the byte counters (cudaDeviceReset).
void release_all();

/// The live allocation that contains `p`, if any.
std::optional<Allocation> find_live(const void* p);

/// The freed allocation still held in quarantine that contains `p`, if any. Freed blocks are
/// held (poisoned) for a while before they go back to the host, so a stale pointer is still
/// recognised as one.
std::optional<Allocation> find_freed(const void* p);

/// Where `p` points, for messages: a live or freed device allocation (with the offset), or host.
std::string describe(const void* p);

/// True when [p, p + bytes) lies inside one live allocation. Otherwise prints on stderr why (out
/// of bounds, freed, host memory), naming `api` and the argument `what`, and returns false.
bool check_device_range(const void* p, std::size_t bytes, const char* api, const char* what);

/// Device work is running: while one exists (they nest, across threads too), every live
/// allocation is addressable; when the last one ends, every live allocation is poisoned again.
class DeviceWorkScope {
 public:
  DeviceWorkScope();
  ~DeviceWorkScope();
  DeviceWorkScope(const DeviceWorkScope&) = delete;
  DeviceWorkScope& operator=(const DeviceWorkScope&) = delete;
};

/// A host-side copy or memset is touching device memory: the live allocations containing `a`
/// and `b` (either may be host memory or null) are addressable while this exists.
class CopyScope {
 public:
  CopyScope(const void* a, const void* b);
  ~CopyScope();
  CopyScope(const CopyScope&) = delete;
  CopyScope& operator=(const CopyScope&) = delete;

 private:
  Allocation touched_[2];
};

}  // namespace cunmf_emu::detail
