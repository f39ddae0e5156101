// The device-resident entry point: X, W and H stay in device memory; nothing m×n crosses to the
// host. For users whose data is already on the GPU.
#pragma once

#include <vector>

#include "../factorize.hpp"
#include "../options.hpp"
#include "context.hpp"
#include "device_matrix.hpp"

namespace cunmf::cuda {

/// The outcome of a device-resident factorization: W (m×k) column-major and H (k×n) row-major,
/// whatever X's layout (the solvers keep W and Hᵀ as column-major panels; no copy is made).
template <class T>
struct DeviceResult : RunSummary {
  DeviceMatrix<T> W;
  DeviceMatrix<T> H;
};

/// Factorizes a device-resident X from the initialization options.init and options.seed: random,
/// or NNDSVD from a truncated SVD computed on the device (the same factors as cunmf::factorize
/// gives on the CUDA backend). options.backend and options.device are ignored: the work
/// runs on ctx. Throws InvalidArgument (bad options, or a negative/NaN/Inf entry of X, whose first
/// position is named), DeviceOutOfMemory, CudaError.
DeviceResult<float> factorize(const Context& ctx, DeviceDenseView<const float> X,
                              const Options& options);
DeviceResult<double> factorize(const Context& ctx, DeviceDenseView<const double> X,
                               const Options& options);

/// As above, starting from device-resident W0 (m×k) and H0 (k×n), in any layouts; they are copied.
DeviceResult<float> factorize(const Context& ctx, DeviceDenseView<const float> X,
                              const Options& options, DeviceDenseView<const float> W0,
                              DeviceDenseView<const float> H0);
DeviceResult<double> factorize(const Context& ctx, DeviceDenseView<const double> X,
                               const Options& options, DeviceDenseView<const double> W0,
                               DeviceDenseView<const double> H0);

/// Factorizes a device-resident CSR X (m×n); W and H come back as for a dense X. X's structure and
/// values are checked first, on the device (an invalid X throws InvalidArgument naming the first
/// bad row and entry, as the host check does); then a CSR copy of Xᵀ is built on the device once
/// (cuSPARSE's CSR-to-CSC conversion for int32 indices, a stable sort by column for int64).
/// Nothing of X crosses to the host. Otherwise throws as above.
template <class T, class Index>
DeviceResult<T> factorize(const Context& ctx, DeviceCsrView<const T, Index> X,
                          const Options& options);

/// As above, starting from device-resident W0 (m×k) and H0 (k×n), in any layouts.
template <class T, class Index>
DeviceResult<T> factorize(const Context& ctx, DeviceCsrView<const T, Index> X,
                          const Options& options, DeviceDenseView<const T> W0,
                          DeviceDenseView<const T> H0);

}  // namespace cunmf::cuda
