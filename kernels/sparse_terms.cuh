// Launchers of the kernels that evaluate W·H only at the non-zeros of a CSR pattern: the KL ratio
// X ⊘ WH there, and the loss terms there (in double). Nothing m×n is formed.
//
// The factors are passed as two column-major panels, A (rows × k, leading dimension lda) and
// B (cols × k, leading dimension ldb), so that (W·H) at pattern entry (p, q) is Σ_r A(p, r)·B(q,
// r). For the pattern of X, A = W and B = Hᵀ; for the pattern of Xᵀ, A = Hᵀ and B = W.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace cunmf::detail {

/// The loss terms summed over a CSR pattern.
enum class SparseTerm {
  CrossProduct,     ///< x · wh (for ⟨X, WH⟩ in the Frobenius loss)
  KullbackLeibler,  ///< x·log(x / wh) − x (the part of the KL divergence at the non-zeros)
  Beta,             ///< beta_term_without_power(x, wh, β) (the β-divergence's part there)
};

/// ratio[e] ← x[e] / max(A_p · B_q, ε) for every stored entry e = (p, q) of the CSR pattern. Queued
/// on `stream`.
template <class T, class Index>
void csr_kl_ratio(const Index* row_ptr, const Index* col_idx, const T* x, std::int64_t rows,
                  const T* A, std::int64_t lda, const T* B, std::int64_t ldb, std::int64_t k,
                  T* ratio, cudaStream_t stream);

/// weight[e] ← x[e]·(A_p · B_q)^(β−2) for every stored entry e = (p, q), the β-divergence's MU
/// numerator weights (BetaWeights of elementwise.cuh). Queued on `stream`.
template <class T, class Index>
void csr_beta_numerator(const Index* row_ptr, const Index* col_idx, const T* x, std::int64_t rows,
                        const T* A, std::int64_t lda, const T* B, std::int64_t ldb, std::int64_t k,
                        T beta, T* weight, cudaStream_t stream);

/// *accumulator += Σ_e term(x[e], A_p · B_q) over the stored entries, with the dot products and
/// the sum in double (`beta`: β of the Beta term). `partials` is scratch of kLossPartials
/// doubles. Queued on `stream`.
template <class T, class Index>
void accumulate_csr_terms(SparseTerm term, const Index* row_ptr, const Index* col_idx, const T* x,
                          std::int64_t rows, const T* A, std::int64_t lda, const T* B,
                          std::int64_t ldb, std::int64_t k, double* partials, double* accumulator,
                          cudaStream_t stream, double beta = 0.0);

/// out[i] ← double(in[i]) for i < count. Queued on `stream`.
template <class T>
void convert_to_double(const T* in, double* out, std::int64_t count, cudaStream_t stream);

}  // namespace cunmf::detail
