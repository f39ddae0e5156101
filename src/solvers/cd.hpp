// Coordinate descent (HALS, Cichocki & Phan 2009) for the Frobenius loss, written once over the
// backend primitives (core/primitives.hpp) for every backend, dense or CSR X, float or double.
// The rules are scikit-learn's NMF(solver="cd", shuffle=False), so that from the same W0, H0 the
// iterates are its iterates: W is updated before H, and each half-step sweeps the columns of the
// factor in order, each getting its exact non-negative minimizer with the others fixed.
#pragma once

#include "../core/operand.hpp"
#include "../core/solver_loop.hpp"

namespace cunmf::detail {

template <class Backend, class Index>
class CoordinateDescent final : public IterativeSolver {
 public:
  using T = typename Backend::Scalar;
  using Matrix = typename Backend::Matrix;

  /// Updates W (m × k) and Ht (n × k) in place; they must outlive the solver.
  CoordinateDescent(Backend& backend, const Operand<T, Index>& X, Matrix& W, Matrix& Ht)
      : backend_(backend),
        X_(X),
        Xt_(X.transposed()),
        W_(W),
        Ht_(Ht),
        w_numerator_(backend.matrix(X.rows(), W.cols())),
        h_numerator_(backend.matrix(X.cols(), W.cols())),
        gram_(backend.matrix(W.cols(), W.cols())) {}

  void iterate() override {
    half_step(X_, W_, Ht_, w_numerator_);
    half_step(Xt_, Ht_, W_, h_numerator_);
  }

  double loss() override { return backend_.loss(Loss::Frobenius, X_, W_, Ht_); }

 private:
  /// One sweep over the columns of F for A ≈ F Gᵀ, from A·G and GᵀG (which do not change during
  /// the sweep): W with (X, W, Hᵀ), H with (Xᵀ, Hᵀ, W).
  void half_step(const Operand<T, Index>& A, Matrix& F, const Matrix& G, Matrix& numerator) {
    backend_.product(A, G, numerator);
    backend_.gram(G, gram_);
    backend_.hals_update(F, numerator, gram_);
  }

  Backend& backend_;
  Operand<T, Index> X_, Xt_;
  Matrix& W_;
  Matrix& Ht_;
  Matrix w_numerator_;  ///< X·H (m × k)
  Matrix h_numerator_;  ///< Xᵀ·W (n × k)
  Matrix gram_;         ///< k × k
};

}  // namespace cunmf::detail
