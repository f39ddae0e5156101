// The solver loop, written once for every solver and backend: iterate, check the loss every
// `check_every` iterations, record the history, stop on tol or max_iter.
#pragma once

#include "cunmf/factorize.hpp"
#include "cunmf/options.hpp"

namespace cunmf::detail {

/// What the loop drives: one full iteration (every factor updated once) and the current loss.
class IterativeSolver {
 public:
  virtual ~IterativeSolver() = default;
  /// Updates W, then H.
  virtual void iterate() = 0;
  /// The loss of the current factors (finishes any queued device work).
  virtual double loss() = 0;
};

/// Runs `solver` under the stopping rule of `options`; returns the history and counts.
RunSummary run_iterations(IterativeSolver& solver, const Options& options);

}  // namespace cunmf::detail
