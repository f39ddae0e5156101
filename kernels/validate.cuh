// Launcher of the device-side input check: the first entry that is negative, NaN or Inf.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace cunmf::detail {

/// *first ← the smallest index i < count with x[i] not finite or < 0 (with `positive`, ≤ 0);
/// *first must hold UINT64_MAX (no such entry) before the call. Queued on `stream`.
template <class T>
void find_first_invalid(const T* x, std::int64_t count, unsigned long long* first,
                        cudaStream_t stream, bool positive = false);

}  // namespace cunmf::detail
