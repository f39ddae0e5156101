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

namespace cunmf::reference {

/// W ← argmin over W ≥ 0, one column t = 0, …, k − 1 at a time, each seeing the columns already
/// updated: w_t ← max(0, w_t + ((X Hᵀ)_t − W (H Hᵀ)_t) / (H Hᵀ)_tt). A column with (H Hᵀ)_tt = 0
/// (row t of H is zero) does not enter the loss and is left as it is.
inline void update_w_cd(const Matrix& X, Matrix& W, const Matrix& H) {
  const Matrix Ht = transpose(H);
  const Matrix XHt = multiply(X, Ht);
  const Matrix HHt = multiply(H, Ht);
  for (std::int64_t t = 0; t < W.cols; ++t) {
    if (HHt(t, t) == 0.0) continue;
    for (std::int64_t i = 0; i < W.rows; ++i) {
      double w_hht = 0.0;  // (W HHᵀ)(i, t) with the current W
      for (std::int64_t r = 0; r < W.cols; ++r) w_hht += W(i, r) * HHt(r, t);
      W(i, t) = std::max(0.0, W(i, t) + (XHt(i, t) - w_hht) / HHt(t, t));
    }
  }
}

/// H ← the same for the rows of H: h_t ← max(0, h_t + ((Wᵀ X)_t − (Wᵀ W H)_t) / (Wᵀ W)_tt), for
/// t = 0, …, k − 1 in order; a row with (Wᵀ W)_tt = 0 is left as it is.
inline void update_h_cd(const Matrix& X, const Matrix& W, Matrix& H) {
  const Matrix Wt = transpose(W);
  const Matrix WtX = multiply(Wt, X);
  const Matrix WtW = multiply(Wt, W);
  for (std::int64_t t = 0; t < H.rows; ++t) {
    if (WtW(t, t) == 0.0) continue;
    for (std::int64_t j = 0; j < H.cols; ++j) {
      double wtw_h = 0.0;  // (WᵀW H)(t, j) with the current H
      for (std::int64_t r = 0; r < H.rows; ++r) wtw_h += WtW(t, r) * H(r, j);
      H(t, j) = std::max(0.0, H(t, j) + (WtX(t, j) - wtw_h) / WtW(t, t));
    }
  }
}

/// One iteration: update W, then H (scikit-learn's order).
inline void cd_step(const Matrix& X, Matrix& W, Matrix& H) {
  update_w_cd(X, W, H);
  update_h_cd(X, W, H);
}

/// `iterations` iterations of cd_step() from W0, H0; the loss is ½‖X − W H‖²_F.
inline Run run_cd(const Matrix& X, Matrix W0, Matrix H0, int iterations) {
  for (int it = 0; it < iterations; ++it) cd_step(X, W0, H0);
  const double final_loss = frobenius_loss(X, W0, H0);
  return {std::move(W0), std::move(H0), final_loss};
}

}  // namespace cunmf::reference
