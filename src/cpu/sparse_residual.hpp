// The CPU losses of a factorization of a CSR X (m×n), with W·H evaluated only at the non-zeros
// (but for the β-divergence's Σ (wh)^β over every entry, which a tile at a time forms):
// the backend's loss primitive for CSR operands. Everything in double, from W (m×k) and Hᵀ (n×k)
// held as rows (each k-vector contiguous), whose products are exact in double.
#pragma once

#include "product_tiles.hpp"  // first: it configures Eigen

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "../../kernels/elementwise.cuh"
#include "../core/operand.hpp"

namespace cunmf::cpu {

/// Σ over the stored entries (i, j) of term(x, (WH)_ij), (WH)_ij being the dot product of row i
/// of w and row j of ht; the dot products and the sum in double.
template <class T, class Index, class Term>
double sum_at_nonzeros(const detail::CsrArrays<T, Index>& X, const Panel<double>& w,
                       const Panel<double>& ht, Term term) {
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
      const double* h_col = ht.data() + static_cast<std::int64_t>(X.col_idx[e]) * k;
      sum += term(static_cast<double>(X.values[e]), lane_dot<double>(w_row, h_col, k));
    }
    row_sums[static_cast<std::size_t>(i)] = sum;
  }
  double total = 0.0;
  for (const double s : row_sums) total += s;
  return total;
}

/// Σ x² over `count` values, in double.
template <class T>
double squared_norm(const T* values, std::int64_t count) {
  return lane_sum(count,
                  [values](std::int64_t i) { return double(values[i]) * double(values[i]); });
}

/// ‖X − W·H‖²_F = ‖X‖² − 2⟨X, WH⟩ + tr((WᵀW)(HHᵀ)), every term in double (clamped at 0 against
/// rounding). `x_squared_norm` is Σ x² over the stored values.
template <class T, class Index>
double sparse_squared_residual(const detail::CsrArrays<T, Index>& X, const Panel<double>& w,
                               const Panel<double>& ht, double x_squared_norm) {
  const double cross = sum_at_nonzeros(X, w, ht, [](double x, double wh) { return x * wh; });
  const double trace = ((w.transpose() * w).array() * (ht.transpose() * ht).array()).sum();
  return std::max(0.0, x_squared_norm - 2.0 * cross + trace);
}

/// The generalized KL divergence: Σ over the non-zeros of x·log(x / max(wh, ε)) − x, plus Σ over
/// all entries of wh = (1ᵀW)(1ᵀHᵀ)ᵀ.
template <class T, class Index>
double sparse_kl_divergence(const detail::CsrArrays<T, Index>& X, const Panel<double>& w,
                            const Panel<double>& ht) {
  const double at_nonzeros = sum_at_nonzeros(
      X, w, ht, [](double x, double wh) { return detail::kl_term_without_wh(x, wh); });
  return at_nonzeros + w.colwise().sum().dot(ht.colwise().sum());
}

/// The β-divergence, β ∉ {1, 2}: Σ over the stored entries of beta_term_without_power(x, wh), plus
/// Σ over all entries of beta_power_term(wh) (kernels/elementwise.cuh), formed a tile of W·Hᵀ at a
/// time (the implicit zeros' terms: unlike KL's Σ wh, no sum of factors gives Σ (wh)^β). For β ≤ 0
/// every entry is stored (zeros are rejected), and the second sum is empty.
template <class T, class Index>
double sparse_beta_divergence(const detail::CsrArrays<T, Index>& X, const Panel<double>& w,
                              const Panel<double>& ht, double beta) {
  const double at_nonzeros = sum_at_nonzeros(X, w, ht, [beta](double x, double wh) {
    return detail::beta_term_without_power(x, wh, beta);
  });
  if (!(beta > 0.0)) return at_nonzeros;
  // One slot per column of X, each summed in row order by the thread that owns its block.
  std::vector<double> column_sums(static_cast<std::size_t>(X.cols), 0.0);
  for_each_tile<double>(
      w, ht, BlocksOf::Columns,
      [&](Eigen::Index, Eigen::Index h, Eigen::Index j0, Eigen::Index width, const auto& wh) {
        for (Eigen::Index j = 0; j < width; ++j) {
          double sum = 0.0;
          for (Eigen::Index i = 0; i < h; ++i) {
            sum += detail::beta_power_term(wh(i, j), beta);
          }
          column_sums[static_cast<std::size_t>(j0 + j)] += sum;
        }
      });
  double total = at_nonzeros;
  for (const double s : column_sums) total += s;
  return total;
}

}  // namespace cunmf::cpu
