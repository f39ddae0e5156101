// The textbook oracle of the multiplicative updates (DESIGN.md, "The math"; scikit-learn's
// NMF(solver="mu") rules): each update and loss written as plainly as possible, in double, with
// naive loops over a tiny row-major matrix type, dense only. It shares no code with src/ and
// includes only the public headers that define its input types, so that it can check the library.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "cunmf/matrix.hpp"
#include "cunmf/options.hpp"
#include "cunmf/sparse.hpp"

namespace cunmf::reference {

/// ε of the denominators and of KL's W·H: float32 machine epsilon (scikit-learn's EPSILON), in
/// float and double runs alike.
inline constexpr double kEpsilon = 1.1920928955078125e-07;

/// For KL (β ≤ 1), entries of H below this (float64 machine epsilon, also in float runs) are set
/// to 0 after each H update (scikit-learn's rule). W is not thresholded for KL.
inline constexpr double kKlThreshold = 2.220446049250313e-16;

/// A dense rows × cols matrix of doubles, row-major.
struct Matrix {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::vector<double> data;

  Matrix() = default;
  Matrix(std::int64_t r, std::int64_t c) : rows(r), cols(c), data(std::size_t(r * c), 0.0) {}
  double& operator()(std::int64_t i, std::int64_t j) { return data[std::size_t(i * cols + j)]; }
  double operator()(std::int64_t i, std::int64_t j) const {
    return data[std::size_t(i * cols + j)];
  }
};

/// A double copy of a dense view (either layout).
template <class T>
Matrix to_matrix(DenseView<const T> a) {
  Matrix out(a.rows, a.cols);
  for (std::int64_t i = 0; i < a.rows; ++i)
    for (std::int64_t j = 0; j < a.cols; ++j) out(i, j) = static_cast<double>(a(i, j));
  return out;
}

/// The dense double copy of a CSR matrix (entries not stored are 0).
template <class T, class Index>
Matrix densify(CsrView<const T, Index> a) {
  Matrix out(a.rows, a.cols);
  for (std::int64_t i = 0; i < a.rows; ++i)
    for (std::int64_t e = a.row_ptr[i]; e < a.row_ptr[i + 1]; ++e)
      out(i, std::int64_t(a.col_idx[e])) = static_cast<double>(a.values[e]);
  return out;
}

/// A · B.
inline Matrix multiply(const Matrix& a, const Matrix& b) {
  Matrix c(a.rows, b.cols);
  for (std::int64_t i = 0; i < a.rows; ++i)
    for (std::int64_t j = 0; j < b.cols; ++j) {
      double sum = 0.0;
      for (std::int64_t r = 0; r < a.cols; ++r) sum += a(i, r) * b(r, j);
      c(i, j) = sum;
    }
  return c;
}

/// Aᵀ.
inline Matrix transpose(const Matrix& a) {
  Matrix t(a.cols, a.rows);
  for (std::int64_t i = 0; i < a.rows; ++i)
    for (std::int64_t j = 0; j < a.cols; ++j) t(j, i) = a(i, j);
  return t;
}

/// A denominator: v, or ε when v is exactly 0.
inline double denominator(double v) { return v == 0.0 ? kEpsilon : v; }

/// a ← a ⊙ numerator ⊘ denominator, a zero denominator entry counting as ε.
inline void multiply_by_ratio(Matrix& a, const Matrix& numerator, const Matrix& denom) {
  for (std::size_t idx = 0; idx < a.data.size(); ++idx)
    a.data[idx] *= numerator.data[idx] / denominator(denom.data[idx]);
}

/// Frobenius: W ← W ⊙ (X Hᵀ) ⊘ (W (H Hᵀ)).
inline void update_w_frobenius(const Matrix& X, Matrix& W, const Matrix& H) {
  const Matrix Ht = transpose(H);
  multiply_by_ratio(W, multiply(X, Ht), multiply(W, multiply(H, Ht)));
}

/// Frobenius: H ← H ⊙ (Wᵀ X) ⊘ ((Wᵀ W) H).
inline void update_h_frobenius(const Matrix& X, const Matrix& W, Matrix& H) {
  const Matrix Wt = transpose(W);
  multiply_by_ratio(H, multiply(Wt, X), multiply(multiply(Wt, W), H));
}

/// KL's R = X ⊘ max(W H, ε), entry by entry.
inline Matrix kl_ratio(const Matrix& X, const Matrix& W, const Matrix& H) {
  const Matrix WH = multiply(W, H);
  Matrix R(X.rows, X.cols);
  for (std::size_t idx = 0; idx < R.data.size(); ++idx)
    R.data[idx] = X.data[idx] / std::max(WH.data[idx], kEpsilon);
  return R;
}

/// KL: W ← W ⊙ (R Hᵀ) ⊘ (1 Hᵀ); the denominator of W(i, r) is Σ_j H(r, j) (0 → ε).
inline void update_w_kl(const Matrix& X, Matrix& W, const Matrix& H) {
  const Matrix numerator = multiply(kl_ratio(X, W, H), transpose(H));
  for (std::int64_t i = 0; i < W.rows; ++i)
    for (std::int64_t r = 0; r < W.cols; ++r) {
      double h_sum = 0.0;
      for (std::int64_t j = 0; j < H.cols; ++j) h_sum += H(r, j);
      W(i, r) *= numerator(i, r) / denominator(h_sum);
    }
}

/// KL: H ← H ⊙ (Wᵀ R) ⊘ (Wᵀ 1); the denominator of H(r, j) is Σ_i W(i, r) (0 → ε). Without the
/// threshold (threshold_h applies it).
inline void update_h_kl(const Matrix& X, const Matrix& W, Matrix& H) {
  const Matrix numerator = multiply(transpose(W), kl_ratio(X, W, H));
  for (std::int64_t r = 0; r < H.rows; ++r)
    for (std::int64_t j = 0; j < H.cols; ++j) {
      double w_sum = 0.0;
      for (std::int64_t i = 0; i < W.rows; ++i) w_sum += W(i, r);
      H(r, j) *= numerator(r, j) / denominator(w_sum);
    }
}

/// KL's rule after the H update: entries below kKlThreshold become 0.
inline void threshold_h(Matrix& H) {
  for (double& h : H.data)
    if (h < kKlThreshold) h = 0.0;
}

/// One iteration: update W, then H (scikit-learn's order); for KL, then threshold H.
inline void step(const Matrix& X, Matrix& W, Matrix& H, Loss loss) {
  if (loss == Loss::Frobenius) {
    update_w_frobenius(X, W, H);
    update_h_frobenius(X, W, H);
  } else {
    update_w_kl(X, W, H);
    update_h_kl(X, W, H);
    threshold_h(H);
  }
}

/// ½‖X − W H‖²_F.
inline double frobenius_loss(const Matrix& X, const Matrix& W, const Matrix& H) {
  const Matrix WH = multiply(W, H);
  double sum = 0.0;
  for (std::size_t idx = 0; idx < X.data.size(); ++idx) {
    const double d = X.data[idx] - WH.data[idx];
    sum += d * d;
  }
  return 0.5 * sum;
}

/// Generalized KL: Σ x·log(x / max(wh, ε)) − x + wh; an entry with x = 0 contributes wh.
inline double kl_loss(const Matrix& X, const Matrix& W, const Matrix& H) {
  const Matrix WH = multiply(W, H);
  double sum = 0.0;
  for (std::size_t idx = 0; idx < X.data.size(); ++idx) {
    const double x = X.data[idx];
    const double wh = WH.data[idx];
    sum += x == 0.0 ? wh : x * std::log(x / std::max(wh, kEpsilon)) - x + wh;
  }
  return sum;
}

/// The loss `loss` of W H against X.
inline double loss_of(const Matrix& X, const Matrix& W, const Matrix& H, Loss loss) {
  return loss == Loss::Frobenius ? frobenius_loss(X, W, H) : kl_loss(X, W, H);
}

/// What run() returns.
struct Run {
  Matrix W;     ///< m × k after the iterations
  Matrix H;     ///< k × n after the iterations
  double loss;  ///< the loss of W H
};

/// `iterations` iterations of step() from W0, H0.
inline Run run(const Matrix& X, Matrix W0, Matrix H0, Loss loss, int iterations) {
  for (int it = 0; it < iterations; ++it) step(X, W0, H0, loss);
  const double final_loss = loss_of(X, W0, H0, loss);
  return {std::move(W0), std::move(H0), final_loss};
}

}  // namespace cunmf::reference
