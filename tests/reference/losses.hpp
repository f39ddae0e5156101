// The textbook oracle's losses (tests/reference/), written as plainly as possible in double, and
// what a run of the oracle returns.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "cunmf/options.hpp"
#include "matrix.hpp"

namespace cunmf::reference {

/// ε of the denominators and of KL's W·H: float32 machine epsilon (scikit-learn's EPSILON), in
/// float and double runs alike.
inline constexpr double kEpsilon = 1.1920928955078125e-07;

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

/// What a run of the oracle returns.
struct Run {
  Matrix W;     ///< m × k after the iterations
  Matrix H;     ///< k × n after the iterations
  double loss;  ///< the loss of W H
};

}  // namespace cunmf::reference
