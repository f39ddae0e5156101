// What every solver in this folder shares, written once: X and Xᵀ, the factors W (m × k) and
// Hᵀ (n × k), the loss and the penalties. An iteration is a half-step on W for X ≈ W H, then
// one on H as the same problem transposed (core/primitives.hpp, "Conventions"), each solver
// supplying only its half-step; the loss it reports is the whole objective, the loss of X ≈ W H
// plus the penalties (core/penalties.hpp).
#pragma once

#include <cstdint>
#include <numeric>
#include <vector>

#include "../core/operand.hpp"
#include "../core/penalties.hpp"
#include "../core/solver_loop.hpp"

namespace cunmf::detail {

template <class Backend, class Index>
class AlternatingSolver : public IterativeSolver {
 public:
  using T = typename Backend::Scalar;
  using Matrix = typename Backend::Matrix;

  void iterate() final {
    if (!fixed_w_) half_step({X_, W_, Ht_, in_precision<T>(penalties_.w), Side::W});
    half_step({Xt_, Ht_, W_, in_precision<T>(penalties_.h), Side::H});
  }

  /// Holds W as it is from now on: each iteration updates H only (cunmf::transform).
  void fix_w() { fixed_w_ = true; }

  double loss() final {
    return backend_.loss(loss_, X_, W_, Ht_) + penalty_value(W_, penalties_.w) +
           penalty_value(Ht_, penalties_.h);
  }

 protected:
  /// Which factor a half-step updates.
  enum class Side { W, H };

  /// One half-step's problem: F ≥ 0 for A ≈ F Gᵀ with F's penalty — W with (X, W, Hᵀ), H with
  /// (Xᵀ, Hᵀ, W).
  struct HalfStep {
    const Operand<T, Index>& A;
    Matrix& F;
    const Matrix& G;
    Penalty<T> penalty;
    Side side;
  };

  /// W (m × k) and Ht (n × k) are updated in place; they must outlive the solver.
  AlternatingSolver(Backend& backend, const Operand<T, Index>& X, Matrix& W, Matrix& Ht, Loss loss,
                    const Penalties& penalties)
      : backend_(backend),
        loss_(loss),
        X_(X),
        Xt_(X.transposed()),
        W_(W),
        Ht_(Ht),
        penalties_(penalties),
        sums_(backend.matrix(1, W.cols())) {}

  virtual void half_step(const HalfStep& step) = 0;

  Backend& backend_;
  const Loss loss_;

 private:
  /// p.l1·‖F‖₁ + ½·p.l2·‖F‖²_F in double (F ≥ 0, so ‖F‖₁ is the sum of its column sums).
  double penalty_value(const Matrix& F, Penalty<double> p) {
    double value = 0.0;
    if (p.l2 != 0.0) value += 0.5 * p.l2 * backend_.dot(F, F);
    if (p.l1 != 0.0) {
      backend_.column_sums(F, sums_);
      std::vector<T> sums(static_cast<std::size_t>(F.cols()));
      backend_.to_column_major(sums_, sums.data());
      value += p.l1 * std::accumulate(sums.begin(), sums.end(), 0.0);
    }
    return value;
  }

  Operand<T, Index> X_, Xt_;
  Matrix& W_;
  Matrix& Ht_;
  Penalties penalties_;
  Matrix sums_;  ///< 1 × k: column sums for ‖F‖₁
  bool fixed_w_ = false;
};

}  // namespace cunmf::detail
