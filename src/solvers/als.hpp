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

#include "alternating.hpp"

namespace cunmf::detail {

template <class Backend, class Index>
class AlternatingLeastSquares final : public AlternatingSolver<Backend, Index> {
  using Base = AlternatingSolver<Backend, Index>;
  using Base::backend_;
  using typename Base::Matrix;
  using typename Base::T;

 public:
  /// Updates W (m × k) and Ht (n × k) in place; they must outlive the solver. Frobenius only
  /// (validation rejects KL before a solver is made).
  AlternatingLeastSquares(Backend& backend, const Operand<T, Index>& X, Matrix& W, Matrix& Ht,
                          const Penalties& penalties, double theta)
      : Base(backend, X, W, Ht, Divergence{}, penalties, theta),
        gram_(backend.matrix(W.cols(), W.cols())) {}

 private:
  /// F ← max(0, (A G − l1) (GᵀG + l2·I + δI)⁻¹) for A ≈ F Gᵀ: the penalized least squares
  /// solved without the constraint, then projected.
  void half_step(const HalfStep<Backend, Index>& step) override {
    const auto& [A, F, G, penalty, side] = step;
    backend_.product(A, G, F);
    backend_.gram(G, gram_);
    backend_.add_penalty(gram_, F, penalty);
    backend_.projected_gram_solve(gram_, F);
  }

  Matrix gram_;  ///< k × k
};

}  // namespace cunmf::detail
