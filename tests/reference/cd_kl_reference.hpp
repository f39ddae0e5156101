// The textbook oracle of coordinate descent for the generalized KL divergence (Hsieh & Dhillon,
// "Fast coordinate descent methods with variable selection for NMF", KDD 2011, without variable
// selection): each entry of W, column by column, gets one projected Newton step on the divergence
// with everything else fixed, then each entry of H likewise. Written from the objective
// D = Σ_ij wh_ij − x_ij log wh_ij + const, in double with naive loops, W·H recomputed from scratch
// for every entry (no running values, and the zeros of X enter the gradient through their own
// terms, not through a column sum): it shares no code or shortcut with src/, so it checks both.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>

#include "losses.hpp"
#include "matrix.hpp"
#include "penalties.hpp"

namespace cunmf::reference {

/// One projected Newton step on a ≥ 0 with gradient g and second derivative h of the divergence
/// along it: a − g/h projected onto ≥ 0; with h = 0 the divergence is linear in a (slope g ≥ 0),
/// minimized at 0 if g > 0 and independent of a if g = 0.
inline double kl_newton_step(double a, double g, double h) {
  if (h > 0.0) return std::max(0.0, a - g / h);
  return g > 0.0 ? 0.0 : a;
}

/// (W H)(i, j) with the current W and H, raised to ε as in every KL quotient of the library.
inline double clamped_wh(const Matrix& W, const Matrix& H, std::int64_t i, std::int64_t j) {
  double wh = 0.0;
  for (std::int64_t r = 0; r < W.cols; ++r) wh += W(i, r) * H(r, j);
  return std::max(wh, kEpsilon);
}

/// W: for t = 0, …, k − 1, for every row i, with wh = (W H)(i, j) as updated so far,
///   ∂D/∂W(i, t) = Σ_j H(t, j) (1 − X(i, j) / wh),   ∂²D/∂W(i, t)² = Σ_j X(i, j) H(t, j)² / wh²,
/// plus the penalty's l1 + l2·W(i, t) and l2.
inline void update_w_cd_kl(const Matrix& X, Matrix& W, const Matrix& H, double l1 = 0.0,
                           double l2 = 0.0) {
  for (std::int64_t t = 0; t < W.cols; ++t)
    for (std::int64_t i = 0; i < W.rows; ++i) {
      double g = l1 + l2 * W(i, t), h = l2;
      for (std::int64_t j = 0; j < X.cols; ++j) {
        const double wh = clamped_wh(W, H, i, j);
        g += H(t, j) * (1.0 - X(i, j) / wh);
        h += X(i, j) * H(t, j) * H(t, j) / (wh * wh);
      }
      W(i, t) = kl_newton_step(W(i, t), g, h);
    }
}

/// H: for t = 0, …, k − 1, for every column j, the same with the roles of W and H exchanged:
///   ∂D/∂H(t, j) = Σ_i W(i, t) (1 − X(i, j) / wh),  ∂²D/∂H(t, j)² = Σ_i X(i, j) W(i, t)² / wh²,
/// plus the penalty's l1 + l2·H(t, j) and l2.
inline void update_h_cd_kl(const Matrix& X, const Matrix& W, Matrix& H, double l1 = 0.0,
                           double l2 = 0.0) {
  for (std::int64_t t = 0; t < H.rows; ++t)
    for (std::int64_t j = 0; j < H.cols; ++j) {
      double g = l1 + l2 * H(t, j), h = l2;
      for (std::int64_t i = 0; i < X.rows; ++i) {
        const double wh = clamped_wh(W, H, i, j);
        g += W(i, t) * (1.0 - X(i, j) / wh);
        h += X(i, j) * W(i, t) * W(i, t) / (wh * wh);
      }
      H(t, j) = kl_newton_step(H(t, j), g, h);
    }
}

/// One iteration: update W, then H.
inline void cd_kl_step(const Matrix& X, Matrix& W, Matrix& H, const Regularization& r = {}) {
  update_w_cd_kl(X, W, H, r.l1_w, r.l2_w);
  update_h_cd_kl(X, W, H, r.l1_h, r.l2_h);
}

/// `iterations` iterations of cd_kl_step() from W0, H0; the loss is the generalized KL divergence.
inline Run run_cd_kl(const Matrix& X, Matrix W0, Matrix H0, int iterations) {
  for (int it = 0; it < iterations; ++it) cd_kl_step(X, W0, H0);
  const double final_loss = kl_loss(X, W0, H0);
  return {std::move(W0), std::move(H0), final_loss};
}

}  // namespace cunmf::reference
