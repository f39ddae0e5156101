// The one place where options.solver picks a solver: each backend's entry instantiates solve() for
// its Backend type, and nothing else in the backend knows which solver runs.
#pragma once

#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "../core/graph_term.hpp"
#include "../core/operand.hpp"
#include "../core/penalties.hpp"
#include "../core/solver_loop.hpp"
#include "als.hpp"
#include "anls_bpp.hpp"
#include "cd.hpp"
#include "cunmf/errors.hpp"
#include "mu.hpp"
#include "pgd.hpp"

namespace cunmf::detail {

/// Runs options.solver for options.loss on X ≈ W Htᵀ from the given W (m × k) and Ht (n × k),
/// which it updates in place, under the stopping rule of options, from `start`.
template <class Backend, class Index>
RunSummary solve(Backend& backend, const Operand<typename Backend::Scalar, Index>& X,
                 typename Backend::Matrix& W, typename Backend::Matrix& Ht, const Options& options,
                 const RunStart<typename Backend::Scalar>& start) {
  using T = typename Backend::Scalar;
  std::function<void(const RunSummary&)> save;
  if (start.save) {
    save = [&](const RunSummary& so_far) {
      HostFactors<T> f{W.rows(), Ht.rows(), W.cols(), std::vector<T>(W.size()),
                       std::vector<T>(Ht.size())};
      backend.to_column_major(W, f.w.data());
      backend.to_column_major(Ht, f.ht.data());
      start.save(so_far, std::move(f));
    };
  }
  const Penalties penalties = penalties_of(options, X.rows(), X.cols(), start.scale_exponent);
  const auto run = [&](auto& solver) {
    if (start.fixed_w) solver.fix_w();
    return run_iterations(solver, options, start.so_far, save);
  };
  switch (options.solver) {
    case Solver::MultiplicativeUpdate: {
      // Graph regularization (validated: only this solver takes graph_lambda > 0).
      const std::optional<HostGraph<T>> host_graph = graph_of<T>(options, start.scale_exponent);
      std::optional<GraphTerm<Backend>> graph;
      if (host_graph) graph.emplace(backend, *host_graph, W.cols());
      MultiplicativeUpdate<Backend, Index> solver(backend, X, W, Ht, divergence_of(options),
                                                  penalties, options.nsnmf_theta,
                                                  graph ? &*graph : nullptr);
      return run(solver);
    }
    case Solver::CoordinateDescent: {
      CoordinateDescent<Backend, Index> solver(backend, X, W, Ht, divergence_of(options), penalties,
                                               options.nsnmf_theta);
      return run(solver);
    }
    case Solver::AlternatingLeastSquares: {
      AlternatingLeastSquares<Backend, Index> solver(backend, X, W, Ht, penalties,
                                                     options.nsnmf_theta);
      return run(solver);
    }
    case Solver::ProjectedGradient: {
      ProjectedGradient<Backend, Index> solver(backend, X, W, Ht, penalties, options.nsnmf_theta);
      return run(solver);
    }
    case Solver::AnlsBpp: {
      AnlsBpp<Backend, Index> solver(backend, X, W, Ht, penalties, options.nsnmf_theta);
      return run(solver);
    }
  }
  throw InvalidArgument("cunmf: unknown solver " +
                        std::to_string(static_cast<int>(options.solver)));
}

}  // namespace cunmf::detail
