// Validation, orientation and initial factors shared by the backends (see problem.hpp).
#include "problem.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <sstream>

#include "cunmf/errors.hpp"

namespace cunmf::detail {

namespace {

[[noreturn]] void invalid(const std::string& message) { throw InvalidArgument("cunmf: " + message); }

}  // namespace

void validate_options(const Options& options, std::int64_t m, std::int64_t n) {
  if (m <= 0 || n <= 0) {
    std::ostringstream s;
    s << "X is empty (" << m << " x " << n << "); it needs at least one row and one column";
    invalid(s.str());
  }
  if (options.rank < 1 || options.rank > std::min(m, n)) {
    std::ostringstream s;
    s << "rank " << options.rank << " is out of range: it must be between 1 and min(m, n) = "
      << std::min(m, n) << " for X of " << m << " x " << n;
    invalid(s.str());
  }
  if (options.max_iter < 0) invalid("max_iter must be >= 0, got " + std::to_string(options.max_iter));
  if (options.check_every < 1) {
    invalid("check_every must be >= 1, got " + std::to_string(options.check_every));
  }
  if (!(options.tol >= 0.0) || !std::isfinite(options.tol)) {
    invalid("tol must be finite and >= 0, got " + std::to_string(options.tol));
  }
}

void throw_invalid_entry(const char* what, double value, std::int64_t index, std::int64_t rows,
                         std::int64_t cols, Layout layout) {
  const std::int64_t row = layout == Layout::RowMajor ? index / cols : index % rows;
  const std::int64_t col = layout == Layout::RowMajor ? index % cols : index / rows;
  std::ostringstream s;
  s << what << "(" << row << ", " << col << ") = " << value << ": entries must be finite and >= 0"
    << (std::isnan(value) ? " (NaN)" : std::isinf(value) ? " (Inf)" : " (negative)");
  invalid(s.str());
}

template <class T>
void validate_nonnegative(DenseView<const T> A, const char* what) {
  if (A.data == nullptr && A.size() > 0) invalid(std::string(what) + " has a null data pointer");
  // Scan in storage order: the first offender of the scan is reported.
  const std::int64_t count = A.size();
  for (std::int64_t idx = 0; idx < count; ++idx) {
    const T v = A.data[idx];
    if (v >= T(0) && std::isfinite(v)) continue;
    throw_invalid_entry(what, static_cast<double>(v), idx, A.rows, A.cols, A.layout);
  }
}

template <class T>
void validate_shape(DenseView<const T> A, std::int64_t rows, std::int64_t cols, const char* what) {
  if (A.rows == rows && A.cols == cols) return;
  std::ostringstream s;
  s << what << " is " << A.rows << " x " << A.cols << " but must be " << rows << " x " << cols;
  invalid(s.str());
}

template <class T>
ColMajorProblem<T> make_problem(DenseView<const T> X, std::int64_t rank) {
  ColMajorProblem<T> p;
  p.x = X.data;
  p.k = rank;
  p.transposed = X.layout == Layout::RowMajor;
  p.M = p.transposed ? X.cols : X.rows;
  p.N = p.transposed ? X.rows : X.cols;
  return p;
}

template <class T>
ColMajorFactors<T> to_backend(const ColMajorProblem<T>& p, DenseView<const T> W,
                              DenseView<const T> H) {
  ColMajorFactors<T> f;
  f.w.resize(static_cast<std::size_t>(p.M * p.k));
  f.h.resize(static_cast<std::size_t>(p.k * p.N));
  // Not transposed: W_int = W (M=m), H_int = H. Transposed: W_int = Hᵀ (M=n), H_int = Wᵀ (N=m).
  for (std::int64_t r = 0; r < p.k; ++r) {
    for (std::int64_t i = 0; i < p.M; ++i) f.w[r * p.M + i] = p.transposed ? H(r, i) : W(i, r);
    for (std::int64_t j = 0; j < p.N; ++j) f.h[j * p.k + r] = p.transposed ? W(j, r) : H(r, j);
  }
  return f;
}

template <class T>
ColMajorFactors<T> random_factors(DenseView<const T> X, const ColMajorProblem<T>& p,
                                  std::uint64_t seed) {
  double sum = 0.0;
  for (std::int64_t idx = 0; idx < X.size(); ++idx) sum += static_cast<double>(X.data[idx]);
  return random_factors_from_mean(sum / static_cast<double>(X.size()), p, seed);
}

template <class T>
void random_user_factors(double mean, std::int64_t m, std::int64_t n, std::int64_t k,
                         std::uint64_t seed, DenseMatrix<T>& W, DenseMatrix<T>& H) {
  const double scale = std::sqrt(mean / static_cast<double>(k));
  // mt19937_64 is specified bit for bit; the conversion to [0, 1) is ours (the standard
  // distributions are implementation-defined), so a seed means the same factors everywhere.
  std::mt19937_64 engine(seed);
  auto draw = [&] { return static_cast<T>(scale * static_cast<double>(engine() >> 11) * 0x1p-53); };
  W = DenseMatrix<T>(m, k);
  H = DenseMatrix<T>(k, n);
  for (std::int64_t idx = 0; idx < W.size(); ++idx) W.data()[idx] = draw();
  for (std::int64_t idx = 0; idx < H.size(); ++idx) H.data()[idx] = draw();
}

template <class T>
ColMajorFactors<T> random_factors_from_mean(double mean, const ColMajorProblem<T>& p,
                                            std::uint64_t seed) {
  DenseMatrix<T> W, H;
  random_user_factors(mean, p.transposed ? p.N : p.M, p.transposed ? p.M : p.N, p.k, seed, W, H);
  return to_backend(p, W.view(), H.view());
}

template <class T>
void to_user(const ColMajorProblem<T>& p, ColMajorFactors<T>&& f, Result<T>& result) {
  const std::int64_t m = p.transposed ? p.N : p.M;
  const std::int64_t n = p.transposed ? p.M : p.N;
  result.W = DenseMatrix<T>(m, p.k);
  result.H = DenseMatrix<T>(p.k, n);
  if (p.transposed) {
    // H_int (k×N col-major) is W row-major; W_int (M×k col-major) is H row-major.
    std::memcpy(result.W.data(), f.h.data(), f.h.size() * sizeof(T));
    std::memcpy(result.H.data(), f.w.data(), f.w.size() * sizeof(T));
    return;
  }
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t r = 0; r < p.k; ++r) result.W(i, r) = f.w[r * m + i];
  for (std::int64_t j = 0; j < n; ++j)
    for (std::int64_t r = 0; r < p.k; ++r) result.H(r, j) = f.h[j * p.k + r];
}

#define CUNMF_INSTANTIATE_PROBLEM(T)                                                          \
  template void validate_nonnegative<T>(DenseView<const T>, const char*);                    \
  template void validate_shape<T>(DenseView<const T>, std::int64_t, std::int64_t,            \
                                  const char*);                                              \
  template ColMajorProblem<T> make_problem<T>(DenseView<const T>, std::int64_t);             \
  template ColMajorFactors<T> to_backend<T>(const ColMajorProblem<T>&, DenseView<const T>,   \
                                            DenseView<const T>);                             \
  template ColMajorFactors<T> random_factors<T>(DenseView<const T>, const ColMajorProblem<T>&, \
                                                std::uint64_t);                              \
  template void random_user_factors<T>(double, std::int64_t, std::int64_t, std::int64_t,       \
                                       std::uint64_t, DenseMatrix<T>&, DenseMatrix<T>&);       \
  template ColMajorFactors<T> random_factors_from_mean<T>(double, const ColMajorProblem<T>&,   \
                                                          std::uint64_t);                    \
  template void to_user<T>(const ColMajorProblem<T>&, ColMajorFactors<T>&&, Result<T>&);
CUNMF_INSTANTIATE_PROBLEM(float)
CUNMF_INSTANTIATE_PROBLEM(double)
#undef CUNMF_INSTANTIATE_PROBLEM

}  // namespace cunmf::detail
