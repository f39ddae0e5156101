// L1/L2 regularization (Options::alpha_W, alpha_H, l1_ratio) through the public API: every loss of
// mu and cd against the penalized textbook oracle (tests/reference/, scikit-learn's rules),
// dense and CSR, including an X that the library rescales internally; zero penalties leave every
// solver's iterates bit for bit as they are; the penalized objective never increases where the
// solver guarantees it; L1 makes the factors sparser; bad values are refused. scikit-learn's own
// iterates are compared in tests/sklearn/compare_iterates.py. Built twice: cpu_penalty_test and,
// with CUDA, cuda_penalty_test (CUNMF_TEST_ON_CUDA; skips without a device).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cunmf/cunmf.hpp"
#include "reference/cd_kl_reference.hpp"
#include "reference/cd_reference.hpp"
#include "reference/mu_reference.hpp"
#include "reference/penalties.hpp"
#include "reference_cases.hpp"
#include "sparse_support.hpp"
#include "test_support.hpp"

namespace cunmf::test {
namespace {

template <class C>
class PenaltyTest : public CaseTest<C> {};
TYPED_TEST_SUITE(PenaltyTest, BackendCases);

struct Method {
  Solver solver;
  Loss loss;
};
const Method kMethods[] = {{Solver::MultiplicativeUpdate, Loss::Frobenius},
                           {Solver::MultiplicativeUpdate, Loss::KullbackLeibler},
                           {Solver::CoordinateDescent, Loss::Frobenius},
                           {Solver::CoordinateDescent, Loss::KullbackLeibler}};

std::string name_of(Method method) {
  return std::string(method.solver == Solver::CoordinateDescent ? "cd " : "mu ") +
         (method.loss == Loss::Frobenius ? "Frobenius" : "KL");
}

/// The penalties of a case: scikit-learn's alpha_W, alpha_H (unset: alpha_W) and l1_ratio.
struct Alphas {
  double w;
  std::optional<double> h;
  double l1_ratio;
};
// Mixed L1 and L2 with alpha_H ≠ alpha_W (so that exchanging the m and n scalings shows on a
// non-square X), pure L1 and pure L2 with alpha_H defaulting to alpha_W.
const Alphas kAlphas[] = {{0.02, 0.05, 0.3}, {0.01, std::nullopt, 1.0}, {0.03, std::nullopt, 0.0}};

/// The data of the oracle comparisons: planted rank-k X with parts-based factors (a third of X's
/// entries exactly 0), row 0 and the last column zeroed (an empty row and column in CSR). Not
/// uniform noise: its components past the first are weak, and a penalty kills them; a dying
/// component (its column of W and row of H near 0) is an unstable fixed point where double lands
/// exactly on 0 while float's rounding leaves ~1e-5 that then grows back, so float runs and the
/// oracle part ways (measured on 37 × 23 uniform CSR, pure L2 at 0.003: component 0 is exactly 0
/// in double after 3 iterations and float's objective is 1 % lower after 4).
template <class T>
DenseMatrix<T> oracle_data(std::int64_t m, std::int64_t n, std::int64_t k, std::uint64_t seed) {
  DenseMatrix<T> X = planted_matrix<T>(m, n, k, 0.05, seed, 0.5);
  for (std::int64_t j = 0; j < n; ++j) X(0, j) = T(0);
  for (std::int64_t i = 0; i < m; ++i) X(i, n - 1) = T(0);
  return X;
}

Options penalized_options(Backend backend, Method method, std::int64_t k, int max_iter,
                          int check_every, const Alphas& a) {
  Options o = reference_options(backend, method.loss, k, max_iter, check_every, method.solver);
  o.alpha_W = a.w;
  o.alpha_H = a.h;
  o.l1_ratio = a.l1_ratio;
  return o;
}

/// One iteration of the oracle of `method` with the penalties r.
void oracle_step(const reference::Matrix& X, reference::Matrix& W, reference::Matrix& H,
                 Method method, const reference::Regularization& r) {
  if (method.solver == Solver::CoordinateDescent) {
    if (method.loss == Loss::Frobenius) {
      reference::cd_step(X, W, H, r);
    } else {
      reference::cd_kl_step(X, W, H, r);
    }
  } else {
    reference::step(X, W, H, method.loss, r);
  }
}

// Tolerances as in reference_suite.hpp (RefTolerance, where they are argued): only the order of
// summation differs in double; float rounds each product to ~1e-6 over 20 iterations here.
template <class T>
constexpr double kFactorTolerance = sizeof(T) == 4 ? 1e-4 : 1e-10;
template <class T>
constexpr double kObjectiveTolerance = sizeof(T) == 4 ? 1e-5 : 1e-10;

/// A run of kIterations from W0, H0 against the penalized oracle: the objective at every check
/// (the history is the penalized objective) and the final factors.
constexpr int kIterations = 20;
constexpr int kCheckEvery = 5;

template <class T>
void expect_matches_oracle(const Result<T>& r, reference::Matrix X, reference::Matrix W,
                           reference::Matrix H, Method method, const Alphas& a) {
  const reference::Regularization reg =
      reference::regularization(a.w, a.h.value_or(a.w), a.l1_ratio, X.rows, X.cols);
  ASSERT_EQ(r.loss_history.size(), std::size_t(kIterations / kCheckEvery + 1));
  EXPECT_TRUE(all_finite_nonnegative(r.W.view()));
  EXPECT_TRUE(all_finite_nonnegative(r.H.view()));
  for (std::size_t c = 0; c < r.loss_history.size(); ++c) {
    if (c > 0)
      for (int it = 0; it < kCheckEvery; ++it) oracle_step(X, W, H, method, reg);
    const double expected = reference::objective(X, W, H, method.loss, reg);
    EXPECT_NEAR(r.loss_history[c], expected, kObjectiveTolerance<T> * expected)
        << "objective at check " << c;
  }
  EXPECT_LT(relative_difference(r.W.view(), view_of(W)), kFactorTolerance<T>) << "W";
  EXPECT_LT(relative_difference(r.H.view(), view_of(H)), kFactorTolerance<T>) << "H";
}

// Dense (both layouts, two shapes) and CSR (int32 and int64, an empty row and column), every loss
// of mu and cd, mixed, pure L1 and pure L2 penalties.
TYPED_TEST(PenaltyTest, MatchesPenalizedOracle) {
  using T = typename TypeParam::Scalar;
  constexpr Backend backend = TypeParam::kBackend;
  const RefShape shapes[] = {{11, 7, 3}, {37, 23, 4}};
  for (const Method method : kMethods)
    for (const Alphas& a : kAlphas)
      for (const RefShape& s : shapes) {
        SCOPED_TRACE(name_of(method) + " l1_ratio " + std::to_string(a.l1_ratio) + " " +
                     std::to_string(s.m) + "x" + std::to_string(s.n));
        const Options o = penalized_options(backend, method, s.k, kIterations, kCheckEvery, a);
        const DenseMatrix<T> W0 = random_matrix<T>(s.m, s.k, 32);
        const DenseMatrix<T> H0 = random_matrix<T>(s.k, s.n, 33);
        const DenseMatrix<T> data = oracle_data<T>(s.m, s.n, s.k, 31);
        const reference::Matrix Xd = reference::to_matrix(data.view());
        const auto X = with_layout(data.view(), s.m == 11 ? Layout::ColMajor : Layout::RowMajor);
        expect_matches_oracle(factorize(X.view(), o, W0.view(), H0.view()), Xd,
                              reference::to_matrix(W0.view()), reference::to_matrix(H0.view()),
                              method, a);
        const auto X32 = csr_from_dense<T, std::int32_t>(data);
        expect_matches_oracle(factorize(X32.view(), o, W0.view(), H0.view()), Xd,
                              reference::to_matrix(W0.view()), reference::to_matrix(H0.view()),
                              method, a);
        if (s.m != 37) continue;
        const auto X64 = csr_from_dense<T, std::int64_t>(data);
        expect_matches_oracle(factorize(X64.view(), o, W0.view(), H0.view()), Xd,
                              reference::to_matrix(W0.view()), reference::to_matrix(H0.view()),
                              method, a);
      }
}

// An X whose largest entry is outside [2^-10, 2^40] is solved internally as 2^p X
// (core/scaling.hpp), and the penalty weights must follow (core/penalties.hpp): 2^(cp − p/2) for
// L1 and 2^((c−1)p) for L2 (c = 2 Frobenius, 1 KL). Double only (float cannot hold the oracle's
// view of 1e13-sized products exactly enough to tell); factors and objective against the oracle
// run on the unscaled X, above and below the band (2e-4, not smaller: the oracle's ε clamps of W·H
// in KL, which the scaled run does not meet, must stay out of reach). alpha scales with X as the
// loss does against the penalty (s^(c − ½) for L1, s^(c − 1) for L2), so that the penalty matters
// as much at every scale and the factors do not collapse into the ε rules, which apply to the
// scaled values.
TYPED_TEST(PenaltyTest, RescaledInputKeepsThePenalty) {
  using T = typename TypeParam::Scalar;
  if constexpr (sizeof(T) == 8) {
    constexpr Backend backend = TypeParam::kBackend;
    for (const double scale : {1e13, 2e-4}) {
      DenseMatrix<T> X = random_matrix<T>(13, 9, 51);
      for (std::int64_t idx = 0; idx < X.size(); ++idx) X.data()[idx] *= scale;
      // Factors of about the size of the solution: √scale each, so that the penalties matter.
      DenseMatrix<T> W0 = random_matrix<T>(13, 3, 52), H0 = random_matrix<T>(3, 9, 53);
      for (std::int64_t idx = 0; idx < W0.size(); ++idx) W0.data()[idx] *= std::sqrt(scale);
      for (std::int64_t idx = 0; idx < H0.size(); ++idx) H0.data()[idx] *= std::sqrt(scale);
      for (const Method method : kMethods)
        for (const double l1_ratio : {0.0, 1.0}) {
          SCOPED_TRACE(name_of(method) + " X scaled by " + std::to_string(scale) + " l1_ratio " +
                       std::to_string(l1_ratio));
          const double c = method.loss == Loss::Frobenius ? 2.0 : 1.0;
          const double alpha = 0.02 * std::pow(scale, l1_ratio == 1.0 ? c - 0.5 : c - 1.0);
          const Alphas a{alpha, 2.0 * alpha, l1_ratio};
          const Options o = penalized_options(backend, method, 3, kIterations, kCheckEvery, a);
          expect_matches_oracle(factorize(X.view(), o, W0.view(), H0.view()),
                                reference::to_matrix(X.view()), reference::to_matrix(W0.view()),
                                reference::to_matrix(H0.view()), method, a);
        }
    }
  }
}

// alpha_W = 0 (with any l1_ratio) is no penalty: every solver's iterates and history are the
// plain ones bit for bit, dense and CSR.
TYPED_TEST(PenaltyTest, ZeroPenaltyChangesNothing) {
  using T = typename TypeParam::Scalar;
  constexpr Backend backend = TypeParam::kBackend;
  const DenseMatrix<T> X = random_matrix<T>(29, 17, 61);
  const auto X_csr = random_csr<T, std::int32_t>(29, 17, 0.4, 62);
  for (const Solver solver :
       {Solver::MultiplicativeUpdate, Solver::CoordinateDescent, Solver::AlternatingLeastSquares,
        Solver::ProjectedGradient, Solver::AnlsBpp}) {
    Options plain = penalized_options(backend, {solver, Loss::Frobenius}, 3, 6, 3, {0, {}, 0});
    Options zero = plain;
    zero.alpha_W = 0.0;
    zero.alpha_H = 0.0;
    zero.l1_ratio = 0.7;
    SCOPED_TRACE(static_cast<int>(solver));
    const Result<T> a = factorize(X.view(), plain), b = factorize(X.view(), zero);
    EXPECT_EQ(relative_difference(a.W.view(), b.W.view()), 0.0);
    EXPECT_EQ(relative_difference(a.H.view(), b.H.view()), 0.0);
    EXPECT_EQ(a.loss_history, b.loss_history);
    const Result<T> c = factorize(X_csr.view(), plain), d = factorize(X_csr.view(), zero);
    EXPECT_EQ(relative_difference(c.W.view(), d.W.view()), 0.0);
    EXPECT_EQ(relative_difference(c.H.view(), d.H.view()), 0.0);
    EXPECT_EQ(c.loss_history, d.loss_history);
  }
}

// Where a solver guarantees it, the penalized objective (the history) does not increase from one
// iteration to the next: mu (both losses: the penalized rules keep Lee and Seung's auxiliary
// function argument), cd Frobenius (exact coordinate minimization), pgd (Armijo steps) and
// anls-bpp (exact half-steps).
TYPED_TEST(PenaltyTest, ObjectiveNeverIncreases) {
  using T = typename TypeParam::Scalar;
  constexpr Backend backend = TypeParam::kBackend;
  const DenseMatrix<T> X = random_matrix<T>(31, 19, 71);
  const Method methods[] = {{Solver::MultiplicativeUpdate, Loss::Frobenius},
                            {Solver::MultiplicativeUpdate, Loss::KullbackLeibler},
                            {Solver::CoordinateDescent, Loss::Frobenius},
                            {Solver::ProjectedGradient, Loss::Frobenius},
                            {Solver::AnlsBpp, Loss::Frobenius}};
  const double slack = sizeof(T) == 4 ? 1e-6 : 1e-12;  // the objective's own rounding
  for (const Method method : methods) {
    SCOPED_TRACE(static_cast<int>(method.solver));
    const Options o = penalized_options(backend, method, 4, 25, 1, {0.05, 0.02, 0.5});
    const Result<T> r = factorize(X.view(), o);
    ASSERT_EQ(r.loss_history.size(), 26u);
    for (std::size_t i = 1; i < r.loss_history.size(); ++i)
      EXPECT_LE(r.loss_history[i], r.loss_history[i - 1] * (1.0 + slack)) << "iteration " << i;
  }
}

/// The fraction of exact zeros in W and H together.
template <class T>
double zero_fraction(const Result<T>& r) {
  std::int64_t zeros = 0;
  for (std::int64_t idx = 0; idx < r.W.size(); ++idx) zeros += r.W.data()[idx] == T(0);
  for (std::int64_t idx = 0; idx < r.H.size(); ++idx) zeros += r.H.data()[idx] == T(0);
  return static_cast<double>(zeros) / static_cast<double>(r.W.size() + r.H.size());
}

// L1 makes the factors sparse: on a planted rank-5 X, the fraction of exact zeros rises with
// alpha_W (l1_ratio = 1) for the solvers that reach exact zeros (cd, als, pgd, anls-bpp), from the
// same start; the fit gets worse but stays a fit. (Small and short: pgd's inner steps are thousands
// of launches on the emulated device.)
TYPED_TEST(PenaltyTest, L1MakesFactorsSparser) {
  using T = typename TypeParam::Scalar;
  constexpr Backend backend = TypeParam::kBackend;
  const DenseMatrix<T> X = planted_matrix<T>(30, 24, 5, 0.05, 81);
  for (const Solver solver : {Solver::CoordinateDescent, Solver::AlternatingLeastSquares,
                              Solver::ProjectedGradient, Solver::AnlsBpp}) {
    // pgd's inner steps are thousands of launches on the emulated device; its penalized steps on
    // the device are checked by ObjectiveNeverIncreases.
    if (backend == Backend::Cuda && solver == Solver::ProjectedGradient) continue;
    SCOPED_TRACE(static_cast<int>(solver));
    std::vector<double> fractions;
    for (const double alpha : {0.0, 0.002, 0.02}) {
      const Options o = penalized_options(backend, {solver, Loss::Frobenius}, 5, 30, 30,
                                          {alpha, std::nullopt, 1.0});
      const Result<T> r = factorize(X.view(), o);
      EXPECT_LT(reconstruction_error(X.view(), r.W.view(), r.H.view()), 0.5);
      fractions.push_back(zero_fraction(r));
    }
    EXPECT_LT(fractions[0], fractions[1]);
    EXPECT_LT(fractions[1], fractions[2]);
  }
}

// Bad values are refused with the option's name and the value.
TYPED_TEST(PenaltyTest, RefusesBadValues) {
  using T = typename TypeParam::Scalar;
  const DenseMatrix<T> X = random_matrix<T>(6, 5, 91);
  const auto refused = [&](const Alphas& a, const std::string& words) {
    const Options o = penalized_options(
        TypeParam::kBackend, {Solver::MultiplicativeUpdate, Loss::Frobenius}, 2, 3, 1, a);
    try {
      factorize(X.view(), o);
      ADD_FAILURE() << "accepted " << words;
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  };
  refused({-0.1, {}, 0.5}, "alpha_W must be finite and >= 0, got -0.1");
  refused({NAN, {}, 0.5}, "alpha_W must be finite and >= 0, got nan");
  refused({0.1, -2.0, 0.5}, "alpha_H must be finite and >= 0, got -2");
  refused({0.1, INFINITY, 0.5}, "alpha_H must be finite and >= 0, got inf");
  refused({0.1, {}, 1.5}, "l1_ratio must be between 0 and 1, got 1.5");
  refused({0.1, {}, NAN}, "l1_ratio must be between 0 and 1, got nan");
}

}  // namespace
}  // namespace cunmf::test
