// Coordinate descent, written once over the backend primitives (core/primitives.hpp) for every
// backend, dense or CSR X, float or double. W is updated before H, and each half-step sweeps the
// columns of the factor in order (Gauss–Seidel within each row of the factor).
// - Frobenius: HALS (Cichocki & Phan 2009) with scikit-learn's rules (NMF(solver="cd",
//   shuffle=False)), so that from the same W0, H0 the iterates are its iterates: each column gets
//   its exact non-negative minimizer with the others fixed, from A·G and GᵀG.
// - Generalized KL: cyclic coordinate descent with one projected Newton step per coordinate
//   (Hsieh & Dhillon, KDD 2011, without their variable selection), keeping W·H up to date at the
//   entries of X that are > 0 (the only ones the gradient needs besides 1ᵀG): kl_cd_update.
//   One step is not a line search: a step that lowers an entry can overshoot (the curvature
//   x/v² grows as v shrinks), so a single coordinate's divergence is not guaranteed to decrease;
//   the tests check that the loss does not increase from iteration to iteration on their data.
#pragma once

#include <cstdint>

#include "alternating.hpp"

namespace cunmf::detail {

template <class Backend, class Index>
class CoordinateDescent final : public AlternatingSolver<Backend, Index> {
  using Base = AlternatingSolver<Backend, Index>;
  using Base::backend_;
  using Base::loss_;
  using typename Base::Matrix;
  using typename Base::T;

 public:
  /// Updates W (m × k) and Ht (n × k) in place for `loss`; they must outlive the solver.
  CoordinateDescent(Backend& backend, const Operand<T, Index>& X, Matrix& W, Matrix& Ht,
                    Divergence loss, const Penalties& penalties, double theta)
      : Base(backend, X, W, Ht, loss, penalties, theta),
        w_work_(work(backend, loss.kind, X.rows(), W.cols())),
        h_work_(work(backend, loss.kind, X.cols(), W.cols())),
        small_(backend.matrix(loss.kind == Loss::Frobenius ? W.cols() : 1, W.cols())) {}

 private:
  /// Frobenius: the numerator A·G (rows × k); KL needs none (1 × k, unused).
  static Matrix work(Backend& backend, Loss loss, std::int64_t rows, std::int64_t k) {
    return backend.matrix(loss == Loss::Frobenius ? rows : 1, k);
  }

  /// One sweep over the columns of F for A ≈ F Gᵀ. Frobenius from A·G and GᵀG (which do not
  /// change during the sweep), the penalty folded into both as scikit-learn does; KL from 1ᵀG, the
  /// part of the gradient that the zeros of A contribute, with W·H kept inside the sweep.
  void half_step(const HalfStep<Backend, Index>& step) override {
    const auto& [A, F, G, penalty, side] = step;
    if (loss_.kind == Loss::Frobenius) {
      Matrix& numerator = side == Side::W ? w_work_ : h_work_;
      backend_.product(A, G, numerator);
      backend_.gram(G, small_);
      backend_.add_penalty(small_, numerator, penalty);
      backend_.hals_update(F, numerator, small_);
    } else {
      backend_.column_sums(G, small_);
      backend_.kl_cd_update(A, F, G, small_, penalty);
    }
  }

  Matrix w_work_;  ///< Frobenius: X·H (m × k)
  Matrix h_work_;  ///< Frobenius: Xᵀ·W (n × k)
  Matrix small_;   ///< Frobenius: the Gram GᵀG (k × k); KL: 1ᵀG (1 × k)
};

}  // namespace cunmf::detail
