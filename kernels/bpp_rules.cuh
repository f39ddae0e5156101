// The rules of block principal pivoting (Kim & Park, SIAM J. Sci. Comput. 2011) for the rows of
// nnls_bpp: when an entry is infeasible, how many entries pivot, when to stop. The one definition
// shared by the CUDA kernel (nnls_bpp.cu) and the CPU backend, so both pivot alike.
#pragma once

#include <cstdint>
#include <limits>

#include "elementwise.cuh"  // CUNMF_HOST_DEVICE

namespace cunmf::detail {

/// p̄ of Kim & Park: how many pivoting steps may fail to reduce the number of infeasible entries
/// before the backup rule (one entry at a time) takes over.
inline constexpr int kBppBackupTries = 3;

/// The gradient tolerance in units of k · ε_T · (the magnitude of the gradient's terms).
inline constexpr double kBppToleranceScale = 16.0;

/// The most pivoting steps of a row: 5k, the safeguard of Kim's reference code (nnlsm_blockpivot)
/// for Gram matrices so ill-conditioned that rounding makes the pivoting cycle. Exact arithmetic
/// never needs it: the backup rule is Murty's finite single principal pivoting.
CUNMF_HOST_DEVICE inline std::int64_t bpp_max_steps(std::int64_t k) { return 5 * k; }

/// Whether entry r of a row is infeasible: a passive entry (solved for) with x_r < 0, or an
/// active one (held at 0) whose gradient y_r = (G x − n)_r is negative beyond its own rounding:
/// y_r < −16 k ε_T · scale_r, scale_r = |n_r| + Σ_s |G(r, s) x_s|, so a gradient that is zero but
/// for rounding (a degenerate solution) does not pivot back and forth.
template <class T>
CUNMF_HOST_DEVICE inline bool bpp_infeasible(bool passive, T x, T y, T scale, std::int64_t k) {
  if (passive) return x < T(0);
  const T tolerance = T(kBppToleranceScale) * static_cast<T>(k) *
                      std::numeric_limits<T>::epsilon() * scale;
  return y < -tolerance;
}

/// The state of one row's pivoting: Kim & Park's α (backup tries left) and β (fewest infeasible
/// entries seen so far).
struct BppPivotState {
  int tries_left;
  std::int64_t fewest_infeasible;
};

/// A row's state before its first pivoting step (α = p̄, β = k + 1).
CUNMF_HOST_DEVICE inline BppPivotState bpp_initial_state(std::int64_t k) {
  return {kBppBackupTries, k + 1};
}

/// Kim & Park's Algorithm 1, lines 5–11, for a row with `infeasible` > 0 infeasible entries:
/// true when all of them exchange sets (full block pivoting: the count dropped below the fewest
/// seen, which resets the tries, or tries are left), false when only the infeasible entry of
/// largest index does (the backup rule).
CUNMF_HOST_DEVICE inline bool bpp_exchange_all(BppPivotState& state, std::int64_t infeasible) {
  if (infeasible < state.fewest_infeasible) {
    state.fewest_infeasible = infeasible;
    state.tries_left = kBppBackupTries;
    return true;
  }
  if (state.tries_left >= 1) {
    --state.tries_left;
    return true;
  }
  return false;
}

}  // namespace cunmf::detail
