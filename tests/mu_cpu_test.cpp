// The CPU multiplicative updates through the public API: monotone loss, recovery of a planted
// low rank, determinism, layout independence, the stopping rule, custom initialization, one step
// checked against a plain-loop implementation, and the accuracy of the reported loss.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "cunmf/cunmf.hpp"
#include "reference/mu_reference.hpp"
#include "test_support.hpp"

namespace cunmf {
namespace {

using test::all_finite_nonnegative;
using test::HostMatrix;
using test::relative_difference;
using test::with_layout;

struct Shape {
  std::int64_t m, n, k;
};

// Shapes with a side of 1, odd sizes, and one past a multiple of the loss's 256-column block (a
// row-major 257 × 129 X is solved as a column-major 129 × 257 one).
const std::vector<Shape> kShapes = {{1, 1, 1}, {1, 9, 1}, {9, 1, 1}, {37, 23, 4}, {257, 129, 5}};
const Layout kLayouts[] = {Layout::RowMajor, Layout::ColMajor};
const Loss kLosses[] = {Loss::Frobenius, Loss::KullbackLeibler};

std::string describe(const Shape& s, Layout layout, Loss loss) {
  return std::to_string(s.m) + "x" + std::to_string(s.n) + " k=" + std::to_string(s.k) +
         (layout == Layout::RowMajor ? " row-major" : " col-major") +
         (loss == Loss::Frobenius ? " Frobenius" : " KL");
}

Options cpu_options(std::int64_t rank, Loss loss, int max_iter, double tol = 0.0,
                    int check_every = 10) {
  Options o;
  o.rank = rank;
  o.loss = loss;
  o.backend = Backend::Cpu;
  o.max_iter = max_iter;
  o.tol = tol;
  o.check_every = check_every;
  o.seed = 7;
  return o;
}

/// The loss of W·H in double from the T-valued entries, by the textbook oracle.
template <class T>
double reference_loss(DenseView<const T> X, DenseView<const T> W, DenseView<const T> H, Loss loss) {
  return reference::loss_of(reference::to_matrix(X), reference::to_matrix(W),
                            reference::to_matrix(H), loss);
}

/// One MU iteration by the textbook oracle (tests/reference), on row-major double matrices.
void reference_step(const DenseMatrix<double>& X, DenseMatrix<double>& W, DenseMatrix<double>& H,
                    Loss loss) {
  reference::Matrix w = reference::to_matrix(W.view()), h = reference::to_matrix(H.view());
  reference::step(reference::to_matrix(X.view()), w, h, loss);
  std::copy(w.data.begin(), w.data.end(), W.data());
  std::copy(h.data.begin(), h.data.end(), H.data());
}

template <class T>
DenseMatrix<double> to_double(const DenseMatrix<T>& A) {
  DenseMatrix<double> out(A.rows(), A.cols());
  for (std::int64_t idx = 0; idx < A.size(); ++idx) out.data()[idx] = A.data()[idx];
  return out;
}

template <class T>
class MuCpuTest : public ::testing::Test {
 protected:
  static constexpr double kEps = std::numeric_limits<T>::epsilon();
  static constexpr bool kIsFloat = sizeof(T) == 4;
};

using Precisions = ::testing::Types<float, double>;
TYPED_TEST_SUITE(MuCpuTest, Precisions);

TYPED_TEST(MuCpuTest, LossNeverIncreases) {
  using T = TypeParam;
  // MU never increases the loss in exact arithmetic. In T, the loss of the same factors is only
  // known to rounding: W·H is formed in T, so each wh carries a relative error of a few ε_T and
  // the loss a relative error of about ε_T·‖X‖/‖X − WH‖ (≈ 3·ε_T on this random data, which the
  // rank cannot fit well): 1e-6 for float (ε = 1.2e-7) and 1e-12 for double (ε = 2.2e-16) cover
  // it with room. Near an exact fit (a side of 1 with k = 1) the loss sinks to rounding level
  // itself, hence an absolute floor: each wh off by a few ulps of x gives ½Σ(4ε_T·x)² for
  // Frobenius; for KL the double evaluation of x·log(x/wh) − x + wh cancels to ~ε_double·x.
  const double relative_slack = TestFixture::kIsFloat ? 1e-6 : 1e-12;
  for (const Shape& s : kShapes)
    for (const Layout layout : kLayouts)
      for (const Loss loss : kLosses) {
        SCOPED_TRACE(describe(s, layout, loss));
        const auto X = with_layout(test::random_matrix<T>(s.m, s.n, 11).view(), layout);
        double sum = 0.0, sum_squares = 0.0;
        for (const T x : X.data) sum += x, sum_squares += static_cast<double>(x) * x;
        const double eps = TestFixture::kEps;
        const double floor =
            loss == Loss::Frobenius
                ? 16.0 * eps * eps * sum_squares
                : (16.0 * std::numeric_limits<double>::epsilon() + 16.0 * eps * eps) * sum;
        const Result<T> r = factorize(X.view(), cpu_options(s.k, loss, 60, 0.0, 1));
        ASSERT_EQ(r.loss_history.size(), 61u);
        for (std::size_t i = 1; i < r.loss_history.size(); ++i) {
          const double before = r.loss_history[i - 1], after = r.loss_history[i];
          EXPECT_LE(after, before + relative_slack * before + floor) << "iteration " << i;
        }
        EXPECT_TRUE(all_finite_nonnegative(r.W.view()));
        EXPECT_TRUE(all_finite_nonnegative(r.H.view()));
      }
}

TYPED_TEST(MuCpuTest, RecoversPlantedExactRank) {
  using T = TypeParam;
  // X = W·H exactly (W, H uniform in [0.1, 1.1)); MU from a random start must reach a relative
  // error below 1e-3, for both losses. The ranks are 1 and 2: there MU converged linearly on every
  // draw tried (to 1e-15 in double within 3000 iterations), while from rank 3 on its rate depends
  // on the draw and it can crawl near 2e-3 for thousands of iterations: a property of MU, not a
  // bug, and no test of this code.
  const std::vector<Shape> shapes = {{1, 9, 1}, {9, 1, 1}, {37, 23, 2}, {257, 129, 2}};
  for (const Shape& s : shapes)
    for (const Loss loss : kLosses) {
      SCOPED_TRACE(describe(s, Layout::RowMajor, loss));
      const DenseMatrix<T> X = test::planted_matrix<T>(s.m, s.n, s.k, 0.0, 21);
      const Result<T> r = factorize(X.view(), cpu_options(s.k, loss, 2000, 0.0, 100));
      EXPECT_LT(test::reconstruction_error(X.view(), r.W.view(), r.H.view()), 1e-3);
      EXPECT_TRUE(all_finite_nonnegative(r.W.view()));
      EXPECT_TRUE(all_finite_nonnegative(r.H.view()));
    }
}

TYPED_TEST(MuCpuTest, SameSeedGivesIdenticalBits) {
  using T = TypeParam;
  const DenseMatrix<T> X = test::random_matrix<T>(57, 43, 3);
  for (const Loss loss : kLosses) {
    SCOPED_TRACE(loss == Loss::Frobenius ? "Frobenius" : "KL");
    const Options o = cpu_options(6, loss, 30);
    const Result<T> a = factorize(X.view(), o);
    const Result<T> b = factorize(X.view(), o);
    EXPECT_TRUE(test::bitwise_equal(a.W, b.W));
    EXPECT_TRUE(test::bitwise_equal(a.H, b.H));
    EXPECT_EQ(a.loss_history, b.loss_history);
    Options other = o;
    other.seed = o.seed + 1;
    EXPECT_FALSE(test::bitwise_equal(a.W, factorize(X.view(), other).W));
  }
}

TYPED_TEST(MuCpuTest, RowAndColumnMajorGiveTheSameFactors) {
  using T = TypeParam;
  // The two layouts solve transposed problems with the same start and the same update order, so
  // they differ only by the rounding of differently ordered products: ~ε per step, amplified a
  // little over 40 iterations. Double: 1e-10; float: 1e-4.
  const double tolerance = TestFixture::kIsFloat ? 1e-4 : 1e-10;
  for (const Shape& s : kShapes)
    for (const Loss loss : kLosses) {
      SCOPED_TRACE(describe(s, Layout::RowMajor, loss));
      const DenseMatrix<T> X = test::random_matrix<T>(s.m, s.n, 5, 0.5, 1.5);
      const auto X_col = with_layout(X.view(), Layout::ColMajor);
      const Options o = cpu_options(s.k, loss, 40);
      const Result<T> row = factorize(X.view(), o);
      const Result<T> col = factorize(X_col.view(), o);
      EXPECT_LT(relative_difference(col.W, row.W), tolerance);
      EXPECT_LT(relative_difference(col.H, row.H), tolerance);
      // Where the rank fits exactly (a side of 1) both losses are rounding noise: a few ulps of
      // each x squared, hence the absolute term.
      double sum_squares = 0.0;
      for (std::int64_t idx = 0; idx < X.size(); ++idx) {
        sum_squares += static_cast<double>(X.data()[idx]) * X.data()[idx];
      }
      const double noise = 16.0 * TestFixture::kEps * TestFixture::kEps * sum_squares;
      EXPECT_NEAR(col.loss_history.back(), row.loss_history.back(),
                  tolerance * row.loss_history.back() + noise);
    }
}

TYPED_TEST(MuCpuTest, ZeroTolRunsExactlyMaxIter) {
  using T = TypeParam;
  const DenseMatrix<T> X = test::random_matrix<T>(30, 20, 8);
  const Result<T> r = factorize(X.view(), cpu_options(3, Loss::Frobenius, 25, 0.0, 10));
  EXPECT_EQ(r.iterations, 25);
  EXPECT_FALSE(r.converged);
  EXPECT_EQ(r.history_iterations, (std::vector<int>{0, 10, 20, 25}));
  EXPECT_EQ(r.loss_history.size(), 4u);
  EXPECT_EQ(r.backend, Backend::Cpu);
}

TYPED_TEST(MuCpuTest, PositiveTolStopsEarly) {
  using T = TypeParam;
  const double tol = 1e-3;
  const DenseMatrix<T> X = test::random_matrix<T>(40, 30, 9);
  for (const Loss loss : kLosses) {
    SCOPED_TRACE(loss == Loss::Frobenius ? "Frobenius" : "KL");
    const Result<T> r = factorize(X.view(), cpu_options(4, loss, 100000, tol, 10));
    EXPECT_TRUE(r.converged);
    EXPECT_LT(r.iterations, 100000);
    ASSERT_GE(r.loss_history.size(), 2u);
    // It stopped at the first check whose relative decrease fell below tol.
    const std::size_t last = r.loss_history.size() - 1;
    const auto decrease = [&](std::size_t i) {
      return (r.loss_history[i - 1] - r.loss_history[i]) / r.loss_history[i - 1];
    };
    EXPECT_LT(decrease(last), tol);
    for (std::size_t i = 1; i < last; ++i) EXPECT_GE(decrease(i), tol) << "check " << i;
    EXPECT_EQ(r.history_iterations.back(), r.iterations);
  }
}

TYPED_TEST(MuCpuTest, MaxIterZeroReturnsTheInitialFactors) {
  using T = TypeParam;
  const DenseMatrix<T> X = test::random_matrix<T>(12, 10, 1);
  const DenseMatrix<T> W0 = test::random_matrix<T>(12, 3, 2);
  const auto H0 = with_layout(test::random_matrix<T>(3, 10, 3).view(), Layout::ColMajor);
  for (const Loss loss : kLosses) {
    const Result<T> r = factorize(X.view(), cpu_options(3, loss, 0), W0.view(), H0.view());
    EXPECT_EQ(r.iterations, 0);
    EXPECT_FALSE(r.converged);
    EXPECT_TRUE(test::bitwise_equal(r.W, W0));
    EXPECT_EQ(relative_difference(r.H.view(), H0.view()), 0.0);
    ASSERT_EQ(r.loss_history.size(), 1u);
    EXPECT_NEAR(r.loss_history[0], reference_loss(X.view(), W0.view(), H0.view(), loss),
                1e-5 * r.loss_history[0]);
  }
}

TYPED_TEST(MuCpuTest, RandomInitIsWhatMaxIterZeroReturns) {
  using T = TypeParam;
  // The random start (max_iter = 0) handed back as W0/H0 continues exactly like the random run:
  // custom factors are used as given and the random ones are what max_iter = 0 reports.
  const DenseMatrix<T> X = test::random_matrix<T>(25, 18, 4);
  for (const Loss loss : kLosses) {
    const Result<T> start = factorize(X.view(), cpu_options(4, loss, 0));
    const Result<T> random_run = factorize(X.view(), cpu_options(4, loss, 15));
    const Result<T> custom_run =
        factorize(X.view(), cpu_options(4, loss, 15), start.W.view(), start.H.view());
    EXPECT_TRUE(test::bitwise_equal(random_run.W, custom_run.W));
    EXPECT_TRUE(test::bitwise_equal(random_run.H, custom_run.H));
  }
}

TYPED_TEST(MuCpuTest, OneStepMatchesPlainLoops) {
  using T = TypeParam;
  // A tiny case in both layouts, and a degenerate one whose second column of W0 and second row of
  // W0 are zero: there WᵀWH, Wᵀ1 and a row of WH are exactly 0, so the ε rule is exercised. The
  // library and the plain-loop reference agree to rounding: 1e-13 relative in double; in float
  // the inputs are exact in both and the ~10 operations per entry give 1e-5.
  const double tolerance = TestFixture::kIsFloat ? 1e-5 : 1e-13;
  const DenseMatrix<double> X = [] {
    DenseMatrix<double> A(3, 2);
    const double v[] = {1, 2, 3, 4, 5, 6};
    std::copy(v, v + 6, A.data());
    return A;
  }();
  struct Start {
    std::vector<double> w, h;
  };
  const Start starts[] = {{{1, 0.5, 0.5, 1, 1, 1}, {1, 2, 0.5, 1}},
                          {{1, 0, 0, 0, 2, 0}, {1, 2, 0.5, 1}}};
  for (const Start& start : starts)
    for (const Loss loss : kLosses)
      for (const Layout layout : kLayouts) {
        DenseMatrix<double> W(3, 2), H(2, 2);
        std::copy(start.w.begin(), start.w.end(), W.data());
        std::copy(start.h.begin(), start.h.end(), H.data());
        DenseMatrix<T> Xt(3, 2), Wt(3, 2), Ht(2, 2);
        for (std::int64_t i = 0; i < 6; ++i) Xt.data()[i] = static_cast<T>(X.data()[i]);
        for (std::int64_t i = 0; i < 6; ++i) Wt.data()[i] = static_cast<T>(W.data()[i]);
        for (std::int64_t i = 0; i < 4; ++i) Ht.data()[i] = static_cast<T>(H.data()[i]);
        const auto X_in = with_layout(Xt.view(), layout);
        const auto W_in = with_layout(Wt.view(), layout);
        const auto H_in = with_layout(Ht.view(), layout);
        const Result<T> r =
            factorize(X_in.view(), cpu_options(2, loss, 1), W_in.view(), H_in.view());
        reference_step(X, W, H, loss);
        SCOPED_TRACE(describe({3, 2, 2}, layout, loss) + (start.w[1] == 0 ? " degenerate" : ""));
        EXPECT_LT(relative_difference(r.W, W), tolerance);
        EXPECT_LT(relative_difference(r.H, H), tolerance);
        EXPECT_TRUE(all_finite_nonnegative(r.W.view()));
        EXPECT_TRUE(all_finite_nonnegative(r.H.view()));
      }
}

TYPED_TEST(MuCpuTest, LossIsAccurateAtAGoodFit) {
  using T = TypeParam;
  // X = W·H·(1 + noise) with ‖X − WH‖_F / ‖X‖_F ≈ 1e-3: the loss is ~1e-6 of ‖X‖², the regime in
  // which the trace form ‖X‖² − 2⟨X, WH⟩ + ‖WH‖² would lose all its digits in float. The loss
  // reported for W0 = W, H0 = H (loss_history[0]) must match a double evaluation of the same
  // T-valued matrices to 1e-3 relative in float (W·H is formed in float: ~1e-7 relative per
  // entry against a residual of 1e-3, so ~1e-4 on the loss); double gets 1e-9.
  const double tolerance = TestFixture::kIsFloat ? 1e-3 : 1e-9;
  const DenseMatrix<T> W = test::random_matrix<T>(300, 8, 31);
  const DenseMatrix<T> H = test::random_matrix<T>(8, 200, 32);
  const DenseMatrix<T> planted = test::planted_matrix(W, H, 1e-3, 33);
  const double error = test::reconstruction_error(planted.view(), W.view(), H.view());
  ASSERT_GT(error, 0.5e-3);
  ASSERT_LT(error, 2e-3);
  for (const Layout layout : kLayouts)
    for (const Loss loss : kLosses) {
      SCOPED_TRACE(describe({300, 200, 8}, layout, loss));
      const auto X = with_layout(planted.view(), layout);
      const Result<T> r = factorize(X.view(), cpu_options(8, loss, 0), W.view(), H.view());
      const double expected = reference_loss(planted.view(), W.view(), H.view(), loss);
      EXPECT_NEAR(r.loss_history[0], expected, tolerance * expected);
    }
}

TYPED_TEST(MuCpuTest, ZerosInXStayFinite) {
  using T = TypeParam;
  // Half of X is exactly zero (as in count data): KL's X ⊘ WH and the losses must stay finite,
  // and the loss still decreases overall.
  DenseMatrix<T> X = test::random_matrix<T>(40, 31, 12);
  for (std::int64_t idx = 0; idx < X.size(); idx += 2) X.data()[idx] = T(0);
  for (const Loss loss : kLosses) {
    const Result<T> r = factorize(X.view(), cpu_options(5, loss, 50));
    EXPECT_TRUE(all_finite_nonnegative(r.W.view()));
    EXPECT_TRUE(all_finite_nonnegative(r.H.view()));
    for (const double l : r.loss_history) EXPECT_TRUE(std::isfinite(l));
    EXPECT_LT(r.loss_history.back(), r.loss_history.front());
  }
}

}  // namespace
}  // namespace cunmf
