// cunmf::knn_graph (cunmf/graph.hpp) on the CPU: the dot products between X's columns a block of
// samples at a time (dense: one Eigen product per block; CSR: accumulated from the stored entries
// of X and its transpose, never densified), each sample's nearest others by a partial sort, then
// the symmetric weighted CSR.
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "../core/expects.hpp"
#include "../core/host_factors.hpp"
#include "../core/validation.hpp"
#include "cunmf/graph.hpp"

namespace cunmf {

namespace {

/// Samples per block of dot products: a block holds kBlock × n doubles.
constexpr std::int64_t kBlock = 1024;

/// An edge found from sample `from`: its other end and the squared distance or the cosine.
struct Edge {
  std::int64_t from, to;
  double measure;
};

/// Finds each sample's neighbours, given its dot products with every sample: `dots(begin, end,
/// block)` fills block (row-major, (end − begin) × n) with x_iᵀx_j for i in [begin, end).
template <class DotsOfBlock>
CsrMatrix<double, std::int64_t> graph_from_dots(const std::vector<double>& squared_norms,
                                                std::int64_t neighbours, GraphWeight weighting,
                                                DotsOfBlock&& dots) {
  const std::int64_t n = static_cast<std::int64_t>(squared_norms.size());
  const bool cosine = weighting == GraphWeight::Cosine;
  std::vector<Edge> edges(static_cast<std::size_t>(n * neighbours), Edge{-1, -1, 0.0});
  std::vector<double> block;
  for (std::int64_t begin = 0; begin < n; begin += kBlock) {
    const std::int64_t end = std::min(n, begin + kBlock);
    block.resize(static_cast<std::size_t>((end - begin) * n));
    dots(begin, end, block.data());
#pragma omp parallel for schedule(dynamic, 16)
    for (std::int64_t i = begin; i < end; ++i) {
      const double* row = block.data() + (i - begin) * n;
      // The candidates' keys: smaller is nearer (the squared distance, or minus the cosine).
      std::vector<std::pair<double, std::int64_t>> candidates;
      candidates.reserve(static_cast<std::size_t>(n));
      if (cosine && squared_norms[i] == 0.0) continue;  // a zero sample has no cosine
      for (std::int64_t j = 0; j < n; ++j) {
        if (j == i) continue;
        if (cosine) {
          if (squared_norms[j] == 0.0) continue;
          candidates.emplace_back(-row[j] / std::sqrt(squared_norms[i] * squared_norms[j]), j);
        } else {
          candidates.emplace_back(std::max(squared_norms[i] + squared_norms[j] - 2.0 * row[j], 0.0),
                                  j);
        }
      }
      const std::size_t count = std::min(candidates.size(), static_cast<std::size_t>(neighbours));
      // Pairs compare by key, then by index: ties go to the lower index.
      std::partial_sort(candidates.begin(), candidates.begin() + count, candidates.end());
      for (std::size_t t = 0; t < count; ++t) {
        edges[static_cast<std::size_t>(i * neighbours) + t] =
            Edge{i, candidates[t].second, cosine ? -candidates[t].first : candidates[t].first};
      }
    }
  }
  edges.erase(std::remove_if(edges.begin(), edges.end(), [](const Edge& e) { return e.from < 0; }),
              edges.end());
  // The heat kernel's width: the mean squared distance over the edges found.
  double width = 0.0;
  for (const Edge& e : edges) width += e.measure;
  width = edges.empty() ? 1.0 : width / static_cast<double>(edges.size());
  const auto weight = [&](double measure) {
    switch (weighting) {
      case GraphWeight::Binary:
        return 1.0;
      case GraphWeight::Heat:
        return width > 0.0 ? std::exp(-measure / width) : 1.0;
      case GraphWeight::Cosine:
        return std::max(measure, 0.0);
    }
    return 1.0;
  };
  // Symmetric: each edge in both orientations, an edge found from both ends once with the larger
  // weight (the two ends' dot products may differ in the last bits), so A = Aᵀ exactly.
  std::vector<Edge> both;
  both.reserve(2 * edges.size());
  for (const Edge& e : edges) {
    const double w = weight(e.measure);
    both.push_back({std::min(e.from, e.to), std::max(e.from, e.to), w});
  }
  std::sort(both.begin(), both.end(), [](const Edge& a, const Edge& b) {
    return a.from != b.from ? a.from < b.from : a.to != b.to ? a.to < b.to : a.measure > b.measure;
  });
  both.erase(
      std::unique(both.begin(), both.end(),
                  [](const Edge& a, const Edge& b) { return a.from == b.from && a.to == b.to; }),
      both.end());
  const std::size_t pairs = both.size();
  for (std::size_t p = 0; p < pairs; ++p)
    both.push_back({both[p].to, both[p].from, both[p].measure});
  std::sort(both.begin(), both.end(), [](const Edge& a, const Edge& b) {
    return a.from != b.from ? a.from < b.from : a.to < b.to;
  });
  CsrMatrix<double, std::int64_t> A;
  A.rows = A.cols = n;
  A.row_ptr.assign(static_cast<std::size_t>(n + 1), 0);
  A.col_idx.reserve(both.size());
  A.values.reserve(both.size());
  for (const Edge& e : both) {
    ++A.row_ptr[static_cast<std::size_t>(e.from + 1)];
    A.col_idx.push_back(e.to);
    A.values.push_back(e.measure);
  }
  for (std::int64_t i = 0; i < n; ++i) A.row_ptr[i + 1] += A.row_ptr[i];
  return A;
}

void check_neighbours(std::int64_t neighbours, std::int64_t n) {
  CUNMF_EXPECTS(neighbours >= 1 && neighbours < n,
                "knn_graph: neighbours must be between 1 and n - 1 = " + std::to_string(n - 1) +
                    " (X has n = " + std::to_string(n) + " columns), got " +
                    std::to_string(neighbours));
}

template <class T>
CsrMatrix<double, std::int64_t> dense_knn_graph(DenseView<const T> X, std::int64_t neighbours,
                                                GraphWeight weighting) {
  detail::validate_nonnegative(X, "X");
  check_neighbours(neighbours, X.cols);
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
                                          GraphWeight weighting) {
  return dense_knn_graph(X, neighbours, weighting);
}
CsrMatrix<double, std::int64_t> knn_graph(DenseView<const double> X, std::int64_t neighbours,
                                          GraphWeight weighting) {
  return dense_knn_graph(X, neighbours, weighting);
}

template <class T, class Index>
CsrMatrix<double, std::int64_t> knn_graph(CsrView<const T, Index> X, std::int64_t neighbours,
                                          GraphWeight weighting) {
  detail::validate_csr(X, "X");
  check_neighbours(neighbours, X.cols);
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

#define CUNMF_INSTANTIATE_KNN_GRAPH(T, Index)                                           \
  template CsrMatrix<double, std::int64_t> knn_graph<T, Index>(CsrView<const T, Index>, \
                                                               std::int64_t, GraphWeight);
CUNMF_INSTANTIATE_KNN_GRAPH(float, std::int32_t)
CUNMF_INSTANTIATE_KNN_GRAPH(float, std::int64_t)
CUNMF_INSTANTIATE_KNN_GRAPH(double, std::int32_t)
CUNMF_INSTANTIATE_KNN_GRAPH(double, std::int64_t)
#undef CUNMF_INSTANTIATE_KNN_GRAPH

}  // namespace cunmf
