// The textbook oracle's L1/L2 penalties (scikit-learn's NMF(alpha_W, alpha_H, l1_ratio), ≥ 1.2):
// the weights as scikit-learn's _compute_regularization forms them and the penalized objective,
// in double, sharing nothing with src/.
#pragma once

#include <cstdint>

#include "losses.hpp"
#include "matrix.hpp"

namespace cunmf::reference {

/// The objective gains l1_w·‖W‖₁ + ½·l2_w·‖W‖²_F + l1_h·‖H‖₁ + ½·l2_h·‖H‖²_F.
struct Regularization {
  double l1_w = 0.0, l2_w = 0.0, l1_h = 0.0, l2_h = 0.0;
};

/// For X of m × n: W's weights scale with n (X's columns, scikit-learn's n_features), H's with m.
inline Regularization regularization(double alpha_w, double alpha_h, double l1_ratio,
                                     std::int64_t m, std::int64_t n) {
  return {static_cast<double>(n) * alpha_w * l1_ratio,
          static_cast<double>(n) * alpha_w * (1.0 - l1_ratio),
          static_cast<double>(m) * alpha_h * l1_ratio,
          static_cast<double>(m) * alpha_h * (1.0 - l1_ratio)};
}

/// l1·Σ|f| + ½·l2·Σ f².
inline double penalty(const Matrix& F, double l1, double l2) {
  double absolute = 0.0, squares = 0.0;
  for (double f : F.data) {
    absolute += f < 0.0 ? -f : f;
    squares += f * f;
  }
  return l1 * absolute + 0.5 * l2 * squares;
}

/// The loss of W H against X plus both penalties.
inline double objective(const Matrix& X, const Matrix& W, const Matrix& H, Loss loss,
                        const Regularization& r) {
  return loss_of(X, W, H, loss) + penalty(W, r.l1_w, r.l2_w) + penalty(H, r.l1_h, r.l2_h);
}

}  // namespace cunmf::reference
