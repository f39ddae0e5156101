// Graph regularization's affinity (Options::graph): cunmf::knn_graph builds the k-nearest-neighbour
// graph between the columns (samples) of X that graph-regularized NMF (Cai, He, Han & Huang, IEEE
// TPAMI 2011) uses.
#pragma once

#include <cstdint>

#include "matrix.hpp"
#include "options.hpp"
#include "sparse.hpp"

namespace cunmf {

/// How knn_graph weighs an edge between samples x_i and x_j (columns of X), as in Cai et al. §5.
enum class GraphWeight {
  Binary,  ///< 1 (the paper's 0-1 weighting)
  /// exp(−‖x_i − x_j‖² / σ²) with σ² the mean of the squared distances over the graph's edges
  /// (the paper's heat kernel, with its width taken from the data)
  Heat,
  /// x_iᵀx_j / (‖x_i‖‖x_j‖) (the paper's dot-product weighting of normalized samples); the
  /// neighbours are then the most similar by this cosine, and a zero sample has no edges
  Cosine,
};

/// The symmetric n × n affinity of X's n columns: column j is linked to its `neighbours` nearest
/// other columns (Euclidean distance; for Cosine, largest cosine), ties broken by the lower index,
/// and the graph is made symmetric by keeping an edge found from either end (A = max(A, Aᵀ), the
/// paper's "x_j among the p nearest neighbours of x_l or x_l among those of x_j"). Entries are
/// `weighting`'s values, the diagonal is empty, columns are sorted within each row.
/// On the CPU by default: a CSR X is never densified (its sample dot products are taken from the
/// stored entries); memory: X (dense) copied once in double, plus a block of distances (1024 × n).
/// With Backend::Cuda (or Auto when a device is usable) X is uploaded to device `device` and
/// searched there as cunmf::cuda::knn_graph does (cunmf/cuda/graph.hpp); the dot products then
/// sum in another order, so candidates whose distances differ by rounding may rank differently.
/// Throws InvalidArgument when X is invalid (as factorize checks it) or neighbours is not in
/// [1, n − 1]; DeviceUnavailable when Backend::Cuda has no device; DeviceOutOfMemory, CudaError.
CsrMatrix<double, std::int64_t> knn_graph(DenseView<const float> X, std::int64_t neighbours,
                                          GraphWeight weighting = GraphWeight::Binary,
                                          Backend backend = Backend::Cpu, int device = 0);
CsrMatrix<double, std::int64_t> knn_graph(DenseView<const double> X, std::int64_t neighbours,
                                          GraphWeight weighting = GraphWeight::Binary,
                                          Backend backend = Backend::Cpu, int device = 0);
template <class T, class Index>
CsrMatrix<double, std::int64_t> knn_graph(CsrView<const T, Index> X, std::int64_t neighbours,
                                          GraphWeight weighting = GraphWeight::Binary,
                                          Backend backend = Backend::Cpu, int device = 0);

/// Checks an affinity as factorize checks Options::graph: n × n, a valid CSR (columns sorted and
/// unique within a row), entries finite and ≥ 0, exactly symmetric. Throws InvalidArgument naming
/// the problem (the entry and its value); returns when the affinity is usable.
void validate_affinity(const CsrMatrix<double, std::int64_t>& graph, std::int64_t n);

}  // namespace cunmf
