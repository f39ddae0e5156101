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
#if defined(CUNMF_SCALING_ON_CUDA)
#include "cunmf/cuda/factorize.hpp"
#endif
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

#if defined(CUNMF_SCALING_ON_CUDA)
// The device-resident entry rescales an extreme X on the device exactly as the host entry does:
// from the same start the same bits, dense and CSR, at both ends of float's range.
TEST(Scaling, DeviceResidentEntryRescalesLikeTheHostEntry) {
  CUNMF_SKIP_UNLESS_BACKEND();
  const cuda::Context ctx;
  const DenseMatrix<float> W0 = test::random_matrix<float>(40, 3, 5, 0.1, 1.0);
  const DenseMatrix<float> H0 = test::random_matrix<float>(3, 30, 6, 0.1, 1.0);
  const DenseMatrix<float> X = test::planted_matrix<float>(40, 30, 3, 0.05, 11);
  const auto X_csr = test::random_csr<float, std::int32_t>(40, 30, 0.3, 12);
  for (const double s : {1e-30, 1e30}) {
    const float root = static_cast<float>(std::sqrt(s));
    const DenseMatrix<float> Xs = times(X, s), W0s = times(W0, root), H0s = times(H0, root);
    const auto Xs_csr = times(X_csr, s);
    const auto dW0 = cuda::DeviceMatrix<float>::upload(W0s.view(), ctx);
    const auto dH0 = cuda::DeviceMatrix<float>::upload(H0s.view(), ctx);
    for (const Loss loss : {Loss::Frobenius, Loss::KullbackLeibler}) {
      SCOPED_TRACE(testing::Message() << "s = " << s << (loss == Loss::Frobenius ? " Frob" : " KL"));
      const Options o = options_for(Backend::Cuda, loss);
      const Result<float> host = factorize(Xs.view(), o, W0s.view(), H0s.view());
      const auto dX = cuda::DeviceMatrix<float>::upload(Xs.view(), ctx);
      const auto device = cuda::factorize(ctx, dX.view(), o, dW0.view(), dH0.view());
      EXPECT_TRUE(test::bitwise_equal(device.W.download(ctx), host.W));
      EXPECT_TRUE(test::bitwise_equal(device.H.download(ctx), host.H));
      EXPECT_EQ(device.loss_history, host.loss_history);

      const Result<float> host_csr = factorize(Xs_csr.view(), o, W0s.view(), H0s.view());
      cuda::DeviceBuffer<std::int32_t> row_ptr(Xs_csr.row_ptr.size()),
          col_idx(Xs_csr.col_idx.size());
      cuda::DeviceBuffer<float> values(Xs_csr.values.size());
      row_ptr.copy_from_host(Xs_csr.row_ptr.data(), ctx);
      col_idx.copy_from_host(Xs_csr.col_idx.data(), ctx);
      values.copy_from_host(Xs_csr.values.data(), ctx);
      const cuda::DeviceCsrView<const float, std::int32_t> dX_csr{
          Xs_csr.rows, Xs_csr.cols, Xs_csr.nnz(), row_ptr.data(), col_idx.data(), values.data()};
      const auto device_csr = cuda::factorize(ctx, dX_csr, o, dW0.view(), dH0.view());
      EXPECT_TRUE(test::bitwise_equal(device_csr.W.download(ctx), host_csr.W));
      EXPECT_TRUE(test::bitwise_equal(device_csr.H.download(ctx), host_csr.H));
      EXPECT_EQ(device_csr.loss_history, host_csr.loss_history);
    }
  }
}
#endif

}  // namespace
}  // namespace cunmf
