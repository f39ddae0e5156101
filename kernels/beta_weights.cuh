// Launchers of the β-divergence's element-wise weights, applied in place to a buffer of W·H
// values (the dense MU numerator and denominator, elementwise.cuh's rules).
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace cunmf::detail {

/// wh[i] ← beta_numerator_weight(x[i], wh[i], β) = x·wh^(β−2) for i < count. Queued on `stream`.
template <class T>
void beta_numerator_in_place(const T* x, T* wh, std::int64_t count, T beta, cudaStream_t stream);

/// wh[i] ← beta_denominator_weight(wh[i], β) = wh^(β−1) for i < count. Queued on `stream`.
template <class T>
void beta_denominator_in_place(T* wh, std::int64_t count, T beta, cudaStream_t stream);

}  // namespace cunmf::detail
