// Alternating non-negative least squares by block principal pivoting (Solver::AnlsBpp) through the
// public API: against the textbook oracle (reference/bpp_reference.hpp, Lawson–Hanson's active
// set) on awkward shapes, dense in both layouts and CSR with int32 and int64 indices; each row's
// half-step solution against brute-force NNLS (every passive set) for k ≤ 6, from a random and
// from a warm start; the KKT conditions of every half-step's result; a loss that never increases;
// recovery of a planted low rank; a singular Gram; the same bits from the same input; KL refused.
// Built twice: cpu_anls_bpp_test (label cpu) and, with CUDA, cuda_anls_bpp_test (label gpu,
// CUNMF_ANLS_BPP_ON_CUDA defined; skips without a device), which also checks agreement with the
// CPU backend over more than one block of rows.
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
#include "reference/bpp_reference.hpp"
#include "reference_cases.hpp"
#include "sparse_support.hpp"
#include "test_support.hpp"

namespace cunmf::test {
namespace {

// The suite's name differs between the two builds so that CTest, which sees the tests of both
// binaries, gets distinct names (and labels) for them.
#if defined(CUNMF_ANLS_BPP_ON_CUDA)
constexpr Backend kBackend = Backend::Cuda;
#define CUNMF_ANLS_BPP_SUITE CudaAnlsBppTest
#else
constexpr Backend kBackend = Backend::Cpu;
#define CUNMF_ANLS_BPP_SUITE CpuAnlsBppTest
#endif
// The CUDA build runs on the emulated device under sanitizers in CI (each GPU thread a fiber):
// its runs are shorter.
constexpr bool kOnCuda = kBackend == Backend::Cuda;

Options anls_options(std::int64_t rank, int max_iter, int check_every, Backend backend = kBackend) {
  Options o;
  o.rank = rank;
  o.solver = Solver::AnlsBpp;
  o.backend = backend;
  o.max_iter = max_iter;
  o.tol = 0.0;
  o.check_every = check_every;
  o.seed = 5;
  return o;
}

// k = 1 with a side of 1, k = min(m, n) (W square, then Hᵀ square), primes, and one past a
// 128-row block (CPU: past bpp_block_rows' 64-row minimum, two blocks; CUDA: past half a
// 256-thread block); the CUDA build runs on the emulated device, so its shapes stay small.
std::vector<RefShape> anls_shapes() {
  std::vector<RefShape> shapes = {{1, 5, 1}, {6, 1, 1}, {7, 13, 7}, {11, 5, 5}, {37, 23, 4}};
  shapes.push_back(kBackend == Backend::Cpu ? RefShape{129, 257, 5} : RefShape{129, 31, 3});
  return shapes;
}

constexpr int kOracleIterations = 3;

// Tolerances, backend in T against the oracle in double from the same T-valued X and H0 (the
// solution of a half-step is unique, so W0 only decides where the pivoting starts), relative in
// the Frobenius norm. Both find the same passive sets (the exact solution's support), so within
// a half-step only the rounding of the Cholesky solves differs, ~κ(Gram)·ε; NNLS solutions are
// Lipschitz in the data, so 6 half-steps do not amplify it much.
// - double: κ stays below ~1e4 on these random cases: 1e-9, which still sees a slip to float.
// - float: ~1e-7·κ, κ up to ~1e4 where k = min(m, n): 1e-2 (als_suite's measured bound; the
//   projected solve has the same conditioning). A wrong passive set or a missing pivot is O(1).
template <class T>
struct AnlsTolerance {
  static constexpr double kRelative = sizeof(T) == 4 ? 1e-2 : 1e-9;
};

template <class T>
class CUNMF_ANLS_BPP_SUITE : public ::testing::Test {
 protected:
  void SetUp() override {
    if constexpr (kBackend == Backend::Cuda) {
      CUNMF_SKIP_WITHOUT_DEVICE();
    }
  }
};

using Precisions = ::testing::Types<float, double>;
TYPED_TEST_SUITE(CUNMF_ANLS_BPP_SUITE, Precisions);

/// Checks a run of kOracleIterations iterations from H0 on X against the oracle.
template <class T>
void expect_matches_oracle(const Result<T>& r, const reference::Matrix& X, reference::Matrix W,
                           reference::Matrix H) {
  const double tol = AnlsTolerance<T>::kRelative;
  const reference::RidgePrecision precision = reference::ridge_precision<T>();
  EXPECT_EQ(r.backend, kBackend);
  EXPECT_EQ(r.iterations, kOracleIterations);
  EXPECT_TRUE(all_finite_nonnegative(r.W.view()));
  EXPECT_TRUE(all_finite_nonnegative(r.H.view()));
  ASSERT_EQ(r.loss_history.size(), std::size_t(kOracleIterations + 1));
  // Near an exact fit (k = min(m, n) fits exactly) the loss is rounding (loss_floor).
  const double floor = loss_floor<T>(X, Loss::Frobenius);
  for (int it = 0; it <= kOracleIterations; ++it) {
    if (it > 0) reference::anls_step(X, W, H, precision);
    const double expected = reference::frobenius_loss(X, W, H);
    EXPECT_NEAR(r.loss_history[std::size_t(it)], expected, tol * expected + floor)
        << "loss at iteration " << it;
  }
  EXPECT_LT(relative_difference(r.W.view(), view_of(W)), tol) << "W";
  EXPECT_LT(relative_difference(r.H.view(), view_of(H)), tol) << "H";
}

TYPED_TEST(CUNMF_ANLS_BPP_SUITE, DenseMatchesOracle) {
  using T = TypeParam;
  for_each_dense_input<T>(
      anls_shapes(), [](const RefShape& s, auto X, auto W0, auto H0, const reference::Matrix& Xd) {
        expect_matches_oracle(factorize(X, anls_options(s.k, kOracleIterations, 1), W0, H0), Xd,
                              reference::to_matrix(W0), reference::to_matrix(H0));
      });
}

TYPED_TEST(CUNMF_ANLS_BPP_SUITE, SparseMatchesOracle) {
  using T = TypeParam;
  const auto check = [](const RefShape& s, auto X, auto W0, auto H0, const reference::Matrix& Xd) {
    expect_matches_oracle(factorize(X, anls_options(s.k, kOracleIterations, 1), W0, H0), Xd,
                          reference::to_matrix(W0), reference::to_matrix(H0));
  };
  for_each_csr_input<T, std::int32_t>(anls_shapes(), check);
  for_each_csr_input<T, std::int64_t>(anls_shapes(), check);
}

/// The rows of F (rows × k, the result in T) against the NNLS problems of A ≈ F Gᵀ (in double):
/// each row equals brute-force NNLS (when `brute_force`), and the KKT conditions hold: f ≥ 0,
/// ∇ = Qf − n ≥ −tol, f ⊙ ∇ ≈ 0. Returns the number of zero entries (active constraints), so
/// the caller can see the problems were not trivially unconstrained.
template <class T>
std::int64_t expect_rows_solve_nnls(const reference::Matrix& F, const reference::Matrix& A,
                                    const reference::Matrix& G, bool brute_force) {
  // Tolerances relative to the row's scale (‖n‖∞ for the gradient, max|f| for the solution):
  // double: the T solve's rounding times κ(Q) ≤ ~1e4: 1e-9; float: 1e-2 (as the oracle's).
  const double tol = sizeof(T) == 4 ? 1e-2 : 1e-9;
  const reference::Matrix Q = reference::ridged_gram(G, reference::ridge_precision<T>());
  const reference::Matrix N = reference::multiply(A, G);
  std::int64_t zeros = 0;
  for (std::int64_t i = 0; i < F.rows; ++i) {
    SCOPED_TRACE("row " + std::to_string(i));
    const std::vector<double> n(N.data.begin() + i * N.cols, N.data.begin() + (i + 1) * N.cols);
    const std::vector<double> f(F.data.begin() + i * F.cols, F.data.begin() + (i + 1) * F.cols);
    double n_scale = 1e-300, f_scale = 1e-300;
    for (std::int64_t r = 0; r < F.cols; ++r) {
      n_scale = std::max(n_scale, std::abs(n[std::size_t(r)]));
      f_scale = std::max(f_scale, std::abs(f[std::size_t(r)]));
    }
    for (std::int64_t r = 0; r < F.cols; ++r) {
      double gradient = -n[std::size_t(r)];
      for (std::int64_t s = 0; s < F.cols; ++s) gradient += Q(r, s) * f[std::size_t(s)];
      EXPECT_GE(f[std::size_t(r)], 0.0);
      EXPECT_GE(gradient, -tol * n_scale) << "entry " << r;
      EXPECT_LE(std::abs(f[std::size_t(r)] * gradient), tol * n_scale * f_scale) << "entry " << r;
      zeros += f[std::size_t(r)] == 0.0;
    }
    if (brute_force) {
      const std::vector<double> expected = reference::nnls_brute_force(Q, n);
      double e_scale = 1e-300;
      for (const double v : expected) e_scale = std::max(e_scale, std::abs(v));
      for (std::int64_t r = 0; r < F.cols; ++r)
        EXPECT_NEAR(f[std::size_t(r)], expected[std::size_t(r)], tol * e_scale) << "entry " << r;
    }
  }
  return zeros;
}

// For k = 1, …, 6: one iteration from a random start (every entry of W0 positive: the pivoting
// starts from the full passive set), then one more from that result (a warm start from its zero
// pattern). Every row of each half-step's result is the brute-force NNLS solution and satisfies
// the KKT conditions. X is noisy rank-k data with parts-based factors, so many solutions have
// zeros (checked: the constraints are active somewhere). Then the KKT conditions alone at k = 12,
// where brute force (4096 sets a row) would be slow.
TYPED_TEST(CUNMF_ANLS_BPP_SUITE, HalfStepsSolveEachRowExactly) {
  using T = TypeParam;
  for (std::int64_t k = 1; k <= 12; k += k < 6 ? 1 : 6) {
    SCOPED_TRACE("k=" + std::to_string(k));
    const std::int64_t m = 37, n = 29;
    const DenseMatrix<T> X = planted_matrix<T>(m, n, k, 0.3, 200 + k, 0.4);
    DenseMatrix<T> W = random_matrix<T>(m, k, 300 + k);
    DenseMatrix<T> H = random_matrix<T>(k, n, 400 + k);
    const reference::Matrix Xr = reference::to_matrix(X.view());
    std::int64_t zeros = 0;
    for (int start = 0; start < 2; ++start) {
      SCOPED_TRACE(start == 0 ? "random start" : "warm start");
      const reference::Matrix H0 = reference::to_matrix(H.view());
      const Result<T> r = factorize(X.view(), anls_options(k, 1, 1), W.view(), H.view());
      const reference::Matrix W1 = reference::to_matrix(r.W.view());
      const reference::Matrix H1 = reference::to_matrix(r.H.view());
      // W1 solves X ≈ W Hᵀ₀ᵀ row by row; H1ᵀ solves Xᵀ ≈ Hᵀ W1ᵀ.
      zeros += expect_rows_solve_nnls<T>(W1, Xr, reference::transpose(H0), k <= 6);
      zeros +=
          expect_rows_solve_nnls<T>(reference::transpose(H1), reference::transpose(Xr), W1, k <= 6);
      W = r.W;
      H = r.H;
    }
    if (k > 1) {
      EXPECT_GT(zeros, 0) << "no active constraint: the test would not test pivoting";
    }
  }
}

// The oracle's active-set NNLS against brute force on random problems with k ≤ 6 (mixed-sign n,
// so that all kinds of passive sets occur): the two oracles agree.
TEST(AnlsBppOracle, ActiveSetMatchesBruteForce) {
  for (std::int64_t k = 1; k <= 6; ++k) {
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
      const DenseMatrix<double> Gd = random_matrix<double>(k + 3, k, 500 + seed * 7 + k);
      const reference::Matrix G = reference::to_matrix(Gd.view());
      reference::Matrix Q = reference::multiply(reference::transpose(G), G);
      const DenseMatrix<double> nd = random_matrix<double>(1, k, 900 + seed * 7 + k, -1.0, 1.0);
      const std::vector<double> n(nd.data(), nd.data() + k);
      const std::vector<double> a = reference::nnls_active_set(Q, n);
      const std::vector<double> b = reference::nnls_brute_force(Q, n);
      for (std::int64_t r = 0; r < k; ++r)
        EXPECT_NEAR(a[std::size_t(r)], b[std::size_t(r)], 1e-10) << "k=" << k << " seed=" << seed;
    }
  }
}

// By hand: Q = [[2, 1], [1, 2]], n = (3, −3). Unconstrained: x = Q⁻¹n = (3, −3); the solution is
// x₂ = 0, x₁ = 3/2 (gradient at it: Qx − n = (0, 4.5) ≥ 0).
TEST(AnlsBppOracle, TwoVariablesByHand) {
  reference::Matrix Q(2, 2);
  Q.data = {2, 1, 1, 2};
  const std::vector<double> n = {3, -3};
  for (const auto& x : {reference::nnls_active_set(Q, n), reference::nnls_brute_force(Q, n)}) {
    EXPECT_NEAR(x[0], 1.5, 1e-15);
    EXPECT_EQ(x[1], 0.0);
  }
}

// Each half-step minimizes its subproblem exactly over a set containing the current factor, so
// the loss never increases: checked after every iteration for 30 iterations (CUDA: 10) on noisy
// data, dense and CSR. Slack: exact to ~1e-15 relative in double; in float the solves see the
// rounded N and Gram (~1e-7 relative).
TYPED_TEST(CUNMF_ANLS_BPP_SUITE, LossNeverIncreases) {
  using T = TypeParam;
  const double slack = sizeof(T) == 4 ? 1e-5 : 1e-12;
  const DenseMatrix<T> X = planted_matrix<T>(50, 40, 4, 0.1, 61);
  const auto X_csr = random_csr<T, std::int64_t>(50, 40, 0.3, 62, 2, 7);
  const int iterations = kOnCuda ? 10 : 30;
  const Options o = anls_options(4, iterations, 1);
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
// every non-zero stored: ‖X − WH‖_F / ‖X‖_F < 1e-4 after 60 iterations (measured: printed).
TYPED_TEST(CUNMF_ANLS_BPP_SUITE, RecoversPlantedLowRank) {
  using T = TypeParam;
  const DenseMatrix<T> X = planted_matrix<T>(60, 45, 4, 0.0, 21, 0.5);
  const auto X_csr = csr_from_dense<T, std::int32_t>(X);
  const Options o = anls_options(4, 60, 60);
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

// A singular Gram matrix: a zero row of H0 (HHᵀ singular; the ridge keeps every passive block
// factorizable) and two equal rows (rank-deficient without a zero): finite factors, the zero case
// matching the oracle, and a decreasing loss.
TYPED_TEST(CUNMF_ANLS_BPP_SUITE, SingularGramGivesFiniteFactors) {
  using T = TypeParam;
  const std::int64_t m = 17, n = 11, k = 3;
  const DenseMatrix<T> X = random_matrix<T>(m, n, 111);
  const DenseMatrix<T> W0 = random_matrix<T>(m, k, 112);
  DenseMatrix<T> zero_row = random_matrix<T>(k, n, 113);
  DenseMatrix<T> equal_rows = zero_row;
  for (std::int64_t j = 0; j < n; ++j) {
    zero_row(1, j) = T(0);
    equal_rows(2, j) = equal_rows(0, j);
  }
  const Options o = anls_options(k, kOracleIterations, 1);
  const Result<T> zero = factorize(X.view(), o, W0.view(), zero_row.view());
  expect_matches_oracle(zero, reference::to_matrix(X.view()), reference::to_matrix(W0.view()),
                        reference::to_matrix(zero_row.view()));
  const Result<T> equal = factorize(X.view(), o, W0.view(), equal_rows.view());
  EXPECT_TRUE(all_finite_nonnegative(equal.W.view()));
  EXPECT_TRUE(all_finite_nonnegative(equal.H.view()));
  for (const double loss : equal.loss_history) EXPECT_TRUE(std::isfinite(loss));
  EXPECT_LT(equal.loss_history.back(), equal.loss_history.front());
}

// No atomics, no order-dependent sums: the same input and seed give the same bits, dense and CSR.
TYPED_TEST(CUNMF_ANLS_BPP_SUITE, SameSeedGivesIdenticalBits) {
  using T = TypeParam;
  const DenseMatrix<T> X = planted_matrix<T>(70, 50, 5, 0.05, 31);
  const auto X_csr = random_csr<T, std::int64_t>(70, 50, 0.3, 32, 3, 7);
  const Options o = anls_options(5, kOnCuda ? 3 : 10, kOnCuda ? 1 : 5);
  const Result<T> first = factorize(X.view(), o), second = factorize(X.view(), o);
  EXPECT_TRUE(bitwise_equal(first.W, second.W));
  EXPECT_TRUE(bitwise_equal(first.H, second.H));
  EXPECT_EQ(first.loss_history, second.loss_history);
  const Result<T> first_csr = factorize(X_csr.view(), o), second_csr = factorize(X_csr.view(), o);
  EXPECT_TRUE(bitwise_equal(first_csr.W, second_csr.W));
  EXPECT_TRUE(bitwise_equal(first_csr.H, second_csr.H));
}

TEST(AnlsBpp, KullbackLeiblerIsRefusedNamingTheSolversThatSupportIt) {
  const DenseMatrix<double> X = random_matrix<double>(6, 5, 1);
  Options o = anls_options(2, 10, 1, Backend::Cpu);
  o.loss = Loss::KullbackLeibler;
  EXPECT_TRUE(throws_with_message<InvalidArgument>(
      [&] { (void)factorize(X.view(), o); }, {"Kullback-Leibler", "(mu)", "(cd)", "(anls-bpp)"}));
}

#if defined(CUNMF_ANLS_BPP_ON_CUDA)
// The CUDA backend against the CPU backend in double from the same start, with m = 300 rows (more
// than one 256-thread block, so the kernel's grid-stride loop covers two blocks; the CPU groups
// them in five blocks of 64 rows) and n = 41, dense and CSR, 3 iterations. Both find the exact
// solution of each half-step: the oracle tolerances.
TYPED_TEST(CUNMF_ANLS_BPP_SUITE, CudaMatchesCpuFromSameStart) {
  using T = TypeParam;
  const double tol = AnlsTolerance<T>::kRelative;
  const DenseMatrix<T> X = planted_matrix<T>(300, 41, 3, 0.1, 41, 0.3);
  const auto X_csr = random_csr<T, std::int32_t>(300, 41, 0.2, 42, 0, 40);
  const DenseMatrix<T> W0 = random_matrix<T>(300, 3, 43);
  const DenseMatrix<T> H0 = random_matrix<T>(3, 41, 44);
  expect_cuda_matches_cpu(anls_options(3, 3, 1, Backend::Cuda), anls_options(3, 3, 1, Backend::Cpu),
                          X, X_csr, W0, H0, tol);
}
#else
// ANLS-BPP against MU on the dataset of cd_test's comparison (planted rank 6 with parts-based
// factors, 120 × 90, 5% noise, k = 6, the same random start): anls-bpp reaches the loss MU has
// after 1000 iterations within 250 iterations (a quarter; measured: see the printed count — each
// half-step is the exact minimizer over its factor, where MU takes one scaled step).
TEST(AnlsBppConvergence, ReachesMuLossInAQuarterOfTheIterations) {
  const int reached = iterations_to_mu_loss(anls_options(6, 250, 1), "anls-bpp");
  EXPECT_GE(reached, 0) << "anls-bpp did not reach MU's 1000-iteration loss in 250 iterations";
  EXPECT_LE(reached, 250);
}
#endif

}  // namespace
}  // namespace cunmf::test
