// The contract every backend implements (src/cpu/backend.hpp, src/cuda/backend.hpp): the small set
// of primitives the solvers in src/solvers/ are written over. A backend is a class with these
// members; solvers are templates over it, so nothing here is virtual.
//
// Conventions. Factors are kept in one orientation: W (m × k) and Hᵀ (n × k), both k-column panels
// ("Matrix"), so that updating H is updating W of the transposed problem: a
// half-step applied to (X, W, Hᵀ) updates W, the same half-step applied to (Xᵀ, Hᵀ, W) updates H.
// An Operand (core/operand.hpp) is X or Xᵀ, dense or CSR; transposing it copies nothing.
// Everything a backend does is in precision Scalar (float or double) except the losses, which
// accumulate in double (the CUDA backend forms and sums a float run's dense residual and KL terms
// in float, compensated, then adds the threads' sums in double: kernels/loss_terms.cuh). Work may
// be queued (the CUDA backend): only loss() waits for it.
//
//   using Scalar = float | double;
//   using Matrix = a rows × cols matrix in the backend's memory, in the storage order the
//                  backend chooses (CUDA: column-major, for cuBLAS and cuSPARSE; CPU: row-major,
//                  so a CSR row's k-vectors are contiguous); solvers never look inside;
//   Matrix matrix(rows, cols);                     uninitialized
//   csr_from_host(A)                  a host CSR (CsrView) where the backend reads it, an object
//                                  whose arrays() are CsrArrays in the backend's memory (CPU: A's
//                                  own arrays; CUDA: a device copy); A must outlive the queued copy
//
//   product(A, F, out)          out (A.rows × k) ← A · F, F is A.cols × k. CSR: only the stored
//                               entries of A are read.
//   gram(F, out)                out (k × k) ← Fᵀ F.
//   multiply(F, S, out)         out (F.rows × k) ← F · S, S is k × k.
//   column_sums(F, out)         out (1 × k) ← 1ᵀ F.
//   ratio_product(A, W, F, out) out (A.rows × k) ← (A ⊘ max(W Fᵀ, ε)) · F, W is A.rows × k and
//                               F is A.cols × k: the KL numerator. CSR: W Fᵀ only at the stored
//                               entries of A, nothing A.rows × A.cols is formed.
//   beta_terms(A, W, F, β, N, D)
//                               N (A.rows × k) ← (A ⊙ ψ(W Fᵀ)) · F with ψ(v) = v^(β−2) and
//                               D (A.rows × k) ← ψ'(W Fᵀ) · F with ψ'(v) = v^(β−1) (v raised to
//                               ε first when β < 2, resp. β < 1: BetaWeights of
//                               kernels/elementwise.cuh): the β-divergence's MU numerator and
//                               denominator, β ∉ {1, 2}. N needs W Fᵀ only at A's stored entries
//                               (CSR: nothing more is formed for it); D needs every entry of
//                               W Fᵀ, whatever A's zeros, but nothing A.rows × A.cols is formed
//                               whole (tiles). CPU, dense A: both from the same tiles of W Fᵀ.
//   loss(divergence, X, W, Ht)  the loss of X ≈ W Htᵀ in double (core/divergence.hpp):
//                               ½‖X − W Htᵀ‖²_F, the generalized KL divergence
//                               Σ x log(x / max(wh, ε)) − x + wh, or the β-divergence
//                               Σ beta_term(x, wh) (elementwise.cuh). Waits for queued work.
//   ratio_product_and_loss(A, W, F, out)
//                               ratio_product(A, W, F, out), and returns the KL divergence of
//                               A ≈ W Fᵀ (loss's value, up to rounding): MU's loss at a check and
//                               the numerator of the W half-step after it need the same W Fᵀ. The
//                               rule is the composition (core/operand_dispatch.hpp); the CUDA
//                               backend takes both from one pass of its fused kernel for a dense
//                               A (kernels/fused_kl.cuh), where ratio_product would take that
//                               kernel. Waits for queued work.
//   mu_update(F, N, D, p, floor, γ)
//                               F ← F ⊙ (N ⊘ D')^γ where D' = (D + p.l1) + p.l2·F with exact zeros
//                               replaced by ε (mu_step of kernels/elementwise.cuh); D has F's
//                               shape, or is 1 × k (one denominator per column). Entries of the
//                               result below `floor` become 0 (floor = 0 keeps all). γ = 1 but
//                               for the β-divergence (mu_exponent, core/divergence.hpp).
//   mu_frobenius_step(A, G, S, F, p, floor, N, D, P, Q)
//                               the Frobenius MU half-step of F for A ≈ F Gᵀ given S = GᵀG, and
//                               what the other factor's half-step needs from the updated F:
//                                 N ← A G, D ← F S, mu_update(F, N, D, p, floor, 1),
//                                 P (A.cols × k) ← Aᵀ F and Q (k × k) ← Fᵀ F, F as updated.
//                               N and D are work space of F's shape (a backend may leave them
//                               as they were). The composition of the primitives above is the
//                               rule (core/operand_dispatch.hpp); the CPU backend does it in one
//                               pass over A instead: F's update is row by row given N's row, so
//                               each block of A's rows is read once, for its rows of N and, once
//                               they are updated, for its share of Aᵀ F, while it is in cache
//                               (issue 17: X was read twice an iteration, and N and D made a round
//                               trip through memory).
//   add_penalty(G, N, p)        G (k × k) ← G + p.l2·I and N (rows × k) ← N − p.l1: the penalty
//                               l1‖F‖₁ + ½l2‖F‖²_F folded into a least-squares subproblem given by
//                               N = A·B and G = BᵀB (scikit-learn's cd does the same). Nothing
//                               when both weights are 0.
//   projected_gram_solve(G, N)  N ← max(0, N · (G + δI)⁻¹) for a k × k symmetric positive
//                               semidefinite G (a Gram matrix) and N of k columns: a Cholesky
//                               factorization of G + δI (G itself is left as it is), a solve for
//                               every row of N, then the projection onto ≥ 0. One primitive, not
//                               a solve and a projection: the projection's pass also turns a
//                               failed factorization into NaN on the device (below).
//                               δ is gram_ridge(trace G) of kernels/projected_solve.cuh: small
//                               enough to stay inside Cholesky's own rounding, large enough that a
//                               singular G (a zero column of the factor) still factorizes, so no
//                               result goes to the host. If the factorization fails all the same
//                               (G not finite), N becomes NaN, which the next loss check reports.
//   nnls_bpp(G, N, F)           every row f of F (rows × k) ← argmin_{f ≥ 0} ½ fᵀ(G + δI)f − nᵀf,
//                               n the same row of N (rows × k), G a k × k Gram matrix, δ as in
//                               projected_gram_solve (so every principal block factorizes): the
//                               exact non-negative least-squares solution, by block principal
//                               pivoting (Kim & Park, SIAM J. Sci. Comput. 2011, their Algorithm
//                               1 per row with its backup rule, p̄ = 3), starting from the
//                               passive set {r : F(i, r) > 0} of F's current row. Per pivoting
//                               step: x_P from (G + δI)_PP x_P = n_P, x = 0 off P, the gradient
//                               y = (G + δI)x − n; P gains the active r with y_r < −τ_r and loses
//                               the passive r with x_r < 0, where τ_r = 16 k ε (|n_r| +
//                               Σ_s |G(r, s) x_s|) bounds the rounding of y_r, so a gradient that
//                               is zero but for rounding does not pivot. At most 5k steps (Kim's
//                               code's safeguard for ill-conditioned Grams), then max(x, 0).
//                               Rows are independent, and the result does not depend on the
//                               threads (CPU: blocks of rows fixed by the row count, within a
//                               block the rows sharing a passive set share one Cholesky
//                               factorization; CUDA: one thread per row).
//                               A non-finite G or N gives NaN rows, for the next loss check.
//                               N is left as it is.
//   hals_update(F, N, G)        one coordinate-descent (HALS) sweep of F (rows × k) for
//                               A ≈ F Bᵀ, given N = A·B (rows × k) and the Gram G = BᵀB (k × k):
//                               for every row i, for t = 0, …, k − 1 in this order,
//                                 g = Σ_r G(t, r)·F(i, r) − N(i, t)   (F(i, r) as updated so far)
//                                 F(i, t) ← max(F(i, t) − g / G(t, t), 0)   unless G(t, t) = 0;
//                               the Gauss–Seidel order within a row is kept, rows are
//                               independent (any order or in parallel, no atomics: same bits).
//   axpby(a, X, b, Y, out)      out ← a·X + b·Y for panels of one shape; out may be X or Y.
//   projected_step(F, ∇, α, out)
//                               out ← max(F − α·∇, 0) entry by entry; out is neither F nor ∇.
//   projected_gradient(F, ∇, out)
//                               out ← ∇ᴾ: ∇ where F > 0 or ∇ < 0, else 0 (the projected gradient
//                               of a problem over F ≥ 0; out may be ∇).
//   dot(A, B)                   Σ A∘B over every entry of two panels of one shape, in double (each
//                               product in double), in a fixed order: the same bits on every run.
//                               Waits for queued work: its result is a host decision's input.
//   kl_cd_update(A, F, G, S)    one coordinate-descent sweep of F (rows × k) for the generalized
//                               KL divergence of A ≈ F Gᵀ, G is A.cols × k and S = column_sums(G)
//                               (1 × k): every row i gets kl_cd_row_sweep
//                               (kernels/elementwise.cuh), for t = 0, …, k − 1 in this order one
//                               projected Newton step
//                                 f(i, t) ← max(f(i, t) − g / h, 0),   with v = (F Gᵀ)(i, ·),
//                                 g = S(t) − Σ_{a_ij > 0} a_ij G(j, t) / v_j,
//                                 h = Σ_{a_ij > 0} a_ij G(j, t)² / v_j²  (v_j as max(v_j, ε)),
//                               (h = 0: f(i, t) ← 0 if g > 0), v kept up to date after each step.
//                               Rows are independent (any order or in parallel: same bits). v is
//                               needed only where a_ij > 0: CSR keeps it at the stored entries
//                               (nothing A.rows × A.cols); dense X needs one value per entry of
//                               the row being swept (CPU: a row of scratch per thread; CUDA: a
//                               buffer of X's size, the one the dense KL ratio already uses).
//
// ε and the floor of scikit-learn's small-value rule are in kernels/elementwise.cuh, the one
// definition of the element-wise rules shared by the CPU backend and the kernels.
#pragma once
