// Launcher of the fused dense KL half-step product on TF32 tensor cores (float only, sm_80+):
// out ← (A ⊘ max(W Fᵀ, ε)) · F as kernels/fused_kl.cuh computes it (32 rows of A per block, A's
// columns swept 32 at a time, nothing m × n in memory), with both products — the 32 × 32 tile of
// W Fᵀ and the quotient tile times F — made by nvcuda::wmma m16n16k8 TF32 fragments, the division
// in fp32. Each output fragment belongs to one warp for the whole sweep and accumulates the
// column tiles in increasing order: no atomics, the same bits on every run on one GPU.
// Plain TF32 rounds every operand to 10 mantissa bits (products to about 2^-10 relative); 3xTF32
// splits each operand a = hi + lo (hi = tf32(a), lo = tf32(a − hi)) and adds hi·lo + lo·hi + hi·hi,
// fp32-level accuracy for three tensor-core products instead of one. fused_kl.cuh's fp32 CUDA-core
// kernel stays the default and the reference the tests hold this one against.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace cunmf::detail {

/// The largest rank the TF32 kernel takes: each warp holds two 16 × 16 accumulator fragments of
/// the block's 32 × k output (8 warps × 2 × 256 = 32 × 128 values). Its shared memory, 64·k' + 1024
/// floats for k' = k rounded up to 16, is 36 KiB at k = 128, within the 48 KiB default.
inline constexpr std::int64_t kFusedKlTf32MaxRank = 128;

/// Whether the TF32 kernel takes rank k (1 ≤ k ≤ kFusedKlTf32MaxRank).
bool fused_kl_tf32_fits(std::int64_t k);

/// Whether the current device has TF32 tensor cores (compute capability 8.0 or later; the
/// emulated device is an H100). Throws cunmf::CudaError when the device cannot be queried.
bool tf32_mma_supported();

/// out (rows × k, column-major, leading dimension rows) ← (A ⊘ max(W Fᵀ, ε)) · F with A, W, F as
/// fused_kl_ratio_product takes them, on TF32 tensor cores; `split` selects 3xTF32.
/// fused_kl_tf32_fits(k) and tf32_mma_supported() must hold. Queued on `stream`.
void fused_kl_ratio_product_tf32(const float* S, std::int64_t ld, bool transposed,
                                 std::int64_t rows, std::int64_t cols, const float* W,
                                 const float* F, std::int64_t k, bool split, float* out,
                                 cudaStream_t stream);

}  // namespace cunmf::detail
