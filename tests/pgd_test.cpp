// Projected gradient (Solver::ProjectedGradient) through the public API: against the textbook
// oracle (reference/pgd_reference.hpp) on awkward shapes, dense in both layouts and CSR with int32
// and int64 indices; a loss that never increases; recovery of a planted low rank; the KKT
// conditions at the result; the same bits from the same input; KL refused. Built twice:
// cpu_pgd_test (label cpu) and, with CUDA, cuda_pgd_test (label gpu, CUNMF_PGD_ON_CUDA defined;
// skips without a device), which also checks agreement with the CPU backend over more than one
// block of rows.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "cuda_test_support.hpp"
#include "cunmf/cunmf.hpp"
#include "oracle_inputs.hpp"
#include "reference/pgd_reference.hpp"
#include "reference_cases.hpp"
#include "sparse_support.hpp"
#include "test_support.hpp"

namespace cunmf::test {
namespace {

// The suite's name differs between the two builds so that CTest, which sees the tests of both
// binaries, gets distinct names (and labels) for them.
#if defined(CUNMF_PGD_ON_CUDA)
constexpr Backend kBackend = Backend::Cuda;
#define CUNMF_PGD_SUITE CudaPgdTest
#else
constexpr Backend kBackend = Backend::Cpu;
#define CUNMF_PGD_SUITE CpuPgdTest
#endif
// The CUDA build runs on the emulated device under sanitizers in CI, where a kernel launch costs
// milliseconds (measured under ASan on a busy 2-core machine: ~5 ms) and an iteration launches up
// to ~500 (20 inner steps, each a few element-wise kernels and reductions): its runs are shorter.
constexpr bool kOnCuda = kBackend == Backend::Cuda;

Options pgd_options(std::int64_t rank, int max_iter, int check_every, Backend backend = kBackend) {
  Options o;
  o.rank = rank;
  o.solver = Solver::ProjectedGradient;
  o.backend = backend;
  o.max_iter = max_iter;
  o.tol = 0.0;
  o.check_every = check_every;
  o.seed = 5;
  return o;
}

// k = 1 with a side of 1, k = min(m, n) (W square, then Hᵀ square), primes, and one past a
// 128-row block; the CUDA build runs on the emulated device under sanitizers, so its shapes stay
// small.
std::vector<RefShape> pgd_shapes() {
  std::vector<RefShape> shapes = {{1, 5, 1}, {6, 1, 1}, {7, 13, 7}, {11, 5, 5}, {37, 23, 4}};
  shapes.push_back(kBackend == Backend::Cpu ? RefShape{129, 257, 5} : RefShape{129, 31, 3});
  return shapes;
}

// 3 iterations (CUDA: 2), a check after each: every half-step's outcome is compared through the
// losses.
constexpr int kOracleIterations = kOnCuda ? 2 : 3;

// Tolerances, backend in T against the oracle in double from the same T-valued X, W0, H0,
// relative in the Frobenius norm. The oracle and the backends take the same discrete decisions
// (which α, how many steps) unless a decision sits within rounding of its threshold, which these
// fixed cases do not; within a decision, a step is a few products of a contracting iteration.
// - double: only summation orders differ: measured ≤ 7e-15 on these cases; 1e-11.
// - float: each product, Gram and step rounds at ~6e-8 relative, amplified by the Gram's
//   conditioning where k = min(m, n) and over up to 120 steps: measured ≤ 4e-6; 1e-4. A
//   different decision (α off by a power of 10 scales a step tenfold) is far above both.
template <class T>
struct PgdTolerance {
  static constexpr double kRelative = sizeof(T) == 4 ? 1e-4 : 1e-11;
};

template <class T>
class CUNMF_PGD_SUITE : public ::testing::Test {
 protected:
  void SetUp() override {
    if constexpr (kBackend == Backend::Cuda) {
      CUNMF_SKIP_WITHOUT_DEVICE();
    }
  }
};

using Precisions = ::testing::Types<float, double>;
TYPED_TEST_SUITE(CUNMF_PGD_SUITE, Precisions);

/// Checks a run of kOracleIterations iterations from W0, H0 on X against the oracle.
template <class T>
void expect_matches_oracle(const Result<T>& r, const reference::Matrix& X, reference::Matrix W,
                           reference::Matrix H) {
  const double tol = PgdTolerance<T>::kRelative;
  EXPECT_EQ(r.backend, kBackend);
  EXPECT_EQ(r.iterations, kOracleIterations);
  EXPECT_TRUE(all_finite_nonnegative(r.W.view()));
  EXPECT_TRUE(all_finite_nonnegative(r.H.view()));
  ASSERT_EQ(r.loss_history.size(), std::size_t(kOracleIterations + 1));
  // Factors off by tol relative move WH by ~tol·‖X‖, and so the loss by ~‖X − WH‖·tol·‖X‖ =
  // tol·√(2 loss)·‖X‖ to first order, which dominates near a fit (a side of 1, k = min(m, n));
  // at an exact fit the loss is rounding (loss_floor).
  const double floor = loss_floor<T>(X, Loss::Frobenius);
  const double x_norm = std::sqrt(reference::entry_dot(X, X));
  for (int it = 0; it <= kOracleIterations; ++it) {
    if (it > 0) reference::pgd_step(X, W, H);
    const double expected = reference::frobenius_loss(X, W, H);
    EXPECT_NEAR(r.loss_history[std::size_t(it)], expected,
                tol * (expected + std::sqrt(2.0 * expected) * x_norm) + floor)
        << "loss at iteration " << it;
  }
  EXPECT_LT(relative_difference(r.W.view(), view_of(W)), tol) << "W";
  EXPECT_LT(relative_difference(r.H.view(), view_of(H)), tol) << "H";
}

TYPED_TEST(CUNMF_PGD_SUITE, DenseMatchesOracle) {
  using T = TypeParam;
  for_each_dense_input<T>(
      pgd_shapes(), [](const RefShape& s, auto X, auto W0, auto H0, const reference::Matrix& Xd) {
        expect_matches_oracle(factorize(X, pgd_options(s.k, kOracleIterations, 1), W0, H0), Xd,
                              reference::to_matrix(W0), reference::to_matrix(H0));
      });
}

TYPED_TEST(CUNMF_PGD_SUITE, SparseMatchesOracle) {
  using T = TypeParam;
  const auto check = [](const RefShape& s, auto X, auto W0, auto H0, const reference::Matrix& Xd) {
    expect_matches_oracle(factorize(X, pgd_options(s.k, kOracleIterations, 1), W0, H0), Xd,
                          reference::to_matrix(W0), reference::to_matrix(H0));
  };
  for_each_csr_input<T, std::int32_t>(pgd_shapes(), check);
  for_each_csr_input<T, std::int64_t>(pgd_shapes(), check);
}

// Every accepted step satisfies Armijo's condition, so f decreases in every half-step and the loss
// never increases: checked after every iteration for 60 iterations (CUDA: 12) on noisy data (the
// loss stays well above rounding), dense and CSR. Slack: the loss itself is exact to ~1e-15
// relative in double; in float the Armijo test sees the rounded N and Gram (~1e-7 relative), so a
// step may gain ~1e-7.
TYPED_TEST(CUNMF_PGD_SUITE, LossNeverIncreases) {
  using T = TypeParam;
  const double slack = sizeof(T) == 4 ? 1e-6 : 1e-13;
  const DenseMatrix<T> X = planted_matrix<T>(50, 40, 4, 0.1, 61);
  const auto X_csr = random_csr<T, std::int64_t>(50, 40, 0.3, 62, 2, 7);
  const int iterations = kOnCuda ? 12 : 60;
  const Options o = pgd_options(4, iterations, 1);
  const Result<T> runs[] = {factorize(X.view(), o), factorize(X_csr.view(), o)};
  for (int which = 0; which < 2; ++which) {
    SCOPED_TRACE(which == 0 ? "dense" : "CSR");
    const std::vector<double>& loss = runs[which].loss_history;
    ASSERT_EQ(loss.size(), std::size_t(iterations + 1));
    for (std::size_t c = 1; c < loss.size(); ++c) {
      EXPECT_LE(loss[c], loss[c - 1] * (1.0 + slack)) << "iteration " << c;
    }
    EXPECT_LT(loss.back(), 0.9 * loss.front());
  }
}

// An exact rank-4 X (60 × 45) with parts-based factors from a random start, dense and as CSR with
// every non-zero stored: ‖X − WH‖_F / ‖X‖_F < 1e-4 after 60 iterations (the oracle from another
// random start gets there in 27; measured here: see the printed errors; the error shrinks
// geometrically, so 1e-4 fails at once if the steps stall).
TYPED_TEST(CUNMF_PGD_SUITE, RecoversPlantedLowRank) {
  using T = TypeParam;
  const DenseMatrix<T> X = planted_matrix<T>(60, 45, 4, 0.0, 21, 0.5);
  const auto X_csr = csr_from_dense<T, std::int32_t>(X);
  const Options o = pgd_options(4, 60, 60);
  const Result<T> runs[] = {factorize(X.view(), o), factorize(X_csr.view(), o)};
  for (int which = 0; which < 2; ++which) {
    SCOPED_TRACE(which == 0 ? "dense" : "CSR");
    const Result<T>& r = runs[which];
    EXPECT_TRUE(all_finite_nonnegative(r.W.view()));
    EXPECT_TRUE(all_finite_nonnegative(r.H.view()));
    const double error = reconstruction_error(X.view(), r.W.view(), r.H.view());
    std::printf("%s %s: relative error %.3e after %d iterations\n", which == 0 ? "dense" : "CSR",
                sizeof(T) == 4 ? "float" : "double", error, r.iterations);
    EXPECT_LT(error, 1e-4);
  }
}

/// ‖∇ᴾ‖_F of the Frobenius loss at (W, H) over both factors, in double: the gradients
/// W(HHᵀ) − XHᵀ and (WᵀW)H − WᵀX, counted where the factor is > 0 or the gradient < 0.
double projected_gradient_norm(const reference::Matrix& X, const reference::Matrix& W,
                               const reference::Matrix& H) {
  const reference::Matrix Ht = reference::transpose(H), Wt = reference::transpose(W);
  const reference::Matrix gw = reference::difference(
      reference::multiply(W, reference::multiply(H, Ht)), reference::multiply(X, Ht));
  const reference::Matrix gh = reference::difference(
      reference::multiply(reference::multiply(Wt, W), H), reference::multiply(Wt, X));
  double sum = 0.0;
  for (std::size_t i = 0; i < W.data.size(); ++i)
    if (W.data[i] > 0.0 || gw.data[i] < 0.0) sum += gw.data[i] * gw.data[i];
  for (std::size_t i = 0; i < H.data.size(); ++i)
    if (H.data[i] > 0.0 || gh.data[i] < 0.0) sum += gh.data[i] * gh.data[i];
  return std::sqrt(sum);
}

// The KKT conditions of min ½‖X − WH‖² over W, H ≥ 0 (W ≥ 0, ∇_W ≥ 0, W ⊙ ∇_W = 0, and for H)
// are ∇ᴾ = 0; on noisy data (no exact fit) after 60 iterations in double, ‖∇ᴾ‖ is below 1e-4 of
// its value at the start (the paper's outer test uses 1e-3 at its loosest). Measured: printed.
TEST(PgdKkt, ProjectedGradientVanishesAtTheResult) {
  if constexpr (kOnCuda) {
    CUNMF_SKIP_WITHOUT_DEVICE();
  }
  const DenseMatrix<double> X = planted_matrix<double>(40, 30, 3, 0.05, 71, 0.5);
  const DenseMatrix<double> W0 = random_matrix<double>(40, 3, 72);
  const DenseMatrix<double> H0 = random_matrix<double>(3, 30, 73);
  const Result<double> r = factorize(X.view(), pgd_options(3, 60, 60), W0.view(), H0.view());
  const reference::Matrix Xr = reference::to_matrix(X.view());
  const double start =
      projected_gradient_norm(Xr, reference::to_matrix(W0.view()), reference::to_matrix(H0.view()));
  const double end = projected_gradient_norm(Xr, reference::to_matrix(r.W.view()),
                                             reference::to_matrix(r.H.view()));
  std::printf("||projected gradient||: %.3e at the start, %.3e after 60 iterations\n", start, end);
  EXPECT_LT(end, 1e-4 * start);
}

// No atomics, fixed reduction orders: the same input and seed give the same bits, dense and CSR.
TYPED_TEST(CUNMF_PGD_SUITE, SameSeedGivesIdenticalBits) {
  using T = TypeParam;
  const DenseMatrix<T> X = planted_matrix<T>(70, 50, 5, 0.05, 31);
  const auto X_csr = random_csr<T, std::int64_t>(70, 50, 0.3, 32, 3, 7);
  const Options o = pgd_options(5, kOnCuda ? 3 : 10, kOnCuda ? 1 : 5);
  const Result<T> first = factorize(X.view(), o), second = factorize(X.view(), o);
  EXPECT_TRUE(bitwise_equal(first.W, second.W));
  EXPECT_TRUE(bitwise_equal(first.H, second.H));
  EXPECT_EQ(first.loss_history, second.loss_history);
  const Result<T> first_csr = factorize(X_csr.view(), o), second_csr = factorize(X_csr.view(), o);
  EXPECT_TRUE(bitwise_equal(first_csr.W, second_csr.W));
  EXPECT_TRUE(bitwise_equal(first_csr.H, second_csr.H));
}

TEST(Pgd, KullbackLeiblerIsRefusedNamingTheSolversThatSupportIt) {
  const DenseMatrix<double> X = random_matrix<double>(6, 5, 1);
  Options o = pgd_options(2, 10, 1, Backend::Cpu);
  o.loss = Loss::KullbackLeibler;
  EXPECT_TRUE(throws_with_message<InvalidArgument>([&] { (void)factorize(X.view(), o); },
                                                   {"Kullback-Leibler", "(mu)", "(pgd)"}));
}

// The oracle by hand: min over w ≥ 0 of ½(4 − 2w)² from w = 0 (N = 8, Q = 4). Step 1: α = 1 gives
// w = 8, f rises (the condition fails), α = 0.1 gives 0.8 (holds). Step 2 from α = 0.1: w = 1.28
// holds, α = 1 would give 5.6 (fails): w = 1.28.
TEST(PgdOracle, TwoStepsByHand) {
  reference::Matrix N(1, 1), Q(1, 1), F(1, 1);
  N.data = {8};
  Q.data = {4};
  F.data = {0};
  reference::PgdRules one;
  one.max_inner = 1;
  reference::pgd_subproblem(N, Q, F, one);
  EXPECT_NEAR(F(0, 0), 0.8, 1e-15);
  F.data = {0};
  reference::PgdRules two;
  two.max_inner = 2;
  reference::pgd_subproblem(N, Q, F, two);
  EXPECT_NEAR(F(0, 0), 1.28, 1e-15);
}

#if defined(CUNMF_PGD_ON_CUDA)
// The CUDA backend against the CPU backend in double from the same start, with m = 300 rows (more
// than one 256-thread block, so the grid-stride loops and the reductions cover two blocks) and
// n = 41, dense and CSR, 3 iterations. Only summation orders differ (the decisions are the same):
// the oracle tolerances.
TYPED_TEST(CUNMF_PGD_SUITE, CudaMatchesCpuFromSameStart) {
  using T = TypeParam;
  const double tol = PgdTolerance<T>::kRelative;
  const DenseMatrix<T> X = planted_matrix<T>(300, 41, 3, 0.1, 41);
  const auto X_csr = random_csr<T, std::int32_t>(300, 41, 0.2, 42, 0, 40);
  const DenseMatrix<T> W0 = random_matrix<T>(300, 3, 43);
  const DenseMatrix<T> H0 = random_matrix<T>(3, 41, 44);
  expect_cuda_matches_cpu(pgd_options(3, 3, 1, Backend::Cuda), pgd_options(3, 3, 1, Backend::Cpu),
                          X, X_csr, W0, H0, tol);
}
#else
// Projected gradient against MU on the dataset of cd_test's comparison (planted rank 6 with
// parts-based factors, 120 × 90, 5% noise, k = 6, the same random start): pgd reaches the loss MU
// has after 1000 iterations within 100 iterations (a tenth; measured: 15, see the printed count —
// each half-step takes many gradient steps for its one pass over X, where MU takes one).
TEST(PgdConvergence, ReachesMuLossInATenthOfTheIterations) {
  const int reached = iterations_to_mu_loss(pgd_options(6, 250, 1), "pgd");
  EXPECT_GE(reached, 0) << "pgd did not reach MU's 1000-iteration loss in 250 iterations";
  EXPECT_LE(reached, 100);
}
#endif

}  // namespace
}  // namespace cunmf::test
