// The CPU reference path for multiplicative updates (Eigen, multithreaded). Independent of the
// CUDA code, so that it can validate it.
#pragma once

#include "../problem.hpp"
#include "../sparse_problem.hpp"
#include "../solver_loop.hpp"

namespace cunmf::cpu {

/// Runs multiplicative updates for options.loss on p from the factors in f, which it updates in
/// place (backend orientation, see problem.hpp).
template <class T>
detail::LoopOutcome run_mu(const detail::ColMajorProblem<T>& p, detail::ColMajorFactors<T>& f,
                           const Options& options);

/// Runs multiplicative updates for options.loss on a CSR X whose transpose is xt, from the
/// factors in f (W row-major m×k, H column-major k×n), which it updates in place. W·H is
/// evaluated only at the non-zeros.
template <class T, class Index>
detail::LoopOutcome run_mu_sparse(CsrView<const T, Index> x, CsrView<const T, Index> xt,
                                  std::int64_t k, detail::SparseFactors<T>& f,
                                  const Options& options);

}  // namespace cunmf::cpu
