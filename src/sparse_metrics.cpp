// The metrics of include/cunmf/metrics.hpp for a CSR X, evaluated only at its non-zeros.
#include "cpu/sparse_residual.hpp"  // first: it configures Eigen

#include <cmath>
#include <string>

#include "cunmf/errors.hpp"
#include "cunmf/metrics.hpp"
#include "problem.hpp"

namespace cunmf {

namespace {

/// W (m×k, row-major) and H (k×n, column-major) in double: the sparse orientation.
struct DoubleFactors {
  cpu::RowMajorMatrix<double> w;
  cpu::Matrix<double> h;
};

template <class T, class Index>
DoubleFactors checked_factors(CsrView<const T, Index> X, DenseView<const T> W,
                              DenseView<const T> H) {
  detail::validate_shape(W, X.rows, W.cols, "W");
  detail::validate_shape(H, W.cols, X.cols, "H");
  DoubleFactors f{cpu::RowMajorMatrix<double>(W.rows, W.cols), cpu::Matrix<double>(H.rows, H.cols)};
  for (std::int64_t i = 0; i < W.rows; ++i)
    for (std::int64_t r = 0; r < W.cols; ++r) f.w(i, r) = static_cast<double>(W(i, r));
  for (std::int64_t r = 0; r < H.rows; ++r)
    for (std::int64_t j = 0; j < H.cols; ++j) f.h(r, j) = static_cast<double>(H(r, j));
  return f;
}

}  // namespace

template <class T, class Index>
double frobenius_loss(CsrView<const T, Index> X, detail::NonDeducedView<T> W,
                      detail::NonDeducedView<T> H) {
  const DoubleFactors f = checked_factors(X, W, H);
  return 0.5 * cpu::sparse_squared_residual(X, f.w, f.h, cpu::squared_norm(X));
}

template <class T, class Index>
double relative_error(CsrView<const T, Index> X, detail::NonDeducedView<T> W,
                      detail::NonDeducedView<T> H) {
  const DoubleFactors f = checked_factors(X, W, H);
  const double x_norm2 = cpu::squared_norm(X);
  if (x_norm2 == 0.0) throw InvalidArgument("cunmf: relative_error: X is all zero");
  return std::sqrt(cpu::sparse_squared_residual(X, f.w, f.h, x_norm2) / x_norm2);
}

template <class T, class Index>
double kl_divergence(CsrView<const T, Index> X, detail::NonDeducedView<T> W,
                     detail::NonDeducedView<T> H) {
  const DoubleFactors f = checked_factors(X, W, H);
  return cpu::sparse_kl_divergence(X, f.w, f.h);
}

template <class T, class Index>
double explained_variance(CsrView<const T, Index> X, detail::NonDeducedView<T> W,
                          detail::NonDeducedView<T> H) {
  const DoubleFactors f = checked_factors(X, W, H);
  const double x_norm2 = cpu::squared_norm(X);
  double sum = 0.0;
  for (std::int64_t e = 0; e < X.nnz; ++e) sum += static_cast<double>(X.values[e]);
  const double entries = static_cast<double>(X.rows) * static_cast<double>(X.cols);
  // ‖X − mean‖² over all entries, zeros included.
  const double centered = x_norm2 - sum * sum / entries;
  if (!(centered > 0.0)) throw InvalidArgument("cunmf: explained_variance: X is constant");
  return 1.0 - cpu::sparse_squared_residual(X, f.w, f.h, x_norm2) / centered;
}

#define CUNMF_INSTANTIATE_SPARSE_METRICS(T, Index)                                                 \
  template double relative_error<T, Index>(CsrView<const T, Index>, detail::NonDeducedView<T>,     \
                                           detail::NonDeducedView<T>);                             \
  template double frobenius_loss<T, Index>(CsrView<const T, Index>, detail::NonDeducedView<T>,     \
                                           detail::NonDeducedView<T>);                             \
  template double kl_divergence<T, Index>(CsrView<const T, Index>, detail::NonDeducedView<T>,      \
                                          detail::NonDeducedView<T>);                              \
  template double explained_variance<T, Index>(CsrView<const T, Index>, detail::NonDeducedView<T>, \
                                               detail::NonDeducedView<T>);
CUNMF_INSTANTIATE_SPARSE_METRICS(float, std::int32_t)
CUNMF_INSTANTIATE_SPARSE_METRICS(float, std::int64_t)
CUNMF_INSTANTIATE_SPARSE_METRICS(double, std::int32_t)
CUNMF_INSTANTIATE_SPARSE_METRICS(double, std::int64_t)
#undef CUNMF_INSTANTIATE_SPARSE_METRICS

}  // namespace cunmf
