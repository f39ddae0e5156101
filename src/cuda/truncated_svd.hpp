// The truncated SVD of NNDSVD initialization computed on the device: the randomized SVD of
// core/nndsvd.hpp (the same test matrix from the same seed, the same oversampling and power
// iterations) with X's products as cuBLAS GEMMs (dense X, either layout) or cuSPARSE SpMMs (CSR X
// and its transpose, never densified), and each orthonormalization a cuSOLVER Householder QR
// (geqrf + orgqr). Only the (k + p) × (k + p) triangle R of the last sketch crosses to the host
// for its SVD; U and V are formed on the device and copied back once.
#pragma once

#include <cstdint>

#include "../core/host_factors.hpp"
#include "../core/nndsvd.hpp"
#include "../core/operand.hpp"
#include "cunmf/cuda/context.hpp"
#include "cunmf/options.hpp"

namespace cunmf::cuda_backend {

/// The leading k singular triplets of X (device memory, X.rows() × X.cols()) by the randomized SVD
/// drawn from `seed`. Throws InvalidArgument for k outside [1, min(m, n)], DeviceOutOfMemory,
/// CudaError (a cuSOLVER call that fails or reports a bad argument).
template <class T, class Index>
detail::TruncatedSvd truncated_svd_on_device(const cuda::Context& ctx,
                                             const detail::Operand<T, Index>& X, std::int64_t k,
                                             std::uint64_t seed);

/// NNDSVD's initial factors (options.init: Nndsvd, Nndsvda or Nndsvdar; options.rank, .seed) of
/// X on the device, whose mean is `mean`: the truncated SVD above, then core/nndsvd.hpp's rule on
/// the host — the same factors as cunmf::factorize computes on the CPU, up to rounding.
template <class T, class Index>
detail::HostFactors<T> nndsvd_factors_on_device(const cuda::Context& ctx,
                                                const detail::Operand<T, Index>& X,
                                                const Options& options, double mean);

}  // namespace cunmf::cuda_backend
