// The solver loop, written once for every solver and backend: iterate, check the loss every
// `check_every` iterations, record the history, stop on tol or max_iter, save checkpoints, and
// throw Cancelled when Options::should_stop asks after an iteration.
#pragma once

#include <functional>

#include "cunmf/factorize.hpp"
#include "cunmf/options.hpp"
#include "host_factors.hpp"

namespace cunmf::detail {

/// What the loop drives: one full iteration (every factor updated once) and the current loss.
class IterativeSolver {
 public:
  virtual ~IterativeSolver() = default;
  /// Updates W, then H.
  virtual void iterate() = 0;
  /// The loss of the current factors (finishes any queued device work). `iterations_follow`:
  /// whether iterate() may be called next, so that work for it taken from the same pass pays.
  virtual double loss(bool iterations_follow) = 0;
};

/// Where a run starts and what it saves on the way, in the units of the problem being solved.
template <class T>
struct RunStart {
  /// Empty for a fresh run; for a resumed one, its checkpoint's history and iteration count (the
  /// factors are the checkpoint's).
  RunSummary so_far;
  /// When set, called every options.checkpoint.every iterations (except where the run stops) with
  /// the run so far and the factors; solve() fills in the factors.
  std::function<void(const RunSummary&, HostFactors<T>&&)> save;
  /// The problem solved is X scaled by 2^scale_exponent (core/scaling.hpp), which the penalty
  /// weights follow (core/penalties.hpp).
  int scale_exponent = 0;
  /// W is held as given and only H is updated (cunmf::transform).
  bool fixed_w = false;
};

/// Runs `solver` under the stopping rule of `options` from `so_far` (empty: a fresh run; the
/// initial loss is taken), calling `save` (when set) at the checkpoints of options.checkpoint;
/// returns the history and counts, so_far's included.
RunSummary run_iterations(IterativeSolver& solver, const Options& options,
                          const RunSummary& so_far = {},
                          const std::function<void(const RunSummary&)>& save = {});

}  // namespace cunmf::detail
