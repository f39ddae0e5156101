// The textbook oracle of graph-regularized NMF (Cai, He, Han & Huang, "Graph regularized
// nonnegative matrix factorization for data representation", IEEE TPAMI 33(8), 2011): the
// paper's update rules, its objective and its k-nearest-neighbour graph, written as plainly as
// possible in double over dense matrices (the affinity densified), sharing no code with src/.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "losses.hpp"
#include "matrix.hpp"
#include "mu_reference.hpp"

namespace cunmf::reference {

/// The Laplacian L = D − A of a dense symmetric affinity A, D = diag(row sums of A).
inline Matrix laplacian(const Matrix& A) {
  Matrix L(A.rows, A.cols);
  for (std::int64_t j = 0; j < A.rows; ++j) {
    double degree = 0.0;
    for (std::int64_t l = 0; l < A.cols; ++l) degree += A(j, l);
    for (std::int64_t l = 0; l < A.cols; ++l) L(j, l) = (j == l ? degree : 0.0) - A(j, l);
  }
  return L;
}

/// (λ/2)·tr(H L Hᵀ).
inline double graph_term(const Matrix& H, const Matrix& A, double lambda) {
  const Matrix L = laplacian(A);
  double trace = 0.0;
  for (std::int64_t r = 0; r < H.rows; ++r)
    for (std::int64_t j = 0; j < H.cols; ++j)
      for (std::int64_t l = 0; l < H.cols; ++l) trace += H(r, j) * L(j, l) * H(r, l);
  return 0.5 * lambda * trace;
}

/// The objective: the loss of W H against X plus the graph term.
inline double graph_objective(const Matrix& X, const Matrix& W, const Matrix& H, Loss loss,
                              const Matrix& A, double lambda) {
  return loss_of(X, W, H, loss) + graph_term(H, A, lambda);
}

/// The paper's Frobenius rule for H (its V = Hᵀ, eq. 12 in our notation):
/// H ← H ⊙ (Wᵀ X + λ H A) ⊘ (Wᵀ W H + λ H D), a zero denominator counting as ε.
inline void update_h_graph_frobenius(const Matrix& X, const Matrix& W, Matrix& H, const Matrix& A,
                                     double lambda) {
  const Matrix Wt = transpose(W);
  Matrix numerator = multiply(Wt, X);
  Matrix denom = multiply(multiply(Wt, W), H);
  const Matrix HA = multiply(H, A);
  for (std::int64_t r = 0; r < H.rows; ++r)
    for (std::int64_t j = 0; j < H.cols; ++j) {
      double degree = 0.0;
      for (std::int64_t l = 0; l < A.cols; ++l) degree += A(j, l);
      numerator(r, j) += lambda * HA(r, j);
      denom(r, j) += lambda * H(r, j) * degree;
    }
  for (std::size_t idx = 0; idx < H.data.size(); ++idx)
    H.data[idx] *= numerator.data[idx] / denominator(denom.data[idx]);
}

/// Solves M x = b for a small dense M by Gaussian elimination with partial pivoting.
inline std::vector<double> solve_dense(Matrix M, std::vector<double> b) {
  const std::int64_t n = M.rows;
  for (std::int64_t c = 0; c < n; ++c) {
    std::int64_t pivot = c;
    for (std::int64_t r = c + 1; r < n; ++r)
      if (std::abs(M(r, c)) > std::abs(M(pivot, c))) pivot = r;
    for (std::int64_t j = 0; j < n; ++j) std::swap(M(c, j), M(pivot, j));
    std::swap(b[c], b[pivot]);
    for (std::int64_t r = c + 1; r < n; ++r) {
      const double f = M(r, c) / M(c, c);
      for (std::int64_t j = c; j < n; ++j) M(r, j) -= f * M(c, j);
      b[r] -= f * b[c];
    }
  }
  std::vector<double> x(static_cast<std::size_t>(n));
  for (std::int64_t r = n - 1; r >= 0; --r) {
    double s = b[r];
    for (std::int64_t j = r + 1; j < n; ++j) s -= M(r, j) * x[j];
    x[r] = s / M(r, r);
  }
  return x;
}

/// The paper's KL rule for H (its eq. 26 with V = Hᵀ): for every component r, row r of H is the
/// solution v of (Σ_i W(i, r)·I + λL) v = c, c_j = H(r, j)·Σ_i X(i, j) W(i, r) / max((W H)(i, j),
/// ε) (the plain KL numerator; ε as the plain rule's). The matrix is a non-singular M-matrix when
/// Σ_i W(i, r) > 0, so v ≥ 0.
inline void update_h_graph_kl(const Matrix& X, const Matrix& W, Matrix& H, const Matrix& A,
                              double lambda) {
  const Matrix numerator = multiply(transpose(W), kl_ratio(X, W, H));  // k × n
  const Matrix L = laplacian(A);
  Matrix next = H;
  for (std::int64_t r = 0; r < H.rows; ++r) {
    double column_sum = 0.0;
    for (std::int64_t i = 0; i < W.rows; ++i) column_sum += W(i, r);
    Matrix M(H.cols, H.cols);
    std::vector<double> c(static_cast<std::size_t>(H.cols));
    for (std::int64_t j = 0; j < H.cols; ++j) {
      c[j] = H(r, j) * numerator(r, j);
      for (std::int64_t l = 0; l < H.cols; ++l)
        M(j, l) = lambda * L(j, l) + (j == l ? column_sum : 0.0);
    }
    const std::vector<double> v = solve_dense(M, c);
    for (std::int64_t j = 0; j < H.cols; ++j) next(r, j) = std::max(v[j], 0.0);
  }
  H = next;
}

/// One GNMF iteration: W by the plain rule of the loss, then H by the paper's graph rule.
inline void graph_step(const Matrix& X, Matrix& W, Matrix& H, Loss loss, const Matrix& A,
                       double lambda) {
  if (loss == Loss::Frobenius) {
    update_w_frobenius(X, W, H);
    update_h_graph_frobenius(X, W, H, A, lambda);
  } else {
    update_w_kl(X, W, H);
    update_h_graph_kl(X, W, H, A, lambda);
  }
}

/// How the oracle's k-nearest-neighbour graph weighs an edge.
enum class Weighting { Binary, Heat, Cosine };

/// The symmetric affinity of X's columns (dense n × n): each column j's `neighbours` nearest other
/// columns by the Euclidean distance computed directly, or the largest cosines, ties to the lower
/// index; an edge found from either end; heat weights exp(−d²/σ²), σ² the mean d² over the
/// directed edges found.
inline Matrix knn_affinity(const Matrix& X, std::int64_t neighbours, Weighting weighting) {
  const std::int64_t n = X.cols;
  Matrix measure(n, n);  // squared distance, or cosine
  for (std::int64_t a = 0; a < n; ++a)
    for (std::int64_t b = 0; b < n; ++b) {
      double d2 = 0.0, dot = 0.0, na = 0.0, nb = 0.0;
      for (std::int64_t i = 0; i < X.rows; ++i) {
        d2 += (X(i, a) - X(i, b)) * (X(i, a) - X(i, b));
        dot += X(i, a) * X(i, b);
        na += X(i, a) * X(i, a);
        nb += X(i, b) * X(i, b);
      }
      measure(a, b) = weighting == Weighting::Cosine
                          ? (na > 0.0 && nb > 0.0 ? dot / std::sqrt(na * nb) : -2.0)
                          : d2;
    }
  std::vector<std::pair<std::int64_t, std::int64_t>> edges;
  double width = 0.0;
  for (std::int64_t a = 0; a < n; ++a) {
    std::vector<std::pair<double, std::int64_t>> others;
    for (std::int64_t b = 0; b < n; ++b) {
      if (b == a) continue;
      if (weighting == Weighting::Cosine && measure(a, b) < -1.5) continue;
      others.emplace_back(weighting == Weighting::Cosine ? -measure(a, b) : measure(a, b), b);
    }
    std::sort(others.begin(), others.end());
    for (std::size_t t = 0; t < others.size() && t < static_cast<std::size_t>(neighbours); ++t) {
      edges.emplace_back(a, others[t].second);
      width += measure(a, others[t].second);
    }
  }
  width = edges.empty() ? 1.0 : width / static_cast<double>(edges.size());
  Matrix A(n, n);
  for (const auto& [a, b] : edges) {
    const double m = measure(a, b);
    const double w = weighting == Weighting::Binary ? 1.0
                     : weighting == Weighting::Heat ? std::exp(-m / width)
                                                    : std::max(m, 0.0);
    A(a, b) = A(b, a) = w;
  }
  return A;
}

}  // namespace cunmf::reference
