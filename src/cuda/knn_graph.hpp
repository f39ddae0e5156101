// The device's neighbour search behind cunmf::cuda::knn_graph (cunmf/cuda/graph.hpp), with its
// tiling exposed so that tests can run it over several blocks and passes on small inputs.
#pragma once

#include <cstdint>

#include "../../kernels/knn_select.cuh"
#include "../core/knn_edges.hpp"
#include "../core/operand.hpp"
#include "cunmf/cuda/context.hpp"

namespace cunmf::cuda_backend {

/// How the search is cut: samples per block of dot products (0: as many as fit 2^24 doubles) and
/// neighbours per selection pass (at most detail::kKnnRoundCapacity).
struct KnnTiling {
  std::int64_t block_samples = 0;
  int round_size = detail::kKnnRoundCapacity;
};

/// Each of X's columns' `neighbours` nearest others (device-resident X, checked by the caller;
/// `cosine`: by cosine, as GraphWeight::Cosine ranks them), found on the device; the lists are
/// copied to the host. Throws DeviceOutOfMemory, CudaError.
template <class T, class Index>
detail::NeighbourLists nearest_on_device(const cuda::Context& ctx,
                                         const detail::Operand<T, Index>& X,
                                         std::int64_t neighbours, bool cosine,
                                         KnnTiling tiling = {});

}  // namespace cunmf::cuda_backend

namespace cunmf::detail {

/// cunmf::knn_graph on the CUDA backend (device `device`) for a host X, already checked: X is
/// uploaded (a CSR X's transpose built on the device), searched there, and the affinity assembled
/// on the host.
template <class T>
CsrMatrix<double, std::int64_t> knn_graph_on_cuda(DenseView<const T> X, std::int64_t neighbours,
                                                  GraphWeight weighting, int device);
template <class T, class Index>
CsrMatrix<double, std::int64_t> knn_graph_on_cuda(CsrView<const T, Index> X,
                                                  std::int64_t neighbours, GraphWeight weighting,
                                                  int device);

}  // namespace cunmf::detail
