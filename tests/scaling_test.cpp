// Extreme ranges of X: float32 factorizes X·s for s from 1e-30 to 1e30 (X is rescaled exactly,
// core/scaling.hpp), dense and CSR, float and double, MU (both losses) and coordinate descent
// (Frobenius), on the CPU and (label gpu) the CUDA backend;
// and a run that does go non-finite raises NumericalError instead of returning NaN.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <utility>

#include "cuda_test_support.hpp"
#include "cunmf/cunmf.hpp"
#include "sparse_support.hpp"
#include "test_support.hpp"

namespace cunmf {
namespace {

template <class T>
DenseMatrix<T> times(const DenseMatrix<T>& A, double s) {
  DenseMatrix<T> out(A.rows(), A.cols());
  for (std::int64_t i = 0; i < A.size(); ++i) out.data()[i] = static_cast<T>(A.data()[i] * s);
  return out;
}

template <class T, class Index>
CsrMatrix<T, Index> times(const CsrMatrix<T, Index>& A, double s) {
  CsrMatrix<T, Index> out = A;
  for (T& v : out.values) v = static_cast<T>(v * s);
  return out;
}

Options options_for(Backend backend, Loss loss, Solver solver = Solver::MultiplicativeUpdate) {
  Options o;
  o.rank = 3;
  o.loss = loss;
  o.solver = solver;
  o.backend = backend;
  o.max_iter = 25;
  o.tol = 0.0;
  o.check_every = 5;
  return o;
}

/// Factorizes X·s from W0·√s, H0·√s and checks the result is √s times the result at s = 1 (and
/// the loss s² or s times it). Tolerance: X·s and the start are rounded once in T (6e-8 relative
/// in float) and the runs then differ only by those inputs; 1e-3 (float) and 1e-9 (double) bound
/// what 25 iterations make of them, and a collapse to 0 or NaN is off by O(1).
template <class T, class MakeX>
void expect_scale_equivariant(Backend backend, MakeX make_x) {
  const double tol = sizeof(T) == 4 ? 1e-3 : 1e-9;
  const DenseMatrix<T> W0 = test::random_matrix<T>(40, 3, 5, 0.1, 1.0);
  const DenseMatrix<T> H0 = test::random_matrix<T>(3, 30, 6, 0.1, 1.0);
  const std::pair<Solver, Loss> methods[] = {{Solver::MultiplicativeUpdate, Loss::Frobenius},
                                             {Solver::MultiplicativeUpdate, Loss::KullbackLeibler},
                                             {Solver::CoordinateDescent, Loss::Frobenius}};
  for (const auto& [solver, loss] : methods) {
    const Options o = options_for(backend, loss, solver);
    const Result<T> base = make_x(1.0, o, W0, H0);
    for (const double s : {1e-30, 1e-20, 1e-10, 1e-5, 1e5, 1e10, 1e20, 1e30}) {
      SCOPED_TRACE(testing::Message()
                   << "s = " << s << (solver == Solver::CoordinateDescent ? " cd" : " mu")
                   << (loss == Loss::Frobenius ? " Frobenius" : " KL"));
      const Result<T> r = make_x(s, o, times(W0, std::sqrt(s)), times(H0, std::sqrt(s)));
      EXPECT_TRUE(test::all_finite_nonnegative(r.W.view()));
      EXPECT_LT(test::relative_difference(times(r.W, 1.0 / std::sqrt(s)), base.W), tol);
      EXPECT_LT(test::relative_difference(times(r.H, 1.0 / std::sqrt(s)), base.H), tol);
      const double power = loss == Loss::Frobenius ? 2.0 : 1.0;
      EXPECT_NEAR(r.loss_history.back() / std::pow(s, power), base.loss_history.back(),
                  tol * base.loss_history.back());
    }
  }
}

template <class T>
class ScalingTest : public ::testing::Test {};
using Precisions = ::testing::Types<float, double>;
TYPED_TEST_SUITE(ScalingTest, Precisions);

template <class T>
void dense_case(Backend backend) {
  const DenseMatrix<T> X = test::planted_matrix<T>(40, 30, 3, 0.05, 11);
  expect_scale_equivariant<T>(
      backend, [&](double s, const Options& o, const DenseMatrix<T>& W0, const DenseMatrix<T>& H0) {
        return factorize(times(X, s).view(), o, W0.view(), H0.view());
      });
}

template <class T>
void sparse_case(Backend backend) {
  const auto X = test::random_csr<T, std::int32_t>(40, 30, 0.3, 12);
  expect_scale_equivariant<T>(
      backend, [&](double s, const Options& o, const DenseMatrix<T>& W0, const DenseMatrix<T>& H0) {
        return factorize(times(X, s).view(), o, W0.view(), H0.view());
      });
}

// This file builds twice: cpu_scaling_test (label cpu) and, with CUDA, cuda_scaling_test (label
// gpu, CUNMF_SCALING_ON_CUDA defined), so the emulated device runs the CUDA cases in CI.
#if defined(CUNMF_SCALING_ON_CUDA)
constexpr Backend kBackend = Backend::Cuda;
#define CUNMF_SKIP_UNLESS_BACKEND() CUNMF_SKIP_WITHOUT_DEVICE()
#else
constexpr Backend kBackend = Backend::Cpu;
#define CUNMF_SKIP_UNLESS_BACKEND()
#endif

TYPED_TEST(ScalingTest, Dense) {
  CUNMF_SKIP_UNLESS_BACKEND();
  dense_case<TypeParam>(kBackend);
}
TYPED_TEST(ScalingTest, Sparse) {
  CUNMF_SKIP_UNLESS_BACKEND();
  sparse_case<TypeParam>(kBackend);
}

// Entries at the top of float's range: the scaled run is fine, and its result is finite.
TEST(Scaling, FloatMaxRangeGivesFiniteFactors) {
  CUNMF_SKIP_UNLESS_BACKEND();
  DenseMatrix<float> X = test::planted_matrix<float>(20, 15, 2, 0.05, 3);
  for (std::int64_t i = 0; i < X.size(); ++i) X.data()[i] *= 1e37f;
  Options o = options_for(kBackend, Loss::Frobenius);
  o.rank = 2;
  const Result<float> r = factorize(X.view(), o);
  EXPECT_TRUE(test::all_finite_nonnegative(r.W.view()));
  EXPECT_TRUE(test::all_finite_nonnegative(r.H.view()));
  EXPECT_LT(relative_error(X.view(), r.W.view(), r.H.view()), 0.2);
}

// A start whose product overflows float: the loss is infinite at iteration 0, and the run stops
// with NumericalError naming it (it does not return NaN factors).
TEST(Scaling, NonFiniteLossIsANumericalError) {
  CUNMF_SKIP_UNLESS_BACKEND();
  const DenseMatrix<float> X = test::random_matrix<float>(10, 8, 4, 0.5, 1.0);
  DenseMatrix<float> W0 = test::random_matrix<float>(10, 2, 5, 0.5, 1.0);
  DenseMatrix<float> H0 = test::random_matrix<float>(2, 8, 6, 0.5, 1.0);
  for (std::int64_t i = 0; i < W0.size(); ++i) W0.data()[i] *= 3e38f;
  Options o = options_for(kBackend, Loss::Frobenius);
  o.rank = 2;
  EXPECT_TRUE(test::throws_with_message<NumericalError>(
      [&] { (void)factorize(X.view(), o, W0.view(), H0.view()); }, {"iteration 0", "infinite"}));
}

}  // namespace
}  // namespace cunmf
