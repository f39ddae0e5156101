// How cunmf::knn_graph ranks a sample's candidate neighbours: the one definition shared by the
// CPU backend (src/api/knn_graph.cpp) and the device's selection kernel (knn_select.cu), so both
// pick the same neighbours from the same dot products.
#pragma once

#include <cmath>
#include <cstdint>

#include "elementwise.cuh"  // CUNMF_HOST_DEVICE

namespace cunmf::detail {

/// The key of candidate j for sample i, from x_iᵀx_j and the squared norms: smaller is nearer.
/// The squared distance ‖x_i‖² + ‖x_j‖² − 2 x_iᵀx_j (clamped at 0: rounding can make it negative
/// for near-equal samples), or for cosine weighting minus the cosine (the most similar first).
CUNMF_HOST_DEVICE inline double knn_key(double dot, double norm_i, double norm_j, bool cosine) {
  if (cosine) return -dot / sqrt(norm_i * norm_j);
  const double distance = norm_i + norm_j - 2.0 * dot;
  return distance > 0.0 ? distance : 0.0;
}

/// The measure a neighbour list records for an edge of key `key` (the squared distance or the
/// cosine).
CUNMF_HOST_DEVICE inline double knn_measure(double key, bool cosine) {
  return cosine ? -key : key;
}

/// Whether candidate (key_a, index_a) ranks before (key_b, index_b): by key, ties to the lower
/// index.
CUNMF_HOST_DEVICE inline bool knn_before(double key_a, std::int64_t index_a, double key_b,
                                         std::int64_t index_b) {
  return key_a < key_b || (key_a == key_b && index_a < index_b);
}

}  // namespace cunmf::detail
