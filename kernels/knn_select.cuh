// Launchers of the device's k-nearest-neighbour graph (src/cuda/knn_graph.cpp): the samples'
// squared norms, the CSR samples' dot products, and the selection of each sample's nearest others
// from a block of dot products. Everything is in double, as on the CPU (distances are differences
// of dot products), and each result is written by one thread or one warp in a fixed order: the
// same input gives the same bits.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace cunmf::detail {

/// The most candidates one selection pass keeps per lane, and so per pass per sample.
inline constexpr int kKnnRoundCapacity = 64;

/// norms[j] ← Σ_t v[j·sample_stride + t·feature_stride]² for j < samples, t < features (sample j's
/// squared norm, summed in t order).
void knn_dense_squared_norms(const double* v, std::int64_t samples, std::int64_t features,
                             std::int64_t sample_stride, std::int64_t feature_stride,
                             double* norms, cudaStream_t stream);

/// norms[j] ← Σ over the stored entries of row j of the CSR Xᵀ (the samples' features) of their
/// squares, in stored order.
template <class T, class Index>
void knn_csr_squared_norms(const Index* t_row_ptr, const T* t_values, std::int64_t samples,
                           double* norms, cudaStream_t stream);

/// dots[q·n + j] ← x_iᵀx_j for the samples i = begin + q, q < count, and every j < n, from the
/// stored entries only: X (features × n) as CSR and Xᵀ as CSR. One warp per sample i adds, for
/// each of i's features f in increasing order, X(f, i)·X(f, j) to the entries j of row f of X (a
/// row's columns are distinct, so lanes never collide); the CPU accumulates in the same order.
/// `dots` is zeroed first.
template <class T, class Index>
void knn_csr_dots(const Index* row_ptr, const Index* col_idx, const T* values,
                  const Index* t_row_ptr, const Index* t_col_idx, const T* t_values,
                  std::int64_t n, std::int64_t begin, std::int64_t count, double* dots,
                  cudaStream_t stream);

/// One selection pass for the samples i = begin + q, q < count, given their dot products with
/// every sample (dots[q·n + j]) and the squared norms: writes the next min(round_size,
/// neighbours − round_begin) neighbours of each, nearest first in detail::knn_before's order over
/// detail::knn_key (the sample itself, and under `cosine` samples of norm 0, excluded; a sample of
/// norm 0 under `cosine` has none), to to[i·neighbours + round_begin + t] and their measures to
/// measure[...]. A pass after the first (round_begin > 0) takes only candidates ranked after the
/// previous pass's last pick, read from to/measure; where that pass found fewer, it writes nothing.
/// to must hold −1 wherever no pass has written. One warp per sample; round_size ≤
/// kKnnRoundCapacity.
void knn_select_round(const double* dots, std::int64_t n, std::int64_t begin, std::int64_t count,
                      const double* norms, bool cosine, std::int64_t neighbours,
                      std::int64_t round_begin, int round_size, std::int64_t* to, double* measure,
                      cudaStream_t stream);

}  // namespace cunmf::detail
