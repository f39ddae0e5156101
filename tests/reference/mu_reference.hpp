// The textbook oracle of the multiplicative updates (DESIGN.md, "The math"; scikit-learn's
// NMF(solver="mu") rules): each update and loss written as plainly as possible, in double, with
// naive loops over a tiny row-major matrix type, dense only. It shares no code with src/ and
// includes only the public headers that define its input types, so that it can check the library.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>

#include "cunmf/options.hpp"
#include "losses.hpp"
#include "matrix.hpp"
#include "penalties.hpp"

namespace cunmf::reference {

/// For KL (β ≤ 1), entries of H below this (float64 machine epsilon, also in float runs) are set
/// to 0 after each H update (scikit-learn's rule). W is not thresholded for KL.
inline constexpr double kKlThreshold = 2.220446049250313e-16;

/// A denominator: v, or ε when v is exactly 0.
inline double denominator(double v) { return v == 0.0 ? kEpsilon : v; }

/// a ← a ⊙ numerator ⊘ (denominator + l1 + l2·a), a zero denominator entry counting as ε: the
/// gradient of the penalty l1·‖a‖₁ + ½·l2·‖a‖²_F joins the denominator (scikit-learn's rule).
inline void multiply_by_ratio(Matrix& a, const Matrix& numerator, const Matrix& denom, double l1,
                              double l2) {
  for (std::size_t idx = 0; idx < a.data.size(); ++idx)
    a.data[idx] *= numerator.data[idx] / denominator(denom.data[idx] + l1 + l2 * a.data[idx]);
}

/// Frobenius: W ← W ⊙ (X Hᵀ) ⊘ (W (H Hᵀ) + l1 + l2·W).
inline void update_w_frobenius(const Matrix& X, Matrix& W, const Matrix& H, double l1 = 0.0,
                               double l2 = 0.0) {
  const Matrix Ht = transpose(H);
  multiply_by_ratio(W, multiply(X, Ht), multiply(W, multiply(H, Ht)), l1, l2);
}

/// Frobenius: H ← H ⊙ (Wᵀ X) ⊘ ((Wᵀ W) H + l1 + l2·H).
inline void update_h_frobenius(const Matrix& X, const Matrix& W, Matrix& H, double l1 = 0.0,
                               double l2 = 0.0) {
  const Matrix Wt = transpose(W);
  multiply_by_ratio(H, multiply(Wt, X), multiply(multiply(Wt, W), H), l1, l2);
}

/// KL's R = X ⊘ max(W H, ε), entry by entry.
inline Matrix kl_ratio(const Matrix& X, const Matrix& W, const Matrix& H) {
  const Matrix WH = multiply(W, H);
  Matrix R(X.rows, X.cols);
  for (std::size_t idx = 0; idx < R.data.size(); ++idx)
    R.data[idx] = X.data[idx] / std::max(WH.data[idx], kEpsilon);
  return R;
}

/// KL: W ← W ⊙ (R Hᵀ) ⊘ (1 Hᵀ + l1 + l2·W); the denominator of W(i, r) is
/// Σ_j H(r, j) + l1 + l2·W(i, r) (0 → ε).
inline void update_w_kl(const Matrix& X, Matrix& W, const Matrix& H, double l1 = 0.0,
                        double l2 = 0.0) {
  const Matrix numerator = multiply(kl_ratio(X, W, H), transpose(H));
  for (std::int64_t i = 0; i < W.rows; ++i)
    for (std::int64_t r = 0; r < W.cols; ++r) {
      double h_sum = 0.0;
      for (std::int64_t j = 0; j < H.cols; ++j) h_sum += H(r, j);
      W(i, r) *= numerator(i, r) / denominator(h_sum + l1 + l2 * W(i, r));
    }
}

/// KL: H ← H ⊙ (Wᵀ R) ⊘ (Wᵀ 1 + l1 + l2·H); the denominator of H(r, j) is
/// Σ_i W(i, r) + l1 + l2·H(r, j) (0 → ε). Without the threshold (threshold_h applies it).
inline void update_h_kl(const Matrix& X, const Matrix& W, Matrix& H, double l1 = 0.0,
                        double l2 = 0.0) {
  const Matrix numerator = multiply(transpose(W), kl_ratio(X, W, H));
  for (std::int64_t r = 0; r < H.rows; ++r)
    for (std::int64_t j = 0; j < H.cols; ++j) {
      double w_sum = 0.0;
      for (std::int64_t i = 0; i < W.rows; ++i) w_sum += W(i, r);
      H(r, j) *= numerator(r, j) / denominator(w_sum + l1 + l2 * H(r, j));
    }
}

/// KL's rule after the H update: entries below kKlThreshold become 0.
inline void threshold_h(Matrix& H) {
  for (double& h : H.data)
    if (h < kKlThreshold) h = 0.0;
}

/// One iteration: update W, then H (scikit-learn's order); for KL, then threshold H.
inline void step(const Matrix& X, Matrix& W, Matrix& H, Loss loss, const Regularization& r = {}) {
  if (loss == Loss::Frobenius) {
    update_w_frobenius(X, W, H, r.l1_w, r.l2_w);
    update_h_frobenius(X, W, H, r.l1_h, r.l2_h);
  } else {
    update_w_kl(X, W, H, r.l1_w, r.l2_w);
    update_h_kl(X, W, H, r.l1_h, r.l2_h);
    threshold_h(H);
  }
}

/// `iterations` iterations of step() from W0, H0.
inline Run run(const Matrix& X, Matrix W0, Matrix H0, Loss loss, int iterations) {
  for (int it = 0; it < iterations; ++it) step(X, W0, H0, loss);
  const double final_loss = loss_of(X, W0, H0, loss);
  return {std::move(W0), std::move(H0), final_loss};
}

}  // namespace cunmf::reference
