// The operand-level primitives (product, ratio_product, loss, kl_cd_update) dispatched once for
// every backend to its dense and CSR implementations: a backend derives from
// OperandDispatch<Backend, T> (CRTP) and provides, for the column-major storage S of a dense
// operand read as S or Sᵀ and for a CSR operand's own arrays:
//   dense_product(S, transposed, F, out)          out ← op(S)·F
//   sparse_product(csr, values, F, out)           out ← A·F, A = csr's pattern with `values`
//   dense_ratio_product(S, transposed, W, F, out) out ← (op(S) ⊘ max(W Fᵀ, ε))·F
//   sparse_ratio_product(csr, W, F, out)          the same at the stored entries only
//   dense_beta_terms(S, transposed, W, F, β, N, D)
//                                                 N ← (op(S) ⊙ ψ_β(W Fᵀ))·F, D ← ψ'_β(W Fᵀ)·F
//   sparse_beta_numerator(csr, W, F, β, N)        N at the stored entries only
//   beta_denominator(W, F, β, D)                  D alone (for CSR: every entry of W Fᵀ, by tiles)
//   dense_loss(divergence, S, A, B)               the loss of S ≈ A Bᵀ, in double
//   sparse_loss(divergence, csr, W, Ht)           the loss of the CSR X ≈ W Htᵀ, in double
//   dense_kl_cd_update(S, transposed, F, G, sums, penalty)
//                                                 the KL coordinate-descent sweep of F for
//                                                 op(S) ≈ F Gᵀ (core/primitives.hpp)
//   sparse_kl_cd_update(csr, F, G, sums, penalty) the same at the stored entries only
#pragma once

#include "cunmf/options.hpp"
#include "divergence.hpp"
#include "operand.hpp"

namespace cunmf::detail {

template <class Backend, class T>
class OperandDispatch {
 public:
  /// out (A.rows × k) ← A · F.
  template <class Index, class Matrix>
  void product(const Operand<T, Index>& A, const Matrix& F, Matrix& out) {
    if (A.is_sparse()) {
      self().sparse_product(A.csr(), A.csr().values, F, out);
    } else {
      self().dense_product(A.storage(), A.reads_transposed(), F, out);
    }
  }

  /// out (A.rows × k) ← (A ⊘ max(W Fᵀ, ε)) · F.
  template <class Index, class Matrix>
  void ratio_product(const Operand<T, Index>& A, const Matrix& W, const Matrix& F, Matrix& out) {
    if (A.is_sparse()) {
      self().sparse_ratio_product(A.csr(), W, F, out);
    } else {
      self().dense_ratio_product(A.storage(), A.reads_transposed(), W, F, out);
    }
  }

  /// numerator (A.rows × k) ← (A ⊙ ψ_β(W Fᵀ)) · F and denominator ← ψ'_β(W Fᵀ) · F
  /// (BetaWeights, elementwise.cuh).
  template <class Index, class Matrix>
  void beta_terms(const Operand<T, Index>& A, const Matrix& W, const Matrix& F, T beta,
                  Matrix& numerator, Matrix& denominator) {
    if (A.is_sparse()) {
      self().sparse_beta_numerator(A.csr(), W, F, beta, numerator);
      self().beta_denominator(W, F, beta, denominator);
    } else {
      self().dense_beta_terms(A.storage(), A.reads_transposed(), W, F, beta, numerator,
                              denominator);
    }
  }

  /// One KL coordinate-descent sweep of F for A ≈ F Gᵀ, given sums = 1ᵀG (1 × k), with F's
  /// penalty.
  template <class Index, class Matrix>
  void kl_cd_update(const Operand<T, Index>& A, Matrix& F, const Matrix& G, const Matrix& sums,
                    Penalty<T> penalty) {
    if (A.is_sparse()) {
      self().sparse_kl_cd_update(A.csr(), F, G, sums, penalty);
    } else {
      self().dense_kl_cd_update(A.storage(), A.reads_transposed(), F, G, sums, penalty);
    }
  }

  /// The Frobenius MU half-step of F for A ≈ F Gᵀ given S = GᵀG, then P ← Aᵀ F and Q ← Fᵀ F from
  /// the updated F (core/primitives.hpp): the rule, as a composition of the other primitives. A
  /// backend that does it in one pass over A declares its own mu_frobenius_step, which hides this
  /// one (the CPU backend).
  template <class Index, class Matrix>
  void mu_frobenius_step(const Operand<T, Index>& A, const Matrix& G, const Matrix& S, Matrix& F,
                         Penalty<T> penalty, T floor, Matrix& N, Matrix& D, Matrix& P, Matrix& Q) {
    self().product(A, G, N);
    self().multiply(F, S, D);
    self().mu_update(F, N, D, penalty, floor, T(1));
    self().product(A.transposed(), F, P);
    self().gram(F, Q);
  }

  /// ratio_product(A, W, F, out), and the KL divergence of A ≈ W Fᵀ (loss): the rule, a
  /// composition. A backend that takes both from one pass over A declares its own, which hides
  /// this one (the CUDA backend, for a dense A).
  template <class Index, class Matrix>
  double ratio_product_and_loss(const Operand<T, Index>& A, const Matrix& W, const Matrix& F,
                                Matrix& out) {
    self().ratio_product(A, W, F, out);
    return self().loss(Divergence{Loss::KullbackLeibler, 1.0}, A, W, F);
  }

  /// The loss of X ≈ W Htᵀ, in double.
  template <class Index, class Matrix>
  double loss(Divergence kind, const Operand<T, Index>& X, const Matrix& W, const Matrix& Ht) {
    if (X.is_sparse()) return self().sparse_loss(kind, X.csr(), W, Ht);
    // The storage S is X ≈ W Htᵀ, or Xᵀ ≈ Ht Wᵀ.
    return X.reads_transposed() ? self().dense_loss(kind, X.storage(), Ht, W)
                                : self().dense_loss(kind, X.storage(), W, Ht);
  }

 private:
  Backend& self() { return static_cast<Backend&>(*this); }
};

}  // namespace cunmf::detail
