// Launchers of the device side of the exact rescaling of an extreme X (src/core/scaling.hpp): its
// largest entry, and multiplication by a power of two.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace cunmf::detail {

/// *bits ← the largest of *bits and the bit patterns of (double) x[i], i < count. For finite
/// x ≥ 0 (checked before) the patterns order as the values do, so an integer atomicMax finds the
/// largest entry in any thread order; *bits must hold 0 before the call. Queued on `stream`.
template <class T>
void find_largest_entry(const T* x, std::int64_t count, unsigned long long* bits,
                        cudaStream_t stream);

/// out[i] ← 2^p · x[i] (ldexp: exact unless it overflows or underflows), i < count; out may be x.
/// Queued on `stream`.
template <class T>
void scale_by_power_of_two(const T* x, T* out, std::int64_t count, int p, cudaStream_t stream);

}  // namespace cunmf::detail
