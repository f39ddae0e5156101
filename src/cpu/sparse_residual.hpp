// The CPU losses of a factorization of a CSR X (m×n), with W·H evaluated only at the non-zeros:
// shared by the sparse MU solver (its loss()) and the public metrics. Everything in double, from
// W (row-major m×k) and H (column-major k×n), whose products are exact in double.
#pragma once

#include "product.hpp"  // first: it configures Eigen

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "../problem.hpp"
#include "cunmf/sparse.hpp"

namespace cunmf::cpu {

/// A row-major dynamic matrix (W in the sparse orientation).
template <class T>
using RowMajorMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Σ over the stored entries (i, j) of term(x, (W·H)_ij), the dot products and the sum in double.
template <class T, class Index, class Term>
double sum_at_nonzeros(CsrView<const T, Index> X, const RowMajorMatrix<double>& w,
                       const Matrix<double>& h, Term term) {
  const std::int64_t k = w.cols();
  // One partial sum per row, added in row order afterwards: the result does not depend on the
  // number of threads or on how OpenMP would combine a reduction.
  std::vector<double> row_sums(static_cast<std::size_t>(X.rows), 0.0);
  const bool parallel = static_cast<double>(X.nnz) * static_cast<double>(k) > kMinParallelWork;
#pragma omp parallel for schedule(static) if (parallel)
  for (std::int64_t i = 0; i < X.rows; ++i) {
    const double* w_row = w.data() + i * k;
    double sum = 0.0;
    for (std::int64_t e = X.row_ptr[i]; e < X.row_ptr[i + 1]; ++e) {
      const double* h_col = h.data() + static_cast<std::int64_t>(X.col_idx[e]) * k;
      double wh = 0.0;
      for (std::int64_t r = 0; r < k; ++r) wh += w_row[r] * h_col[r];
      sum += term(static_cast<double>(X.values[e]), wh);
    }
    row_sums[static_cast<std::size_t>(i)] = sum;
  }
  double total = 0.0;
  for (const double s : row_sums) total += s;
  return total;
}

/// Σ x² over the stored entries, in double.
template <class T, class Index>
double squared_norm(CsrView<const T, Index> X) {
  double sum = 0.0;
  for (std::int64_t e = 0; e < X.nnz; ++e) sum += double(X.values[e]) * double(X.values[e]);
  return sum;
}

/// ‖X − W·H‖²_F = ‖X‖² − 2⟨X, WH⟩ + tr((WᵀW)(HHᵀ)), every term in double (clamped at 0 against
/// rounding). `x_squared_norm` is squared_norm(X).
template <class T, class Index>
double sparse_squared_residual(CsrView<const T, Index> X, const RowMajorMatrix<double>& w,
                               const Matrix<double>& h, double x_squared_norm) {
  const double cross = sum_at_nonzeros(X, w, h, [](double x, double wh) { return x * wh; });
  const double trace = ((w.transpose() * w).array() * (h * h.transpose()).array()).sum();
  return std::max(0.0, x_squared_norm - 2.0 * cross + trace);
}

/// The generalized KL divergence: Σ over the non-zeros of x·log(x / wh') − x (wh' = wh, or ε when
/// wh = 0), plus Σ over all entries of wh = (1ᵀW)(H1).
template <class T, class Index>
double sparse_kl_divergence(CsrView<const T, Index> X, const RowMajorMatrix<double>& w,
                            const Matrix<double>& h) {
  const double at_nonzeros = sum_at_nonzeros(X, w, h, [](double x, double wh) {
    return x > 0.0 ? x * std::log(x / (wh == 0.0 ? detail::kEpsilon : wh)) - x : 0.0;
  });
  return at_nonzeros + w.colwise().sum().dot(h.rowwise().sum().transpose());
}

}  // namespace cunmf::cpu
