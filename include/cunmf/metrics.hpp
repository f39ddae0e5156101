// Quality measures of a factorization, computed on the host.
#pragma once

#include <optional>

#include "matrix.hpp"
#include "sparse.hpp"

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

/// The β-divergence d_β(X | WH) (Options::loss = Loss::Beta): β = 2 is frobenius_loss, β = 1
/// kl_divergence, β = 0 Itakura–Saito Σ x/wh − log(x/wh) − 1, any other β
/// Σ (x^β + (β − 1)(wh)^β − β·x·(wh)^(β−1)) / (β(β − 1)); where x > 0, a wh below the solvers' ε
/// counts as ε. The loss history of a Beta run holds these values. Throws InvalidArgument when
/// the shapes do not match, β is not finite, X has a negative or non-finite entry, or β ≤ 0 and X
/// has a zero (where the divergence is infinite).
double beta_divergence(DenseView<const float> X, DenseView<const float> W, DenseView<const float> H,
                       double beta);
double beta_divergence(DenseView<const double> X, DenseView<const double> W,
                       DenseView<const double> H, double beta);

/// 1 − ‖X − WH‖²_F / ‖X − mean(X)‖²_F. Throws InvalidArgument when the shapes do not match or X is
/// constant.
double explained_variance(DenseView<const float> X, DenseView<const float> W,
                          DenseView<const float> H);
double explained_variance(DenseView<const double> X, DenseView<const double> W,
                          DenseView<const double> H);

/// Every measure of one factorization together, the fit's from one evaluation of the residual
/// (each function above evaluates it on its own). A measure that is undefined — the relative error
/// of an all-zero X, the explained variance of a constant X, the Hoyer sparsity of a factor with
/// one entry per column (or row) or all zeros — is empty. Throws InvalidArgument when the shapes
/// do not match.
struct FitQuality {
  std::optional<double> relative_error;      ///< ‖X − WH‖_F / ‖X‖_F
  std::optional<double> explained_variance;  ///< 1 − ‖X − WH‖²_F / ‖X − mean(X)‖²_F
  double kl_divergence = 0.0;                ///< generalized KL divergence of X from WH
  std::optional<double> hoyer_w;             ///< Hoyer sparsity of W's columns (hoyer_sparsity)
  std::optional<double> hoyer_h;             ///< Hoyer sparsity of H's rows
  double zeros_w = 0.0;                      ///< fraction of W's entries that are exactly 0
  double zeros_h = 0.0;                      ///< fraction of H's entries that are exactly 0
};
FitQuality fit_quality(DenseView<const float> X, DenseView<const float> W,
                       DenseView<const float> H);
FitQuality fit_quality(DenseView<const double> X, DenseView<const double> W,
                       DenseView<const double> H);

/// Hoyer sparsity (√p − ‖x‖₁/‖x‖₂)/(√p − 1) of each column x (p = rows), averaged over columns:
/// 1 for one non-zero per column, 0 for equal entries. All-zero columns have no sparsity and are
/// left out of the average. Throws InvalidArgument when rows < 2 or every column is zero.
double hoyer_sparsity(DenseView<const float> A);
double hoyer_sparsity(DenseView<const double> A);

/// Names T without letting it take part in template argument deduction (std::type_identity of
/// C++20).
template <class T>
struct TypeIdentity {
  using type = T;
};
/// A read-only view of a factor whose element type is deduced from X alone, so that a
/// DenseMatrix<T> converts to it in the sparse metrics below.
template <class T>
using FactorView = DenseView<const typename TypeIdentity<T>::type>;

/// The metrics above for a sparse CSR X (T = float or double, Index = std::int32_t or
/// std::int64_t), with W·H evaluated only at the non-zeros (the Frobenius forms through
/// ‖X‖² − 2⟨X, WH⟩ + tr((WᵀW)(HHᵀ)) in double). Throw InvalidArgument on a shape mismatch.
template <class T, class Index>
double relative_error(CsrView<const T, Index> X, FactorView<T> W, FactorView<T> H);
template <class T, class Index>
double frobenius_loss(CsrView<const T, Index> X, FactorView<T> W, FactorView<T> H);
template <class T, class Index>
double kl_divergence(CsrView<const T, Index> X, FactorView<T> W, FactorView<T> H);
template <class T, class Index>
double beta_divergence(CsrView<const T, Index> X, FactorView<T> W, FactorView<T> H, double beta);
template <class T, class Index>
double explained_variance(CsrView<const T, Index> X, FactorView<T> W, FactorView<T> H);
template <class T, class Index>
FitQuality fit_quality(CsrView<const T, Index> X, FactorView<T> W, FactorView<T> H);

}  // namespace cunmf
