// The public quality measures (metrics.hpp), computed on the host in double. The residual-based
// ones reuse the solver's orientation (problem.hpp) and its block routines (cpu/residual.hpp).
#include "cunmf/metrics.hpp"

#include "cpu/product.hpp"  // first: it configures Eigen

#include <cmath>
#include <cstdint>
#include <string>

#include "cpu/residual.hpp"
#include "cunmf/errors.hpp"
#include "problem.hpp"

namespace cunmf {

namespace {

[[noreturn]] void invalid(const std::string& message) {
  throw InvalidArgument("cunmf: " + message);
}

/// Throws InvalidArgument unless W·H has X's shape; `metric` names the caller in the message.
template <class T>
void validate_product_shapes(DenseView<const T> X, DenseView<const T> W, DenseView<const T> H,
                             const char* metric) {
  const auto shape = [](DenseView<const T> A) {
    return std::to_string(A.rows) + " x " + std::to_string(A.cols);
  };
  std::string problem;
  if (X.rows < 0 || X.cols < 0 || W.rows < 0 || W.cols < 0 || H.rows < 0 || H.cols < 0) {
    problem = "a matrix has a negative dimension";
  } else if (W.cols != H.rows) {
    problem = "W has " + std::to_string(W.cols) + " columns but H has " + std::to_string(H.rows) +
              " rows";
  } else if (W.rows != X.rows) {
    problem = "W has " + std::to_string(W.rows) + " rows but X has " + std::to_string(X.rows);
  } else if (H.cols != X.cols) {
    problem = "H has " + std::to_string(H.cols) + " columns but X has " + std::to_string(X.cols);
  } else {
    return;
  }
  invalid(std::string(metric) + ": shape mismatch: " + problem + " (X is " + shape(X) + ", W is " +
          shape(W) + ", H is " + shape(H) + ")");
}

/// X, W and H in the backend orientation (a row-major X is the column-major Xᵀ ≈ HᵀWᵀ), so that
/// X is mapped without a copy; only the small factors are copied.
template <class T>
struct Oriented {
  detail::ColMajorProblem<T> p;
  detail::ColMajorFactors<T> f;

  using Map = Eigen::Map<const cpu::Matrix<T>>;
  Map x() const { return Map(p.x, p.M, p.N); }
  Map w() const { return Map(f.w.data(), p.M, p.k); }
  Map h() const { return Map(f.h.data(), p.k, p.N); }
};

template <class T>
Oriented<T> orient(DenseView<const T> X, DenseView<const T> W, DenseView<const T> H,
                   const char* metric) {
  validate_product_shapes(X, W, H, metric);
  Oriented<T> o;
  o.p = detail::make_problem(X, W.cols);
  o.f = detail::to_backend(o.p, W, H);
  return o;
}

template <class T>
double squared_residual(DenseView<const T> X, DenseView<const T> W, DenseView<const T> H,
                        const char* metric) {
  const Oriented<T> o = orient(X, W, H, metric);
  return cpu::squared_residual<T>(o.x(), o.w(), o.h());
}

/// Σ x² over X, in double.
template <class T>
double squared_norm(DenseView<const T> X) {
  double sum = 0.0;
  for (std::int64_t idx = 0; idx < X.size(); ++idx) {
    const double x = static_cast<double>(X.data[idx]);
    sum += x * x;
  }
  return sum;
}

template <class T>
double relative_error_impl(DenseView<const T> X, DenseView<const T> W, DenseView<const T> H) {
  const double residual = squared_residual(X, W, H, "relative_error");
  const double norm = squared_norm(X);
  if (norm == 0.0) invalid("relative_error: X is all zero, so the relative error is undefined");
  return std::sqrt(residual / norm);
}

template <class T>
double kl_divergence_impl(DenseView<const T> X, DenseView<const T> W, DenseView<const T> H) {
  const Oriented<T> o = orient(X, W, H, "kl_divergence");
  return cpu::kl_divergence<T>(o.x(), o.w(), o.h());
}

template <class T>
double explained_variance_impl(DenseView<const T> X, DenseView<const T> W, DenseView<const T> H) {
  const double residual = squared_residual(X, W, H, "explained_variance");
  // Two passes (mean, then squared deviations): the one-pass Σx² − n·mean² cancels.
  double sum = 0.0;
  for (std::int64_t idx = 0; idx < X.size(); ++idx) sum += static_cast<double>(X.data[idx]);
  const double mean = sum / static_cast<double>(X.size());
  double total = 0.0;
  for (std::int64_t idx = 0; idx < X.size(); ++idx) {
    const double d = static_cast<double>(X.data[idx]) - mean;
    total += d * d;
  }
  if (!(total > 0.0)) {
    invalid("explained_variance: X is constant (or empty), so its variance is zero");
  }
  return 1.0 - residual / total;
}

template <class T>
double hoyer_sparsity_impl(DenseView<const T> A) {
  if (A.rows < 2) {
    invalid("hoyer_sparsity: A has " + std::to_string(A.rows) +
            " rows; the sparsity of a column needs at least 2");
  }
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
  if (counted == 0) invalid("hoyer_sparsity: every column of A is zero");
  return sum / static_cast<double>(counted);
}

}  // namespace

double relative_error(DenseView<const float> X, DenseView<const float> W,
                      DenseView<const float> H) {
  return relative_error_impl(X, W, H);
}
double relative_error(DenseView<const double> X, DenseView<const double> W,
                      DenseView<const double> H) {
  return relative_error_impl(X, W, H);
}

double frobenius_loss(DenseView<const float> X, DenseView<const float> W,
                      DenseView<const float> H) {
  return 0.5 * squared_residual(X, W, H, "frobenius_loss");
}
double frobenius_loss(DenseView<const double> X, DenseView<const double> W,
                      DenseView<const double> H) {
  return 0.5 * squared_residual(X, W, H, "frobenius_loss");
}

double kl_divergence(DenseView<const float> X, DenseView<const float> W, DenseView<const float> H) {
  return kl_divergence_impl(X, W, H);
}
double kl_divergence(DenseView<const double> X, DenseView<const double> W,
                     DenseView<const double> H) {
  return kl_divergence_impl(X, W, H);
}

double explained_variance(DenseView<const float> X, DenseView<const float> W,
                          DenseView<const float> H) {
  return explained_variance_impl(X, W, H);
}
double explained_variance(DenseView<const double> X, DenseView<const double> W,
                          DenseView<const double> H) {
  return explained_variance_impl(X, W, H);
}

double hoyer_sparsity(DenseView<const float> A) { return hoyer_sparsity_impl(A); }
double hoyer_sparsity(DenseView<const double> A) { return hoyer_sparsity_impl(A); }

}  // namespace cunmf
