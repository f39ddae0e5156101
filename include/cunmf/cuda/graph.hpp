// cunmf::cuda::knn_graph: graph regularization's k-nearest-neighbour affinity (cunmf/graph.hpp)
// built on the GPU from a device-resident X. For users whose data is already on the GPU; a host X
// goes through cunmf::knn_graph with Backend::Cuda.
#pragma once

#include <cstdint>

#include "../graph.hpp"
#include "context.hpp"
#include "device_matrix.hpp"

namespace cunmf::cuda {

/// The affinity cunmf::knn_graph defines (the same neighbours, ties to the lower index, the same
/// weights and symmetry) of the n columns of a device-resident X, built on ctx's device: the
/// samples' dot products in double a block of columns at a time (dense X, either layout: one
/// cuBLAS GEMM per block; CSR X: from its stored entries and those of its transpose, built on the
/// device, never densified), each sample's nearest others selected there; only the neighbour
/// lists (n · neighbours entries) cross to the host, where the symmetric CSR is assembled. The
/// dot products may differ from the CPU's in the last bits (another summation order), so a pair
/// of candidates at distances equal to rounding may be ranked the other way.
/// Device memory: the block of dot products (at most 2^24 doubles, 128 MiB, or n of them), the
/// lists (16 · n · neighbours bytes), and for a float dense X a double copy of X (a CSR X: its
/// transpose). Throws InvalidArgument when X is invalid (as factorize checks it, on the device) or
/// neighbours is not in [1, n − 1]; DeviceOutOfMemory, CudaError.
CsrMatrix<double, std::int64_t> knn_graph(const Context& ctx, DeviceDenseView<const float> X,
                                          std::int64_t neighbours,
                                          GraphWeight weighting = GraphWeight::Binary);
CsrMatrix<double, std::int64_t> knn_graph(const Context& ctx, DeviceDenseView<const double> X,
                                          std::int64_t neighbours,
                                          GraphWeight weighting = GraphWeight::Binary);
template <class T, class Index>
CsrMatrix<double, std::int64_t> knn_graph(const Context& ctx, DeviceCsrView<const T, Index> X,
                                          std::int64_t neighbours,
                                          GraphWeight weighting = GraphWeight::Binary);

}  // namespace cunmf::cuda
