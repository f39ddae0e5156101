// The solver loop, written once for every backend: iterate, check the loss every `check_every`
// iterations, record the history, stop on tol or max_iter. Backends supply the steps.
#pragma once

#include <vector>

#include "cunmf/options.hpp"

namespace cunmf::detail {

/// What a backend must provide to run multiplicative updates. W and H are the backend's internal
/// (column-major) factors; each call is one complete half-step.
class MuSteps {
 public:
  virtual ~MuSteps() = default;
  /// W ← W ⊙ numerator ⊘ denominator, for the configured loss.
  virtual void update_w() = 0;
  /// H ← H ⊙ numerator ⊘ denominator, for the configured loss.
  virtual void update_h() = 0;
  /// The loss of the current factors (finishes any pending device work).
  virtual double loss() = 0;
};

/// What the loop did.
struct LoopOutcome {
  std::vector<double> loss_history;     ///< [0] the initial loss, then one entry per check
  std::vector<int> history_iterations;  ///< iteration of each entry
  int iterations = 0;
  bool converged = false;
  double seconds = 0.0;
};

/// Runs the multiplicative-update loop. `h_first`: update H before W in each iteration (the
/// user's H is updated first; when the backend solves the transposed problem, its W is the user's
/// H, so the caller passes false).
LoopOutcome run_iterations(MuSteps& steps, const Options& options, bool h_first);

}  // namespace cunmf::detail
