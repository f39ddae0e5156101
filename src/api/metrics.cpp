// The public quality measures (cunmf/metrics.hpp), on the host in double. The losses are the CPU
// backend's loss primitive, so the solvers' histories and these metrics agree to the last bit.
#include "../cpu/backend.hpp"  // first: it configures Eigen

#include <cmath>
#include <optional>
#include <string>

#include "../core/divergence.hpp"
#include "../core/expects.hpp"
#include "../core/host_factors.hpp"
#include "../core/validation.hpp"
#include "cunmf/metrics.hpp"

namespace cunmf {

namespace {

/// Throws InvalidArgument unless W (m × k) · H (k × n) has X's shape; `metric` names the caller.
template <class T>
void validate_product_shapes(std::int64_t m, std::int64_t n, DenseView<const T> W,
                             DenseView<const T> H, const char* metric) {
  const auto shape = [](std::int64_t r, std::int64_t c) {
    return std::to_string(r) + " x " + std::to_string(c);
  };
  std::string problem;
  if (m < 0 || n < 0 || W.rows < 0 || W.cols < 0 || H.rows < 0 || H.cols < 0) {
    problem = "a matrix has a negative dimension";
  } else if (W.cols != H.rows) {
    problem = "W has " + std::to_string(W.cols) + " columns but H has " + std::to_string(H.rows) +
              " rows";
  } else if (W.rows != m) {
    problem = "W has " + std::to_string(W.rows) + " rows but X has " + std::to_string(m);
  } else if (H.cols != n) {
    problem = "H has " + std::to_string(H.cols) + " columns but X has " + std::to_string(n);
  }
  CUNMF_EXPECTS(problem.empty(), std::string(metric) + ": shape mismatch: " + problem + " (X is " +
                                     shape(m, n) + ", W is " + shape(W.rows, W.cols) + ", H is " +
                                     shape(H.rows, H.cols) + ")");
}

constexpr detail::Divergence kFrobenius{Loss::Frobenius, 2.0};
constexpr detail::Divergence kKullbackLeibler{Loss::KullbackLeibler, 1.0};

/// The β-divergence of `beta` (checked finite; for β ≤ 0 X must be positive).
template <class XView>
detail::Divergence checked_divergence(XView X, double beta) {
  CUNMF_EXPECTS(std::isfinite(beta),
                "beta_divergence: beta must be finite, got " + std::to_string(beta));
  Options options;
  options.loss = Loss::Beta;
  options.beta = beta;
  detail::validate_divergence_domain(X, options);
  return detail::divergence_of(options);
}

/// The loss of X ≈ W·H by the CPU backend's loss primitive.
template <class T, class Index>
double loss_of(detail::Divergence loss, const detail::Operand<T, Index>& X, DenseView<const T> W,
               DenseView<const T> H, const char* metric) {
  validate_product_shapes(X.rows(), X.cols(), W, H, metric);
  using Backend = cpu::Backend<T>;
  const detail::HostFactors<T> f = detail::factors_from(W, H);
  return Backend().loss(loss, X, Backend::from_column_major(f.w.data(), f.m, f.k),
                        Backend::from_column_major(f.ht.data(), f.n, f.k));
}

/// The operand of a dense X.
template <class T>
detail::Operand<T> operand_of(DenseView<const T> X) {
  return detail::Operand<T>::dense(X.data, X.rows, X.cols, X.layout);
}

/// ‖X − mean(X)‖²_F over all m·n entries, in two passes (mean first; the one-pass
/// Σx² − (Σx)²/N cancels catastrophically when the mean is large against the spread). Entries
/// not stored (CSR zeros) each contribute mean².
template <class T>
double centered_squares(const T* values, std::int64_t count, double entries) {
  const double sum = cpu::lane_sum(count, [values](std::int64_t i) { return double(values[i]); });
  const double mean = sum / entries;
  const double total = cpu::lane_sum(count, [values, mean](std::int64_t i) {
    const double d = static_cast<double>(values[i]) - mean;
    return d * d;
  });
  return total + (entries - static_cast<double>(count)) * mean * mean;
}

/// The relative error and the explained variance from one residual ‖X − WH‖²_F, each empty where
/// it is undefined (X all zero; X constant).
template <class T, class Index>
FitQuality fit_of(const detail::Operand<T, Index>& X, const T* values, std::int64_t count,
                  DenseView<const T> W, DenseView<const T> H, const char* metric) {
  const double residual = 2.0 * loss_of(kFrobenius, X, W, H, metric);
  FitQuality quality;
  const double norm = cpu::squared_norm(values, count);
  if (norm > 0.0) quality.relative_error = std::sqrt(residual / norm);
  const double entries = static_cast<double>(X.rows()) * static_cast<double>(X.cols());
  const double total = centered_squares(values, count, entries);
  if (total > 0.0) quality.explained_variance = 1.0 - residual / total;
  return quality;
}

template <class T, class Index>
double relative_error_of(const detail::Operand<T, Index>& X, const T* values, std::int64_t count,
                         DenseView<const T> W, DenseView<const T> H) {
  const FitQuality fit = fit_of(X, values, count, W, H, "relative_error");
  CUNMF_EXPECTS(fit.relative_error.has_value(),
                "relative_error: X is all zero, so the relative error is undefined");
  return *fit.relative_error;
}

template <class T, class Index>
double explained_variance_of(const detail::Operand<T, Index>& X, const T* values,
                             std::int64_t count, DenseView<const T> W, DenseView<const T> H) {
  const FitQuality fit = fit_of(X, values, count, W, H, "explained_variance");
  CUNMF_EXPECTS(fit.explained_variance.has_value(),
                "explained_variance: X is constant (or empty), so its variance is zero");
  return *fit.explained_variance;
}

/// The Hoyer sparsity of A's columns, or empty when it is undefined (fewer than 2 rows, every
/// column zero).
template <class T>
std::optional<double> hoyer_or_empty(DenseView<const T> A) {
  if (A.rows < 2) return std::nullopt;
  const double sqrt_p = std::sqrt(static_cast<double>(A.rows));
  double sum = 0.0;
  std::int64_t counted = 0;
  for (std::int64_t j = 0; j < A.cols; ++j) {
    double l1 = 0.0;
    double l2_squared = 0.0;
    for (std::int64_t i = 0; i < A.rows; ++i) {
      const double a = static_cast<double>(A(i, j));
      l1 += std::abs(a);
      l2_squared += a * a;
    }
    if (l2_squared == 0.0) continue;  // an all-zero column has no sparsity to speak of
    sum += (sqrt_p - l1 / std::sqrt(l2_squared)) / (sqrt_p - 1.0);
    ++counted;
  }
  if (counted == 0) return std::nullopt;
  return sum / static_cast<double>(counted);
}

template <class T>
double hoyer_sparsity_of(DenseView<const T> A) {
  CUNMF_EXPECTS(A.rows >= 2, "hoyer_sparsity: A has " + std::to_string(A.rows) +
                                 " rows; the sparsity of a column needs at least 2");
  const std::optional<double> sparsity = hoyer_or_empty(A);
  CUNMF_EXPECTS(sparsity.has_value(), "hoyer_sparsity: every column of A is zero");
  return *sparsity;
}

/// The fraction of A's entries that are exactly 0 (0 for an empty A).
template <class T>
double zero_fraction(DenseView<const T> A) {
  std::int64_t zeros = 0;
  for (std::int64_t idx = 0; idx < A.size(); ++idx) zeros += A.data[idx] == T(0);
  return A.size() > 0 ? static_cast<double>(zeros) / static_cast<double>(A.size()) : 0.0;
}

/// Every measure of FitQuality: the fit's from one residual, the KL divergence, and the sparsity
/// of the factors (H's rows as the columns of the transposed view of H).
template <class T, class Index>
FitQuality fit_quality_of(const detail::Operand<T, Index>& X, const T* values, std::int64_t count,
                          DenseView<const T> W, DenseView<const T> H) {
  FitQuality quality = fit_of(X, values, count, W, H, "fit_quality");
  quality.kl_divergence = loss_of(kKullbackLeibler, X, W, H, "fit_quality");
  const DenseView<const T> Ht{H.data, H.cols, H.rows,
                              H.layout == Layout::RowMajor ? Layout::ColMajor : Layout::RowMajor};
  quality.hoyer_w = hoyer_or_empty(W);
  quality.hoyer_h = hoyer_or_empty(Ht);
  quality.zeros_w = zero_fraction(W);
  quality.zeros_h = zero_fraction(H);
  return quality;
}

/// The sparse operand of X; its transpose slot holds X itself, which the losses never read.
template <class T, class Index>
detail::Operand<T, Index> operand_of(CsrView<const T, Index> X, const char* metric) {
  detail::validate_csr(X, metric);
  return detail::Operand<T, Index>::sparse(detail::arrays_of(X), detail::arrays_of(X));
}

}  // namespace

#define CUNMF_DENSE_METRICS(T)                                                                  \
  double relative_error(DenseView<const T> X, DenseView<const T> W, DenseView<const T> H) {     \
    return relative_error_of(operand_of(X), X.data, X.size(), W, H);                            \
  }                                                                                             \
  double frobenius_loss(DenseView<const T> X, DenseView<const T> W, DenseView<const T> H) {     \
    return loss_of(kFrobenius, operand_of(X), W, H, "frobenius_loss");                          \
  }                                                                                             \
  double kl_divergence(DenseView<const T> X, DenseView<const T> W, DenseView<const T> H) {      \
    return loss_of(kKullbackLeibler, operand_of(X), W, H, "kl_divergence");                     \
  }                                                                                             \
  double explained_variance(DenseView<const T> X, DenseView<const T> W, DenseView<const T> H) { \
    return explained_variance_of(operand_of(X), X.data, X.size(), W, H);                        \
  }                                                                                             \
  FitQuality fit_quality(DenseView<const T> X, DenseView<const T> W, DenseView<const T> H) {    \
    return fit_quality_of(operand_of(X), X.data, X.size(), W, H);                               \
  }                                                                                             \
  double beta_divergence(DenseView<const T> X, DenseView<const T> W, DenseView<const T> H,      \
                         double beta) {                                                         \
    detail::validate_nonnegative(X, "X");                                                       \
    return loss_of(checked_divergence(X, beta), operand_of(X), W, H, "beta_divergence");        \
  }                                                                                             \
  double hoyer_sparsity(DenseView<const T> A) { return hoyer_sparsity_of(A); }
CUNMF_DENSE_METRICS(float)
CUNMF_DENSE_METRICS(double)
#undef CUNMF_DENSE_METRICS

template <class T, class Index>
double relative_error(CsrView<const T, Index> X, FactorView<T> W, FactorView<T> H) {
  return relative_error_of(operand_of(X, "X"), X.values, X.nnz, W, H);
}
template <class T, class Index>
double frobenius_loss(CsrView<const T, Index> X, FactorView<T> W, FactorView<T> H) {
  return loss_of(kFrobenius, operand_of(X, "X"), W, H, "frobenius_loss");
}
template <class T, class Index>
double kl_divergence(CsrView<const T, Index> X, FactorView<T> W, FactorView<T> H) {
  return loss_of(kKullbackLeibler, operand_of(X, "X"), W, H, "kl_divergence");
}
template <class T, class Index>
double beta_divergence(CsrView<const T, Index> X, FactorView<T> W, FactorView<T> H, double beta) {
  const detail::Operand<T, Index> operand = operand_of(X, "X");
  return loss_of(checked_divergence(X, beta), operand, W, H, "beta_divergence");
}
template <class T, class Index>
double explained_variance(CsrView<const T, Index> X, FactorView<T> W, FactorView<T> H) {
  return explained_variance_of(operand_of(X, "X"), X.values, X.nnz, W, H);
}

template <class T, class Index>
FitQuality fit_quality(CsrView<const T, Index> X, FactorView<T> W, FactorView<T> H) {
  return fit_quality_of(operand_of(X, "X"), X.values, X.nnz, W, H);
}

#define CUNMF_INSTANTIATE_CSR_METRICS(T, Index)                                                    \
  template double relative_error<T, Index>(CsrView<const T, Index>, FactorView<T>, FactorView<T>); \
  template double frobenius_loss<T, Index>(CsrView<const T, Index>, FactorView<T>, FactorView<T>); \
  template double kl_divergence<T, Index>(CsrView<const T, Index>, FactorView<T>, FactorView<T>);  \
  template double beta_divergence<T, Index>(CsrView<const T, Index>, FactorView<T>, FactorView<T>, \
                                            double);                                               \
  template double explained_variance<T, Index>(CsrView<const T, Index>, FactorView<T>,             \
                                               FactorView<T>);                                     \
  template FitQuality fit_quality<T, Index>(CsrView<const T, Index>, FactorView<T>, FactorView<T>);
CUNMF_INSTANTIATE_CSR_METRICS(float, std::int32_t)
CUNMF_INSTANTIATE_CSR_METRICS(float, std::int64_t)
CUNMF_INSTANTIATE_CSR_METRICS(double, std::int32_t)
CUNMF_INSTANTIATE_CSR_METRICS(double, std::int64_t)
#undef CUNMF_INSTANTIATE_CSR_METRICS

}  // namespace cunmf
