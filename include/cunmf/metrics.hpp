// Quality measures of a factorization, computed on the host.
#pragma once

#include "matrix.hpp"

namespace cunmf {

/// ‖X − WH‖_F / ‖X‖_F. Throws InvalidArgument when the shapes do not match or X is all zero.
double relative_error(DenseView<const float> X, DenseView<const float> W, DenseView<const float> H);
double relative_error(DenseView<const double> X, DenseView<const double> W,
                      DenseView<const double> H);

/// ½‖X − WH‖²_F. Throws InvalidArgument when the shapes do not match.
double frobenius_loss(DenseView<const float> X, DenseView<const float> W, DenseView<const float> H);
double frobenius_loss(DenseView<const double> X, DenseView<const double> W,
                      DenseView<const double> H);

/// Generalized KL divergence Σ x·log(x / wh) − x + wh (a term with x = 0 is wh; a wh of exactly 0
/// is replaced by the solvers' ε). Throws InvalidArgument when the shapes do not match.
double kl_divergence(DenseView<const float> X, DenseView<const float> W, DenseView<const float> H);
double kl_divergence(DenseView<const double> X, DenseView<const double> W,
                     DenseView<const double> H);

/// 1 − ‖X − WH‖²_F / ‖X − mean(X)‖²_F. Throws InvalidArgument when the shapes do not match or X is
/// constant.
double explained_variance(DenseView<const float> X, DenseView<const float> W,
                          DenseView<const float> H);
double explained_variance(DenseView<const double> X, DenseView<const double> W,
                          DenseView<const double> H);

/// Hoyer sparsity (√p − ‖x‖₁/‖x‖₂)/(√p − 1) of each column x (p = rows), averaged over columns:
/// 1 for one non-zero per column, 0 for equal entries. All-zero columns have no sparsity and are
/// left out of the average. Throws InvalidArgument when rows < 2 or every column is zero.
double hoyer_sparsity(DenseView<const float> A);
double hoyer_sparsity(DenseView<const double> A);

}  // namespace cunmf
