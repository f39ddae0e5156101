// The CPU losses of a dense factorization S ≈ A·Bᵀ (S column-major M×N, A of M×k, B of N×k: X with
// (W, Hᵀ), or the storage of a row-major X, which is Xᵀ, with (Hᵀ, W)), computed from the residual
// entry by entry and accumulated in double: the backend's loss primitive.
#pragma once

#include "product_tiles.hpp"  // first: it configures Eigen

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "../../kernels/elementwise.cuh"

namespace cunmf::cpu {

/// ‖S − A·Bᵀ‖²_F, from the residual itself: the expansion ‖X‖² − 2⟨X, WH⟩ + ‖WH‖² loses every
/// digit to cancellation once the fit is good.
template <class T>
double squared_residual(ConstMatrixRef<T> S, const Panel<T>& A, const Panel<T>& B) {
  return sum_over_product<T>(S, A, B, [](const T* x, const T* wh, Eigen::Index count) {
    return lane_sum(count, [&](Eigen::Index i) {
      const double r = static_cast<double>(x[i]) - static_cast<double>(wh[i]);
      return r * r;
    });
  });
}

/// The generalized KL divergence of S ≈ A·Bᵀ: Σ x·log(x / max(wh, ε)) − x + wh (kl_term in
/// kernels/elementwise.cuh); an entry with x = 0 contributes wh.
template <class T>
double kl_divergence(ConstMatrixRef<T> S, const Panel<T>& A, const Panel<T>& B) {
  return sum_over_product<T>(S, A, B, [](const T* x, const T* wh, Eigen::Index count) {
    // The logarithms dominate the cost: they are taken a chunk at a time with Eigen's vectorized
    // log (std::log is scalar), from a buffer of ratios in which x = 0 gives log(1) = 0.
    constexpr Eigen::Index kChunk = 256;
    double log_ratio[kChunk];
    double sum = 0.0;
    for (Eigen::Index i0 = 0; i0 < count; i0 += kChunk) {
      const Eigen::Index n = std::min(kChunk, count - i0);
      for (Eigen::Index i = 0; i < n; ++i) {
        const T xi = x[i0 + i];
        log_ratio[i] = xi > T(0) ? static_cast<double>(xi) /
                                       static_cast<double>(detail::clamped_product(wh[i0 + i]))
                                 : 1.0;
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

/// The β-divergence d_β(S | A·Bᵀ), β ∉ {1, 2}: Σ beta_term(x, wh) (kernels/elementwise.cuh).
template <class T>
double beta_divergence(ConstMatrixRef<T> S, const Panel<T>& A, const Panel<T>& B, double beta) {
  return sum_over_product<T>(S, A, B, [beta](const T* x, const T* wh, Eigen::Index count) {
    double sum = 0.0;
    for (Eigen::Index i = 0; i < count; ++i) {
      sum += detail::beta_term(static_cast<double>(x[i]), static_cast<double>(wh[i]), beta);
    }
    return sum;
  });
}

}  // namespace cunmf::cpu
