// The sparse problem every backend solves: a CSR X (m×n) and, built once, the CSR of Xᵀ (n×m), so
// that both X·Hᵀ and Xᵀ·W are plain row-wise products. Factors are kept as W row-major (m×k) and
// H column-major (k×n): each k-vector a product or W·H at a non-zero needs is contiguous.
#pragma once

#include <cstdint>
#include <vector>

#include "cunmf/factorize.hpp"
#include "cunmf/sparse.hpp"

namespace cunmf::detail {

/// Factors in the sparse backends' orientation.
template <class T>
struct SparseFactors {
  std::vector<T> w;  ///< W, m × k, row-major
  std::vector<T> h;  ///< H, k × n, column-major
};

/// Throws InvalidArgument unless X is a valid CSR matrix: row_ptr starts at 0, never decreases and
/// ends at nnz; column indices in [0, cols) and strictly increasing within each row; values finite
/// and ≥ 0. The message names the first offending row (and entry).
template <class T, class Index>
void validate_csr(CsrView<const T, Index> X, const char* what);

/// The CSR of Xᵀ (n × m), with sorted columns.
template <class T, class Index>
CsrMatrix<T, Index> transpose(CsrView<const T, Index> X);

/// Σ of X's stored values / (m·n): the mean over all entries, zeros included.
template <class T, class Index>
double mean_of_entries(CsrView<const T, Index> X);

/// The sparse orientation of a user's W (m×k) and H (k×n), in any layouts.
template <class T>
SparseFactors<T> to_sparse_factors(DenseView<const T> W, DenseView<const T> H);

/// Random initial factors from the seed and mean(X), the same draws as the dense path.
template <class T>
SparseFactors<T> random_sparse_factors(double mean, std::int64_t m, std::int64_t n, std::int64_t k,
                                       std::uint64_t seed);

/// Moves sparse-orientation factors into the user's row-major W (m×k) and H (k×n).
template <class T>
void sparse_factors_to_user(std::int64_t m, std::int64_t n, std::int64_t k, SparseFactors<T>&& f,
                            Result<T>& result);

}  // namespace cunmf::detail
