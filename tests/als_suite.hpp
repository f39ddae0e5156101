// The test suite of projected alternating least squares (Solver::AlternatingLeastSquares): typed
// over float/double and the backend (reference_cases.hpp), instantiated by als_test.cpp (CPU) and
// als_cuda_test.cpp (CUDA). Against the textbook oracle (reference/als_reference.hpp): dense X in
// both layouts and CSR X with int32 and int64 indices, awkward shapes (a side of 1, k = 1,
// k = min(m, n), primes); planted exact rank-k data recovered from a random start; a singular
// Gram matrix (a zero row of H, two equal rows of H) giving finite factors.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "cuda_test_support.hpp"
#include "cunmf/cunmf.hpp"
#include "oracle_inputs.hpp"
#include "reference/als_reference.hpp"
#include "reference_cases.hpp"
#include "sparse_support.hpp"
#include "test_support.hpp"

namespace cunmf::test {

// k = 1 with a side of 1, k = min(m, n) (W square, then Hᵀ square), primes, and one past the
// library's 128-thread blocks; the CUDA suite runs on the emulated device under ASan in CI, so
// its largest shape stays small.
inline std::vector<RefShape> als_shapes(Backend backend) {
  std::vector<RefShape> shapes = {{1, 5, 1}, {6, 1, 1}, {7, 13, 7}, {11, 5, 5}, {37, 23, 4}};
  shapes.push_back(backend == Backend::Cpu ? RefShape{129, 257, 5} : RefShape{129, 31, 3});
  return shapes;
}

// 10 iterations, a check every 3: losses at iterations 0, 3, 6, 9 and 10.
inline constexpr int kAlsIterations = 10;
inline constexpr int kAlsCheckEvery = 3;
inline const std::vector<int> kAlsHistoryIterations = {0, 3, 6, 9, 10};

inline Options als_options(Backend backend, std::int64_t k, int max_iter, int check_every) {
  Options o;
  o.rank = k;
  o.solver = Solver::AlternatingLeastSquares;
  o.backend = backend;
  o.max_iter = max_iter;
  o.tol = 0.0;
  o.check_every = check_every;
  return o;
}

// Tolerances, backend in T against the oracle in double from the same T-valued X and H0 (W0 is
// not read: ALS computes W from H first), relative in the Frobenius norm.
// - double: the solves differ only in rounding (BLAS and Cholesky blocking, summation order),
//   ~κ(Gram)·1e-16 per half-step; κ stays below ~1e4 on these random cases, and 20 half-steps
//   of a contracting map keep that far below 1e-9, which still sees any slip to float (≥ 1e-6) or
//   a different ridge (the float ridge moves the result by ~1e-6·κ).
// - float: each solve is off by ~κ(Gram)·ε_float ≈ 1e-7·κ, and κ reaches ~1e4 where k = min(m, n)
//   (W = X H⁻¹ for a square random H): 1e-2 for the factors (measured ≤ 3e-3 there, ≤ 1e-4
//   elsewhere) and the losses. A missing projection or a wrong update is O(1).
template <class T>
struct AlsTolerance {
  static constexpr bool kFloat = sizeof(T) == 4;
  static constexpr double kFactor = kFloat ? 1e-2 : 1e-9;
  static constexpr double kLoss = kFloat ? 1e-2 : 1e-9;
};

/// Checks a run of kAlsIterations iterations from H0 on X against the oracle: iteration count,
/// finite non-negative factors, every loss check and the final factors.
template <class T>
void expect_als_matches_oracle(const Result<T>& r, Backend backend, const reference::Matrix& X,
                               reference::Matrix W, reference::Matrix H) {
  using Tol = AlsTolerance<T>;
  const reference::RidgePrecision precision = reference::ridge_precision<T>();
  EXPECT_EQ(r.backend, backend);
  EXPECT_EQ(r.iterations, kAlsIterations);
  EXPECT_TRUE(all_finite_nonnegative(r.W.view()));
  EXPECT_TRUE(all_finite_nonnegative(r.H.view()));
  ASSERT_EQ(r.history_iterations, kAlsHistoryIterations);
  ASSERT_EQ(r.loss_history.size(), kAlsHistoryIterations.size());
  // Near an exact fit (k = min(m, n) fits exactly) the loss is rounding (loss_floor).
  const double floor = loss_floor<T>(X, Loss::Frobenius);
  int done = 0;
  for (std::size_t c = 0; c < kAlsHistoryIterations.size(); ++c) {
    for (; done < kAlsHistoryIterations[c]; ++done) reference::als_step(X, W, H, precision);
    const double expected = reference::frobenius_loss(X, W, H);
    EXPECT_NEAR(r.loss_history[c], expected, Tol::kLoss * expected + floor)
        << "loss at iteration " << done;
  }
  EXPECT_LT(relative_difference(r.W.view(), view_of(W)), Tol::kFactor) << "W";
  EXPECT_LT(relative_difference(r.H.view(), view_of(H)), Tol::kFactor) << "H";
}

template <class C>
class AlsTest : public CaseTest<C> {};

TYPED_TEST_SUITE_P(AlsTest);

// Dense X in both layouts (W0 and H0 in X's layout), every shape.
TYPED_TEST_P(AlsTest, DenseMatchesOracle) {
  using T = typename TypeParam::Scalar;
  constexpr Backend backend = TypeParam::kBackend;
  for_each_dense_input<T>(als_shapes(backend), [](const RefShape& s, auto X, auto W0, auto H0,
                                                  const reference::Matrix& Xd) {
    expect_als_matches_oracle(
        factorize(X, als_options(backend, s.k, kAlsIterations, kAlsCheckEvery), W0, H0), backend,
        Xd, reference::to_matrix(W0), reference::to_matrix(H0));
  });
}

// CSR X with int32 and int64 indices, an empty row and an empty column.
TYPED_TEST_P(AlsTest, SparseMatchesOracle) {
  using T = typename TypeParam::Scalar;
  constexpr Backend backend = TypeParam::kBackend;
  const auto check = [](const RefShape& s, auto X, auto W0, auto H0, const reference::Matrix& Xd) {
    expect_als_matches_oracle(
        factorize(X, als_options(backend, s.k, kAlsIterations, kAlsCheckEvery), W0, H0), backend,
        Xd, reference::to_matrix(W0), reference::to_matrix(H0));
  };
  for_each_csr_input<T, std::int32_t>(als_shapes(backend), check);
  for_each_csr_input<T, std::int64_t>(als_shapes(backend), check);
}

// X = W*H* exactly, with W* and H* non-negative and well separated (each row of W* and column of
// H* leans on one component: 1 there, uniform in [0, 0.2) elsewhere), is recovered from the
// random initialization to a relative error below 1e-4, dense and CSR (X stored in full).
TYPED_TEST_P(AlsTest, RecoversPlantedExactRank) {
  using T = typename TypeParam::Scalar;
  const std::int64_t m = 40, n = 30, k = 4;
  DenseMatrix<T> W = random_matrix<T>(m, k, 101, 0.0, 0.2);
  DenseMatrix<T> H = random_matrix<T>(k, n, 102, 0.0, 0.2);
  for (std::int64_t i = 0; i < m; ++i) W(i, i % k) = T(1);
  for (std::int64_t j = 0; j < n; ++j) H(j % k, j) = T(1);
  const DenseMatrix<T> X = planted_matrix(W, H, 0.0, 103);
  CsrMatrix<T, std::int32_t> X_csr{m, n, {0}, {}, {}};
  for (std::int64_t i = 0; i < m; ++i) {
    for (std::int64_t j = 0; j < n; ++j) {
      X_csr.col_idx.push_back(static_cast<std::int32_t>(j));
      X_csr.values.push_back(X(i, j));
    }
    X_csr.row_ptr.push_back(static_cast<std::int32_t>(X_csr.values.size()));
  }
  Options o = als_options(TypeParam::kBackend, k, 200, 10);
  o.seed = 5;
  const Result<T> runs[] = {factorize(X.view(), o), factorize(X_csr.view(), o)};
  for (int which = 0; which < 2; ++which) {
    SCOPED_TRACE(which == 0 ? "dense" : "CSR");
    EXPECT_TRUE(all_finite_nonnegative(runs[which].W.view()));
    EXPECT_TRUE(all_finite_nonnegative(runs[which].H.view()));
    EXPECT_LT(relative_error(X.view(), runs[which].W.view(), runs[which].H.view()), 1e-4);
  }
}

// A singular Gram matrix: a zero row of H0 makes HHᵀ singular (that column of W comes out 0, and
// then that row of H: a zero component stays zero, as in projected ALS by definition); two equal
// rows make it rank-deficient without a zero. The ridge keeps every factor finite, and the zero
// case matches the oracle.
TYPED_TEST_P(AlsTest, SingularGramGivesFiniteFactors) {
  using T = typename TypeParam::Scalar;
  constexpr Backend backend = TypeParam::kBackend;
  const std::int64_t m = 17, n = 11, k = 3;
  const DenseMatrix<T> X = random_matrix<T>(m, n, 111);
  const DenseMatrix<T> W0 = random_matrix<T>(m, k, 112);
  DenseMatrix<T> zero_row = random_matrix<T>(k, n, 113);
  DenseMatrix<T> equal_rows = zero_row;
  for (std::int64_t j = 0; j < n; ++j) {
    zero_row(1, j) = T(0);
    equal_rows(2, j) = equal_rows(0, j);
  }
  const Options o = als_options(backend, k, kAlsIterations, kAlsCheckEvery);
  const Result<T> zero = factorize(X.view(), o, W0.view(), zero_row.view());
  expect_als_matches_oracle(zero, backend, reference::to_matrix(X.view()),
                            reference::to_matrix(W0.view()), reference::to_matrix(zero_row.view()));
  for (std::int64_t i = 0; i < m; ++i) EXPECT_EQ(zero.W(i, 1), T(0));
  for (std::int64_t j = 0; j < n; ++j) EXPECT_EQ(zero.H(1, j), T(0));

  const Result<T> equal = factorize(X.view(), o, W0.view(), equal_rows.view());
  EXPECT_TRUE(all_finite_nonnegative(equal.W.view()));
  EXPECT_TRUE(all_finite_nonnegative(equal.H.view()));
  for (const double loss : equal.loss_history) EXPECT_TRUE(std::isfinite(loss));
  EXPECT_LT(equal.loss_history.back(), equal.loss_history.front());
}

REGISTER_TYPED_TEST_SUITE_P(AlsTest, DenseMatchesOracle, SparseMatchesOracle,
                            RecoversPlantedExactRank, SingularGramGivesFiniteFactors);

}  // namespace cunmf::test
