// The textbook oracle of alternating non-negative least squares (Solver::AnlsBpp), written as
// plainly as possible in double with naive loops, dense only, sharing no code with src/: each
// half-step solves, for every row f of the factor, the non-negative least-squares problem
//   min over f ≥ 0 of ½ fᵀ Q f − nᵀ f,   Q = GᵀG + δI,  n the row of A G,
// exactly. Not by block principal pivoting (the library's method) but by the classic active-set
// method of Lawson & Hanson (Solving Least Squares Problems, 1974, ch. 23), on the normal
// equations; and, for k ≤ 6, by brute force: every one of the 2^k passive sets solved, the best
// feasible one kept. δ is als's ridge (als_reference.hpp) of the working precision.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "als_reference.hpp"  // ridge, cholesky, solve_right, Matrix, multiply, transpose

namespace cunmf::reference {

/// ½ xᵀ Q x − nᵀ x.
inline double nnls_objective(const Matrix& Q, const std::vector<double>& n,
                             const std::vector<double>& x) {
  double value = 0.0;
  for (std::int64_t r = 0; r < Q.rows; ++r) {
    double qx = 0.0;
    for (std::int64_t s = 0; s < Q.cols; ++s) qx += Q(r, s) * x[std::size_t(s)];
    value += 0.5 * x[std::size_t(r)] * qx - n[std::size_t(r)] * x[std::size_t(r)];
  }
  return value;
}

/// The x with Q_PP x_P = n_P on the passive set P (passive[r] true), 0 elsewhere.
inline std::vector<double> solve_on_set(const Matrix& Q, const std::vector<double>& n,
                                        const std::vector<bool>& passive) {
  std::vector<std::int64_t> set;
  for (std::int64_t r = 0; r < Q.rows; ++r)
    if (passive[std::size_t(r)]) set.push_back(r);
  const auto q = std::int64_t(set.size());
  std::vector<double> x(std::size_t(Q.rows), 0.0);
  if (q == 0) return x;
  Matrix block(q, q), rhs(1, q);
  for (std::int64_t a = 0; a < q; ++a) {
    rhs(0, a) = n[std::size_t(set[std::size_t(a)])];
    for (std::int64_t b = 0; b < q; ++b) block(a, b) = Q(set[std::size_t(a)], set[std::size_t(b)]);
  }
  const Matrix z = solve_right(rhs, cholesky(block));
  for (std::int64_t a = 0; a < q; ++a) x[std::size_t(set[std::size_t(a)])] = z(0, a);
  return x;
}

/// argmin over x ≥ 0 of ½ xᵀQx − nᵀx for a symmetric positive definite Q, by Lawson & Hanson's
/// active-set method: add the free variable of most negative gradient to the passive set, solve
/// on it, and step back along the segment to the first variable that would turn negative
/// (dropping it) until the solution on the set is positive.
inline std::vector<double> nnls_active_set(const Matrix& Q, const std::vector<double>& n) {
  const std::int64_t k = Q.rows;
  double scale = 0.0;
  for (const double v : n) scale = std::max(scale, std::abs(v));
  const double tolerance = 1e-13 * std::max(scale, 1e-300);
  std::vector<double> x(std::size_t(k), 0.0);
  std::vector<bool> passive(std::size_t(k), false);
  for (int outer = 0; outer < 10 * int(k) + 10; ++outer) {
    // w = n − Q x: the negative gradient.
    std::int64_t best = -1;
    double best_w = tolerance;
    for (std::int64_t r = 0; r < k; ++r) {
      if (passive[std::size_t(r)]) continue;
      double w = n[std::size_t(r)];
      for (std::int64_t s = 0; s < k; ++s) w -= Q(r, s) * x[std::size_t(s)];
      if (w > best_w) best_w = w, best = r;
    }
    if (best < 0) break;
    passive[std::size_t(best)] = true;
    for (;;) {
      const std::vector<double> z = solve_on_set(Q, n, passive);
      // The step α ∈ [0, 1) from x towards z at which the first passive entry reaches 0.
      double alpha = 1.0;
      std::int64_t blocking = -1;
      for (std::int64_t r = 0; r < k; ++r) {
        if (!passive[std::size_t(r)] || z[std::size_t(r)] > 0.0) continue;
        const double gap = x[std::size_t(r)] - z[std::size_t(r)];
        const double a = gap > 0.0 ? x[std::size_t(r)] / gap : 0.0;
        if (blocking < 0 || a < alpha) alpha = a, blocking = r;
      }
      if (blocking < 0) {  // z > 0 on P: the solution on this set
        x = z;
        break;
      }
      for (std::int64_t r = 0; r < k; ++r)
        x[std::size_t(r)] += alpha * (z[std::size_t(r)] - x[std::size_t(r)]);
      for (std::int64_t r = 0; r < k; ++r) {
        if (passive[std::size_t(r)] && (r == blocking || x[std::size_t(r)] <= tolerance)) {
          passive[std::size_t(r)] = false;
          x[std::size_t(r)] = 0.0;
        }
      }
    }
  }
  return x;
}

/// The same minimizer by brute force, for k ≤ 6 or so: every passive set P solved on P; among the
/// solutions with no negative entry, the one of least objective (Q positive definite: the
/// minimizer is unique and is the solution on its own support).
inline std::vector<double> nnls_brute_force(const Matrix& Q, const std::vector<double>& n) {
  const std::int64_t k = Q.rows;
  std::vector<double> best(std::size_t(k), 0.0);
  double best_value = nnls_objective(Q, n, best);
  for (std::uint64_t mask = 1; mask < (std::uint64_t{1} << k); ++mask) {
    std::vector<bool> passive(static_cast<std::size_t>(k), false);
    for (std::int64_t r = 0; r < k; ++r) passive[std::size_t(r)] = (mask >> r) & 1;
    const std::vector<double> x = solve_on_set(Q, n, passive);
    if (std::any_of(x.begin(), x.end(), [](double v) { return v < 0.0; })) continue;
    const double value = nnls_objective(Q, n, x);
    if (value < best_value) best_value = value, best = x;
  }
  return best;
}

/// Q = GᵀG + δI: the matrix of the rows' NNLS problems for A ≈ F Gᵀ.
inline Matrix ridged_gram(const Matrix& G, RidgePrecision p) {
  Matrix Q = multiply(transpose(G), G);
  const double delta = ridge(Q, p);
  for (std::int64_t r = 0; r < Q.rows; ++r) Q(r, r) += delta;
  return Q;
}

/// The exact non-negative least-squares F of A ≈ F Gᵀ, row by row (Q = GᵀG + δI, n = row of AG).
inline Matrix nnls_least_squares(const Matrix& A, const Matrix& G, RidgePrecision p) {
  const Matrix Q = ridged_gram(G, p);
  const Matrix N = multiply(A, G);
  Matrix F(N.rows, N.cols);
  for (std::int64_t i = 0; i < N.rows; ++i) {
    const std::vector<double> n(N.data.begin() + i * N.cols, N.data.begin() + (i + 1) * N.cols);
    const std::vector<double> f = nnls_active_set(Q, n);
    std::copy(f.begin(), f.end(), F.data.begin() + i * F.cols);
  }
  return F;
}

/// One iteration: W from X ≈ W H, then H from Xᵀ ≈ Hᵀ Wᵀ with the new W.
inline void anls_step(const Matrix& X, Matrix& W, Matrix& H, RidgePrecision p) {
  W = nnls_least_squares(X, transpose(H), p);
  H = transpose(nnls_least_squares(transpose(X), W, p));
}

}  // namespace cunmf::reference
