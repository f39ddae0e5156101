// The textbook oracle of coordinate descent for the Frobenius loss (HALS, Cichocki & Phan 2009;
// scikit-learn's NMF(solver="cd", shuffle=False)): each column of W, in order, gets its exact
// non-negative least-squares minimizer with the other columns fixed, then each row of H likewise.
// Written a whole column (or row of H) at a time, as the textbooks write it, in double with naive
// loops; it shares no code with src/ (whose sweep goes row by row), so it can check the library.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>

#include "losses.hpp"
#include "matrix.hpp"
#include "penalties.hpp"

namespace cunmf::reference {

/// W ← argmin over W ≥ 0, one column t = 0, …, k − 1 at a time, each seeing the columns already
/// updated, of ½‖X − WH‖² + l1‖W‖₁ + ½l2‖W‖²: with the penalty's gradient l1 + l2·w_t and
/// curvature l2,
///   w_t ← max(0, w_t + ((X Hᵀ)_t − l1 − W (H Hᵀ)_t − l2·w_t) / ((H Hᵀ)_tt + l2)).
/// A column with (H Hᵀ)_tt + l2 = 0 (row t of H is zero, no L2) does not enter the loss and is
/// left as it is.
inline void update_w_cd(const Matrix& X, Matrix& W, const Matrix& H, double l1 = 0.0,
                        double l2 = 0.0) {
  const Matrix Ht = transpose(H);
  const Matrix XHt = multiply(X, Ht);
  const Matrix HHt = multiply(H, Ht);
  for (std::int64_t t = 0; t < W.cols; ++t) {
    const double curvature = HHt(t, t) + l2;
    if (curvature == 0.0) continue;
    for (std::int64_t i = 0; i < W.rows; ++i) {
      double w_hht = 0.0;  // (W HHᵀ)(i, t) with the current W
      for (std::int64_t r = 0; r < W.cols; ++r) w_hht += W(i, r) * HHt(r, t);
      const double gradient = w_hht - XHt(i, t) + l1 + l2 * W(i, t);
      W(i, t) = std::max(0.0, W(i, t) - gradient / curvature);
    }
  }
}

/// H ← the same for the rows of H, for t = 0, …, k − 1 in order:
///   h_t ← max(0, h_t + ((Wᵀ X)_t − l1 − (Wᵀ W H)_t − l2·h_t) / ((Wᵀ W)_tt + l2));
/// a row with (Wᵀ W)_tt + l2 = 0 is left as it is.
inline void update_h_cd(const Matrix& X, const Matrix& W, Matrix& H, double l1 = 0.0,
                        double l2 = 0.0) {
  const Matrix Wt = transpose(W);
  const Matrix WtX = multiply(Wt, X);
  const Matrix WtW = multiply(Wt, W);
  for (std::int64_t t = 0; t < H.rows; ++t) {
    const double curvature = WtW(t, t) + l2;
    if (curvature == 0.0) continue;
    for (std::int64_t j = 0; j < H.cols; ++j) {
      double wtw_h = 0.0;  // (WᵀW H)(t, j) with the current H
      for (std::int64_t r = 0; r < H.rows; ++r) wtw_h += WtW(t, r) * H(r, j);
      const double gradient = wtw_h - WtX(t, j) + l1 + l2 * H(t, j);
      H(t, j) = std::max(0.0, H(t, j) - gradient / curvature);
    }
  }
}

/// One iteration: update W, then H (scikit-learn's order).
inline void cd_step(const Matrix& X, Matrix& W, Matrix& H, const Regularization& r = {}) {
  update_w_cd(X, W, H, r.l1_w, r.l2_w);
  update_h_cd(X, W, H, r.l1_h, r.l2_h);
}

/// `iterations` iterations of cd_step() from W0, H0; the loss is ½‖X − W H‖²_F.
inline Run run_cd(const Matrix& X, Matrix W0, Matrix H0, int iterations) {
  for (int it = 0; it < iterations; ++it) cd_step(X, W0, H0);
  const double final_loss = frobenius_loss(X, W0, H0);
  return {std::move(W0), std::move(H0), final_loss};
}

}  // namespace cunmf::reference
