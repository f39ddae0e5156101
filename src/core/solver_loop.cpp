// The solver loop shared by every solver and backend (see solver_loop.hpp).
#include "solver_loop.hpp"

#include <chrono>
#include <cmath>
#include <string>

#include "cunmf/errors.hpp"

namespace cunmf::detail {

namespace {

/// True when the loss decreased by less than tol (relative) since the previous check.
bool has_converged(double previous, double current, double tol) {
  if (tol <= 0.0) return false;  // tol = 0 runs exactly max_iter iterations
  if (current == 0.0) return true;
  return (previous - current) < tol * previous;
}

/// The loss of the current factors, or NumericalError when it is not finite. Every entry of W and
/// H enters every loss (Σ wh, or the Gram traces and residuals), so a NaN or Inf anywhere in the
/// factors shows here too: one scalar test covers them.
double checked_loss(IterativeSolver& solver, int iteration, const Options& options) {
  const double loss = solver.loss(iteration < options.max_iter);
  if (std::isfinite(loss)) return loss;
  throw NumericalError("cunmf: the loss is " + std::string(std::isnan(loss) ? "NaN" : "infinite") +
                       " at iteration " + std::to_string(iteration) +
                       ": the factors overflowed or became NaN in the working precision (try "
                       "float64, or check X's range)");
}

}  // namespace

RunSummary run_iterations(IterativeSolver& solver, const Options& options, const RunSummary& so_far,
                          const std::function<void(const RunSummary&)>& save) {
  RunSummary out = so_far;
  if (out.loss_history.empty()) {
    out.loss_history.push_back(checked_loss(solver, 0, options));
    out.history_iterations.push_back(0);
    if (options.on_check) options.on_check(0, out.loss_history.back());
  }
  if (out.converged) return out;

  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [&] {
    return so_far.seconds +
           std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  const int every = options.checkpoint.every;
  for (int it = so_far.iterations + 1; it <= options.max_iter; ++it) {
    solver.iterate();
    out.iterations = it;
    if (it % options.check_every == 0 || it == options.max_iter) {
      const double current = checked_loss(solver, it, options);
      const double previous = out.loss_history.back();
      out.loss_history.push_back(current);
      out.history_iterations.push_back(it);
      if (options.on_check) options.on_check(it, current);
      if (has_converged(previous, current, options.tol)) {
        out.converged = true;
        break;
      }
    }
    if (save && every > 0 && it % every == 0 && it < options.max_iter) {
      out.seconds = elapsed();
      save(out);
    }
    if (options.should_stop && it < options.max_iter && options.should_stop()) {
      throw Cancelled("cunmf: cancelled after iteration " + std::to_string(it));
    }
  }
  out.seconds = elapsed();
  return out;
}

}  // namespace cunmf::detail
