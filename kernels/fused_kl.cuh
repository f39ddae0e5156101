// Launcher of the fused dense KL half-step product: out ← (A ⊘ max(W Fᵀ, ε)) · F without forming
// W Fᵀ or the quotient in memory. Each block owns 32 rows of A and sweeps A's columns 32 at a
// time: the tile of W Fᵀ is computed from W's rows (kept in shared memory) and F's rows of the
// tile, X's tile is read once and divided, and the quotient tile is multiplied into the block's
// 32 × k rows of out, accumulated in registers in T (fp32 for float). Every entry of out is summed
// by one thread over the columns in increasing order: no atomics, the same bits on every run.
// X is read once per half-step and no m × n buffer exists (the unfused path needs one). The
// default, and the reference for its TF32 tensor-core variant (fused_kl_tf32.cuh).
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace cunmf::detail {

/// Whether the fused product takes rank k in T: k ≤ 128 and its tiles fit 48 KiB of shared
/// memory (float: k ≤ 128; double: k ≤ 79).
bool fused_kl_fits(std::int64_t k, std::size_t element_bytes);

/// Where the fused product also sums the KL divergence of A ≈ W Fᵀ, from the same W Fᵀ values
/// (the loss at a check and the next W half-step's product are one pass over X): partials, of
/// fused_kl_loss_partials(rows) doubles, are the blocks' sums, and *accumulator (device memory)
/// += their sum, in a fixed order. Null partials: no loss.
struct FusedKlLoss {
  double* partials = nullptr;
  double* accumulator = nullptr;
};

/// The scratch doubles FusedKlLoss::partials needs for A of `rows` rows (one per block).
std::int64_t fused_kl_loss_partials(std::int64_t rows);

/// out (rows × k, column-major, leading dimension rows) ← (A ⊘ max(W Fᵀ, ε)) · F, where A
/// (rows × cols) is the column-major storage S (leading dimension ld) or, when `transposed`, its
/// transpose; W is rows × k (leading dimension rows) and F cols × k (leading dimension cols),
/// column-major; the quotient follows kl_ratio (elementwise.cuh). fused_kl_fits(k, sizeof(T))
/// must hold. With `loss`, also Σ kl_term(a, wh) over A's entries (in float for float:
/// kl_term_in, loss_terms.cuh). Queued on `stream`.
template <class T>
void fused_kl_ratio_product(const T* S, std::int64_t ld, bool transposed, std::int64_t rows,
                            std::int64_t cols, const T* W, const T* F, std::int64_t k, T* out,
                            cudaStream_t stream, FusedKlLoss loss = {});

}  // namespace cunmf::detail
