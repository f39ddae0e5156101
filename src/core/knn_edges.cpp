// The affinity of the neighbour lists (knn_edges.hpp).
#include "knn_edges.hpp"

#include <algorithm>
#include <string>

#include "expects.hpp"

namespace cunmf::detail {

void check_neighbours(std::int64_t neighbours, std::int64_t n) {
  CUNMF_EXPECTS(neighbours >= 1 && neighbours < n,
                "knn_graph: neighbours must be between 1 and n - 1 = " + std::to_string(n - 1) +
                    " (X has n = " + std::to_string(n) + " columns), got " +
                    std::to_string(neighbours));
}

namespace {

struct Edge {
  std::int64_t from, to;
  double value;
};

}  // namespace

CsrMatrix<double, std::int64_t> graph_from_neighbours(const NeighbourLists& lists,
                                                      GraphWeight weighting) {
  const std::int64_t n = lists.samples;
  std::vector<Edge> edges;
  edges.reserve(lists.to.size());
  for (std::size_t e = 0; e < lists.to.size(); ++e) {
    if (lists.to[e] < 0) continue;
    edges.push_back(
        {static_cast<std::int64_t>(e) / lists.neighbours, lists.to[e], lists.measure[e]});
  }
  // The heat kernel's width: the mean squared distance over the edges found.
  double width = 0.0;
  for (const Edge& e : edges) width += e.value;
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
    both.push_back({std::min(e.from, e.to), std::max(e.from, e.to), weight(e.value)});
  }
  std::sort(both.begin(), both.end(), [](const Edge& a, const Edge& b) {
    return a.from != b.from ? a.from < b.from : a.to != b.to ? a.to < b.to : a.value > b.value;
  });
  both.erase(
      std::unique(both.begin(), both.end(),
                  [](const Edge& a, const Edge& b) { return a.from == b.from && a.to == b.to; }),
      both.end());
  const std::size_t pairs = both.size();
  for (std::size_t p = 0; p < pairs; ++p) both.push_back({both[p].to, both[p].from, both[p].value});
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
    A.values.push_back(e.value);
  }
  for (std::int64_t i = 0; i < n; ++i) A.row_ptr[i + 1] += A.row_ptr[i];
  return A;
}

}  // namespace cunmf::detail
