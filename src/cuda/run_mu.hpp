// The host entry to the CUDA backend: uploads X and the factors once, runs the device-resident
// solver, downloads the factors. Declared without CUDA types so factorize.cpp stays plain C++.
#pragma once

#include "../problem.hpp"
#include "../sparse_problem.hpp"
#include "../solver_loop.hpp"

namespace cunmf::cuda_backend {

/// Runs multiplicative updates on CUDA device options.device; f is updated in place.
/// Throws DeviceUnavailable, OutOfMemory, CudaError.
template <class T>
detail::LoopOutcome run_mu(const detail::ColMajorProblem<T>& p, detail::ColMajorFactors<T>& f,
                           const Options& options);

/// Runs multiplicative updates for a CSR X whose transpose is xt; f is updated in place.
/// Throws DeviceUnavailable, OutOfMemory, CudaError.
template <class T, class Index>
detail::LoopOutcome run_mu_sparse(CsrView<const T, Index> x, CsrView<const T, Index> xt,
                                  std::int64_t k, detail::SparseFactors<T>& f,
                                  const Options& options);

/// True when a CUDA device (real or emulated) is usable.
bool device_available();

/// One line naming the device, or why there is none.
const char* device_description();

}  // namespace cunmf::cuda_backend
