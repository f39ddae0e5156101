// Warp and block sums for kernels (DESIGN.md rule 6): shuffles and shared memory from our own
// helpers, in a fixed combining order, so the same input gives the same bits. CUB's block
// primitives do not run on the emulated device.
#pragma once

#include "shared_memory.cuh"

namespace cunmf::detail {

inline constexpr int kWarpSize = 32;

/// The sum of `value` over the 32 lanes of a full warp, valid in lane 0.
template <class T>
__device__ __forceinline__ T warp_sum(T value) {
  for (int offset = kWarpSize / 2; offset > 0; offset /= 2) {
    value += __shfl_down_sync(0xffffffffu, value, offset);
  }
  return value;
}

struct BlockSumTag {};

/// The sum of `value` over all threads of the block, valid in thread 0. blockDim.x must be a
/// multiple of 32 and at most 1024; every thread of the block must call it.
template <class T>
__device__ __forceinline__ T block_sum(T value) {
  T* warp_sums = shared_array<T, 32, BlockSumTag>();
  const int lane = threadIdx.x % kWarpSize;
  const int warp = threadIdx.x / kWarpSize;
  value = warp_sum(value);
  if (lane == 0) warp_sums[warp] = value;
  __syncthreads();
  if (warp == 0) {
    const int warps = blockDim.x / kWarpSize;
    value = lane < warps ? warp_sums[lane] : T(0);
    value = warp_sum(value);
  }
  return value;
}

}  // namespace cunmf::detail
