// The oracle's half-steps by solver and loss (mu and cd, Frobenius and KL), each with the penalty
// of the factor it updates: the one dispatch the tests that assemble their own iterations use
// (transform's H-only runs, nsNMF's smoothed factors).
#pragma once

#include "cd_kl_reference.hpp"
#include "cd_reference.hpp"
#include "cunmf/options.hpp"
#include "mu_reference.hpp"

namespace cunmf::reference {

/// W's update of `solver` for X ≈ W H under `loss`, with W's penalty l1, l2.
inline void update_w(const Matrix& X, Matrix& W, const Matrix& H, Solver solver, Loss loss,
                     double l1 = 0.0, double l2 = 0.0) {
  const bool cd = solver == Solver::CoordinateDescent;
  if (loss == Loss::Frobenius) {
    cd ? update_w_cd(X, W, H, l1, l2) : update_w_frobenius(X, W, H, l1, l2);
  } else {
    cd ? update_w_cd_kl(X, W, H, l1, l2) : update_w_kl(X, W, H, l1, l2);
  }
}

/// H's update of `solver` for X ≈ W H under `loss`, with H's penalty l1, l2; KL's MU then
/// thresholds H (scikit-learn's rule).
inline void update_h(const Matrix& X, const Matrix& W, Matrix& H, Solver solver, Loss loss,
                     double l1 = 0.0, double l2 = 0.0) {
  const bool cd = solver == Solver::CoordinateDescent;
  if (loss == Loss::Frobenius) {
    cd ? update_h_cd(X, W, H, l1, l2) : update_h_frobenius(X, W, H, l1, l2);
  } else if (cd) {
    update_h_cd_kl(X, W, H, l1, l2);
  } else {
    update_h_kl(X, W, H, l1, l2);
    threshold_h(H);
  }
}

}  // namespace cunmf::reference
