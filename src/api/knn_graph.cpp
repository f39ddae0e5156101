// cunmf::knn_graph (cunmf/graph.hpp) on the CPU: the dot products between X's columns a block of
// samples at a time (dense: one Eigen product per block; CSR: accumulated from the stored entries
// of X and its transpose, never densified), each sample's nearest others by a partial sort, then
// the symmetric weighted CSR (core/knn_edges.hpp). With Backend::Cuda the search is handed to
// cuda/knn_graph.hpp after the host checks.
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "../../kernels/knn_rules.cuh"
#include "../core/expects.hpp"
#include "../core/host_factors.hpp"
#include "../core/knn_edges.hpp"
#include "../core/validation.hpp"
#include "backend_entries.hpp"
#include "cunmf/graph.hpp"
#if defined(CUNMF_WITH_CUDA)
#include "../cuda/knn_graph.hpp"
#endif

namespace cunmf {

namespace {

/// Samples per block of dot products: a block holds kBlock × n doubles.
constexpr std::int64_t kBlock = 1024;

/// Finds each sample's neighbours, given its dot products with every sample: `dots(begin, end,
/// block)` fills block (row-major, (end − begin) × n) with x_iᵀx_j for i in [begin, end).
template <class DotsOfBlock>
CsrMatrix<double, std::int64_t> graph_from_dots(const std::vector<double>& squared_norms,
                                                std::int64_t neighbours, GraphWeight weighting,
                                                DotsOfBlock&& dots) {
  const std::int64_t n = static_cast<std::int64_t>(squared_norms.size());
  const bool cosine = weighting == GraphWeight::Cosine;
  detail::NeighbourLists lists{n, neighbours, std::vector<std::int64_t>(n * neighbours, -1),
                               std::vector<double>(n * neighbours, 0.0)};
  std::vector<double> block;
  for (std::int64_t begin = 0; begin < n; begin += kBlock) {
    const std::int64_t end = std::min(n, begin + kBlock);
    block.resize(static_cast<std::size_t>((end - begin) * n));
    dots(begin, end, block.data());
#pragma omp parallel for schedule(dynamic, 16)
    for (std::int64_t i = begin; i < end; ++i) {
      const double* row = block.data() + (i - begin) * n;
      if (cosine && squared_norms[i] == 0.0) continue;  // a zero sample has no cosine
      // Pairs compare by key, then by index: detail::knn_before's order.
      std::vector<std::pair<double, std::int64_t>> candidates;
      candidates.reserve(static_cast<std::size_t>(n));
      for (std::int64_t j = 0; j < n; ++j) {
        if (j == i || (cosine && squared_norms[j] == 0.0)) continue;
        candidates.emplace_back(detail::knn_key(row[j], squared_norms[i], squared_norms[j], cosine),
                                j);
      }
      const std::size_t count = std::min(candidates.size(), static_cast<std::size_t>(neighbours));
      std::partial_sort(candidates.begin(), candidates.begin() + count, candidates.end());
      for (std::size_t t = 0; t < count; ++t) {
        lists.to[i * neighbours + t] = candidates[t].second;
        lists.measure[i * neighbours + t] = detail::knn_measure(candidates[t].first, cosine);
      }
    }
  }
  return detail::graph_from_neighbours(lists, weighting);
}

/// The graph built by the CUDA backend when `backend` resolves to it (DeviceUnavailable when
/// Backend::Cuda has no device, as factorize throws), else nothing: the CPU builds it.
template <class XView>
std::optional<CsrMatrix<double, std::int64_t>> graph_on_cuda(XView X, std::int64_t neighbours,
                                                             GraphWeight weighting, Backend backend,
                                                             int device) {
  if (detail::resolve_backend(backend) != Backend::Cuda) return std::nullopt;
#if defined(CUNMF_WITH_CUDA)
  return detail::knn_graph_on_cuda(X, neighbours, weighting, device);
#else
  static_cast<void>(X);
  static_cast<void>(neighbours);
  static_cast<void>(weighting);
  static_cast<void>(device);
  return std::nullopt;  // not reached: without CUDA no backend resolves to it
#endif
}

template <class T>
CsrMatrix<double, std::int64_t> dense_knn_graph(DenseView<const T> X, std::int64_t neighbours,
                                                GraphWeight weighting, Backend backend,
                                                int device) {
  detail::validate_nonnegative(X, "X");
  detail::check_neighbours(neighbours, X.cols);
  if (auto on_device = graph_on_cuda(X, neighbours, weighting, backend, device)) {
    return std::move(*on_device);
  }
  // The samples as the columns of a column-major double copy: each block's dot products are one
  // product, in double whatever T is (distances are differences of dot products).
  Eigen::MatrixXd samples(X.rows, X.cols);
  for (std::int64_t j = 0; j < X.cols; ++j)
    for (std::int64_t i = 0; i < X.rows; ++i) samples(i, j) = static_cast<double>(X(i, j));
  std::vector<double> squared_norms(static_cast<std::size_t>(X.cols));
  for (std::int64_t j = 0; j < X.cols; ++j) squared_norms[j] = samples.col(j).squaredNorm();
  return graph_from_dots(squared_norms, neighbours, weighting,
                         [&](std::int64_t begin, std::int64_t end, double* block) {
                           // Row-major (end − begin) × n is column-major n × (end − begin).
                           Eigen::Map<Eigen::MatrixXd>(block, X.cols, end - begin).noalias() =
                               samples.transpose() * samples.middleCols(begin, end - begin);
                         });
}

}  // namespace

CsrMatrix<double, std::int64_t> knn_graph(DenseView<const float> X, std::int64_t neighbours,
                                          GraphWeight weighting, Backend backend, int device) {
  return dense_knn_graph(X, neighbours, weighting, backend, device);
}
CsrMatrix<double, std::int64_t> knn_graph(DenseView<const double> X, std::int64_t neighbours,
                                          GraphWeight weighting, Backend backend, int device) {
  return dense_knn_graph(X, neighbours, weighting, backend, device);
}

template <class T, class Index>
CsrMatrix<double, std::int64_t> knn_graph(CsrView<const T, Index> X, std::int64_t neighbours,
                                          GraphWeight weighting, Backend backend, int device) {
  detail::validate_csr(X, "X");
  detail::check_neighbours(neighbours, X.cols);
  if (auto on_device = graph_on_cuda(X, neighbours, weighting, backend, device)) {
    return std::move(*on_device);
  }
  // Row i of Xᵀ is sample i's stored features; x_iᵀx_j = Σ over i's features f of X(f, i)·X(f, j),
  // row f of X giving every j at once.
  const CsrMatrix<T, Index> Xt = detail::transpose(X);
  std::vector<double> squared_norms(static_cast<std::size_t>(X.cols), 0.0);
  for (std::int64_t i = 0; i < X.cols; ++i)
    for (Index e = Xt.row_ptr[i]; e < Xt.row_ptr[i + 1]; ++e)
      squared_norms[i] += static_cast<double>(Xt.values[e]) * static_cast<double>(Xt.values[e]);
  const std::int64_t n = X.cols;
  return graph_from_dots(squared_norms, neighbours, weighting,
                         [&](std::int64_t begin, std::int64_t end, double* block) {
#pragma omp parallel for schedule(dynamic, 16)
                           for (std::int64_t i = begin; i < end; ++i) {
                             double* row = block + (i - begin) * n;
                             std::fill(row, row + n, 0.0);
                             for (Index e = Xt.row_ptr[i]; e < Xt.row_ptr[i + 1]; ++e) {
                               const std::int64_t f = Xt.col_idx[e];
                               const double x_fi = static_cast<double>(Xt.values[e]);
                               for (Index d = X.row_ptr[f]; d < X.row_ptr[f + 1]; ++d)
                                 row[X.col_idx[d]] += x_fi * static_cast<double>(X.values[d]);
                             }
                           }
                         });
}

#define CUNMF_INSTANTIATE_KNN_GRAPH(T, Index)                   \
  template CsrMatrix<double, std::int64_t> knn_graph<T, Index>( \
      CsrView<const T, Index>, std::int64_t, GraphWeight, Backend, int);
CUNMF_INSTANTIATE_KNN_GRAPH(float, std::int32_t)
CUNMF_INSTANTIATE_KNN_GRAPH(float, std::int64_t)
CUNMF_INSTANTIATE_KNN_GRAPH(double, std::int32_t)
CUNMF_INSTANTIATE_KNN_GRAPH(double, std::int64_t)
#undef CUNMF_INSTANTIATE_KNN_GRAPH

}  // namespace cunmf
