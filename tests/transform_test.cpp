// cunmf::transform (H for fixed W) and cunmf::inverse_transform through the public API: the H
// half-steps of every loss of mu and cd against the textbook oracle from the documented start,
// W returned untouched, every solver reaching the fit's loss on the data W was fitted on, k above
// n, the penalty of H, and the refusals. Built twice: cpu_transform_test and, with CUDA,
// cuda_transform_test (CUNMF_TEST_ON_CUDA; skips without a device).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "cunmf/cunmf.hpp"
#include "reference/half_steps.hpp"
#include "reference_cases.hpp"
#include "sparse_support.hpp"
#include "test_support.hpp"

namespace cunmf::test {
namespace {

template <class C>
class TransformTest : public CaseTest<C> {};
TYPED_TEST_SUITE(TransformTest, BackendCases);

/// transform's k is W's: the options' rank is not used.
Options transform_options(Backend backend, Solver solver, Loss loss, int max_iter) {
  return reference_options(backend, loss, 0, max_iter, max_iter, solver);
}

// From the documented start (zeros for cd Frobenius, sqrt(mean(X)/k) otherwise), 15 H
// half-steps equal the oracle's, dense and CSR, without and with a penalty on H (alpha_W is set
// too: it must not matter), and W comes back bit for bit.
TYPED_TEST(TransformTest, MatchesOracleHalfSteps) {
  using T = typename TypeParam::Scalar;
  constexpr Backend backend = TypeParam::kBackend;
  const std::int64_t m = 23, n = 17, k = 4;
  const int iterations = 15;
  const DenseMatrix<T> X = planted_matrix<T>(m, n, k, 0.05, 11, 0.5);
  const auto X_csr = csr_from_dense<T, std::int32_t>(X);
  const DenseMatrix<T> W = planted_factor<T>(m, k, 11, 0.5);  // the factor X was planted with
  const reference::Matrix Xd = reference::to_matrix(X.view()), Wd = reference::to_matrix(W.view());
  double mean = 0.0;
  for (const double x : Xd.data) mean += x / static_cast<double>(Xd.data.size());
  const double tolerance = sizeof(T) == 4 ? 1e-4 : 1e-10;
  for (const Solver solver : {Solver::MultiplicativeUpdate, Solver::CoordinateDescent})
    for (const Loss loss : {Loss::Frobenius, Loss::KullbackLeibler})
      for (const double alpha_h : {0.0, 0.02}) {
        SCOPED_TRACE(std::to_string(static_cast<int>(solver)) + " loss " +
                     std::to_string(static_cast<int>(loss)) + " alpha_H " +
                     std::to_string(alpha_h));
        Options o = transform_options(backend, solver, loss, iterations);
        o.alpha_W = 0.5;
        o.alpha_H = alpha_h;
        o.l1_ratio = 0.5;
        const bool zeros = loss == Loss::Frobenius && solver != Solver::MultiplicativeUpdate;
        reference::Matrix H(k, n);
        for (double& h : H.data) h = zeros ? 0.0 : std::sqrt(mean / k);
        const double l1 = m * alpha_h * 0.5, l2 = m * alpha_h * 0.5;
        for (int it = 0; it < iterations; ++it)
          reference::update_h(Xd, Wd, H, solver, loss, l1, l2);
        for (const Result<T>& r :
             {transform(X.view(), W.view(), o), transform(X_csr.view(), W.view(), o)}) {
          EXPECT_EQ(r.iterations, iterations);
          EXPECT_EQ(relative_difference(r.W.view(), W.view()), 0.0) << "W was changed";
          EXPECT_TRUE(all_finite_nonnegative(r.H.view()));
          EXPECT_LT(relative_difference(r.H.view(), view_of(H)), tolerance);
        }
      }
}

// On the data W was fitted on, every solver's transform reaches the loss of the fit (whose H is a
// minimizer for that W, up to the fit's own convergence), and the loss history does not rise
// where the solver guarantees it; KL with mu and cd.
TYPED_TEST(TransformTest, ReachesTheFitsLoss) {
  using T = typename TypeParam::Scalar;
  constexpr Backend backend = TypeParam::kBackend;
  const DenseMatrix<T> X = planted_matrix<T>(40, 30, 3, 0.1, 21);
  const Solver solvers[] = {Solver::MultiplicativeUpdate, Solver::CoordinateDescent,
                            Solver::AlternatingLeastSquares, Solver::ProjectedGradient,
                            Solver::AnlsBpp};
  for (const Loss loss : {Loss::Frobenius, Loss::KullbackLeibler})
    for (const Solver solver : solvers) {
      if (loss == Loss::KullbackLeibler && solver != Solver::MultiplicativeUpdate &&
          solver != Solver::CoordinateDescent)
        continue;
      SCOPED_TRACE(std::to_string(static_cast<int>(solver)) + " loss " +
                   std::to_string(static_cast<int>(loss)));
      Options fit = transform_options(backend, Solver::CoordinateDescent, loss, 300);
      fit.rank = 3;
      const Result<T> fitted = factorize(X.view(), fit);
      const Result<T> r =
          transform(X.view(), fitted.W.view(), transform_options(backend, solver, loss, 300));
      const double fit_loss = fitted.loss_history.back();
      EXPECT_LT(r.loss_history.back(), fit_loss * 1.01 + 1e-9) << "fit's loss " << fit_loss;
      if (solver != Solver::AlternatingLeastSquares) {
        EXPECT_LE(r.loss_history.back(), r.loss_history.front());
      }
    }
}

// k may exceed the number of columns of X (one new sample at a time), and a given H0 is used.
TYPED_TEST(TransformTest, OneColumnAndAGivenStart) {
  using T = typename TypeParam::Scalar;
  constexpr Backend backend = TypeParam::kBackend;
  const DenseMatrix<T> W = planted_factor<T>(12, 4, 31, 0.3);
  const DenseMatrix<T> h_true = planted_factor<T>(4, 1, 32, 0.0);
  const DenseMatrix<T> x = planted_matrix<T>(W, h_true, 0.0, 33);
  const Options o = transform_options(backend, Solver::CoordinateDescent, Loss::Frobenius, 200);
  const Result<T> r = transform(x.view(), W.view(), o);
  EXPECT_LT(relative_difference(r.H.view(), h_true.view()), sizeof(T) == 4 ? 1e-3 : 1e-8);
  const Options one = transform_options(backend, Solver::MultiplicativeUpdate, Loss::Frobenius, 1);
  const Result<T> started = transform(x.view(), W.view(), one, h_true.view());
  // h_true is an exact solution, a fixed point of the multiplicative update.
  EXPECT_LT(relative_difference(started.H.view(), h_true.view()), sizeof(T) == 4 ? 1e-5 : 1e-12);
}

// The refusals: W of the wrong height, a negative W, a checkpoint.
TYPED_TEST(TransformTest, RefusesBadArguments) {
  using T = typename TypeParam::Scalar;
  const DenseMatrix<T> X = random_matrix<T>(8, 5, 41);
  Options o =
      transform_options(TypeParam::kBackend, Solver::MultiplicativeUpdate, Loss::Frobenius, 3);
  const DenseMatrix<T> short_w = random_matrix<T>(7, 2, 42);
  EXPECT_THROW(transform(X.view(), short_w.view(), o), InvalidArgument);
  DenseMatrix<T> negative = random_matrix<T>(8, 2, 43);
  negative(3, 1) = T(-1);
  try {
    transform(X.view(), negative.view(), o);
    ADD_FAILURE() << "a negative W was accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("W"), std::string::npos) << e.what();
  }
  o.checkpoint = {"transform.npz", 1};
  EXPECT_THROW(transform(X.view(), random_matrix<T>(8, 2, 44).view(), o), InvalidArgument);
}

// inverse_transform is W·H in any layout; mismatched inner dimensions are refused.
TYPED_TEST(TransformTest, InverseTransformIsTheProduct) {
  using T = typename TypeParam::Scalar;
  const DenseMatrix<T> W = random_matrix<T>(9, 3, 51), H = random_matrix<T>(3, 7, 52);
  const DenseMatrix<double> expected = product(W.view(), H.view());
  const auto Wc = with_layout(W.view(), Layout::ColMajor);
  for (const DenseMatrix<T>& P :
       {inverse_transform(W.view(), H.view()), inverse_transform(Wc.view(), H.view())})
    EXPECT_LT(relative_difference(P.view(), expected.view()), sizeof(T) == 4 ? 1e-6 : 1e-14);
  EXPECT_THROW(inverse_transform(W.view(), W.view()), InvalidArgument);
}

}  // namespace
}  // namespace cunmf::test
