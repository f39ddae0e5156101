// Shared memory for kernels comes only from here (DESIGN.md rule 6). Under nvcc these are the
// __shared__ declarations; in the emulated build each block gets a fresh NaN-filled arena from the
// emulated device, so an overflow is seen by AddressSanitizer and a read before write yields NaN.
#pragma once

#include <cstddef>

namespace cunmf::detail {

/// Static shared memory: N elements of T per block. Each (T, N, Tag) names one array, so two
/// arrays in one kernel need different tags.
template <class T, int N, class Tag>
__device__ __forceinline__ T* shared_array() {
#if defined(CUNMF_CUDA_EMULATION)
  static const char key = 0;  // one key per instantiation, as nvcc gives one array per instantiation
  return static_cast<T*>(::cunmf_emu::block_shared(&key, sizeof(T) * N));
#else
  __shared__ T storage[N];
  return storage;
#endif
}

/// Dynamic shared memory: the launch's shared_bytes, viewed as T.
template <class T>
__device__ __forceinline__ T* dynamic_shared() {
#if defined(CUNMF_CUDA_EMULATION)
  return static_cast<T*>(::cunmf_emu::dynamic_shared());
#else
  // Aligned for every use: wmma::load_matrix_sync needs 32 bytes (the emulated arenas match).
  extern __shared__ __align__(128) unsigned char dynamic_storage[];
  return reinterpret_cast<T*>(dynamic_storage);
#endif
}

}  // namespace cunmf::detail
