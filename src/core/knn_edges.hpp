// What both backends of cunmf::knn_graph share: the neighbour lists each one finds (the CPU from
// its blocks of dot products, the GPU from its selection kernel), the order that decides them, and
// the weighted symmetric CSR built from the lists on the host.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "cunmf/graph.hpp"

namespace cunmf::detail {

/// Each sample's nearest others: sample i's t-th neighbour is to[i·neighbours + t] (−1 when it has
/// fewer, as a zero sample has under Cosine), with its squared distance or its cosine in
/// measure[...]. Neighbours come nearest first.
struct NeighbourLists {
  std::int64_t samples = 0;
  std::int64_t neighbours = 0;
  std::vector<std::int64_t> to;
  std::vector<double> measure;
};

/// Throws InvalidArgument unless 1 ≤ neighbours ≤ n − 1.
void check_neighbours(std::int64_t neighbours, std::int64_t n);

/// The symmetric weighted affinity of the lists (cunmf::knn_graph's contract: an edge found from
/// either end, weighted by `weighting`, the heat kernel's width the mean squared distance over the
/// lists' edges).
CsrMatrix<double, std::int64_t> graph_from_neighbours(const NeighbourLists& lists,
                                                      GraphWeight weighting);

}  // namespace cunmf::detail
