// Launchers of the KL ratio kernel and of the constant fill it needs (the ones vector for Wᵀ1).
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace cunmf::detail {

/// wh[i] ← x[i] / wh[i] (a zero wh becomes ε) for i < count, in place. Queued on `stream`.
template <class T>
void kl_ratio_in_place(const T* x, T* wh, std::int64_t count, cudaStream_t stream);

/// data[i] ← value for i < count. Queued on `stream`.
template <class T>
void fill(T* data, T value, std::int64_t count, cudaStream_t stream);

}  // namespace cunmf::detail
