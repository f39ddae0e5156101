// The textbook oracle of alternating projected gradient for the Frobenius loss (C.-J. Lin,
// "Projected Gradient Methods for Non-negative Matrix Factorization", Neural Computation 19, 2007),
// with the rules the library documents in src/solvers/pgd.hpp: each half-step solves
// min over F ≥ 0 of ½‖A − F Gᵀ‖² by projected-gradient steps F ← max(F − α∇f, 0), α found by the
// paper's improved Armijo search (σ = 0.01, β = 0.1, starting from the previous step's α, 1 at the
// start of the half-step), until ‖∇ᴾf‖ ≤ 0.001·‖∇ᴾf at the half-step's start‖ or 20 steps. Written
// entry by entry in double with naive loops, one whole matrix at a time; it shares no code with
// src/ (whose steps are panel primitives on the backends).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <tuple>
#include <utility>

#include "losses.hpp"
#include "matrix.hpp"

namespace cunmf::reference {

/// The constants of the rules (the library's, src/solvers/pgd.hpp).
struct PgdRules {
  double sigma = 0.01;
  double beta = 0.1;
  int max_trials = 20;
  int max_inner = 20;
  double inner_tolerance = 0.001;
};

/// Σ a∘b over every entry.
inline double entry_dot(const Matrix& a, const Matrix& b) {
  double sum = 0.0;
  for (std::size_t i = 0; i < a.data.size(); ++i) sum += a.data[i] * b.data[i];
  return sum;
}

/// a − b.
inline Matrix difference(const Matrix& a, const Matrix& b) {
  Matrix d(a.rows, a.cols);
  for (std::size_t i = 0; i < a.data.size(); ++i) d.data[i] = a.data[i] - b.data[i];
  return d;
}

/// The subproblem min over F ≥ 0 of f(F) = ½‖A − F Gᵀ‖², given only N = A G and Q = GᵀG:
/// ∇f = F Q − N, and f(F + D) − f(F) = ⟨∇f, D⟩ + ½⟨D Q, D⟩ exactly (f is quadratic).
inline void pgd_subproblem(const Matrix& N, const Matrix& Q, Matrix& F,
                           const PgdRules& rules = {}) {
  double alpha = 1.0;
  double tolerance = 0.0;
  for (int inner = 0; inner < rules.max_inner; ++inner) {
    const Matrix gradient = difference(multiply(F, Q), N);
    double squared = 0.0;  // ‖∇ᴾf‖²: ∇f where F > 0, its negative part where F = 0
    for (std::size_t i = 0; i < F.data.size(); ++i) {
      const double g = gradient.data[i];
      if (F.data[i] > 0.0 || g < 0.0) squared += g * g;
    }
    const double norm = std::sqrt(squared);
    if (inner == 0) tolerance = rules.inner_tolerance * norm;
    if (norm <= tolerance) return;

    // The point max(F − a∇f, 0), and whether it satisfies Armijo's condition
    // f(point) − f(F) ≤ σ⟨∇f, point − F⟩.
    const auto step = [&](double a) {
      Matrix point(F.rows, F.cols);
      for (std::size_t i = 0; i < F.data.size(); ++i) {
        point.data[i] = std::max(F.data[i] - a * gradient.data[i], 0.0);
      }
      const Matrix D = difference(point, F);
      const double decrease = entry_dot(gradient, D) + 0.5 * entry_dot(multiply(D, Q), D);
      const bool holds = decrease <= rules.sigma * entry_dot(gradient, D);
      return std::make_pair(std::move(point), holds);
    };
    auto [point, holds] = step(alpha);
    bool moved = false;
    if (!holds) {
      // Decrease α until the condition holds (at most max_trials values of α in all).
      for (int trial = 1; trial < rules.max_trials && !holds; ++trial) {
        alpha *= rules.beta;
        std::tie(point, holds) = step(alpha);
      }
      if (holds && point.data != F.data) {
        F = std::move(point);
        moved = true;
      }
    } else {
      // Increase α while the condition holds and the point changes; keep the last that held.
      for (int trial = 1; trial < rules.max_trials; ++trial) {
        auto [next, next_holds] = step(alpha / rules.beta);
        if (!next_holds || next.data == point.data) break;
        alpha /= rules.beta;
        point = std::move(next);
      }
      F = std::move(point);
      moved = true;
    }
    if (!moved) return;
  }
}

/// One iteration: W ← the subproblem's solution with A = X, G = Hᵀ; then Hᵀ with A = Xᵀ, G = W.
inline void pgd_step(const Matrix& X, Matrix& W, Matrix& H, const PgdRules& rules = {}) {
  const Matrix Ht = transpose(H);
  pgd_subproblem(multiply(X, Ht), multiply(H, Ht), W, rules);
  const Matrix Wt = transpose(W);
  Matrix Ht_new = Ht;
  pgd_subproblem(multiply(transpose(X), W), multiply(Wt, W), Ht_new, rules);
  H = transpose(Ht_new);
}

/// `iterations` iterations of pgd_step() from W0, H0; the loss is ½‖X − W H‖²_F.
inline Run run_pgd(const Matrix& X, Matrix W0, Matrix H0, int iterations) {
  for (int it = 0; it < iterations; ++it) pgd_step(X, W0, H0);
  const double final_loss = frobenius_loss(X, W0, H0);
  return {std::move(W0), std::move(H0), final_loss};
}

}  // namespace cunmf::reference
