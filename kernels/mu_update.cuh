// Launchers of the fused multiplicative-update kernels.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace cunmf::detail {

/// factor[i] ← factor[i] · numerator[i] / denominator[i] (a zero denominator becomes ε), for
/// i < count, in one pass. Queued on `stream`.
template <class T>
void mu_update(T* factor, const T* numerator, const T* denominator, std::int64_t count,
               cudaStream_t stream);

/// factor[i] ← factor[i] · numerator[i] / per_rank[(i / stride) % rank]: the KL update, whose
/// denominator is one value per rank r (Σ_i W(i, r) for H, with stride 1; Σ_j H(r, j) for a
/// column-major W, with stride M). Queued on `stream`.
template <class T>
void mu_update_broadcast(T* factor, const T* numerator, const T* per_rank, std::int64_t count,
                         std::int64_t stride, std::int64_t rank, cudaStream_t stream);

}  // namespace cunmf::detail
