// The textbook oracle of projected alternating least squares (DESIGN.md, "The math"), written as
// plainly as possible in double with naive loops, dense only, sharing no code with src/: each
// half-step forms the normal equations F (GᵀG + δI) = A G with the k × k Gram matrix, solves them
// by a Cholesky factorization written out here, and sets the negative entries to 0:
//   W ← max(0, X Hᵀ (H Hᵀ + δI)⁻¹), then H ← max(0, (WᵀW + δI)⁻¹ Wᵀ X).
// δ = 4 · ε · trace(Gram), at least the smallest normal number of the working precision — the
// ridge the README states; ε and that smallest number are the working precision's, so a float
// run is compared with the oracle of its own ridge.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "mu_reference.hpp"  // Matrix, multiply, transpose

namespace cunmf::reference {

/// The working precision's constants the ridge is made of.
struct RidgePrecision {
  double epsilon;          ///< machine epsilon of the working precision
  double smallest_normal;  ///< its smallest normal number
};

template <class T>
RidgePrecision ridge_precision() {
  return {std::numeric_limits<T>::epsilon(), std::numeric_limits<T>::min()};
}

/// δ for the Gram matrix G: 4 ε trace(G), at least the smallest normal number.
inline double ridge(const Matrix& G, RidgePrecision p) {
  double trace = 0.0;
  for (std::int64_t r = 0; r < G.rows; ++r) trace += G(r, r);
  return std::max(4.0 * p.epsilon * trace, p.smallest_normal);
}

/// The lower-triangular L with L Lᵀ = S for a symmetric positive definite S (Cholesky–Banachiewicz,
/// row by row).
inline Matrix cholesky(const Matrix& S) {
  Matrix L(S.rows, S.cols);
  for (std::int64_t i = 0; i < S.rows; ++i)
    for (std::int64_t j = 0; j <= i; ++j) {
      double sum = S(i, j);
      for (std::int64_t r = 0; r < j; ++r) sum -= L(i, r) * L(j, r);
      L(i, j) = i == j ? std::sqrt(sum) : sum / L(j, j);
    }
  return L;
}

/// Y with Y S = B for S = L Lᵀ: for each row b of B, solve L z = bᵀ forward, then Lᵀ y = z back.
inline Matrix solve_right(const Matrix& B, const Matrix& L) {
  const std::int64_t k = L.rows;
  Matrix Y(B.rows, B.cols);
  std::vector<double> z(std::size_t(k), 0.0);
  for (std::int64_t i = 0; i < B.rows; ++i) {
    for (std::int64_t r = 0; r < k; ++r) {
      double sum = B(i, r);
      for (std::int64_t c = 0; c < r; ++c) sum -= L(r, c) * z[std::size_t(c)];
      z[std::size_t(r)] = sum / L(r, r);
    }
    for (std::int64_t r = k - 1; r >= 0; --r) {
      double sum = z[std::size_t(r)];
      for (std::int64_t c = r + 1; c < k; ++c) sum -= L(c, r) * Y(i, c);
      Y(i, r) = sum / L(r, r);
    }
  }
  return Y;
}

/// F ← max(0, (A G)(GᵀG + δI)⁻¹): the least-squares F of A ≈ F Gᵀ, projected.
inline Matrix projected_least_squares(const Matrix& A, const Matrix& G, RidgePrecision p) {
  Matrix gram = multiply(transpose(G), G);
  const double delta = ridge(gram, p);
  for (std::int64_t r = 0; r < gram.rows; ++r) gram(r, r) += delta;
  Matrix F = solve_right(multiply(A, G), cholesky(gram));
  for (double& f : F.data) f = std::max(f, 0.0);
  return F;
}

/// One iteration: W from X ≈ W H, then H from Xᵀ ≈ Hᵀ Wᵀ with the new W.
inline void als_step(const Matrix& X, Matrix& W, Matrix& H, RidgePrecision p) {
  W = projected_least_squares(X, transpose(H), p);
  H = transpose(projected_least_squares(transpose(X), W, p));
}

/// `iterations` iterations of als_step() from W0, H0.
inline Run als_run(const Matrix& X, Matrix W0, Matrix H0, RidgePrecision p, int iterations) {
  for (int it = 0; it < iterations; ++it) als_step(X, W0, H0, p);
  const double final_loss = frobenius_loss(X, W0, H0);
  return {std::move(W0), std::move(H0), final_loss};
}

}  // namespace cunmf::reference
