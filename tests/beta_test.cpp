// The β-divergence (Options::loss = Loss::Beta / ItakuraSaito, Options::beta) through the public
// API: multiplicative updates against the textbook oracle (tests/reference/beta_reference.hpp,
// scikit-learn's rules) for β ∈ {0, 0.5, 1.5, 3}, dense in both layouts and CSR (int32, int64; an
// empty row and column), with and without penalties, and in transform; β = 2, β = 1 and
// Itakura–Saito take exactly the Frobenius, KL and β = 0 paths; the divergence never increases
// (the updates with γ(β) are majorization-minimization steps); the domain errors of β ≤ 0 and the
// solvers that do not take β are refused with messages that say why. scikit-learn's own iterates
// are compared in tests/sklearn/compare_iterates.py. Built twice: cpu_beta_test and, with CUDA,
// cuda_beta_test (CUNMF_TEST_ON_CUDA; skips without a device).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "../kernels/elementwise.cuh"
#include "cunmf/cunmf.hpp"
#include "reference/beta_reference.hpp"
#include "reference_cases.hpp"
#include "sparse_support.hpp"
#include "test_support.hpp"

namespace cunmf::test {
namespace {

template <class C>
class BetaTest : public CaseTest<C> {};
TYPED_TEST_SUITE(BetaTest, BackendCases);

/// The β of scikit-learn's comparison (issue 16): Itakura–Saito, between IS and KL, between KL
/// and Frobenius, above Frobenius (each with its own γ and its own ε rules).
const double kBetas[] = {0.0, 0.5, 1.5, 3.0};

constexpr int kIterations = 20;
constexpr int kCheckEvery = 5;

Options beta_options(Backend backend, double beta, std::int64_t k, int max_iter = kIterations,
                     int check_every = kCheckEvery) {
  Options o = reference_options(backend, Loss::Beta, k, max_iter, check_every);
  o.beta = beta;
  return o;
}

// Only the order of summation differs in double (and pow's last bit); float rounds each product,
// quotient and power to ~1e-7, which 20 iterations of a contraction amplify to ~1e-5 at most
// (RefTolerance in reference_suite.hpp argues the same for KL).
template <class T>
constexpr double kFactorTolerance = sizeof(T) == 4 ? 2e-4 : 1e-10;
template <class T>
constexpr double kLossTolerance = sizeof(T) == 4 ? 2e-5 : 1e-10;

/// The absolute rounding floor of a divergence d near an exact fit (a 1 × n X with k = 1 is
/// fitted exactly), where relative tolerances mean nothing: the per-entry formula cancels to
/// ~ε_double times its terms, each ~x^β/|β(β − 1)| (Itakura–Saito's x/wh − log(x/wh) − 1:
/// ~ε_double); and near the fit d ≈ ½Σ x^(β−2)(x − wh)², so wh off by ε_T·x (the factors in T)
/// moves d by at most ε_T·√(2d·Σ x^β) (Cauchy–Schwarz) — relative to d, large as d → 0.
template <class T>
double divergence_floor(const reference::Matrix& X, double beta, double d) {
  const double eps = std::numeric_limits<T>::epsilon();
  const double eps_double = std::numeric_limits<double>::epsilon();
  const double scale = beta == 0.0 ? 1.0 : 1.0 / std::min(1.0, std::abs(beta * (beta - 1.0)));
  double sum = 0.0;
  for (const double x : X.data) sum += x > 0.0 ? std::pow(x, beta) : 0.0;
  return 64.0 *
         ((eps_double + eps * eps) * scale * sum + eps * std::sqrt(2.0 * std::max(d, 0.0) * sum));
}

/// The run against the oracle from the same start: the divergence at every check, the factors at
/// the end.
template <class T>
void expect_matches_oracle(const Result<T>& r, const reference::Matrix& X, reference::Matrix W,
                           reference::Matrix H, double beta,
                           const reference::Regularization& penalties = {}) {
  ASSERT_EQ(r.loss_history.size(), std::size_t(kIterations / kCheckEvery + 1));
  EXPECT_TRUE(all_finite_nonnegative(r.W.view()));
  EXPECT_TRUE(all_finite_nonnegative(r.H.view()));
  for (std::size_t c = 0; c < r.loss_history.size(); ++c) {
    if (c > 0)
      for (int it = 0; it < kCheckEvery; ++it) reference::beta_step(X, W, H, beta, penalties);
    const double expected = reference::beta_loss(X, W, H, beta) +
                            reference::penalty(W, penalties.l1_w, penalties.l2_w) +
                            reference::penalty(H, penalties.l1_h, penalties.l2_h);
    EXPECT_NEAR(r.loss_history[c], expected,
                std::max(kLossTolerance<T> * expected, divergence_floor<T>(X, beta, expected)))
        << "check " << c;
  }
  EXPECT_LT(relative_difference(r.W.view(), view_of(W)), kFactorTolerance<T>) << "W";
  EXPECT_LT(relative_difference(r.H.view(), view_of(H)), kFactorTolerance<T>) << "H";
}

// Dense X, positive (β = 0 needs it), in both layouts; shapes with k = 1, odd sizes and one with
// more rows than a CPU tile's block.
TYPED_TEST(BetaTest, DenseMatchesOracle) {
  using T = typename TypeParam::Scalar;
  const RefShape shapes[] = {{1, 5, 1}, {11, 7, 3}, {37, 23, 4}};
  for (const double beta : kBetas)
    for (const RefShape& s : shapes)
      for (const Layout layout : {Layout::RowMajor, Layout::ColMajor}) {
        SCOPED_TRACE("beta " + std::to_string(beta) + " " + std::to_string(s.m) + "x" +
                     std::to_string(s.n) + (layout == Layout::RowMajor ? " row-major" : " col"));
        const auto X = with_layout(random_matrix<T>(s.m, s.n, 71 + s.n, 0.1, 1.1).view(), layout);
        const auto W0 = random_matrix<T>(s.m, s.k, 72, 0.1, 1.0);
        const auto H0 = random_matrix<T>(s.k, s.n, 73, 0.1, 1.0);
        const Options o = beta_options(TypeParam::kBackend, beta, s.k);
        expect_matches_oracle(factorize(X.view(), o, W0.view(), H0.view()),
                              reference::to_matrix(X.view()), reference::to_matrix(W0.view()),
                              reference::to_matrix(H0.view()), beta);
      }
}

// CSR X with implicit zeros (an empty row and column) for β > 0, where the numerator needs W·H
// at the stored entries only but the denominator and the divergence need every entry; for β = 0
// a CSR X that stores every entry.
TYPED_TEST(BetaTest, CsrMatchesOracle) {
  using T = typename TypeParam::Scalar;
  const RefShape s{29, 19, 3};
  for (const double beta : kBetas) {
    SCOPED_TRACE("beta " + std::to_string(beta));
    const double density = beta > 0.0 ? 0.6 : 1.0;
    const auto W0 = random_matrix<T>(s.m, s.k, 82, 0.1, 1.0);
    const auto H0 = random_matrix<T>(s.k, s.n, 83, 0.1, 1.0);
    const Options o = beta_options(TypeParam::kBackend, beta, s.k);
    const auto X32 = random_csr<T, std::int32_t>(s.m, s.n, density, 84, beta > 0.0 ? 0 : -1,
                                                 beta > 0.0 ? s.n - 1 : -1);
    expect_matches_oracle(factorize(X32.view(), o, W0.view(), H0.view()),
                          reference::densify(X32.view()), reference::to_matrix(W0.view()),
                          reference::to_matrix(H0.view()), beta);
    const auto X64 = random_csr<T, std::int64_t>(s.m, s.n, density, 85);
    expect_matches_oracle(factorize(X64.view(), o, W0.view(), H0.view()),
                          reference::densify(X64.view()), reference::to_matrix(W0.view()),
                          reference::to_matrix(H0.view()), beta);
  }
}

// L1/L2 penalties join the β denominator as they do the others (scikit-learn's rule).
TYPED_TEST(BetaTest, PenalizedMatchesOracle) {
  using T = typename TypeParam::Scalar;
  const RefShape s{17, 13, 3};
  const auto X = random_matrix<T>(s.m, s.n, 91, 0.1, 1.1);
  const auto W0 = random_matrix<T>(s.m, s.k, 92, 0.1, 1.0);
  const auto H0 = random_matrix<T>(s.k, s.n, 93, 0.1, 1.0);
  for (const double beta : {0.5, 3.0}) {
    SCOPED_TRACE("beta " + std::to_string(beta));
    Options o = beta_options(TypeParam::kBackend, beta, s.k);
    o.alpha_W = 0.01;
    o.alpha_H = 0.02;
    o.l1_ratio = 0.4;
    expect_matches_oracle(factorize(X.view(), o, W0.view(), H0.view()),
                          reference::to_matrix(X.view()), reference::to_matrix(W0.view()),
                          reference::to_matrix(H0.view()), beta,
                          reference::regularization(0.01, 0.02, 0.4, s.m, s.n));
  }
}

// transform holds W and runs the H half-steps: the oracle's H update alone.
TYPED_TEST(BetaTest, TransformMatchesOracle) {
  using T = typename TypeParam::Scalar;
  const auto X = random_matrix<T>(15, 9, 94, 0.1, 1.1);
  const auto W = random_matrix<T>(15, 3, 95, 0.1, 1.0);
  const auto H0 = random_matrix<T>(3, 9, 96, 0.1, 1.0);
  for (const double beta : {0.0, 1.5}) {
    SCOPED_TRACE("beta " + std::to_string(beta));
    const Result<T> r =
        transform(X.view(), W.view(), beta_options(TypeParam::kBackend, beta, 3), H0.view());
    const reference::Matrix Xd = reference::to_matrix(X.view());
    const reference::Matrix Wd = reference::to_matrix(W.view());
    reference::Matrix Ht = reference::transpose(reference::to_matrix(H0.view()));
    for (int it = 0; it < kIterations; ++it) {
      reference::update_w_beta(reference::transpose(Xd), Ht, reference::transpose(Wd), beta);
      if (beta <= 1.0) reference::threshold(Ht);
    }
    EXPECT_LT(relative_difference(r.H.view(), view_of(reference::transpose(Ht))),
              kFactorTolerance<T>);
    EXPECT_EQ(relative_difference(r.W.view(), W.view()), 0.0);
  }
}

/// The same run's factors and history, bit for bit.
template <class T>
void expect_same_run(const Result<T>& a, const Result<T>& b) {
  EXPECT_TRUE(bitwise_equal(a.W, b.W));
  EXPECT_TRUE(bitwise_equal(a.H, b.H));
  EXPECT_EQ(a.loss_history, b.loss_history);
}

// β = 2 and β = 1 are the Frobenius and KL paths themselves, and Itakura–Saito is β = 0: the same
// bits, dense and CSR.
TYPED_TEST(BetaTest, NamedBetasTakeTheirPaths) {
  using T = typename TypeParam::Scalar;
  constexpr Backend backend = TypeParam::kBackend;
  const auto X = random_matrix<T>(23, 14, 97, 0.1, 1.1);
  const auto X_csr = random_csr<T, std::int32_t>(23, 14, 0.5, 98);
  const auto as_loss = [&](Loss loss) {
    Options o = beta_options(backend, 2.0, 3, 12, 4);
    o.loss = loss;
    return o;
  };
  expect_same_run(factorize(X.view(), beta_options(backend, 2.0, 3, 12, 4)),
                  factorize(X.view(), as_loss(Loss::Frobenius)));
  expect_same_run(factorize(X.view(), beta_options(backend, 1.0, 3, 12, 4)),
                  factorize(X.view(), as_loss(Loss::KullbackLeibler)));
  expect_same_run(factorize(X.view(), beta_options(backend, 0.0, 3, 12, 4)),
                  factorize(X.view(), as_loss(Loss::ItakuraSaito)));
  expect_same_run(factorize(X_csr.view(), beta_options(backend, 1.0, 3, 12, 4)),
                  factorize(X_csr.view(), as_loss(Loss::KullbackLeibler)));
  // β = 1 with cd is KL's coordinate descent.
  Options cd = beta_options(backend, 1.0, 3, 12, 4);
  cd.solver = Solver::CoordinateDescent;
  Options cd_kl = as_loss(Loss::KullbackLeibler);
  cd_kl.solver = Solver::CoordinateDescent;
  expect_same_run(factorize(X.view(), cd), factorize(X.view(), cd_kl));
}

// With γ(β) the updates never increase the divergence (Févotte & Idier 2011), β outside [1, 2]
// included, where γ < 1 is what makes it so; checked at every iteration, up to the rounding of
// the divergence's own evaluation.
TYPED_TEST(BetaTest, DivergenceNeverIncreases) {
  using T = typename TypeParam::Scalar;
  const auto X = random_matrix<T>(31, 17, 99, 0.05, 2.0);
  const auto X_csr = random_csr<T, std::int32_t>(31, 17, 0.5, 100);
  const double slack = sizeof(T) == 4 ? 1e-5 : 1e-12;
  for (const double beta : {-0.5, 0.0, 0.5, 1.5, 2.5, 3.0}) {
    SCOPED_TRACE("beta " + std::to_string(beta));
    const Options o = beta_options(TypeParam::kBackend, beta, 4, 40, 1);
    for (int input = 0; input < (beta > 0.0 ? 2 : 1); ++input) {
      const Result<T> r = input == 0 ? factorize(X.view(), o) : factorize(X_csr.view(), o);
      for (std::size_t i = 1; i < r.loss_history.size(); ++i)
        EXPECT_LE(r.loss_history[i], r.loss_history[i - 1] * (1.0 + slack))
            << (input == 0 ? "dense" : "CSR") << " iteration " << i;
      EXPECT_LT(r.loss_history.back(), r.loss_history.front());
    }
  }
}

// For β ≤ 0 the divergence is infinite where x = 0: a zero is refused with its place; a CSR X
// always has zeros unless it stores every entry. Solvers other than mu do not take β (as in
// scikit-learn), and β must be finite.
TYPED_TEST(BetaTest, RefusesWhatItCannotDo) {
  using T = typename TypeParam::Scalar;
  constexpr Backend backend = TypeParam::kBackend;
  auto X = random_matrix<T>(6, 5, 101, 0.1, 1.0);
  X(2, 3) = T(0);
  Options is = beta_options(backend, 0.0, 2);
  is.loss = Loss::ItakuraSaito;
  EXPECT_TRUE(throws_with_message<InvalidArgument>([&] { factorize(X.view(), is); },
                                                   {"zero at (row 2, column 3)", "Itakura-Saito"}));
  const auto X_col = with_layout(X.view(), Layout::ColMajor);
  EXPECT_TRUE(throws_with_message<InvalidArgument>([&] { factorize(X_col.view(), is); },
                                                   {"(row 2, column 3)"}));
  const auto sparse = random_csr<T, std::int32_t>(6, 5, 0.5, 102);
  EXPECT_TRUE(throws_with_message<InvalidArgument>(
      [&] { factorize(sparse.view(), beta_options(backend, -1.0, 2)); },
      {"beta = -1", "the others are zeros"}));
  EXPECT_NO_THROW(factorize(sparse.view(), beta_options(backend, 0.5, 2, 2, 1)));
  Options cd = beta_options(backend, 0.5, 2);
  cd.solver = Solver::CoordinateDescent;
  EXPECT_TRUE(throws_with_message<InvalidArgument>([&] { factorize(X.view(), cd); },
                                                   {"beta = 0.5", "multiplicative-update"}));
  EXPECT_TRUE(throws_with_message<InvalidArgument>(
      [&] { factorize(X.view(), beta_options(backend, std::nan(""), 2)); },
      {"beta must be finite"}));
  // Graph regularization has rules for β = 2 and 1 only (Cai et al. 2011).
  Options graph = beta_options(backend, 0.5, 2);
  graph.graph = knn_graph(X.view(), 2);
  graph.graph_lambda = 1.0;
  EXPECT_TRUE(throws_with_message<InvalidArgument>([&] { factorize(X.view(), graph); },
                                                   {"graph regularization", "beta = 0.5"}));
  graph.beta = 2.0;  // the Frobenius loss itself
  EXPECT_NO_THROW(factorize(X.view(), graph));
}

#if !defined(CUNMF_TEST_ON_CUDA)
// The update's powers by multiplications and square roots (FixedPower, kernels/elementwise.cuh)
// stay within a few ulp of pow, for the exponents it takes that way and for one it leaves to pow.
TYPED_TEST(BetaTest, FixedPowersMatchPow) {
  using T = typename TypeParam::Scalar;
  for (const double e : {-3.5, -2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 4.0, 0.3, -1.7}) {
    const auto p = detail::FixedPower<T>::of(static_cast<T>(e));
    for (const double v : {1e-7, 3e-3, 0.25, 1.0, 1.7, 42.0, 1e5}) {
      const T expected = std::pow(static_cast<T>(v), static_cast<T>(e));
      EXPECT_NEAR(p(static_cast<T>(v)), expected, 4 * std::numeric_limits<T>::epsilon() * expected)
          << "v = " << v << ", e = " << e;
    }
  }
}

// The public metric: the oracle's divergence for every β, dense and CSR; β = 2 and β = 1 are
// frobenius_loss and kl_divergence exactly.
TYPED_TEST(BetaTest, MetricMatchesOracle) {
  using T = typename TypeParam::Scalar;
  const auto X = random_matrix<T>(13, 8, 103, 0.1, 1.0);
  const auto X_csr = random_csr<T, std::int64_t>(13, 8, 0.5, 104);
  const auto W = random_matrix<T>(13, 2, 105), H = random_matrix<T>(2, 8, 106);
  const reference::Matrix Wd = reference::to_matrix(W.view()), Hd = reference::to_matrix(H.view());
  // The dense metric forms W·H in T (as the solvers' loss does), the CSR one in double.
  const double tolerance = sizeof(T) == 4 ? 1e-6 : 1e-12;
  for (const double beta : {-1.0, 0.0, 0.5, 1.5, 3.0}) {
    SCOPED_TRACE("beta " + std::to_string(beta));
    const double dense = reference::beta_loss(reference::to_matrix(X.view()), Wd, Hd, beta);
    EXPECT_NEAR(beta_divergence(X.view(), W.view(), H.view(), beta), dense, tolerance * dense);
    if (beta <= 0.0) continue;
    const double sparse = reference::beta_loss(reference::densify(X_csr.view()), Wd, Hd, beta);
    EXPECT_NEAR(beta_divergence(X_csr.view(), W, H, beta), sparse, 1e-12 * sparse);
  }
  EXPECT_EQ(beta_divergence(X.view(), W.view(), H.view(), 2.0),
            frobenius_loss(X.view(), W.view(), H.view()));
  EXPECT_EQ(beta_divergence(X_csr.view(), W, H, 1.0), kl_divergence(X_csr.view(), W, H));
  EXPECT_TRUE(throws_with_message<InvalidArgument>(
      [&] { beta_divergence(X_csr.view(), W, H, 0.0); }, {"the others are zeros"}));
}
#endif

}  // namespace
}  // namespace cunmf::test
