// The CPU reference path for multiplicative updates (Eigen, multithreaded). Independent of the
// CUDA code, so that it can validate it.
#pragma once

#include "../problem.hpp"
#include "../solver_loop.hpp"

namespace cunmf::cpu {

/// Runs multiplicative updates for options.loss on p from the factors in f, which it updates in
/// place (backend orientation, see problem.hpp).
template <class T>
detail::LoopOutcome run_mu(const detail::ColMajorProblem<T>& p, detail::ColMajorFactors<T>& f,
                           const Options& options);

}  // namespace cunmf::cpu
