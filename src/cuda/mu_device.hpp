// The device-resident multiplicative-update solver: the backend steps on device buffers, driven by
// the shared solver loop.
#pragma once

#include <cstdint>

#include "../solver_loop.hpp"
#include "cunmf/cuda/context.hpp"

namespace cunmf::cuda_backend {

/// Runs MU on the column-major X_int (M×N, device) from the factors w (M×k) and h (k×N) in device
/// memory, updated in place. `transposed` as in detail::ColMajorProblem.
template <class T>
detail::LoopOutcome run_mu_device(const cuda::Context& ctx, const T* x, std::int64_t M,
                                  std::int64_t N, std::int64_t k, bool transposed, T* w, T* h,
                                  const Options& options);

}  // namespace cunmf::cuda_backend
