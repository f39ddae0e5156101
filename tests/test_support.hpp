// Helpers shared by the CPU and GPU tests: seeded random matrices, planted low-rank products,
// matrices in either layout, relative differences and sanity checks. Everything here is computed
// with plain loops in double, independently of the library's Eigen code, so it can check it.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "cunmf/matrix.hpp"

namespace cunmf::test {

/// An owning matrix in either layout, so that a test can hand the library both storage orders.
template <class T>
struct HostMatrix {
  std::vector<T> data;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  Layout layout = Layout::RowMajor;

  /// A read-only view of the matrix.
  DenseView<const T> view() const { return {data.data(), rows, cols, layout}; }
  operator DenseView<const T>() const { return view(); }
  /// A mutable view of the matrix.
  DenseView<T> mutable_view() { return {data.data(), rows, cols, layout}; }
};

/// A copy of A stored in `layout`.
template <class T>
HostMatrix<T> with_layout(DenseView<const T> A, Layout layout) {
  HostMatrix<T> out{std::vector<T>(static_cast<std::size_t>(A.size())), A.rows, A.cols, layout};
  const DenseView<T> dst = out.mutable_view();
  for (std::int64_t i = 0; i < A.rows; ++i)
    for (std::int64_t j = 0; j < A.cols; ++j) dst(i, j) = A(i, j);
  return out;
}

/// A rows × cols row-major matrix of entries uniform in [low, high), from `seed`. The conversion
/// from mt19937_64 (specified bit for bit) is ours, so a seed gives the same matrix everywhere.
template <class T>
DenseMatrix<T> random_matrix(std::int64_t rows, std::int64_t cols, std::uint64_t seed,
                             double low = 0.0, double high = 1.0) {
  std::mt19937_64 engine(seed);
  DenseMatrix<T> A(rows, cols);
  for (std::int64_t idx = 0; idx < A.size(); ++idx) {
    const double u = static_cast<double>(engine() >> 11) * 0x1p-53;
    A.data()[idx] = static_cast<T>(low + (high - low) * u);
  }
  return A;
}

/// W·H (m×k times k×n, either layout) as a row-major m × n matrix, accumulated in double.
template <class T>
DenseMatrix<double> product(DenseView<const T> W, DenseView<const T> H) {
  DenseMatrix<double> P(W.rows, H.cols);
  for (std::int64_t i = 0; i < W.rows; ++i)
    for (std::int64_t j = 0; j < H.cols; ++j) {
      double sum = 0.0;
      for (std::int64_t r = 0; r < W.cols; ++r)
        sum += static_cast<double>(W(i, r)) * static_cast<double>(H(r, j));
      P(i, j) = sum;
    }
  return P;
}

/// X = W·H (W: m×k, H: k×n, either layout) with multiplicative noise: each entry is
/// wh·(1 + √3·relative_noise·u), u uniform in [−1, 1) from `seed`, so X stays non-negative (for
/// relative_noise < 1/√3) and ‖X − WH‖_F / ‖WH‖_F ≈ relative_noise. Row-major m × n.
template <class T>
DenseMatrix<T> planted_matrix(DenseView<const T> W, DenseView<const T> H, double relative_noise,
                              std::uint64_t seed) {
  const DenseMatrix<double> P = product(W, H);
  const DenseMatrix<double> U = random_matrix<double>(P.rows(), P.cols(), seed, -1.0, 1.0);
  DenseMatrix<T> X(P.rows(), P.cols());
  for (std::int64_t idx = 0; idx < P.size(); ++idx) {
    const double x = P.data()[idx] * (1.0 + std::sqrt(3.0) * relative_noise * U.data()[idx]);
    X.data()[idx] = static_cast<T>(std::max(x, 0.0));
  }
  return X;
}

/// The same for owning W and H.
template <class T>
DenseMatrix<T> planted_matrix(const DenseMatrix<T>& W, const DenseMatrix<T>& H,
                              double relative_noise, std::uint64_t seed) {
  return planted_matrix(W.view(), H.view(), relative_noise, seed);
}

/// A planted factor: entries uniform in [0.1, 1.1) from `seed`, so that none is nearly zero, except
/// that each is 0 with probability `zero_fraction` (parts-based factors, NMF's typical data; their
/// columns are far less alike than all-positive ones, so the problem is well conditioned).
template <class T>
DenseMatrix<T> planted_factor(std::int64_t rows, std::int64_t cols, std::uint64_t seed,
                              double zero_fraction) {
  DenseMatrix<T> F = random_matrix<T>(rows, cols, seed, 0.1, 1.1);
  if (zero_fraction <= 0.0) return F;
  const DenseMatrix<double> U = random_matrix<double>(rows, cols, seed + 1000);
  for (std::int64_t idx = 0; idx < F.size(); ++idx)
    if (U.data()[idx] < zero_fraction) F.data()[idx] = T(0);
  return F;
}

/// An m × n matrix of rank k (plus noise, as above): W (m×k) and H (k×n) are planted factors
/// (above) from `seed` and `seed + 1`.
template <class T>
DenseMatrix<T> planted_matrix(std::int64_t m, std::int64_t n, std::int64_t k, double relative_noise,
                              std::uint64_t seed, double zero_fraction = 0.0) {
  return planted_matrix(planted_factor<T>(m, k, seed, zero_fraction),
                        planted_factor<T>(k, n, seed + 1, zero_fraction), relative_noise, seed + 2);
}

/// ‖A − B‖_F / ‖B‖_F (just ‖A − B‖_F when B is zero), in double; A and B may differ in layout
/// and element type. A shape mismatch fails the test and returns infinity.
template <class TA, class TB>
double relative_difference(DenseView<const TA> A, DenseView<const TB> B) {
  if (A.rows != B.rows || A.cols != B.cols) {
    ADD_FAILURE() << "relative_difference: " << A.rows << " x " << A.cols << " vs " << B.rows
                  << " x " << B.cols;
    return INFINITY;
  }
  double diff = 0.0;
  double norm = 0.0;
  for (std::int64_t i = 0; i < A.rows; ++i)
    for (std::int64_t j = 0; j < A.cols; ++j) {
      const double b = static_cast<double>(B(i, j));
      const double d = static_cast<double>(A(i, j)) - b;
      diff += d * d;
      norm += b * b;
    }
  return norm > 0.0 ? std::sqrt(diff / norm) : std::sqrt(diff);
}

/// The same for owning matrices.
template <class TA, class TB>
double relative_difference(const DenseMatrix<TA>& A, const DenseMatrix<TB>& B) {
  return relative_difference(A.view(), B.view());
}

/// ‖X − W·H‖_F / ‖X‖_F computed with plain loops in double.
template <class T>
double reconstruction_error(DenseView<const T> X, DenseView<const T> W, DenseView<const T> H) {
  const DenseMatrix<double> P = product(W, H);
  return relative_difference(P.view(), X);
}

/// Success when every entry of A is finite and ≥ 0; otherwise names the first entry that is not.
template <class T>
::testing::AssertionResult all_finite_nonnegative(DenseView<const T> A) {
  for (std::int64_t i = 0; i < A.rows; ++i)
    for (std::int64_t j = 0; j < A.cols; ++j) {
      const T v = A(i, j);
      if (!std::isfinite(v) || v < T(0)) {
        return ::testing::AssertionFailure() << "entry (" << i << ", " << j << ") is " << v;
      }
    }
  return ::testing::AssertionSuccess();
}

/// Success when f() throws an E whose message contains every one of `parts`; otherwise says what
/// happened instead.
template <class E, class F>
::testing::AssertionResult throws_with_message(F&& f, std::initializer_list<std::string> parts) {
  try {
    std::forward<F>(f)();
  } catch (const E& e) {
    const std::string message = e.what();
    for (const std::string& part : parts) {
      if (message.find(part) == std::string::npos) {
        return ::testing::AssertionFailure()
               << "the message \"" << message << "\" does not contain \"" << part << "\"";
      }
    }
    return ::testing::AssertionSuccess();
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "threw another exception type: " << e.what();
  }
  return ::testing::AssertionFailure() << "did not throw";
}

/// True when A and B hold exactly the same bits (same shape, same values, NaN included).
template <class T>
bool bitwise_equal(const DenseMatrix<T>& A, const DenseMatrix<T>& B) {
  if (A.rows() != B.rows() || A.cols() != B.cols()) return false;
  return std::equal(A.data(), A.data() + A.size(), B.data(),
                    [](T a, T b) { return std::memcmp(&a, &b, sizeof(T)) == 0; });
}

}  // namespace cunmf::test
