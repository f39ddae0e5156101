// Checkpoints on the way in and out of a run (cunmf/checkpoint.hpp): a checkpoint checked against
// X and the options, and the saver that writes the factors and history of the scaled problem that
// runs (2^p X, core/scaling.hpp) as those of the user's problem.
#pragma once

#include <string>
#include <utility>

#include "../core/expects.hpp"
#include "../core/host_factors.hpp"
#include "../core/scaling.hpp"
#include "../core/solver_loop.hpp"
#include "../core/validation.hpp"
#include "cunmf/checkpoint.hpp"

namespace cunmf::detail {

/// Throws InvalidArgument unless `from` can resume a run on an m × n X under `options`.
template <class T>
void validate_resumable(const Checkpoint<T>& from, std::int64_t m, std::int64_t n,
                        const Options& options) {
  validate_shape(from.W.rows(), from.W.cols(), m, options.rank, "the checkpoint's W");
  validate_shape(from.H.rows(), from.H.cols(), options.rank, n, "the checkpoint's H");
  validate_nonnegative(from.W.view(), "the checkpoint's W");
  validate_nonnegative(from.H.view(), "the checkpoint's H");
  // options are normalized (core/divergence.hpp): Loss::Beta here has a β other than 2 and 1.
  CUNMF_EXPECTS(from.loss == options.loss && from.solver == options.solver &&
                    (options.loss != Loss::Beta || from.beta == options.beta),
                "the checkpoint was written by a run with another loss, beta or solver: resume it "
                "with the options that wrote it");
  CUNMF_EXPECTS(from.iterations <= options.max_iter && !from.loss_history.empty() &&
                    from.loss_history.size() == from.history_iterations.size(),
                "the checkpoint is at iteration " + std::to_string(from.iterations) +
                    ", beyond max_iter = " + std::to_string(options.max_iter) +
                    ", or its history is empty or uneven");
}

/// Where a run on the scaled problem starts: fresh, or from `from` (its history in the scaled
/// units); saving, when options.checkpoint.path is set, the user's W, H and history there.
template <class T>
RunStart<T> run_start(const Options& options, int p, const Checkpoint<T>* from) {
  RunStart<T> start;
  start.scale_exponent = p;
  if (from != nullptr) {
    start.so_far = *from;
    unscale_history(start.so_far, options.loss, -p);  // into the scaled units: exact (2^p)
  }
  if (!options.checkpoint.path.empty()) {
    start.save = [options, p](const RunSummary& so_far, HostFactors<T>&& f) {
      Checkpoint<T> c;
      static_cast<RunSummary&>(c) = so_far;
      unscale_history(c, options.loss, p);
      scale_factors(f, -p / 2);
      to_user(std::move(f), c.W, c.H);
      c.loss = options.loss;
      c.beta = options.beta;
      c.solver = options.solver;
      io::write_checkpoint(options.checkpoint.path, c);
    };
  }
  return start;
}

}  // namespace cunmf::detail
