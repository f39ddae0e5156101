// Launchers of the β-divergence's element-wise weights, applied in place to a buffer of W·H
// values (the dense MU numerator and denominator, elementwise.cuh's rules).
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "elementwise.cuh"

namespace cunmf::detail {

/// wh[i] ← weights.numerator(x[i], wh[i]) = x·wh^(β−2) for i < count. Queued on `stream`.
template <class T>
void beta_numerator_in_place(const T* x, T* wh, std::int64_t count, BetaWeights<T> weights,
                             cudaStream_t stream);

/// wh[i] ← weights.denominator(wh[i]) = wh^(β−1) for i < count. Queued on `stream`.
template <class T>
void beta_denominator_in_place(T* wh, std::int64_t count, BetaWeights<T> weights,
                               cudaStream_t stream);

}  // namespace cunmf::detail
