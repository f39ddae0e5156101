// The public metrics on tiny hand-computed cases, in every layout combination and both precisions;
// shape mismatches and the edge cases of Hoyer sparsity.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "cunmf/cunmf.hpp"
#include "test_support.hpp"

namespace cunmf {
namespace {

using test::HostMatrix;
using test::throws_with_message;

/// A rows × cols matrix with the given row-major values, stored in `layout`.
template <class T>
HostMatrix<T> matrix(std::int64_t rows, std::int64_t cols, std::initializer_list<double> values,
                     Layout layout = Layout::RowMajor) {
  DenseMatrix<T> A(rows, cols);
  std::int64_t idx = 0;
  for (const double v : values) A.data()[idx++] = static_cast<T>(v);
  return test::with_layout(A.view(), layout);
}

template <class T>
class MetricsTest : public ::testing::Test {
 protected:
  // The inputs below are small integers, exact in float; the float overloads accumulate in double
  // but W·H is formed in float (exact here too), so only the final log/sqrt round: 1e-12 relative
  // covers both precisions.
  static constexpr double kTolerance = 1e-12;
};

using Precisions = ::testing::Types<float, double>;
TYPED_TEST_SUITE(MetricsTest, Precisions);

const Layout kLayouts[] = {Layout::RowMajor, Layout::ColMajor};

// X = [1 2; 3 4], W = [1; 2], H = [1 1]  →  W·H = [1 1; 2 2],  X − W·H = [0 1; 1 2].
//   ‖X − WH‖² = 0 + 1 + 1 + 4 = 6           → frobenius_loss = 6 / 2 = 3
//   ‖X‖² = 1 + 4 + 9 + 16 = 30              → relative_error = √(6 / 30) = √0.2
//   KL = (1·ln(1/1) − 1 + 1) + (2·ln(2/1) − 2 + 1) + (3·ln(3/2) − 3 + 2) + (4·ln(4/2) − 4 + 2)
//      = 0 + (2 ln 2 − 1) + (3 ln 1.5 − 1) + (4 ln 2 − 2) = 6 ln 2 + 3 ln 1.5 − 4
//   mean(X) = 2.5, ‖X − mean‖² = 2.25 + 0.25 + 0.25 + 2.25 = 5
//                                          → explained_variance = 1 − 6 / 5 = −0.2
TYPED_TEST(MetricsTest, HandComputedCaseInEveryLayout) {
  using T = TypeParam;
  const double tol = TestFixture::kTolerance;
  for (const Layout lx : kLayouts)
    for (const Layout lw : kLayouts)
      for (const Layout lh : kLayouts) {
        SCOPED_TRACE(std::to_string(static_cast<int>(lx)) + std::to_string(static_cast<int>(lw)) +
                     std::to_string(static_cast<int>(lh)));
        const auto X = matrix<T>(2, 2, {1, 2, 3, 4}, lx);
        const auto W = matrix<T>(2, 1, {1, 2}, lw);
        const auto H = matrix<T>(1, 2, {1, 1}, lh);
        EXPECT_NEAR(frobenius_loss(X.view(), W.view(), H.view()), 3.0, 3.0 * tol);
        EXPECT_NEAR(relative_error(X.view(), W.view(), H.view()), std::sqrt(0.2), tol);
        const double kl = 6 * std::log(2.0) + 3 * std::log(1.5) - 4;
        EXPECT_NEAR(kl_divergence(X.view(), W.view(), H.view()), kl, kl * tol);
        EXPECT_NEAR(explained_variance(X.view(), W.view(), H.view()), -0.2, tol);
        const FitQuality quality = fit_quality(X.view(), W.view(), H.view());
        ASSERT_TRUE(quality.relative_error && quality.explained_variance);
        EXPECT_NEAR(*quality.relative_error, std::sqrt(0.2), tol);
        EXPECT_NEAR(*quality.explained_variance, -0.2, tol);
      }
}

// A perfect fit: X = W·H = [2 4 6] (W = [2], H = [1 2 3]) → every residual metric is exact.
TYPED_TEST(MetricsTest, PerfectFit) {
  using T = TypeParam;
  const auto X = matrix<T>(1, 3, {2, 4, 6});
  const auto W = matrix<T>(1, 1, {2});
  const auto H = matrix<T>(1, 3, {1, 2, 3});
  EXPECT_EQ(frobenius_loss(X.view(), W.view(), H.view()), 0.0);
  EXPECT_EQ(relative_error(X.view(), W.view(), H.view()), 0.0);
  EXPECT_EQ(kl_divergence(X.view(), W.view(), H.view()), 0.0);
  EXPECT_EQ(explained_variance(X.view(), W.view(), H.view()), 1.0);
}

// The KL ε rule, as in the solver: X = [0 1 0], W = [1], H = [0 0 2]  →  W·H = [0 0 2].
//   (0, 0): x = 0, wh = 0 → the term is wh = 0
//   (0, 1): x = 1, wh = 0 → wh' = ε = 2⁻²³: 1·ln(1/ε) − 1 + 0 = 23 ln 2 − 1
//   (0, 2): x = 0, wh = 2 → the term is wh = 2
//   KL = 23 ln 2 + 1
TYPED_TEST(MetricsTest, KlUsesTheSolversEpsilonForAZeroProduct) {
  using T = TypeParam;
  const auto X = matrix<T>(1, 3, {0, 1, 0});
  const auto W = matrix<T>(1, 1, {1});
  const auto H = matrix<T>(1, 3, {0, 0, 2});
  const double expected = 23 * std::log(2.0) + 1;
  EXPECT_NEAR(kl_divergence(X.view(), W.view(), H.view()), expected,
              expected * TestFixture::kTolerance);
}

// A = [1 1; 0 1; 0 1] (p = 3): column (1, 0, 0) has ‖·‖₁/‖·‖₂ = 1 → (√3 − 1)/(√3 − 1) = 1;
// column (1, 1, 1) has 3/√3 = √3 → (√3 − √3)/(√3 − 1) = 0; the average is 0.5.
// B = [3; 4] (p = 2): 7/5 = 1.4 → (√2 − 1.4)/(√2 − 1).
TYPED_TEST(MetricsTest, HoyerSparsity) {
  using T = TypeParam;
  const double tol = TestFixture::kTolerance;
  for (const Layout layout : kLayouts) {
    EXPECT_NEAR(hoyer_sparsity(matrix<T>(3, 2, {1, 1, 0, 1, 0, 1}, layout).view()), 0.5, tol);
    EXPECT_NEAR(hoyer_sparsity(matrix<T>(2, 1, {3, 4}, layout).view()),
                (std::sqrt(2.0) - 1.4) / (std::sqrt(2.0) - 1.0), tol);
  }
}

TYPED_TEST(MetricsTest, HoyerEdgeCases) {
  using T = TypeParam;
  // A zero column is left out of the average: only (2, 0) counts, which has sparsity 1.
  EXPECT_NEAR(hoyer_sparsity(matrix<T>(2, 2, {0, 2, 0, 0}).view()), 1.0, 1e-15);
  // The sign does not matter: (−3, 4) is as sparse as (3, 4).
  EXPECT_NEAR(hoyer_sparsity(matrix<T>(2, 1, {-3, 4}).view()),
              hoyer_sparsity(matrix<T>(2, 1, {3, 4}).view()), 1e-15);
  EXPECT_TRUE(throws_with_message<InvalidArgument>(
      [] {
        hoyer_sparsity(matrix<T>(2, 3, {0, 0, 0, 0, 0, 0}).view());
      },
      {"every column"}));
  EXPECT_TRUE(throws_with_message<InvalidArgument>(
      [] {
        hoyer_sparsity(matrix<T>(1, 3, {1, 2, 3}).view());
      },
      {"1 rows", "at least 2"}));
  EXPECT_TRUE(throws_with_message<InvalidArgument>(
      [] { hoyer_sparsity(matrix<T>(0, 3, {}).view()); }, {"0 rows"}));
}

TYPED_TEST(MetricsTest, DegenerateX) {
  using T = TypeParam;
  const auto zeros = matrix<T>(2, 2, {0, 0, 0, 0});
  const auto ones = matrix<T>(2, 2, {1, 1, 1, 1});
  const auto W = matrix<T>(2, 1, {1, 1});
  const auto H = matrix<T>(1, 2, {1, 1});
  EXPECT_TRUE(throws_with_message<InvalidArgument>(
      [&] { relative_error(zeros.view(), W.view(), H.view()); }, {"relative_error", "all zero"}));
  EXPECT_TRUE(throws_with_message<InvalidArgument>(
      [&] { explained_variance(ones.view(), W.view(), H.view()); },
      {"explained_variance", "constant"}));
  // fit_quality leaves the undefined measure empty instead of throwing.
  const FitQuality of_zeros = fit_quality(zeros.view(), W.view(), H.view());
  EXPECT_FALSE(of_zeros.relative_error.has_value());
  EXPECT_FALSE(of_zeros.explained_variance.has_value());
  const FitQuality of_ones = fit_quality(ones.view(), W.view(), H.view());
  EXPECT_EQ(of_ones.relative_error, 0.0);
  EXPECT_FALSE(of_ones.explained_variance.has_value());
  // Losses of an all-zero X are fine: ½‖WH‖² = ½·4 = 2, and KL = Σ wh = 4.
  EXPECT_EQ(frobenius_loss(zeros.view(), W.view(), H.view()), 2.0);
  EXPECT_EQ(kl_divergence(zeros.view(), W.view(), H.view()), 4.0);
}

TYPED_TEST(MetricsTest, ShapeMismatchThrowsNamingIt) {
  using T = TypeParam;
  const auto X = matrix<T>(2, 3, {1, 2, 3, 4, 5, 6});
  const auto W = matrix<T>(2, 1, {1, 1});
  const auto H = matrix<T>(1, 3, {1, 1, 1});
  const auto W_rows = matrix<T>(3, 1, {1, 1, 1});
  const auto H_cols = matrix<T>(1, 2, {1, 1});
  const auto H_rank = matrix<T>(2, 3, {1, 1, 1, 1, 1, 1});
  using Metric = double (*)(DenseView<const T>, DenseView<const T>, DenseView<const T>);
  const std::pair<const char*, Metric> metrics[] = {{"relative_error", &relative_error},
                                                    {"frobenius_loss", &frobenius_loss},
                                                    {"kl_divergence", &kl_divergence},
                                                    {"explained_variance", &explained_variance}};
  for (const auto& [name, metric] : metrics) {
    SCOPED_TRACE(name);
    EXPECT_TRUE(
        throws_with_message<InvalidArgument>([&] { metric(X.view(), W_rows.view(), H.view()); },
                                             {name, "W has 3 rows but X has 2", "X is 2 x 3"}));
    EXPECT_TRUE(throws_with_message<InvalidArgument>(
        [&] { metric(X.view(), W.view(), H_cols.view()); }, {name, "H has 2 columns but X has 3"}));
    EXPECT_TRUE(throws_with_message<InvalidArgument>(
        [&] { metric(X.view(), W.view(), H_rank.view()); }, {name, "W has 1 columns but H has 2"}));
  }
}

// Wider than the 256-column block of the loss routines and in both layouts: the metrics agree with
// the plain-loop reference of test_support.hpp.
TYPED_TEST(MetricsTest, LargeMatrixMatchesPlainLoops) {
  using T = TypeParam;
  const DenseMatrix<T> W = test::random_matrix<T>(70, 6, 1);
  const DenseMatrix<T> H = test::random_matrix<T>(6, 600, 2);
  const DenseMatrix<T> X = test::planted_matrix(W, H, 0.2, 3);
  const double expected = test::reconstruction_error(X.view(), W.view(), H.view());
  for (const Layout layout : kLayouts) {
    const auto Xl = test::with_layout(X.view(), layout);
    // W·H formed in T against the double reference: float's ~1e-7 per entry over a 0.2 residual.
    EXPECT_NEAR(relative_error(Xl.view(), W.view(), H.view()), expected,
                (sizeof(T) == 4 ? 1e-5 : 1e-12) * expected);
    // fit_quality evaluates the same residual once: the same bits as the two functions.
    const FitQuality quality = fit_quality(Xl.view(), W.view(), H.view());
    EXPECT_EQ(quality.relative_error, relative_error(Xl.view(), W.view(), H.view()));
    EXPECT_EQ(quality.explained_variance, explained_variance(Xl.view(), W.view(), H.view()));
    EXPECT_EQ(quality.kl_divergence, kl_divergence(Xl.view(), W.view(), H.view()));
  }
}

// fit_quality's factor measures: Hoyer sparsity of W's columns and of H's rows (H's rows are the
// columns of Hᵀ, given here as its own matrix), the fractions of exact zeros, and empty Hoyer
// measures where they are undefined (one row of W; an all-zero H).
TYPED_TEST(MetricsTest, FitQualityDescribesTheFactors) {
  using T = TypeParam;
  DenseMatrix<T> W = test::random_matrix<T>(9, 3, 11);
  DenseMatrix<T> H = test::random_matrix<T>(3, 8, 12);
  W(0, 0) = W(4, 2) = T(0);
  H(1, 1) = H(1, 2) = H(2, 7) = T(0);
  DenseMatrix<T> Ht(8, 3);
  for (std::int64_t i = 0; i < 3; ++i)
    for (std::int64_t j = 0; j < 8; ++j) Ht(j, i) = H(i, j);
  const DenseMatrix<T> X = test::random_matrix<T>(9, 8, 13);
  const FitQuality q = fit_quality(X.view(), W.view(), H.view());
  EXPECT_EQ(q.hoyer_w, hoyer_sparsity(W.view()));
  EXPECT_EQ(q.hoyer_h, hoyer_sparsity(Ht.view()));
  EXPECT_DOUBLE_EQ(q.zeros_w, 2.0 / 27.0);
  EXPECT_DOUBLE_EQ(q.zeros_h, 3.0 / 24.0);
  const DenseMatrix<T> one_row = test::random_matrix<T>(1, 3, 14), x_row(1, 8, T(1));
  const DenseMatrix<T> zero_h(3, 8);
  const FitQuality undefined = fit_quality(x_row.view(), one_row.view(), zero_h.view());
  EXPECT_FALSE(undefined.hoyer_w.has_value());
  EXPECT_FALSE(undefined.hoyer_h.has_value());
  EXPECT_EQ(undefined.zeros_h, 1.0);
}

}  // namespace
}  // namespace cunmf
