// Timing one benchmark case: warm-up runs (the first records the loss trace), then timed runs
// with tol = 0 and a fixed max_iter, reduced to the median time per iteration.
#pragma once

#include <vector>

#include "cunmf/cunmf.hpp"
#include "settings.hpp"

namespace cunmf::bench {

/// The times and losses of one case.
struct Measurement {
  double seconds_per_iter = 0.0;  ///< median over the repeats
  double min_seconds_per_iter = 0.0;
  double final_loss = 0.0;
  double initial_loss = 0.0;
  std::vector<int> trace_iterations;  ///< the warm-up run's checks
  std::vector<double> trace_losses;
  Backend backend = Backend::Cpu;
};

/// Runs `options` (its tol, max_iter and check_every overridden) from W0, H0 on X: s.warmup
/// warm-up runs, then s.repeats timed ones.
template <class Matrix, class T>
Measurement measure(const Matrix& X, const DenseMatrix<T>& W0, const DenseMatrix<T>& H0,
                    Options options, const Settings& s);

}  // namespace cunmf::bench
