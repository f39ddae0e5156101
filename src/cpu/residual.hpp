// The CPU losses of a factorization X ≈ W·H in the backend orientation (column-major X of M×N,
// W of M×k, H of k×N), computed from the residual entry by entry and accumulated in double. Shared
// by the MU solver (its loss()) and the public metrics, so there is one place for the ε rule and
// the blocking.
#pragma once

#include "product.hpp"  // first: it configures Eigen

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "../problem.hpp"

namespace cunmf::cpu {

/// Columns of W·H formed at a time by the losses: their memory stays at M × kLossBlockColumns
/// however wide X is.
inline constexpr Eigen::Index kLossBlockColumns = 256;

/// v, or detail::kEpsilon when v is exactly 0: the rule for a denominator (DESIGN.md). A
/// positive v, however small, is left alone so that iterates follow the textbook update.
template <class T>
inline T nonzero(T v) {
  return v == T(0) ? static_cast<T>(detail::kEpsilon) : v;
}

/// Σ over the columns j of column_sum(x, wh, M), where x points to column j of X and wh to
/// column j of W·H, in double. W·H is formed kLossBlockColumns columns at a time (one parallel
/// product each); the columns of a block are summed in parallel, each into its own slot, and the
/// slots are added in column order, so the order of the summation is fixed.
template <class T, class ColumnSum>
double sum_over_product(ConstMatrixRef<T> X, ConstMatrixRef<T> W, ConstMatrixRef<T> H,
                        ColumnSum column_sum) {
  const Eigen::Index M = X.rows();
  const Eigen::Index N = X.cols();
  Matrix<T> wh(M, std::min(N, kLossBlockColumns));
  std::vector<double> column_sums(static_cast<std::size_t>(N), 0.0);
  for (Eigen::Index j0 = 0; j0 < N; j0 += kLossBlockColumns) {
    const Eigen::Index width = std::min(kLossBlockColumns, N - j0);
    product_into(wh.leftCols(width), W, H.middleCols(j0, width));
    const bool parallel = static_cast<double>(M) * static_cast<double>(width) > kMinParallelWork;
#pragma omp parallel for schedule(dynamic, 16) if (parallel)
    for (Eigen::Index j = 0; j < width; ++j) {
      column_sums[static_cast<std::size_t>(j0 + j)] =
          column_sum(X.col(j0 + j).data(), wh.col(j).data(), M);
    }
  }
  double total = 0.0;
  for (const double s : column_sums) total += s;
  return total;
}

/// ‖X − W·H‖²_F, from the residual itself: the expansion ‖X‖² − 2⟨X, WH⟩ + ‖WH‖² loses every
/// digit to cancellation once the fit is good.
template <class T>
double squared_residual(ConstMatrixRef<T> X, ConstMatrixRef<T> W, ConstMatrixRef<T> H) {
  return sum_over_product<T>(X, W, H, [](const T* x, const T* wh, Eigen::Index count) {
    double sum = 0.0;
#pragma omp simd reduction(+ : sum)
    for (Eigen::Index i = 0; i < count; ++i) {
      const double r = static_cast<double>(x[i]) - static_cast<double>(wh[i]);
      sum += r * r;
    }
    return sum;
  });
}

/// The generalized KL divergence Σ x·log(x / wh') − x + wh with wh' = nonzero(wh); an entry with
/// x = 0 contributes wh.
template <class T>
double kl_divergence(ConstMatrixRef<T> X, ConstMatrixRef<T> W, ConstMatrixRef<T> H) {
  return sum_over_product<T>(X, W, H, [](const T* x, const T* wh, Eigen::Index count) {
    // The logarithms dominate the cost: they are taken a chunk at a time with Eigen's vectorized
    // log (std::log is scalar), from a buffer of ratios in which x = 0 gives log(1) = 0.
    constexpr Eigen::Index kChunk = 256;
    double log_ratio[kChunk];
    double sum = 0.0;
    for (Eigen::Index i0 = 0; i0 < count; i0 += kChunk) {
      const Eigen::Index n = std::min(kChunk, count - i0);
      for (Eigen::Index i = 0; i < n; ++i) {
        const T xi = x[i0 + i];
        log_ratio[i] =
            xi > T(0) ? static_cast<double>(xi) / static_cast<double>(nonzero(wh[i0 + i])) : 1.0;
      }
      Eigen::Map<Eigen::ArrayXd> logs(log_ratio, n);
      logs = logs.log();
      for (Eigen::Index i = 0; i < n; ++i) {
        const double xd = static_cast<double>(x[i0 + i]);
        sum += xd * log_ratio[i] - xd + static_cast<double>(wh[i0 + i]);
      }
    }
    return sum;
  });
}

}  // namespace cunmf::cpu
