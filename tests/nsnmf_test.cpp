// nsNMF (Options::nsnmf_theta: X ≈ W S H, S = (1 − θ)I + (θ/k)11ᵀ) through the public API: mu and
// cd, both losses, against the textbook oracle run on the smoothed factors (the W update of X ≈
// W (S H), then the H update of X ≈ (W S) H), dense and CSR; θ = 0 is plain NMF bit for bit for
// every solver; the factors grow sparser as θ grows; Result::S; bad θ refused. Built twice:
// cpu_nsnmf_test and, with CUDA, cuda_nsnmf_test (CUNMF_TEST_ON_CUDA; skips without a device).
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
class NsnmfTest : public CaseTest<C> {};
TYPED_TEST_SUITE(NsnmfTest, BackendCases);

Options nsnmf_options(Backend backend, Solver solver, Loss loss, std::int64_t k, int max_iter,
                      double theta) {
  Options o = reference_options(backend, loss, k, max_iter, max_iter, solver);
  o.nsnmf_theta = theta;
  return o;
}

/// S = (1 − θ)I + (θ/k)11ᵀ, written from the paper's definition.
reference::Matrix smoothing(double theta, std::int64_t k) {
  reference::Matrix S(k, k);
  for (std::int64_t i = 0; i < k; ++i)
    for (std::int64_t j = 0; j < k; ++j) S(i, j) = (i == j ? 1.0 - theta : 0.0) + theta / k;
  return S;
}

/// One nsNMF iteration of the oracle: W's update for X ≈ W (S H), then H's for X ≈ (W S) H.
void oracle_step(const reference::Matrix& X, reference::Matrix& W, reference::Matrix& H,
                 const reference::Matrix& S, Solver solver, Loss loss) {
  reference::update_w(X, W, reference::multiply(S, H), solver, loss);
  reference::update_h(X, reference::multiply(W, S), H, solver, loss);
}

// 20 iterations of mu and cd, both losses, θ = 0.5, dense and CSR: the factors and the final loss
// (of W S H) against the oracle, and Result::S.
TYPED_TEST(NsnmfTest, MatchesOracle) {
  using T = typename TypeParam::Scalar;
  constexpr Backend backend = TypeParam::kBackend;
  const std::int64_t m = 29, n = 19, k = 4;
  const int iterations = 20;
  const double theta = 0.5;
  const DenseMatrix<T> X = planted_matrix<T>(m, n, k, 0.05, 5, 0.5);
  const auto X_csr = csr_from_dense<T, std::int32_t>(X);
  const DenseMatrix<T> W0 = random_matrix<T>(m, k, 6, 0.1, 1.0);
  const DenseMatrix<T> H0 = random_matrix<T>(k, n, 7, 0.1, 1.0);
  const reference::Matrix Xd = reference::to_matrix(X.view()), S = smoothing(theta, k);
  const double tolerance = sizeof(T) == 4 ? 1e-4 : 1e-10;
  for (const Solver solver : {Solver::MultiplicativeUpdate, Solver::CoordinateDescent})
    for (const Loss loss : {Loss::Frobenius, Loss::KullbackLeibler}) {
      SCOPED_TRACE(std::to_string(static_cast<int>(solver)) + " loss " +
                   std::to_string(static_cast<int>(loss)));
      reference::Matrix W = reference::to_matrix(W0.view()), H = reference::to_matrix(H0.view());
      for (int it = 0; it < iterations; ++it) oracle_step(Xd, W, H, S, solver, loss);
      const double expected = reference::loss_of(Xd, W, reference::multiply(S, H), loss);
      const Options o = nsnmf_options(backend, solver, loss, k, iterations, theta);
      for (const Result<T>& r : {factorize(X.view(), o, W0.view(), H0.view()),
                                 factorize(X_csr.view(), o, W0.view(), H0.view())}) {
        EXPECT_LT(relative_difference(r.W.view(), view_of(W)), tolerance);
        EXPECT_LT(relative_difference(r.H.view(), view_of(H)), tolerance);
        EXPECT_NEAR(r.loss_history.back(), expected, (sizeof(T) == 4 ? 1e-5 : 1e-10) * expected);
        EXPECT_LT(relative_difference(r.S.view(), view_of(S)), sizeof(T) == 4 ? 1e-7 : 1e-16);
      }
    }
}

// θ = 0 multiplies by nothing: every solver's iterates and history are the plain ones, bit for
// bit, and Result::S is the identity.
TYPED_TEST(NsnmfTest, ThetaZeroIsPlainNmf) {
  using T = typename TypeParam::Scalar;
  constexpr Backend backend = TypeParam::kBackend;
  const DenseMatrix<T> X = random_matrix<T>(21, 13, 15);
  for (const Solver solver :
       {Solver::MultiplicativeUpdate, Solver::CoordinateDescent, Solver::AlternatingLeastSquares,
        Solver::ProjectedGradient, Solver::AnlsBpp}) {
    SCOPED_TRACE(static_cast<int>(solver));
    Options plain = nsnmf_options(backend, solver, Loss::Frobenius, 3, 12, 0.0);
    plain.check_every = 4;
    const Result<T> a = factorize(X.view(), plain);
    Options zero = plain;
    zero.nsnmf_theta = -0.0;
    const Result<T> b = factorize(X.view(), zero);
    EXPECT_EQ(relative_difference(a.W.view(), b.W.view()), 0.0);
    EXPECT_EQ(relative_difference(a.H.view(), b.H.view()), 0.0);
    EXPECT_EQ(a.loss_history, b.loss_history);
    EXPECT_EQ(relative_difference(b.S.view(), view_of(smoothing(0.0, 3))), 0.0);
  }
}

// The paper's point: the smoothing makes the factors sparser. KL MU (the paper's algorithm) on a
// planted parts-based X from the same start: the mean Hoyer sparsity of W's columns and H's rows
// rises with θ, and the loss of W S H stays a fit.
TYPED_TEST(NsnmfTest, SparsityRisesWithTheta) {
  using T = typename TypeParam::Scalar;
  constexpr Backend backend = TypeParam::kBackend;
  const DenseMatrix<T> X = planted_matrix<T>(60, 40, 5, 0.05, 25, 0.3);
  double previous = -1.0;
  for (const double theta : {0.0, 0.5, 0.8}) {
    SCOPED_TRACE(theta);
    const Options o =
        nsnmf_options(backend, Solver::MultiplicativeUpdate, Loss::KullbackLeibler, 5, 300, theta);
    const Result<T> r = factorize(X.view(), o);
    DenseMatrix<T> Ht(r.H.cols(), r.H.rows());
    for (std::int64_t i = 0; i < r.H.rows(); ++i)
      for (std::int64_t j = 0; j < r.H.cols(); ++j) Ht(j, i) = r.H(i, j);
    const double sparsity = 0.5 * (hoyer_sparsity(r.W.view()) + hoyer_sparsity(Ht.view()));
    EXPECT_GT(sparsity, previous);
    previous = sparsity;
    const DenseMatrix<T> SH = inverse_transform(r.S.view(), r.H.view());
    EXPECT_LT(reconstruction_error(X.view(), r.W.view(), SH.view()), 0.3);
  }
}

TYPED_TEST(NsnmfTest, RefusesThetaOutsideTheUnitInterval) {
  using T = typename TypeParam::Scalar;
  const DenseMatrix<T> X = random_matrix<T>(6, 5, 35);
  for (const double theta : {-0.1, 1.5, double(NAN)}) {
    const Options o = nsnmf_options(TypeParam::kBackend, Solver::MultiplicativeUpdate,
                                    Loss::Frobenius, 2, 3, theta);
    try {
      factorize(X.view(), o);
      ADD_FAILURE() << "accepted theta " << theta;
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find("nsnmf_theta must be between 0 and 1"),
                std::string::npos)
          << e.what();
    }
  }
}

}  // namespace
}  // namespace cunmf::test
