// Launcher of the fused sparse KL half-step product: out ← (A ⊘ max(W Fᵀ, ε)) · F over the stored
// entries of a CSR A, in one pass. A warp owns a row p of A: its lanes split the k columns (lane l
// holds W(p, r) and out(p, r) for r ≡ l mod 32, in registers); for each stored entry (p, q), in
// row order, they gather F's row q once, form the dot product by a butterfly of shuffles (every
// lane gets the same sum), divide, and accumulate the quotient times F's row. No quotient buffer,
// no second gather pass, no atomics: the same bits on every run.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace cunmf::detail {

/// The largest rank the fused sparse product takes (8 columns per lane).
inline constexpr std::int64_t kFusedSparseKlMaxRank = 256;

/// out (rows × k, column-major, leading dimension rows) ← (A ⊘ max(W Fᵀ, ε)) · F for the CSR A
/// (rows × cols; x its values), W (rows × k, leading dimension lda) and F (cols × k, leading
/// dimension ldb), column-major; the quotient follows kl_ratio. 1 ≤ k ≤ kFusedSparseKlMaxRank.
/// Queued on `stream`.
template <class T, class Index>
void fused_csr_kl_ratio_product(const Index* row_ptr, const Index* col_idx, const T* x,
                                std::int64_t rows, const T* W, std::int64_t lda, const T* F,
                                std::int64_t ldb, std::int64_t k, T* out, cudaStream_t stream);

}  // namespace cunmf::detail
