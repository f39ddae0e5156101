// The CUDA backend's solve: the chosen solver over device-resident X and factors, on the one
// Context of the caller. Shared by the host entry (run_on_cuda.cpp) and the device-resident
// public API (factorize_device.cpp).
#pragma once

#include "../core/operand.hpp"
#include "../core/solver_loop.hpp"
#include "../cuda/backend.hpp"
#include "cunmf/factorize.hpp"

namespace cunmf::detail {

/// Runs options.solver on X ≈ W Htᵀ (device memory), updating W (m × k) and Ht (n × k) in place;
/// returns when the device work is done. X's dimensions must fit cuBLAS's 32-bit ones (the entries
/// check them first: check_blas_dimensions). Throws DeviceOutOfMemory, CudaError.
template <class T, class Index>
RunSummary solve_on_device(const cuda::Context& ctx, const Operand<T, Index>& X,
                           cuda_backend::DevicePanel<T>& W, cuda_backend::DevicePanel<T>& Ht,
                           const Options& options, const RunStart<T>& start);

}  // namespace cunmf::detail
