// The test suite that checks a backend against the textbook oracle (tests/reference/): typed over
// float/double and the backend (Case<T, Backend>), instantiated by reference_test.cpp (CPU) and
// reference_cuda_test.cpp (CUDA). Dense X in both layouts and CSR X with int32 and int64 indices,
// every solver with every loss it supports (mu and cd: Frobenius and KL), awkward shapes:
// factors, every loss check, losses that never increase, and KL's max(wh, ε) and threshold of H
// on cases built for them.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "cuda_test_support.hpp"
#include "cunmf/cunmf.hpp"
#include "reference/cd_kl_reference.hpp"
#include "reference/cd_reference.hpp"
#include "reference/mu_reference.hpp"
#include "reference_cases.hpp"
#include "sparse_support.hpp"
#include "test_support.hpp"

namespace cunmf::test {

// A side of 1, k = 1, prime sizes, k = min(m, n), and one past the block sizes of the library
// (128 threads and 256 loss columns: 129, 257). The CUDA suite also runs on the emulated device
// under ASan in CI, so it stops at 129 (dimensions ≤ ~130).
inline std::vector<RefShape> reference_shapes(Backend backend) {
  std::vector<RefShape> shapes = {{1, 5, 1}, {6, 1, 1}, {11, 7, 1}, {7, 5, 5}, {37, 23, 4}};
  shapes.push_back(backend == Backend::Cpu ? RefShape{129, 257, 5} : RefShape{129, 65, 5});
  return shapes;
}

// 30 iterations, a check every 7: losses at iterations 0, 7, 14, 21, 28 and 30 (the last).
inline constexpr int kRefIterations = 30;
inline constexpr int kRefCheckEvery = 7;
inline const std::vector<int> kRefHistoryIterations = {0, 7, 14, 21, 28, 30};

inline const char* loss_name(Loss loss) { return loss == Loss::Frobenius ? "Frobenius" : "KL"; }

/// A solver with a loss it supports; the oracle has both.
struct Method {
  Solver solver;
  Loss loss;
};

/// Every solver and loss the library supports.
inline const std::vector<Method> kMethods = {{Solver::MultiplicativeUpdate, Loss::Frobenius},
                                             {Solver::MultiplicativeUpdate, Loss::KullbackLeibler},
                                             {Solver::CoordinateDescent, Loss::Frobenius},
                                             {Solver::CoordinateDescent, Loss::KullbackLeibler}};

inline std::string method_name(Method method) {
  return std::string(method.solver == Solver::CoordinateDescent ? "cd " : "mu ") +
         loss_name(method.loss);
}

inline std::string describe(const RefShape& s, Method method, const char* input) {
  return std::to_string(s.m) + "x" + std::to_string(s.n) + " k=" + std::to_string(s.k) + " " +
         method_name(method) + " " + input;
}

/// One iteration of the oracle of `method`.
inline void oracle_step(const reference::Matrix& X, reference::Matrix& W, reference::Matrix& H,
                        Method method) {
  if (method.solver == Solver::CoordinateDescent && method.loss == Loss::KullbackLeibler) {
    reference::cd_kl_step(X, W, H);
  } else if (method.solver == Solver::CoordinateDescent) {
    reference::cd_step(X, W, H);
  } else {
    reference::step(X, W, H, method.loss);
  }
}


// Tolerances, backend in T against the oracle in double, from the same T-valued X, W0 and H0
// (relative difference in the Frobenius norm for W and H, relative for each loss check).
// - double: only the order of summation differs (BLAS blocking, threads, CSR order), ~1e-16
//   relative per operation; over 30 iterations that stays ~1e-14 (measured with a CPU backend
//   patched to the oracle's rules: ≤ 3.4e-15 on the factors, ≤ 1.3e-14 on the losses). 1e-10
//   leaves room for other reduction orders (cuBLAS, device reductions) and still sees any rule
//   that differs from the oracle, and any slip to float arithmetic (≥ 1e-8).
// - float: each entry of a product or update is a dot product of up to n = 257 terms, rounded to
//   ~√n·6e-8 ≈ 1e-6 relative; if those errors add up over the 60 half-steps of 30 iterations the
//   factors move by at most ~60·1e-6 = 6e-5, hence 1e-4 (measured: ≤ 1.4e-6). The losses are
//   evaluated in double from the T-valued factors: ~3·6e-8 from forming W·H in T plus the factor
//   error projected on the gradient (measured ≤ 3e-8): 1e-5.
// - KL near an exact fit (cd KL reaches KL ~1e-8·Σx with k = min(m, n) within 30 iterations): a
//   relative change δ of every wh changes KL ≈ ½ Σ (x − wh)²/x by up to about √(2·KL·Σx)·δ
//   (Cauchy–Schwarz on its gradient (wh − x)/x), which outgrows kLoss·KL as KL → 0; with δ = the
//   product's rounding (kProduct, the 1e-6 of the float argument above; 1e-14 in double) that term
//   is added to the KL loss tolerance (measured in float: the differences it has to cover, 7 × 5
//   k = 5 dense and 6 × 1 k = 1 CSR, are 1.1e-5 and 1.3e-4 relative, ≤ 0.04 of that term).
// A wrong rule is far outside both: today's update order (H first) moves the factors by O(1) and
// the losses by ≥ 4e-4; the ε and threshold rules have their own tests below.
template <class T>
struct RefTolerance {
  static constexpr bool kFloat = sizeof(T) == 4;
  static constexpr double kFactor = kFloat ? 1e-4 : 1e-10;
  static constexpr double kLoss = kFloat ? 1e-5 : 1e-10;
  static constexpr double kProduct = kFloat ? 1e-6 : 1e-14;
  // Relative slack of "the loss never increases": the loss of the same factors is known to about
  // ε_T·‖X‖/‖X − WH‖ relative (W·H is formed in T), ≈ 3ε_T on this data.
  static constexpr double kMonotone = kFloat ? 1e-6 : 1e-12;
};

/// Checks a run of kRefIterations iterations from W, H on X against the oracle: backend,
/// iteration count and history iterations, finite non-negative factors, the loss at every check,
/// the loss history non-increasing, and the final factors.
template <class T>
void expect_matches_oracle(const Result<T>& r, Backend backend, const reference::Matrix& X,
                           reference::Matrix W, reference::Matrix H, Method method) {
  const Loss loss = method.loss;
  using Tol = RefTolerance<T>;
  EXPECT_EQ(r.backend, backend);
  EXPECT_EQ(r.iterations, kRefIterations);
  EXPECT_TRUE(all_finite_nonnegative(r.W.view()));
  EXPECT_TRUE(all_finite_nonnegative(r.H.view()));
  ASSERT_EQ(r.history_iterations, kRefHistoryIterations);
  ASSERT_EQ(r.loss_history.size(), kRefHistoryIterations.size());
  const double floor = loss_floor<T>(X, loss);
  double x_sum = 0.0;
  for (const double x : X.data) x_sum += x;
  int done = 0;
  for (std::size_t c = 0; c < kRefHistoryIterations.size(); ++c) {
    for (; done < kRefHistoryIterations[c]; ++done) oracle_step(X, W, H, method);
    const double expected = reference::loss_of(X, W, H, loss);
    const double near_fit =
        loss == Loss::KullbackLeibler ? std::sqrt(2.0 * expected * x_sum) * Tol::kProduct : 0.0;
    EXPECT_NEAR(r.loss_history[c], expected, Tol::kLoss * expected + floor + near_fit)
        << "loss at iteration " << done;
    if (c > 0) {
      const double before = r.loss_history[c - 1];
      EXPECT_LE(r.loss_history[c], before + Tol::kMonotone * before + floor)
          << "the loss increased at iteration " << done;
    }
  }
  EXPECT_LT(relative_difference(r.W.view(), view_of(W)), Tol::kFactor) << "W";
  EXPECT_LT(relative_difference(r.H.view(), view_of(H)), Tol::kFactor) << "H";
}

/// The CSR half of SparseMatchesOracle for one index type: row 0 and the last column empty
/// (where the matrix has more than one row / column).
template <class T, class Index>
void check_sparse_against_oracle(Backend backend) {
  for (const RefShape& s : reference_shapes(backend))
    for (const Method method : kMethods) {
      SCOPED_TRACE(describe(s, method, sizeof(Index) == 4 ? "CSR int32" : "CSR int64"));
      const auto X =
          random_csr<T, Index>(s.m, s.n, 0.5, 41 + s.m, s.m > 1 ? 0 : -1, s.n > 1 ? s.n - 1 : -1);
      ASSERT_GT(X.nnz(), 0);
      const DenseMatrix<T> W0 = random_matrix<T>(s.m, s.k, 42);
      const DenseMatrix<T> H0 = random_matrix<T>(s.k, s.n, 43);
      const Options o = reference_options(backend, method.loss, s.k, kRefIterations, kRefCheckEvery,
                                          method.solver);
      const Result<T> r = factorize(X.view(), o, W0.view(), H0.view());
      expect_matches_oracle(r, backend, reference::densify(X.view()),
                            reference::to_matrix(W0.view()), reference::to_matrix(H0.view()),
                            method);
    }
}

template <class C>
class ReferenceTest : public CaseTest<C> {};

TYPED_TEST_SUITE_P(ReferenceTest);

// Dense X in both layouts (W0 and H0 in the same layout as X), every method, every shape.
TYPED_TEST_P(ReferenceTest, DenseMatchesOracle) {
  using T = typename TypeParam::Scalar;
  constexpr Backend backend = TypeParam::kBackend;
  for (const RefShape& s : reference_shapes(backend))
    for (const Method method : kMethods)
      for (const Layout layout : {Layout::RowMajor, Layout::ColMajor}) {
        SCOPED_TRACE(describe(s, method, layout == Layout::RowMajor ? "row-major" : "col-major"));
        const auto X = with_layout(random_matrix<T>(s.m, s.n, 31 + s.n).view(), layout);
        const auto W0 = with_layout(random_matrix<T>(s.m, s.k, 32).view(), layout);
        const auto H0 = with_layout(random_matrix<T>(s.k, s.n, 33).view(), layout);
        const Options o = reference_options(backend, method.loss, s.k, kRefIterations,
                                            kRefCheckEvery, method.solver);
        const Result<T> r = factorize(X.view(), o, W0.view(), H0.view());
        expect_matches_oracle(r, backend, reference::to_matrix(X.view()),
                              reference::to_matrix(W0.view()), reference::to_matrix(H0.view()),
                              method);
      }
}

// CSR X with int32 and int64 indices, an empty row and an empty column.
TYPED_TEST_P(ReferenceTest, SparseMatchesOracle) {
  using T = typename TypeParam::Scalar;
  check_sparse_against_oracle<T, std::int32_t>(TypeParam::kBackend);
  check_sparse_against_oracle<T, std::int64_t>(TypeParam::kBackend);
}

// Every iteration (check_every = 1) the loss does not increase, within the rounding of the loss
// (RefTolerance::kMonotone, loss_floor), dense and CSR, every method.
TYPED_TEST_P(ReferenceTest, LossNeverIncreases) {
  using T = typename TypeParam::Scalar;
  constexpr Backend backend = TypeParam::kBackend;
  const auto dense = random_matrix<T>(37, 23, 51);
  const auto sparse = random_csr<T, std::int32_t>(37, 23, 0.4, 52, 5, 7);
  for (const Method method : kMethods) {
    SCOPED_TRACE(method_name(method));
    const Loss loss = method.loss;
    const Options o = reference_options(backend, loss, 4, kRefIterations, 1, method.solver);
    const Result<T> runs[] = {factorize(dense.view(), o), factorize(sparse.view(), o)};
    const reference::Matrix Xs[] = {reference::to_matrix(dense.view()),
                                    reference::densify(sparse.view())};
    for (int which = 0; which < 2; ++which) {
      SCOPED_TRACE(which == 0 ? "dense" : "CSR");
      const Result<T>& r = runs[which];
      ASSERT_EQ(r.loss_history.size(), std::size_t(kRefIterations) + 1);
      const double floor = loss_floor<T>(Xs[which], loss);
      for (std::size_t i = 1; i < r.loss_history.size(); ++i) {
        const double before = r.loss_history[i - 1];
        EXPECT_LE(r.loss_history[i], before + RefTolerance<T>::kMonotone * before + floor)
            << "iteration " << i;
      }
      EXPECT_TRUE(all_finite_nonnegative(r.W.view()));
      EXPECT_TRUE(all_finite_nonnegative(r.H.view()));
    }
  }
}

// KL sets the entries of H below 2.2e-16 to 0. X is block diagonal (rows 0-5 × columns 0-4 and
// rows 6-11 × columns 5-9) and the start leans each component to one block, so the cross-block
// entries of H shrink doubly exponentially (their share of the numerator is the other factor's
// share of the block, itself shrinking). The oracle without the threshold finds the first
// iteration N after which such an entry is below 2.2e-16 yet far above float's smallest normal
// (~1e-38): after N iterations the backend must have exactly 0 there, as the oracle with the
// threshold has, where without the rule it would hold a positive number. Dense and CSR.
TYPED_TEST_P(ReferenceTest, KlThresholdsH) {
  using T = typename TypeParam::Scalar;
  constexpr Backend backend = TypeParam::kBackend;
  const std::int64_t m = 12, n = 10, k = 2;
  const DenseMatrix<T> noise = random_matrix<T>(m, n, 61, 0.5, 1.5);
  DenseMatrix<T> X(m, n);
  CsrMatrix<T, std::int32_t> X_csr{m, n, {0}, {}, {}};
  for (std::int64_t i = 0; i < m; ++i) {
    for (std::int64_t j = 0; j < n; ++j) {
      if ((i < 6) != (j < 5)) continue;
      X(i, j) = noise(i, j);
      X_csr.col_idx.push_back(static_cast<std::int32_t>(j));
      X_csr.values.push_back(noise(i, j));
    }
    X_csr.row_ptr.push_back(static_cast<std::int32_t>(X_csr.values.size()));
  }
  DenseMatrix<T> W0(m, k), H0(k, n);
  for (std::int64_t i = 0; i < m; ++i) {
    W0(i, 0) = T(i < 6 ? 1.0 : 0.1);
    W0(i, 1) = T(i < 6 ? 0.1 : 1.0);
  }
  for (std::int64_t j = 0; j < n; ++j) {
    H0(0, j) = T(j < 5 ? 1.0 : 0.1);
    H0(1, j) = T(j < 5 ? 0.1 : 1.0);
  }

  const reference::Matrix Xd = reference::to_matrix(X.view());
  reference::Matrix W = reference::to_matrix(W0.view()), H = reference::to_matrix(H0.view());
  int N = 0;
  double smallest = INFINITY;
  while (smallest >= reference::kKlThreshold && N < 20) {
    reference::update_w_kl(Xd, W, H);
    reference::update_h_kl(Xd, W, H);
    ++N;
    for (const double h : H.data) smallest = std::min(smallest, h);
  }
  ASSERT_LT(smallest, reference::kKlThreshold) << "no H entry fell below the threshold";
  ASSERT_GT(smallest, 1e-30) << "the decay is too fast for float; change the test";
  const reference::Run oracle =
      reference::run(Xd, reference::to_matrix(W0.view()), reference::to_matrix(H0.view()),
                     Loss::KullbackLeibler, N);
  const Options o = reference_options(backend, Loss::KullbackLeibler, k, N, N);
  const Result<T> runs[] = {factorize(X.view(), o, W0.view(), H0.view()),
                            factorize(X_csr.view(), o, W0.view(), H0.view())};
  for (int which = 0; which < 2; ++which) {
    SCOPED_TRACE(::testing::Message() << (which == 0 ? "dense" : "CSR") << ", N = " << N);
    const Result<T>& r = runs[which];
    int zeros = 0;
    for (std::int64_t c = 0; c < k; ++c)
      for (std::int64_t j = 0; j < n; ++j) {
        if (H(c, j) >= reference::kKlThreshold) continue;
        ++zeros;
        EXPECT_GT(H(c, j), 0.0);  // without the rule, a positive number
        EXPECT_EQ(oracle.H(c, j), 0.0);
        EXPECT_EQ(r.H(c, j), T(0)) << "H(" << c << ", " << j << ") should be thresholded to 0";
      }
    EXPECT_GT(zeros, 0);
    EXPECT_TRUE(all_finite_nonnegative(r.W.view()));
    EXPECT_TRUE(all_finite_nonnegative(r.H.view()));
    EXPECT_LT(relative_difference(r.H.view(), view_of(oracle.H)), RefTolerance<T>::kFactor);
    EXPECT_LT(relative_difference(r.W.view(), view_of(oracle.W)), RefTolerance<T>::kFactor);
  }
}

// KL divides by max(wh, ε) in the updates and in the loss: column 3 of H0 is scaled by 1e-12, so
// W0·H0 is ~1e-12 < ε there while X is not 0. Taking wh itself would make that ratio ~1e12·x
// instead of ~8e6·x and move everything by O(1). Dense and CSR (with an empty row and column),
// mu and cd (whose Newton steps divide by max(wh, ε) and its square), 10 iterations, the losses at
// iterations 0 and 10 and the factors against the oracle.
TYPED_TEST_P(ReferenceTest, KlClampsSmallProducts) {
  using T = typename TypeParam::Scalar;
  constexpr Backend backend = TypeParam::kBackend;
  const std::int64_t m = 9, n = 7, k = 2;
  const int N = 10;
  const auto X_csr = random_csr<T, std::int64_t>(m, n, 0.7, 71, 2, 5);
  const DenseMatrix<T> X = densify(X_csr);
  const DenseMatrix<T> W0 = random_matrix<T>(m, k, 72, 0.5, 1.5);
  DenseMatrix<T> H0 = random_matrix<T>(k, n, 73, 0.5, 1.5);
  for (std::int64_t c = 0; c < k; ++c) H0(c, 3) *= T(1e-12);
  const reference::Matrix Xd = reference::to_matrix(X.view());
  const reference::Matrix Wd = reference::to_matrix(W0.view()),
                          Hd = reference::to_matrix(H0.view());
  const reference::Matrix WH = reference::multiply(Wd, Hd);
  bool clamped = false;  // the case is what it claims: some x > 0 has wh < ε
  for (std::int64_t i = 0; i < m; ++i) clamped |= Xd(i, 3) > 0 && WH(i, 3) < reference::kEpsilon;
  ASSERT_TRUE(clamped);
  const double initial_loss = reference::kl_loss(Xd, Wd, Hd);
  for (const Solver solver : {Solver::MultiplicativeUpdate, Solver::CoordinateDescent}) {
    const bool cd = solver == Solver::CoordinateDescent;
    const reference::Run oracle = cd ? reference::run_cd_kl(Xd, Wd, Hd, N)
                                     : reference::run(Xd, Wd, Hd, Loss::KullbackLeibler, N);
    const Options o = reference_options(backend, Loss::KullbackLeibler, k, N, N, solver);
    const Result<T> runs[] = {factorize(X.view(), o, W0.view(), H0.view()),
                              factorize(X_csr.view(), o, W0.view(), H0.view())};
    for (int which = 0; which < 2; ++which) {
      SCOPED_TRACE(std::string(cd ? "cd " : "mu ") + (which == 0 ? "dense" : "CSR"));
      const Result<T>& r = runs[which];
      ASSERT_EQ(r.loss_history.size(), 2u);
      EXPECT_NEAR(r.loss_history[0], initial_loss, RefTolerance<T>::kLoss * initial_loss);
      EXPECT_NEAR(r.loss_history[1], oracle.loss, RefTolerance<T>::kLoss * oracle.loss);
      EXPECT_TRUE(all_finite_nonnegative(r.W.view()));
      EXPECT_TRUE(all_finite_nonnegative(r.H.view()));
      // cd's Newton steps divide by max(wh, ε)² ≈ 1.4e-14 here, so a float rounding of wh near ε
      // moves a step ~10× more than in MU's ratio; measured in float: 1.15e-4 when the CPU path
      // uses FMA (-march=native), below 1e-4 without; in double both agree to ~1e-13.
      const double factor_tolerance = RefTolerance<T>::kFactor * (cd && sizeof(T) == 4 ? 10 : 1);
      EXPECT_LT(relative_difference(r.W.view(), view_of(oracle.W)), factor_tolerance);
      EXPECT_LT(relative_difference(r.H.view(), view_of(oracle.H)), factor_tolerance);
    }
  }
}

REGISTER_TYPED_TEST_SUITE_P(ReferenceTest, DenseMatchesOracle, SparseMatchesOracle,
                            LossNeverIncreases, KlThresholdsH, KlClampsSmallProducts);

}  // namespace cunmf::test
