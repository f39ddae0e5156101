// Projected alternating least squares (Frobenius), written once over the backend primitives
// (core/primitives.hpp) for every backend, dense or CSR X, float or double, as the NMF literature
// defines it (Berry et al. 2007, "Algorithms and applications for approximate nonnegative matrix
// factorization"): each half-step solves the unconstrained least squares for one factor with the
// other fixed, through the normal equations with the k × k Gram matrix, and projects onto ≥ 0:
//   W ← max(0, X Hᵀ (H Hᵀ)⁻¹), then H ← max(0, (WᵀW)⁻¹ Wᵀ X),
// both as F ← max(0, (A G) (GᵀG)⁻¹) on (X, W, Hᵀ) and (Xᵀ, Hᵀ, W). The Gram gets a ridge δI of
// about 4 ε trace(GᵀG) (kernels/projected_solve.cuh), so a singular one — a zero column of G, which
// projected ALS produces in practice — still has a solution. The new F does not depend on the old
// one, so it is computed in place and the solver needs no work space beyond the k × k Gram.
#pragma once

#include "../core/operand.hpp"
#include "../core/solver_loop.hpp"

namespace cunmf::detail {

template <class Backend, class Index>
class AlternatingLeastSquares final : public IterativeSolver {
 public:
  using T = typename Backend::Scalar;
  using Matrix = typename Backend::Matrix;

  /// Updates W (m × k) and Ht (n × k) in place; they must outlive the solver. Frobenius only
  /// (validation rejects KL before a solver is made).
  AlternatingLeastSquares(Backend& backend, const Operand<T, Index>& X, Matrix& W, Matrix& Ht)
      : backend_(backend),
        X_(X),
        Xt_(X.transposed()),
        W_(W),
        Ht_(Ht),
        gram_(backend.matrix(W.cols(), W.cols())) {}

  void iterate() override {
    half_step(X_, W_, Ht_);
    half_step(Xt_, Ht_, W_);
  }

  double loss() override { return backend_.loss(Loss::Frobenius, X_, W_, Ht_); }

 private:
  /// F ← max(0, (A G) (GᵀG + δI)⁻¹) for A ≈ F Gᵀ: W with (X, W, Hᵀ), H with (Xᵀ, Hᵀ, W).
  void half_step(const Operand<T, Index>& A, Matrix& F, const Matrix& G) {
    backend_.product(A, G, F);
    backend_.gram(G, gram_);
    backend_.projected_gram_solve(gram_, F);
  }

  Backend& backend_;
  Operand<T, Index> X_, Xt_;
  Matrix& W_;
  Matrix& Ht_;
  Matrix gram_;  ///< k × k
};

}  // namespace cunmf::detail
