// Alternating projected gradient with the Armijo rule along the projection arc (C.-J. Lin,
// "Projected Gradient Methods for Non-negative Matrix Factorization", Neural Computation 19, 2007),
// Frobenius loss, written once over the backend primitives (core/primitives.hpp) for every
// backend, dense or CSR X, float or double.
//
// Each iteration updates W, then H; each half-step approximately solves the subproblem
//   min over F ≥ 0 of f(F) = ½‖A − F Gᵀ‖²_F      (W: A = X, G = Hᵀ;  H: A = Xᵀ, G = W)
// by projected gradient, from N = A·G (the one pass over X of the half-step) and the k × k Gram
// Q = GᵀG: ∇f(F) = F Q − N, and a step is F' = max(F − α∇f, 0) with the Armijo condition
//   f(F') − f(F) ≤ σ⟨∇f, F' − F⟩,   σ = 0.01,
// where f(F') − f(F) = ⟨∇f, D⟩ + ½⟨D Q, D⟩ for D = F' − F (the quadratic's exact expansion: no pass
// over X). α is searched as the paper's improved rule (its Algorithm 4): start from the α accepted
// by the previous inner iteration (1 at the start of a half-step, as Lin's code); if it satisfies
// the condition, multiply by 1/β (β = 0.1) while the condition keeps holding and the point keeps
// changing, and take the last α that held; otherwise multiply by β until it holds. At most
// kMaxStepTrials values of α are tried (Lin's code: 20); when none holds, F stays and the half-step
// ends. Each accepted step decreases f, so the loss never increases (up to rounding of the float
// panels). "The point keeps changing" is tested on the two sums the condition computes anyway
// (⟨∇f, D⟩ and ⟨D Q, D⟩ bitwise equal to the previous α's: then D is, for any practical purpose,
// the same), which costs no extra pass.
//
// Where this differs from the paper, and why:
// - Inner stopping rule. The paper stops a subproblem when ‖∇ᴾf(F)‖_F ≤ tol_F, an absolute
//   tolerance max(0.001, ε)·‖∇ᴾ(W0, H0)‖ set once from the initial factors and multiplied by 0.1
//   whenever a subproblem stops at its first inner iteration. That is state beyond the factors,
//   and the library's checkpoints carry only the factors and the loss history (a resumed run must
//   reach the same bits as an uninterrupted one, cunmf/checkpoint.hpp). So the tolerance here is
//   relative to the half-step's own start: stop when ‖∇ᴾf(F)‖_F ≤ kInnerTolerance·‖∇ᴾf(F₀)‖_F,
//   with kInnerTolerance = 0.001, the paper's floor max(0.001, ε). It needs no tightening rule:
//   it scales with the current projected gradient by construction, which is what the paper's ×0.1
//   rule approximates. α likewise restarts at 1 in every half-step (as in Lin's code).
// - Inner iteration cap: kMaxInnerIterations = 20 instead of the paper's 1000. The outer loop
//   alternates anyway, and the inner work (a few k × k products of the panels and ~3 reductions
//   per α tried, each a round trip to the host on the GPU) should stay near the cost of the
//   half-step's pass over X; 20 inner iterations reduce ‖∇ᴾ‖ by orders of magnitude on a
//   reasonably conditioned Gram, and more buys little before the other factor changes.
// - Outer stopping rule: the library's (tol on the loss between checks, max_iter, check_every),
//   not the paper's projected gradient of (W, H), which would cost one more pass over X per check.
// - X rescaled by a power of two (core/scaling.hpp, only for X outside [2^-10, 2^40]) changes
//   which powers of 10 α takes, so those runs are valid PGD runs but not the unscaled iterates.
#pragma once

#include <cmath>
#include <limits>
#include <utility>

#include "alternating.hpp"

namespace cunmf::detail {

template <class Backend, class Index>
class ProjectedGradient final : public AlternatingSolver<Backend, Index> {
  using Base = AlternatingSolver<Backend, Index>;
  using Base::backend_;
  using typename Base::Matrix;
  using typename Base::T;

 public:
  static constexpr double kSigma = 0.01;  ///< Armijo's sufficient-decrease fraction
  static constexpr double kBeta = 0.1;    ///< α's factor in the search
  static constexpr int kMaxStepTrials = 20;
  static constexpr int kMaxInnerIterations = 20;
  static constexpr double kInnerTolerance = 0.001;

  /// Updates W (m × k) and Ht (n × k) in place; they must outlive the solver. Frobenius only
  /// (validation rejects KL before a solver is made).
  ProjectedGradient(Backend& backend, const Operand<T, Index>& X, Matrix& W, Matrix& Ht,
                    const Penalties& penalties, double theta)
      : Base(backend, X, W, Ht, Divergence{}, penalties, theta),
        w_side_(backend, X.rows(), W.cols()),
        h_side_(backend, X.cols(), W.cols()),
        gram_(backend.matrix(W.cols(), W.cols())) {}

 private:
  /// The work space of one half-step, for a factor of `rows` rows: every panel rows × k.
  struct Workspace {
    Workspace(Backend& backend, std::int64_t rows, std::int64_t k)
        : numerator(backend.matrix(rows, k)),
          gradient(backend.matrix(rows, k)),
          trial(backend.matrix(rows, k)),
          accepted(backend.matrix(rows, k)),
          difference(backend.matrix(rows, k)),
          curvature(backend.matrix(rows, k)) {}
    Matrix numerator;   ///< N = A·G
    Matrix gradient;    ///< ∇f(F) = F Q − N
    Matrix trial;       ///< max(F − α∇f, 0) for the α being tried
    Matrix accepted;    ///< the last trial that satisfied the condition (while α grows)
    Matrix difference;  ///< D = trial − F; before the search, ∇ᴾf(F)
    Matrix curvature;   ///< D Q
  };

  /// Up to kMaxInnerIterations projected-gradient steps on F for A ≈ F Gᵀ; the penalty is folded
  /// into N and Q (f gains l1·ΣF + ½l2‖F‖², whose gradient l1 + l2·F is then part of F Q − N).
  void half_step(const HalfStep<Backend, Index>& step) override {
    const auto& [A, F, G, penalty, side] = step;
    Workspace& work = side == Side::W ? w_side_ : h_side_;
    backend_.product(A, G, work.numerator);
    backend_.gram(G, gram_);
    backend_.add_penalty(gram_, work.numerator, penalty);
    T alpha = T(1);
    double tolerance = 0.0;
    for (int inner = 0; inner < kMaxInnerIterations; ++inner) {
      backend_.multiply(F, gram_, work.gradient);
      backend_.axpby(T(1), work.gradient, T(-1), work.numerator, work.gradient);
      backend_.projected_gradient(F, work.gradient, work.difference);
      const double norm = std::sqrt(backend_.dot(work.difference, work.difference));
      if (inner == 0) tolerance = kInnerTolerance * norm;
      // ≤, so that a stationary start (∇ᴾ = 0, tolerance 0) stops at once.
      if (norm <= tolerance || !armijo_step(F, work, alpha)) break;
    }
  }

  /// One step F ← max(F − α∇f, 0) with α from the search (the file's comment). Returns whether F
  /// changed; `alpha` becomes the α taken (the start of the next search).
  bool armijo_step(Matrix& F, Workspace& work, T& alpha) {
    bool decreasing = false;
    double previous_slope = 0.0, previous_curvature = 0.0;
    for (int trial = 0; trial < kMaxStepTrials; ++trial) {
      backend_.projected_step(F, work.gradient, alpha, work.trial);
      backend_.axpby(T(1), work.trial, T(-1), F, work.difference);
      const double slope = backend_.dot(work.gradient, work.difference);  // ⟨∇f, D⟩ ≤ 0
      backend_.multiply(work.difference, gram_, work.curvature);
      const double curvature = backend_.dot(work.curvature, work.difference);  // ⟨D Q, D⟩ ≥ 0
      // f(F + D) − f(F) ≤ σ⟨∇f, D⟩, with the left side expanded exactly.
      const bool sufficient = (1.0 - kSigma) * slope + 0.5 * curvature <= 0.0;
      if (trial == 0) decreasing = !sufficient;
      if (decreasing) {
        if (sufficient) {
          // D = 0 (both sums 0): F would not move, and nor will it in the next inner iteration.
          if (slope == 0.0 && curvature == 0.0) return false;
          std::swap(F, work.trial);
          return true;
        }
        alpha = static_cast<T>(alpha * kBeta);
      } else {
        const bool unchanged =
            trial > 0 && slope == previous_slope && curvature == previous_curvature;
        if (!sufficient || unchanged) break;  // the previous α is the one taken
        std::swap(work.accepted, work.trial);
        previous_slope = slope;
        previous_curvature = curvature;
        // An α past T's range would make 0·∞ = NaN where ∇f = 0: take this one.
        if (!(alpha / kBeta <= std::numeric_limits<T>::max())) {
          std::swap(F, work.accepted);
          return true;
        }
        alpha = static_cast<T>(alpha / kBeta);
      }
    }
    if (decreasing) return false;  // no α tried satisfied the condition: F stays
    std::swap(F, work.accepted);
    alpha = static_cast<T>(alpha * kBeta);
    return true;
  }

  Workspace w_side_;  ///< for updating W (m rows)
  Workspace h_side_;  ///< for updating Hᵀ (n rows)
  Matrix gram_;       ///< Q = GᵀG (k × k)
};

}  // namespace cunmf::detail
