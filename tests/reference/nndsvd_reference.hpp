// The textbook oracle of NNDSVD initialization (Boutsidis & Gallopoulos 2008, as scikit-learn's
// _initialize_nmf writes it): from the exact SVD of a small dense X (Eigen's JacobiSVD), in
// double, with plain loops. Shares no code with src/.
#pragma once

#include <Eigen/SVD>
#include <cmath>
#include <cstdint>
#include <utility>

#include "cunmf/matrix.hpp"

namespace cunmf::reference {

/// NNDSVD's W (m × k) and H (k × n) of X, entries below 1e-6 set to 0 (scikit-learn's eps).
inline std::pair<DenseMatrix<double>, DenseMatrix<double>> nndsvd(const DenseMatrix<double>& X,
                                                                  std::int64_t k) {
  Eigen::MatrixXd A(X.rows(), X.cols());
  for (std::int64_t i = 0; i < X.rows(); ++i)
    for (std::int64_t j = 0; j < X.cols(); ++j) A(i, j) = X(i, j);
  const Eigen::JacobiSVD<Eigen::MatrixXd> svd(A, Eigen::ComputeThinU | Eigen::ComputeThinV);
  const Eigen::MatrixXd& U = svd.matrixU();
  const Eigen::MatrixXd& V = svd.matrixV();
  const Eigen::VectorXd& s = svd.singularValues();
  DenseMatrix<double> W(X.rows(), k), H(k, X.cols());
  for (std::int64_t j = 0; j < k; ++j) {
    double xp = 0, xn = 0, yp = 0, yn = 0;  // squared norms of the parts
    for (std::int64_t i = 0; i < X.rows(); ++i) (U(i, j) > 0 ? xp : xn) += U(i, j) * U(i, j);
    for (std::int64_t i = 0; i < X.cols(); ++i) (V(i, j) > 0 ? yp : yn) += V(i, j) * V(i, j);
    xp = std::sqrt(xp), xn = std::sqrt(xn), yp = std::sqrt(yp), yn = std::sqrt(yn);
    // The first pair is taken in absolute value; later ones by their dominant parts.
    const bool first = j == 0;
    const bool positive = xp * yp > xn * yn;
    const double sigma = first ? 1.0 : (positive ? xp * yp : xn * yn);
    const double lambda = std::sqrt(s(j) * sigma);
    for (std::int64_t i = 0; i < X.rows(); ++i) {
      const double u = U(i, j);
      const double part = first ? std::abs(u) : positive ? std::max(u, 0.0) / xp
                                                         : std::max(-u, 0.0) / xn;
      W(i, j) = lambda * part;
    }
    for (std::int64_t i = 0; i < X.cols(); ++i) {
      const double v = V(i, j);
      const double part = first ? std::abs(v) : positive ? std::max(v, 0.0) / yp
                                                         : std::max(-v, 0.0) / yn;
      H(j, i) = lambda * part;
    }
  }
  for (std::int64_t idx = 0; idx < W.size(); ++idx) W.data()[idx] *= W.data()[idx] >= 1e-6;
  for (std::int64_t idx = 0; idx < H.size(); ++idx) H.data()[idx] *= H.data()[idx] >= 1e-6;
  return {W, H};
}

}  // namespace cunmf::reference
