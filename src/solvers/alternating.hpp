// What every solver in this folder shares, written once: X and Xᵀ, the factors W (m × k) and
// Hᵀ (n × k), the loss, the penalties and nsNMF's smoothing. An iteration is a half-step on W for
// X ≈ W H, then one on H as the same problem transposed (core/primitives.hpp, "Conventions"),
// each solver supplying only its half-step; the loss it reports is the whole objective, the loss
// of X ≈ W H plus the penalties (core/penalties.hpp) and the graph term (core/graph_term.hpp) of
// the solvers that take it.
//
// nsNMF (core/smoothing.hpp) fits X ≈ W S H with a fixed k × k S: the W half-step is the plain one
// for X ≈ W (S H), whose other factor is (S H)ᵀ = Hᵀ S, and the H half-step the plain one for
// X ≈ (W S) H — so every solver takes it by being handed G·S instead of G, as the paper does for
// MU, and the loss is that of W·(S H). With θ = 0 nothing is multiplied: the plain iterates.
#pragma once

#include <cstdint>
#include <numeric>
#include <optional>
#include <vector>

#include "../core/divergence.hpp"
#include "../core/graph_term.hpp"
#include "../core/operand.hpp"
#include "../core/penalties.hpp"
#include "../core/smoothing.hpp"
#include "../core/solver_loop.hpp"

namespace cunmf::detail {

/// Which factor a half-step updates.
enum class Side { W, H };

/// One half-step's problem: F ≥ 0 for A ≈ F Gᵀ with F's penalty — W with (X, W, Hᵀ), H with
/// (Xᵀ, Hᵀ, W) (G smoothed for nsNMF).
template <class Backend, class Index>
struct HalfStep {
  const Operand<typename Backend::Scalar, Index>& A;
  typename Backend::Matrix& F;
  const typename Backend::Matrix& G;
  Penalty<typename Backend::Scalar> penalty;
  Side side;
};

template <class Backend, class Index>
class AlternatingSolver : public IterativeSolver {
 public:
  using T = typename Backend::Scalar;
  using Matrix = typename Backend::Matrix;

  void iterate() final {
    if (!fixed_w_) half_step(w_step());
    half_step({Xt_, Ht_, smoothed(W_, Side::H), in_precision<T>(penalties_.h), Side::H});
  }

  /// Holds W as it is from now on: each iteration updates H only (cunmf::transform).
  void fix_w() { fixed_w_ = true; }

  double loss(bool iterations_follow) final {
    const double graph = graph_ != nullptr ? graph_->value(Ht_) : 0.0;
    return fit_loss(iterations_follow && !fixed_w_) + penalty_value(W_, penalties_.w) +
           penalty_value(Ht_, penalties_.h) + graph;
  }

 protected:
  /// W (m × k) and Ht (n × k) are updated in place; they must outlive the solver.
  /// `theta`: nsNMF's smoothing (0: none).
  AlternatingSolver(Backend& backend, const Operand<T, Index>& X, Matrix& W, Matrix& Ht,
                    Divergence loss, const Penalties& penalties, double theta)
      : backend_(backend),
        loss_(loss),
        X_(X),
        Xt_(X.transposed()),
        W_(W),
        Ht_(Ht),
        penalties_(penalties),
        sums_(backend.matrix(1, W.cols())) {
    if (theta != 0.0) smoothing_.emplace(backend, theta, W.rows(), Ht.rows(), W.cols());
  }

  virtual void half_step(const HalfStep<Backend, Index>& step) = 0;

  /// The loss of X ≈ W H (smoothed for nsNMF), without the penalties and the graph term.
  /// `w_step_follows`: W's half-step comes next, from these factors (a solver may take work for it
  /// from the same pass over X).
  virtual double fit_loss(bool /*w_step_follows*/) {
    return backend_.loss(loss_, X_, W_, smoothed(Ht_, Side::W));
  }

  /// W's half-step from the current factors: (X, W, Hᵀ) with W's penalty.
  HalfStep<Backend, Index> w_step() {
    return {X_, W_, smoothed(Ht_, Side::W), in_precision<T>(penalties_.w), Side::W};
  }

  /// Whether the half-steps are handed smoothed factors (nsNMF), G·S rather than G.
  bool smoothes() const { return smoothing_.has_value(); }

  Backend& backend_;
  const Divergence loss_;
  /// Graph regularization of H (core/graph_term.hpp), or null; set by the solvers that take it.
  GraphTerm<Backend>* graph_ = nullptr;

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

  /// nsNMF's S on the backend (its host values kept for the queued upload) and the smoothed
  /// factors W S (m × k) and Hᵀ S (n × k).
  struct Smoothing {
    Smoothing(Backend& backend, double theta, std::int64_t m, std::int64_t n, std::int64_t k)
        : host(smoothing_matrix<T>(theta, k)),
          S(backend.from_column_major(host.data(), k, k)),
          w(backend.matrix(m, k)),
          ht(backend.matrix(n, k)) {}
    std::vector<T> host;
    Matrix S, w, ht;
  };

  /// F S (for the half-step of `side`'s other factor: W's half-step smooths Hᵀ), or F itself
  /// without smoothing.
  const Matrix& smoothed(const Matrix& F, Side side) {
    if (!smoothing_) return F;
    Matrix& out = side == Side::W ? smoothing_->ht : smoothing_->w;
    backend_.multiply(F, smoothing_->S, out);
    return out;
  }

  Operand<T, Index> X_, Xt_;
  Matrix& W_;
  Matrix& Ht_;
  Penalties penalties_;
  std::optional<Smoothing> smoothing_;
  Matrix sums_;  ///< 1 × k: column sums for ‖F‖₁
  bool fixed_w_ = false;
};

}  // namespace cunmf::detail
