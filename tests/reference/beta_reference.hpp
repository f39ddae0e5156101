// The textbook oracle of the β-divergence's multiplicative updates (Févotte & Idier, Neural
// Computation 2011, with scikit-learn's NMF(solver="mu", beta_loss=β) rules): the divergence and
// each update written from their definitions, in double, with naive loops over the oracle's dense
// matrices. It shares no code with src/.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>

#include "losses.hpp"
#include "matrix.hpp"
#include "mu_reference.hpp"
#include "penalties.hpp"

namespace cunmf::reference {

/// d_β(x | y) of one entry, from its definition: x/y − log(x/y) − 1 for β = 0, the generalized KL
/// for β = 1, (x − y)²/2 for β = 2, (x^β + (β − 1)y^β − βxy^(β−1)) / (β(β − 1)) otherwise. Where
/// x > 0 a y below ε counts as ε (the library's and scikit-learn's loss); x = 0 gives y^β/β (β >
/// 0).
inline double beta_divergence_term(double x, double y, double beta) {
  if (x == 0.0) return std::pow(std::max(y, 0.0), beta) / beta;
  y = std::max(y, kEpsilon);
  if (beta == 0.0) return x / y - std::log(x / y) - 1.0;
  if (beta == 1.0) return x * std::log(x / y) - x + y;
  return (std::pow(x, beta) + (beta - 1.0) * std::pow(y, beta) -
          beta * x * std::pow(y, beta - 1.0)) /
         (beta * (beta - 1.0));
}

/// d_β(X | W H), entry by entry.
inline double beta_loss(const Matrix& X, const Matrix& W, const Matrix& H, double beta) {
  const Matrix WH = multiply(W, H);
  double sum = 0.0;
  for (std::size_t idx = 0; idx < X.data.size(); ++idx)
    sum += beta_divergence_term(X.data[idx], WH.data[idx], beta);
  return sum;
}

/// The exponent γ(β) of the update (Févotte & Idier 2011): 1/(2 − β) below 1, 1/(β − 1) above 2.
inline double beta_exponent(double beta) {
  if (beta < 1.0) return 1.0 / (2.0 - beta);
  if (beta > 2.0) return 1.0 / (beta - 1.0);
  return 1.0;
}

/// W ← W ⊙ ((X ⊙ V^(β−2)) Hᵀ ⊘ (V^(β−1) Hᵀ + l1 + l2·W))^γ with V = W H; V is raised to ε before
/// a negative power (β < 2 in the numerator, β < 1 in the denominator) and a zero denominator is
/// ε. The H update is this one on the transposed problem.
inline void update_w_beta(const Matrix& X, Matrix& W, const Matrix& H, double beta, double l1 = 0.0,
                          double l2 = 0.0) {
  const Matrix V = multiply(W, H);
  Matrix numerator_weights(X.rows, X.cols), denominator_weights(X.rows, X.cols);
  for (std::size_t idx = 0; idx < V.data.size(); ++idx) {
    const double v = V.data[idx];
    numerator_weights.data[idx] =
        X.data[idx] * std::pow(beta < 2.0 ? std::max(v, kEpsilon) : v, beta - 2.0);
    denominator_weights.data[idx] = std::pow(beta < 1.0 ? std::max(v, kEpsilon) : v, beta - 1.0);
  }
  const Matrix Ht = transpose(H);
  const Matrix numerator = multiply(numerator_weights, Ht);
  const Matrix denom = multiply(denominator_weights, Ht);
  const double gamma = beta_exponent(beta);
  for (std::size_t idx = 0; idx < W.data.size(); ++idx) {
    const double ratio = numerator.data[idx] / denominator(denom.data[idx] + l1 + l2 * W.data[idx]);
    W.data[idx] *= std::pow(ratio, gamma);
  }
}

/// Entries below kKlThreshold (float64 epsilon) become 0 (scikit-learn: W for β < 1, H for β ≤ 1).
inline void threshold(Matrix& A) {
  for (double& a : A.data)
    if (a < kKlThreshold) a = 0.0;
}

/// One iteration: W, then H (scikit-learn's order), each thresholded where scikit-learn does.
inline void beta_step(const Matrix& X, Matrix& W, Matrix& H, double beta,
                      const Regularization& r = {}) {
  update_w_beta(X, W, H, beta, r.l1_w, r.l2_w);
  if (beta < 1.0) threshold(W);
  Matrix Ht = transpose(H);
  update_w_beta(transpose(X), Ht, transpose(W), beta, r.l1_h, r.l2_h);
  H = transpose(Ht);
  if (beta <= 1.0) threshold(H);
}

/// `iterations` iterations of beta_step from W0, H0, and the divergence at the end.
inline Run run_beta(const Matrix& X, Matrix W0, Matrix H0, double beta, int iterations) {
  for (int it = 0; it < iterations; ++it) beta_step(X, W0, H0, beta);
  const double final_loss = beta_loss(X, W0, H0, beta);
  return {std::move(W0), std::move(H0), final_loss};
}

}  // namespace cunmf::reference
