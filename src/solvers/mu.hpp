// Multiplicative updates (Lee & Seung; for the β-divergence Févotte & Idier 2011), written once
// over the backend primitives (core/primitives.hpp) for every backend, dense or CSR X, float or
// double. The rules are scikit-learn's NMF(solver="mu"), so that from the same W0, H0 the iterates
// are its iterates: W is updated before H; a zero denominator becomes ε; for KL the ratio uses
// max(WH, ε); for the β-divergence the numerator is (X ⊙ (WH)^(β−2))Hᵀ, the denominator
// (WH)^(β−1)Hᵀ and the quotient is raised to γ(β) (core/divergence.hpp); after each H update for
// β ≤ 1, and each W update for β < 1, entries below float64 epsilon become 0 (kSmallValueFloor).
// The L1/L2 penalties' gradient, l1 + l2·F, joins the denominator (scikit-learn's rule); so does
// the positive part λ H D of the graph term's gradient, its negative part λ H A the numerator (Cai
// et al.'s GNMF rule, core/graph_term.hpp).
#pragma once

#include <cstdint>

#include "../../kernels/elementwise.cuh"
#include "alternating.hpp"

namespace cunmf::detail {

template <class Backend, class Index>
class MultiplicativeUpdate final : public AlternatingSolver<Backend, Index> {
  using Base = AlternatingSolver<Backend, Index>;
  using Base::backend_;
  using Base::loss_;
  using typename Base::Matrix;
  using typename Base::T;

 public:
  /// Updates W (m × k) and Ht (n × k) in place; they must outlive the solver.
  MultiplicativeUpdate(Backend& backend, const Operand<T, Index>& X, Matrix& W, Matrix& Ht,
                       Divergence loss, const Penalties& penalties, double theta,
                       GraphTerm<Backend>* graph = nullptr)
      : Base(backend, X, W, Ht, loss, penalties, theta),
        w_side_(backend, loss, X.rows(), W.cols()),
        h_side_(backend, loss, X.cols(), W.cols()),
        gram_(backend.matrix(W.cols(), W.cols())),
        next_gram_(backend.matrix(W.cols(), W.cols())),
        gamma_(static_cast<T>(mu_exponent(loss.beta))) {
    this->graph_ = graph;
  }

 private:
  /// The work space of one half-step, for a factor of `rows` rows.
  struct Workspace {
    Workspace(Backend& backend, Divergence loss, std::int64_t rows, std::int64_t k)
        : numerator(backend.matrix(rows, k)),
          denominator(loss.kind == Loss::KullbackLeibler ? backend.matrix(1, k)
                                                         : backend.matrix(rows, k)) {}
    Matrix numerator;    ///< rows × k
    Matrix denominator;  ///< KL: 1 × k; otherwise rows × k
  };

  /// F ← F ⊙ numerator ⊘ (denominator + the penalty's gradient) for A ≈ F Gᵀ.
  void half_step(const HalfStep<Backend, Index>& step) override {
    const auto& [A, F, G, penalty, side] = step;
    Workspace& work = side == Side::W ? w_side_ : h_side_;
    // scikit-learn's small-value rule applies to H for β ≤ 1 and to W for β < 1.
    const double beta = loss_.beta;
    const bool floored = side == Side::H ? beta <= 1.0 : beta < 1.0;
    const T floor = floored ? T(kSmallValueFloor) : T(0);
    if (loss_.kind == Loss::Frobenius) {
      // F ← F ⊙ (A G) ⊘ (F (GᵀG))
      if (side == Side::W && !this->smoothes()) {
        // One pass over X for W's update that also forms H's numerator XᵀW and WᵀW from the new
        // W (core/primitives.hpp): H's half-step follows at once with G = W (no nsNMF smoothing).
        backend_.gram(G, gram_);
        backend_.mu_frobenius_step(A, G, gram_, F, penalty, floor, work.numerator, work.denominator,
                                   h_side_.numerator, next_gram_);
        next_terms_ready_ = true;
        return;
      }
      if (side == Side::H && next_terms_ready_) {
        backend_.multiply(F, next_gram_, work.denominator);
      } else {
        backend_.product(A, G, work.numerator);
        backend_.gram(G, gram_);
        backend_.multiply(F, gram_, work.denominator);
      }
      next_terms_ready_ = false;
      // GNMF (Cai et al. 2011, eq. 12): H ← H ⊙ (WᵀX + λ H A) ⊘ (WᵀW H + λ H D).
      if (side == Side::H && this->graph_ != nullptr) {
        this->graph_->add_gradient_parts(F, work.numerator, work.denominator);
      }
    } else if (loss_.kind == Loss::KullbackLeibler) {
      // F ← F ⊙ ((A ⊘ F Gᵀ) G) ⊘ (1ᵀG): the denominator of column r is Σ_j G(j, r). W's
      // numerator may have come with the loss check just before (fit_loss: the same A, F and G).
      if (side != Side::W || !w_numerator_ready_) backend_.ratio_product(A, F, G, work.numerator);
      w_numerator_ready_ = false;
      backend_.column_sums(G, work.denominator);
      // GNMF's KL rule (Cai et al. 2011, eq. 26) solves a sparse linear system instead.
      if (side == Side::H && this->graph_ != nullptr) {
        this->graph_->kl_update(F, work.numerator, work.denominator);
        return;
      }
    } else {
      // F ← F ⊙ (((A ⊙ (F Gᵀ)^(β−2)) G) ⊘ ((F Gᵀ)^(β−1) G))^γ (no graph term: refused before)
      backend_.beta_terms(A, F, G, T(beta), work.numerator, work.denominator);
    }
    backend_.mu_update(F, work.numerator, work.denominator, penalty, floor, gamma_);
  }

  /// KL: the loss at a check and the numerator of the W half-step that follows it, (X ⊘ W H) Hᵀ,
  /// need the same W·H: one pass over X gives both (ratio_product_and_loss, core/primitives.hpp),
  /// and the half-step skips its own.
  double fit_loss(bool w_step_follows) override {
    if (loss_.kind != Loss::KullbackLeibler || !w_step_follows) return Base::fit_loss(false);
    const HalfStep<Backend, Index> step = this->w_step();
    const double value = backend_.ratio_product_and_loss(step.A, step.F, step.G, w_side_.numerator);
    w_numerator_ready_ = true;
    return value;
  }

  Workspace w_side_;                ///< for updating W (m rows)
  Workspace h_side_;                ///< for updating Hᵀ (n rows)
  Matrix gram_;                     ///< k × k
  Matrix next_gram_;                ///< k × k: WᵀW from W's fused half-step, for H's
  bool next_terms_ready_ = false;   ///< h_side_.numerator and next_gram_ hold XᵀW and WᵀW
  bool w_numerator_ready_ = false;  ///< w_side_.numerator holds W's KL numerator (fit_loss)
  const T gamma_;                   ///< the update's exponent γ(β): 1 but for the β-divergence
};

}  // namespace cunmf::detail
