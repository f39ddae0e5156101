// The host entries of the backends: run options.solver on a host X from host factors (updated in
// place), each backend with its own memory. Declared without CUDA types, so that the public entry
// points stay plain C++.
#pragma once

#include "../core/host_factors.hpp"
#include "../core/operand.hpp"
#include "../core/solver_loop.hpp"
#include "cunmf/factorize.hpp"

namespace cunmf::detail {

/// The backend `requested` runs on: Auto is CUDA when a device is usable, else the CPU. Throws
/// DeviceUnavailable when Cuda is requested and no device is usable.
Backend resolve_backend(Backend requested);

/// The CPU backend, on a host operand.
template <class T, class Index>
RunSummary run_on_cpu(const Operand<T, Index>& X, HostFactors<T>& f, const Options& options,
                      const RunStart<T>& start);

#if defined(CUNMF_WITH_CUDA)
/// The CUDA backend on device options.device: uploads X (a CSR X's transpose is built on the
/// device) and the factors, solves there, downloads the factors. Empty factors (f.w empty) are
/// NNDSVD's of options.init, computed from X on the device.
template <class T>
RunSummary run_on_cuda(DenseView<const T> X, HostFactors<T>& f, const Options& options,
                       const RunStart<T>& start);
template <class T, class Index>
RunSummary run_on_cuda(CsrView<const T, Index> X, HostFactors<T>& f, const Options& options,
                       const RunStart<T>& start);
#endif

}  // namespace cunmf::detail
