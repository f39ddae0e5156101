// Alternating non-negative least squares by block principal pivoting (J. Kim and H. Park, "Fast
// nonnegative matrix factorization: an active-set-like method and comparisons", SIAM J. Sci.
// Comput. 33(6), 2011), Frobenius loss, written once over the backend primitives
// (core/primitives.hpp) for every backend, dense or CSR X, float or double.
//
// Each iteration updates W, then H; each half-step solves its subproblem
//   min over F ≥ 0 of ½‖A − F Gᵀ‖²_F      (W: A = X, G = Hᵀ;  H: A = Xᵀ, G = W)
// exactly. It separates by rows of F: row f solves min_{f ≥ 0} ½ fᵀ Q f − nᵀ f with the Gram
// Q = GᵀG and n the row of N = A·G (the half-step's one pass over X). nnls_bpp solves every row by
// block principal pivoting, starting from F's current passive set (its non-zero entries), as Kim &
// Park's NMF does: late in a run the sets barely change, and most rows need a single solve. The
// Gram gets als's ridge δ (kernels/projected_solve.cuh), so a singular one still has a solution.
// Each half-step minimizes its subproblem over a set that contains the current F, so the loss
// never increases (up to the rounding of the solves). L1/L2 penalties are folded into the
// subproblem (add_penalty: Q + l2·I, N − l1), which it then solves exactly as well.
#pragma once

#include "alternating.hpp"

namespace cunmf::detail {

template <class Backend, class Index>
class AnlsBpp final : public AlternatingSolver<Backend, Index> {
  using Base = AlternatingSolver<Backend, Index>;
  using Base::backend_;
  using typename Base::Matrix;
  using typename Base::T;

 public:
  /// Updates W (m × k) and Ht (n × k) in place; they must outlive the solver. Frobenius only
  /// (validation rejects KL before a solver is made).
  AnlsBpp(Backend& backend, const Operand<T, Index>& X, Matrix& W, Matrix& Ht,
          const Penalties& penalties, double theta)
      : Base(backend, X, W, Ht, Divergence{}, penalties, theta),
        w_numerator_(backend.matrix(W.rows(), W.cols())),
        h_numerator_(backend.matrix(Ht.rows(), Ht.cols())),
        gram_(backend.matrix(W.cols(), W.cols())) {}

 private:
  /// F ← argmin_{F ≥ 0} ½‖A − F Gᵀ‖²_F + F's penalty.
  void half_step(const HalfStep<Backend, Index>& step) override {
    const auto& [A, F, G, penalty, side] = step;
    Matrix& numerator = side == Side::W ? w_numerator_ : h_numerator_;
    backend_.product(A, G, numerator);
    backend_.gram(G, gram_);
    backend_.add_penalty(gram_, numerator, penalty);
    backend_.nnls_bpp(gram_, numerator, F);
  }

  Matrix w_numerator_;  ///< m × k: X·H
  Matrix h_numerator_;  ///< n × k: Xᵀ·W
  Matrix gram_;         ///< k × k
};

}  // namespace cunmf::detail
