// Tests of the emulated cuBLAS: each routine against a plain loop in double, over float and double,
// with transposes, padded leading dimensions (the padding holds NaN, so reading it shows), strides,
// alpha/beta, beta = 0 over NaN, device pointer mode, TF32 rounding, argument validation, the
// handle's stream and the status names.
#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "cunmf_emu/runtime_hooks.hpp"
#include "emu_test_support.hpp"

namespace {

using emu_test::contains;
using emu_test::DeviceArray;

// Typed dispatch, as the project's detail::gemm<T> does.
cublasStatus_t gemm(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n,
                    int k, const float* alpha, const float* A, int lda, const float* B, int ldb,
                    const float* beta, float* C, int ldc) {
  return cublasSgemm(h, ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
}
cublasStatus_t gemm(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n,
                    int k, const double* alpha, const double* A, int lda, const double* B, int ldb,
                    const double* beta, double* C, int ldc) {
  return cublasDgemm(h, ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
}
cublasStatus_t gemv(cublasHandle_t h, cublasOperation_t t, int m, int n, const float* alpha,
                    const float* A, int lda, const float* x, int incx, const float* beta, float* y,
                    int incy) {
  return cublasSgemv(h, t, m, n, alpha, A, lda, x, incx, beta, y, incy);
}
cublasStatus_t gemv(cublasHandle_t h, cublasOperation_t t, int m, int n, const double* alpha,
                    const double* A, int lda, const double* x, int incx, const double* beta,
                    double* y, int incy) {
  return cublasDgemv(h, t, m, n, alpha, A, lda, x, incx, beta, y, incy);
}
cublasStatus_t geam(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n,
                    const float* alpha, const float* A, int lda, const float* beta, const float* B,
                    int ldb, float* C, int ldc) {
  return cublasSgeam(h, ta, tb, m, n, alpha, A, lda, beta, B, ldb, C, ldc);
}
cublasStatus_t geam(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n,
                    const double* alpha, const double* A, int lda, const double* beta,
                    const double* B, int ldb, double* C, int ldc) {
  return cublasDgeam(h, ta, tb, m, n, alpha, A, lda, beta, B, ldb, C, ldc);
}
cublasStatus_t dot(cublasHandle_t h, int n, const float* x, int incx, const float* y, int incy,
                   float* result) {
  return cublasSdot(h, n, x, incx, y, incy, result);
}
cublasStatus_t dot(cublasHandle_t h, int n, const double* x, int incx, const double* y, int incy,
                   double* result) {
  return cublasDdot(h, n, x, incx, y, incy, result);
}

/// A column-major rows x cols matrix with leading dimension ld >= rows; the padding rows hold
/// NaN, so a routine that reads them produces NaN.
template <class T>
struct HostMatrix {
  int rows = 0;
  int cols = 0;
  int ld = 1;
  std::vector<T> data;

  HostMatrix(int r, int c, int pad, std::mt19937& rng)
      : rows(r), cols(c), ld(std::max(1, r + pad)) {
    std::uniform_real_distribution<double> dist(-1.0, 1.0);
    data.assign(static_cast<std::size_t>(ld) * std::max(1, c), std::numeric_limits<T>::quiet_NaN());
    for (int j = 0; j < c; ++j) {
      for (int i = 0; i < r; ++i) at(i, j) = static_cast<T>(dist(rng));
    }
  }
  T& at(int i, int j) { return data[i + static_cast<std::size_t>(j) * ld]; }
  T at(int i, int j) const { return data[i + static_cast<std::size_t>(j) * ld]; }
  /// Element (i, j) of op(this).
  T op_at(bool trans, int i, int j) const { return trans ? at(j, i) : at(i, j); }
};

const char* op_name(cublasOperation_t op) {
  return op == CUBLAS_OP_N ? "N" : op == CUBLAS_OP_T ? "T" : "C";
}

// Summation error bound for sums of k products in T: k ulp of the sum of magnitudes (with a
// factor 4 of slack); the reference runs in double, so its own error is negligible here.
template <class T>
double sum_tolerance(int k, double magnitude) {
  return 4.0 * std::max(k, 1) * std::numeric_limits<T>::epsilon() * magnitude + 1e-30;
}

template <class T>
class CublasTyped : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(CUBLAS_STATUS_SUCCESS, cublasCreate(&handle_));
    ASSERT_EQ(cudaSuccess, cudaStreamCreate(&stream_));
    ASSERT_EQ(CUBLAS_STATUS_SUCCESS, cublasSetStream(handle_, stream_));
  }
  void TearDown() override {
    EXPECT_EQ(CUBLAS_STATUS_SUCCESS, cublasDestroy(handle_));
    EXPECT_EQ(cudaSuccess, cudaStreamDestroy(stream_));
  }
  cublasHandle_t handle_ = nullptr;
  cudaStream_t stream_ = nullptr;
};

using Types = ::testing::Types<float, double>;
TYPED_TEST_SUITE(CublasTyped, Types);

constexpr cublasOperation_t kOps[] = {CUBLAS_OP_N, CUBLAS_OP_T, CUBLAS_OP_C};

// ---- GEMM ------------------------------------------------------------------------------------

TYPED_TEST(CublasTyped, GemmMatchesPlainLoop) {
  using T = TypeParam;
  std::mt19937 rng(7);
  struct Shape {
    int m, n, k;
  };
  // 1, odd sizes, and sizes one past a multiple of 32.
  for (const Shape s : {Shape{1, 1, 1}, Shape{3, 5, 7}, Shape{33, 9, 17}, Shape{2, 65, 33}}) {
    for (cublasOperation_t ta : kOps) {
      for (cublasOperation_t tb : kOps) {
        const bool ta_t = ta != CUBLAS_OP_N;
        const bool tb_t = tb != CUBLAS_OP_N;
        const HostMatrix<T> a(ta_t ? s.k : s.m, ta_t ? s.m : s.k, 3, rng);
        const HostMatrix<T> b(tb_t ? s.n : s.k, tb_t ? s.k : s.n, 2, rng);
        const HostMatrix<T> c(s.m, s.n, 1, rng);
        const T alpha = T(1.5);
        const T beta = T(-0.75);
        DeviceArray<T> da(a.data);
        DeviceArray<T> db(b.data);
        DeviceArray<T> dc(c.data);
        ASSERT_EQ(CUBLAS_STATUS_SUCCESS,
                  gemm(this->handle_, ta, tb, s.m, s.n, s.k, &alpha, da.get(), a.ld, db.get(), b.ld,
                       &beta, dc.get(), c.ld));
        const std::vector<T> got = dc.download();
        for (int j = 0; j < s.n; ++j) {
          for (int i = 0; i < s.m; ++i) {
            double sum = 0.0;
            double magnitude = 0.0;
            for (int l = 0; l < s.k; ++l) {
              const double p = double(a.op_at(ta_t, i, l)) * double(b.op_at(tb_t, l, j));
              sum += p;
              magnitude += std::abs(p);
            }
            const double expected = alpha * sum + beta * double(c.at(i, j));
            const double tol = sum_tolerance<T>(
                s.k + 2, std::abs(alpha) * magnitude + std::abs(beta * double(c.at(i, j))));
            EXPECT_NEAR(expected, double(got[i + std::size_t(j) * c.ld]), tol)
                << op_name(ta) << op_name(tb) << " m=" << s.m << " n=" << s.n << " k=" << s.k
                << " at (" << i << "," << j << ")";
          }
          // The padding of C is not written.
          EXPECT_TRUE(std::isnan(got[s.m + std::size_t(j) * c.ld]));
        }
      }
    }
  }
}

TYPED_TEST(CublasTyped, GemmWithBetaZeroDoesNotReadC) {
  using T = TypeParam;
  const std::vector<T> a = {1, 2, 3, 4};  // 2 x 2
  const std::vector<T> b = {1, 0, 0, 1};  // identity
  DeviceArray<T> da(a);
  DeviceArray<T> db(b);
  DeviceArray<T> dc(4);  // fresh device memory: all NaN
  const T alpha = 2;
  const T beta = 0;
  ASSERT_EQ(CUBLAS_STATUS_SUCCESS, gemm(this->handle_, CUBLAS_OP_N, CUBLAS_OP_N, 2, 2, 2, &alpha,
                                        da.get(), 2, db.get(), 2, &beta, dc.get(), 2));
  EXPECT_EQ((std::vector<T>{2, 4, 6, 8}), dc.download());
}

TYPED_TEST(CublasTyped, GemmWithAlphaZeroOnlyScalesC) {
  using T = TypeParam;
  DeviceArray<T> da(4);  // NaN, never read
  DeviceArray<T> db(4);
  DeviceArray<T> dc(std::vector<T>{1, 2, 3, 4});
  const T alpha = 0;
  const T beta = 3;
  ASSERT_EQ(CUBLAS_STATUS_SUCCESS, gemm(this->handle_, CUBLAS_OP_N, CUBLAS_OP_T, 2, 2, 2, &alpha,
                                        da.get(), 2, db.get(), 2, &beta, dc.get(), 2));
  EXPECT_EQ((std::vector<T>{3, 6, 9, 12}), dc.download());
  // k == 0 as well: C = beta C.
  ASSERT_EQ(CUBLAS_STATUS_SUCCESS, gemm(this->handle_, CUBLAS_OP_N, CUBLAS_OP_N, 2, 2, 0, &beta,
                                        da.get(), 2, db.get(), 1, &beta, dc.get(), 2));
  EXPECT_EQ((std::vector<T>{9, 18, 27, 36}), dc.download());
}

TYPED_TEST(CublasTyped, GemmInDevicePointerModeReadsScalarsWhenItRuns) {
  using T = TypeParam;
  ASSERT_EQ(CUBLAS_STATUS_SUCCESS, cublasSetPointerMode(this->handle_, CUBLAS_POINTER_MODE_DEVICE));
  DeviceArray<T> da(std::vector<T>{1, 2});  // 2 x 1
  DeviceArray<T> db(std::vector<T>{3});     // 1 x 1
  DeviceArray<T> dc(std::vector<T>{1, 1});
  DeviceArray<T> scalars(std::vector<T>{0, 0});  // alpha, beta
  // Queued before the GEMM on its stream: the GEMM must see these values, not the ones at the
  // call (host memory is read when the copy runs, too).
  const std::vector<T> values = {2, 10};
  ASSERT_EQ(cudaSuccess, cudaMemcpyAsync(scalars.get(), values.data(), 2 * sizeof(T),
                                         cudaMemcpyHostToDevice, this->stream_));
  ASSERT_EQ(CUBLAS_STATUS_SUCCESS,
            gemm(this->handle_, CUBLAS_OP_N, CUBLAS_OP_N, 2, 1, 1, scalars.get(), da.get(), 2,
                 db.get(), 1, scalars.get() + 1, dc.get(), 2));
  ASSERT_EQ(cudaSuccess, cudaStreamSynchronize(this->stream_));
  EXPECT_EQ((std::vector<T>{2 * 3 + 10, 2 * 6 + 10}), dc.download());

  // Host scalars are rejected in device pointer mode.
  const T host_alpha = 1;
  testing::internal::CaptureStderr();
  EXPECT_EQ(CUBLAS_STATUS_INVALID_VALUE,
            gemm(this->handle_, CUBLAS_OP_N, CUBLAS_OP_N, 2, 1, 1, &host_alpha, da.get(), 2,
                 db.get(), 1, scalars.get(), dc.get(), 2));
  EXPECT_TRUE(contains(testing::internal::GetCapturedStderr(), "alpha"));
  // And device scalars in host pointer mode.
  ASSERT_EQ(CUBLAS_STATUS_SUCCESS, cublasSetPointerMode(this->handle_, CUBLAS_POINTER_MODE_HOST));
  testing::internal::CaptureStderr();
  EXPECT_EQ(CUBLAS_STATUS_INVALID_VALUE,
            gemm(this->handle_, CUBLAS_OP_N, CUBLAS_OP_N, 2, 1, 1, scalars.get(), da.get(), 2,
                 db.get(), 1, &host_alpha, dc.get(), 2));
  EXPECT_TRUE(contains(testing::internal::GetCapturedStderr(), "CUBLAS_POINTER_MODE_HOST"));
}

TYPED_TEST(CublasTyped, GemmRunsOnTheHandlesStreamWhenSynchronized) {
  using T = TypeParam;
  DeviceArray<T> da(std::vector<T>{2});
  DeviceArray<T> db(std::vector<T>{3});
  DeviceArray<T> dc(1);
  const T one = 1;
  const T zero = 0;
  cudaStream_t other = nullptr;
  ASSERT_EQ(cudaSuccess, cudaStreamCreateWithFlags(&other, cudaStreamNonBlocking));
  ASSERT_EQ(CUBLAS_STATUS_SUCCESS, gemm(this->handle_, CUBLAS_OP_N, CUBLAS_OP_N, 1, 1, 1, &one,
                                        da.get(), 1, db.get(), 1, &zero, dc.get(), 1));
  T host = -1;
  ASSERT_EQ(cudaSuccess,
            cudaMemcpyAsync(&host, dc.get(), sizeof(T), cudaMemcpyDeviceToHost, this->stream_));
  EXPECT_EQ(T(-1), host);  // nothing has run
  ASSERT_EQ(cudaSuccess, cudaStreamSynchronize(other));
  EXPECT_EQ(T(-1), host);  // another stream's synchronize does not run it
  ASSERT_EQ(cudaSuccess, cudaStreamSynchronize(this->stream_));
  EXPECT_EQ(T(6), host);
  ASSERT_EQ(cudaSuccess, cudaStreamDestroy(other));
}

TYPED_TEST(CublasTyped, GemmRejectsInvalidArguments) {
  using T = TypeParam;
  DeviceArray<T> a(64);
  DeviceArray<T> b(64);
  DeviceArray<T> c(64);
  const T one = 1;
  auto call = [&](cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k, int lda, int ldb,
                  int ldc, const T* alpha = nullptr, const T* beta = nullptr) {
    return gemm(this->handle_, ta, tb, m, n, k, alpha ? alpha : &one, a.get(), lda, b.get(), ldb,
                beta ? beta : &one, c.get(), ldc);
  };
  const auto N = CUBLAS_OP_N;
  const auto Tr = CUBLAS_OP_T;
  EXPECT_EQ(CUBLAS_STATUS_SUCCESS, call(N, N, 4, 3, 2, 4, 2, 4));
  EXPECT_EQ(CUBLAS_STATUS_INVALID_VALUE, call(N, N, -1, 3, 2, 4, 2, 4));
  EXPECT_EQ(CUBLAS_STATUS_INVALID_VALUE, call(N, N, 4, -1, 2, 4, 2, 4));
  EXPECT_EQ(CUBLAS_STATUS_INVALID_VALUE, call(N, N, 4, 3, -1, 4, 2, 4));
  EXPECT_EQ(CUBLAS_STATUS_INVALID_VALUE, call(N, N, 4, 3, 2, 3, 2, 4));   // lda < m
  EXPECT_EQ(CUBLAS_STATUS_SUCCESS, call(Tr, N, 4, 3, 2, 2, 2, 4));        // lda >= k for op T
  EXPECT_EQ(CUBLAS_STATUS_INVALID_VALUE, call(Tr, N, 4, 3, 2, 1, 2, 4));  // lda < k
  EXPECT_EQ(CUBLAS_STATUS_INVALID_VALUE, call(N, N, 4, 3, 2, 4, 1, 4));   // ldb < k
  EXPECT_EQ(CUBLAS_STATUS_INVALID_VALUE, call(N, Tr, 4, 3, 2, 4, 2, 4));  // ldb < n for op T
  EXPECT_EQ(CUBLAS_STATUS_INVALID_VALUE, call(N, N, 4, 3, 2, 4, 2, 3));   // ldc < m
  EXPECT_EQ(CUBLAS_STATUS_INVALID_VALUE, call(N, N, 0, 3, 2, 0, 2, 1));   // lda < max(1, m)
  EXPECT_EQ(CUBLAS_STATUS_SUCCESS, call(N, N, 0, 3, 2, 1, 2, 1));         // empty, valid
  EXPECT_EQ(CUBLAS_STATUS_INVALID_VALUE, call(CUBLAS_OP_CONJG, N, 4, 3, 2, 4, 2, 4));
  EXPECT_EQ(CUBLAS_STATUS_INVALID_VALUE,
            gemm(this->handle_, N, N, 4, 3, 2, nullptr, a.get(), 4, b.get(), 2, &one, c.get(), 4));
  EXPECT_EQ(CUBLAS_STATUS_INVALID_VALUE,
            gemm(this->handle_, N, N, 4, 3, 2, &one, a.get(), 4, b.get(), 2, nullptr, c.get(), 4));
  EXPECT_EQ(CUBLAS_STATUS_NOT_INITIALIZED,
            gemm(nullptr, N, N, 4, 3, 2, &one, a.get(), 4, b.get(), 2, &one, c.get(), 4));

  // Operands outside device memory, or reaching past their allocation (emulator checks).
  std::vector<T> host(64, T(0));
  testing::internal::CaptureStderr();
  EXPECT_EQ(CUBLAS_STATUS_INVALID_VALUE,
            gemm(this->handle_, N, N, 4, 3, 2, &one, host.data(), 4, b.get(), 2, &one, c.get(), 4));
  EXPECT_TRUE(contains(testing::internal::GetCapturedStderr(), "A ("));
  testing::internal::CaptureStderr();
  EXPECT_EQ(CUBLAS_STATUS_INVALID_VALUE, call(N, N, 8, 8, 8, 8, 8, 9));  // C needs 71 elements
  EXPECT_TRUE(contains(testing::internal::GetCapturedStderr(), "past the end"));
  ASSERT_EQ(cudaSuccess, cudaDeviceSynchronize());
}

// ---- GEMV ------------------------------------------------------------------------------------

TYPED_TEST(CublasTyped, GemvMatchesPlainLoop) {
  using T = TypeParam;
  std::mt19937 rng(11);
  for (const auto& [m, n] : {std::pair{1, 1}, std::pair{5, 3}, std::pair{33, 17}}) {
    for (cublasOperation_t op : kOps) {
      for (const auto& [incx, incy] : {std::pair{1, 1}, std::pair{2, 3}, std::pair{-1, -2}}) {
        const bool t = op != CUBLAS_OP_N;
        const int len_x = t ? m : n;
        const int len_y = t ? n : m;
        const HostMatrix<T> a(m, n, 2, rng);
        const HostMatrix<T> x(1 + (len_x - 1) * std::abs(incx), 1, 0, rng);
        const HostMatrix<T> y(1 + (len_y - 1) * std::abs(incy), 1, 0, rng);
        const T alpha = T(-1.25);
        const T beta = T(0.5);
        DeviceArray<T> da(a.data);
        DeviceArray<T> dx(x.data);
        DeviceArray<T> dy(y.data);
        ASSERT_EQ(CUBLAS_STATUS_SUCCESS, gemv(this->handle_, op, m, n, &alpha, da.get(), a.ld,
                                              dx.get(), incx, &beta, dy.get(), incy));
        const std::vector<T> got = dy.download();
        auto index = [](int e, int len, int inc) {
          return inc > 0 ? std::size_t(e) * inc : std::size_t(len - 1 - e) * -inc;
        };
        for (int e = 0; e < len_y; ++e) {
          double sum = 0.0;
          double magnitude = 0.0;
          for (int l = 0; l < len_x; ++l) {
            const double p = double(a.op_at(t, e, l)) * double(x.data[index(l, len_x, incx)]);
            sum += p;
            magnitude += std::abs(p);
          }
          const double old_y = y.data[index(e, len_y, incy)];
          const double expected = alpha * sum + beta * old_y;
          EXPECT_NEAR(
              expected, double(got[index(e, len_y, incy)]),
              sum_tolerance<T>(len_x + 2, std::abs(alpha) * magnitude + std::abs(beta * old_y)))
              << op_name(op) << " m=" << m << " n=" << n << " incx=" << incx << " incy=" << incy;
        }
      }
    }
  }
}

TYPED_TEST(CublasTyped, GemvBetaZeroIgnoresNaNInY) {
  using T = TypeParam;
  DeviceArray<T> a(std::vector<T>{1, 2, 3, 4, 5, 6});  // 2 x 3
  DeviceArray<T> x(std::vector<T>{1, 1, 1});
  DeviceArray<T> y(2);  // NaN
  const T one = 1;
  const T zero = 0;
  ASSERT_EQ(CUBLAS_STATUS_SUCCESS, gemv(this->handle_, CUBLAS_OP_N, 2, 3, &one, a.get(), 2, x.get(),
                                        1, &zero, y.get(), 1));
  EXPECT_EQ((std::vector<T>{9, 12}), y.download());
}

TYPED_TEST(CublasTyped, GemvRejectsInvalidArguments) {
  using T = TypeParam;
  DeviceArray<T> a(16);
  DeviceArray<T> x(4);
  DeviceArray<T> y(4);
  const T one = 1;
  const auto N = CUBLAS_OP_N;
  EXPECT_EQ(CUBLAS_STATUS_INVALID_VALUE,
            gemv(this->handle_, N, -1, 2, &one, a.get(), 2, x.get(), 1, &one, y.get(), 1));
  EXPECT_EQ(CUBLAS_STATUS_INVALID_VALUE,
            gemv(this->handle_, N, 4, 2, &one, a.get(), 3, x.get(), 1, &one, y.get(), 1));
  EXPECT_EQ(CUBLAS_STATUS_INVALID_VALUE,
            gemv(this->handle_, N, 2, 2, &one, a.get(), 2, x.get(), 0, &one, y.get(), 1));
  EXPECT_EQ(CUBLAS_STATUS_INVALID_VALUE,
            gemv(this->handle_, N, 2, 2, &one, a.get(), 2, x.get(), 1, &one, y.get(), 0));
  EXPECT_EQ(CUBLAS_STATUS_INVALID_VALUE,
            gemv(this->handle_, N, 2, 2, nullptr, a.get(), 2, x.get(), 1, &one, y.get(), 1));
  EXPECT_EQ(CUBLAS_STATUS_NOT_INITIALIZED,
            gemv(nullptr, N, 2, 2, &one, a.get(), 2, x.get(), 1, &one, y.get(), 1));
  testing::internal::CaptureStderr();
  EXPECT_EQ(CUBLAS_STATUS_INVALID_VALUE,  // x with increment 2 needs 7 elements
            gemv(this->handle_, N, 4, 4, &one, a.get(), 4, x.get(), 2, &one, y.get(), 1));
  EXPECT_TRUE(contains(testing::internal::GetCapturedStderr(), "x ("));
}

// ---- GEAM ------------------------------------------------------------------------------------

TYPED_TEST(CublasTyped, GeamMatchesPlainLoop) {
  using T = TypeParam;
  std::mt19937 rng(5);
  for (const auto& [m, n] : {std::pair{1, 1}, std::pair{4, 7}, std::pair{33, 5}}) {
    for (cublasOperation_t ta : kOps) {
      for (cublasOperation_t tb : kOps) {
        const bool ta_t = ta != CUBLAS_OP_N;
        const bool tb_t = tb != CUBLAS_OP_N;
        const HostMatrix<T> a(ta_t ? n : m, ta_t ? m : n, 1, rng);
        const HostMatrix<T> b(tb_t ? n : m, tb_t ? m : n, 2, rng);
        HostMatrix<T> c(m, n, 3, rng);
        const T alpha = T(0.5);
        const T beta = T(-2);
        DeviceArray<T> da(a.data);
        DeviceArray<T> db(b.data);
        DeviceArray<T> dc(c.data);
        ASSERT_EQ(CUBLAS_STATUS_SUCCESS, geam(this->handle_, ta, tb, m, n, &alpha, da.get(), a.ld,
                                              &beta, db.get(), b.ld, dc.get(), c.ld));
        const std::vector<T> got = dc.download();
        for (int j = 0; j < n; ++j) {
          for (int i = 0; i < m; ++i) {
            const double expected =
                alpha * double(a.op_at(ta_t, i, j)) + beta * double(b.op_at(tb_t, i, j));
            EXPECT_NEAR(expected, double(got[i + std::size_t(j) * c.ld]),
                        sum_tolerance<T>(2, std::abs(expected) + 1.0))
                << op_name(ta) << op_name(tb) << " m=" << m << " n=" << n;
          }
        }
      }
    }
  }
}

TYPED_TEST(CublasTyped, GeamTransposesAndWorksInPlace) {
  using T = TypeParam;
  DeviceArray<T> a(std::vector<T>{1, 2, 3, 4, 5, 6});  // 2 x 3
  DeviceArray<T> at(6);                                // 3 x 2, NaN
  const T one = 1;
  const T zero = 0;
  const T two = 2;
  // Transpose: beta = 0, so B is not read (may even be null).
  ASSERT_EQ(CUBLAS_STATUS_SUCCESS, geam(this->handle_, CUBLAS_OP_T, CUBLAS_OP_N, 3, 2, &one,
                                        a.get(), 2, &zero, nullptr, 3, at.get(), 3));
  EXPECT_EQ((std::vector<T>{1, 3, 5, 2, 4, 6}), at.download());
  // In place, C = A: C = 2 C + 1 B.
  DeviceArray<T> b(std::vector<T>{1, 1, 1, 1, 1, 1});
  ASSERT_EQ(CUBLAS_STATUS_SUCCESS, geam(this->handle_, CUBLAS_OP_N, CUBLAS_OP_N, 2, 3, &two,
                                        a.get(), 2, &one, b.get(), 2, a.get(), 2));
  EXPECT_EQ((std::vector<T>{3, 5, 7, 9, 11, 13}), a.download());
  // In place needs op N and equal leading dimensions.
  EXPECT_EQ(CUBLAS_STATUS_INVALID_VALUE, geam(this->handle_, CUBLAS_OP_T, CUBLAS_OP_N, 2, 2, &two,
                                              a.get(), 2, &one, b.get(), 2, a.get(), 2));
  EXPECT_EQ(CUBLAS_STATUS_INVALID_VALUE, geam(this->handle_, CUBLAS_OP_N, CUBLAS_OP_N, 2, 2, &two,
                                              a.get(), 2, &one, b.get(), 3, b.get(), 2));
  EXPECT_EQ(CUBLAS_STATUS_INVALID_VALUE, geam(this->handle_, CUBLAS_OP_N, CUBLAS_OP_N, 3, 2, &two,
                                              a.get(), 2, &one, b.get(), 3, at.get(), 3));
  EXPECT_EQ(CUBLAS_STATUS_INVALID_VALUE, geam(this->handle_, CUBLAS_OP_N, CUBLAS_OP_N, 2, 2, &two,
                                              a.get(), 2, nullptr, b.get(), 2, at.get(), 2));
}

// ---- DOT -------------------------------------------------------------------------------------

TYPED_TEST(CublasTyped, DotInHostAndDevicePointerModes) {
  using T = TypeParam;
  DeviceArray<T> x(std::vector<T>{1, 2, 3, 4, 5, 6});
  DeviceArray<T> y(std::vector<T>{1, 10, 100});
  T result = -1;
  // Host mode: the call waits, the result is there when it returns.
  ASSERT_EQ(CUBLAS_STATUS_SUCCESS, dot(this->handle_, 3, x.get(), 2, y.get(), 1, &result));
  EXPECT_EQ(T(1 + 30 + 500), result);
  ASSERT_EQ(CUBLAS_STATUS_SUCCESS, dot(this->handle_, 3, x.get(), 1, y.get(), -1, &result));
  EXPECT_EQ(T(100 + 20 + 3), result);
  ASSERT_EQ(CUBLAS_STATUS_SUCCESS, dot(this->handle_, 0, x.get(), 1, y.get(), 1, &result));
  EXPECT_EQ(T(0), result);
  // Device mode: queued like any other work.
  ASSERT_EQ(CUBLAS_STATUS_SUCCESS, cublasSetPointerMode(this->handle_, CUBLAS_POINTER_MODE_DEVICE));
  DeviceArray<T> device_result(1);
  ASSERT_EQ(CUBLAS_STATUS_SUCCESS,
            dot(this->handle_, 3, x.get(), 1, y.get(), 1, device_result.get()));
  EXPECT_EQ(std::vector<T>{T(1 + 20 + 300)}, device_result.download());
  EXPECT_EQ(CUBLAS_STATUS_INVALID_VALUE,
            dot(this->handle_, 3, x.get(), 1, y.get(), 1, static_cast<T*>(nullptr)));
}

// ---- Precision -----------------------------------------------------------------------------

class Cublas : public CublasTyped<float> {};

TEST_F(Cublas, SgemmAccumulatesInFloat) {
  // 1e8 + 1 is 1e8 in float; in double the sum would be 1.
  DeviceArray<float> a(std::vector<float>{1e8f, 1.0f, -1e8f});
  DeviceArray<float> b(std::vector<float>{1.0f, 1.0f, 1.0f});
  DeviceArray<float> c(1);
  const float one = 1;
  const float zero = 0;
  ASSERT_EQ(CUBLAS_STATUS_SUCCESS, cublasSgemm(handle_, CUBLAS_OP_N, CUBLAS_OP_N, 1, 1, 3, &one,
                                               a.get(), 1, b.get(), 3, &zero, c.get(), 1));
  EXPECT_EQ(std::vector<float>{0.0f}, c.download());
  ASSERT_EQ(CUBLAS_STATUS_SUCCESS, cublasSgemm(handle_, CUBLAS_OP_T, CUBLAS_OP_N, 1, 1, 3, &one,
                                               a.get(), 3, b.get(), 3, &zero, c.get(), 1));
  EXPECT_EQ(std::vector<float>{0.0f}, c.download());
}

TEST_F(Cublas, Tf32MathModeRoundsSgemmInputs) {
  const float small = 1.0f + std::ldexp(1.0f, -12);       // below half a TF32 ulp above 1
  const float half = 1.0f + std::ldexp(1.0f, -11);        // exactly half a TF32 ulp: ties away
  DeviceArray<float> a(std::vector<float>{small, half});  // 2 x 1
  DeviceArray<float> b(std::vector<float>{1.0f});
  DeviceArray<float> c(2);
  const float one = 1;
  const float zero = 0;
  auto run = [&] {
    EXPECT_EQ(CUBLAS_STATUS_SUCCESS, cublasSgemm(handle_, CUBLAS_OP_N, CUBLAS_OP_N, 2, 1, 1, &one,
                                                 a.get(), 2, b.get(), 1, &zero, c.get(), 2));
    return c.download();
  };
  EXPECT_EQ((std::vector<float>{small, half}), run());
  ASSERT_EQ(CUBLAS_STATUS_SUCCESS, cublasSetMathMode(handle_, CUBLAS_TF32_TENSOR_OP_MATH));
  EXPECT_EQ((std::vector<float>{1.0f, 1.0f + std::ldexp(1.0f, -10)}), run());
  // The mode applies to single precision only.
  DeviceArray<double> ad(std::vector<double>{1.0 + std::ldexp(1.0, -12)});
  DeviceArray<double> bd(std::vector<double>{1.0});
  DeviceArray<double> cd(1);
  const double oned = 1;
  const double zerod = 0;
  ASSERT_EQ(CUBLAS_STATUS_SUCCESS, cublasDgemm(handle_, CUBLAS_OP_N, CUBLAS_OP_N, 1, 1, 1, &oned,
                                               ad.get(), 1, bd.get(), 1, &zerod, cd.get(), 1));
  EXPECT_EQ(std::vector<double>{1.0 + std::ldexp(1.0, -12)}, cd.download());
  ASSERT_EQ(CUBLAS_STATUS_SUCCESS, cublasSetMathMode(handle_, CUBLAS_DEFAULT_MATH));
  EXPECT_EQ((std::vector<float>{small, half}), run());
}

TEST_F(Cublas, GemmOfAFewHundredIsQuick) {
  // The size the project's emulated GPU tests use; a regression in loop order shows as a timeout.
  const int n = 300;
  std::vector<float> host(std::size_t(n) * n);
  for (std::size_t i = 0; i < host.size(); ++i) host[i] = float(i % 7) - 3.0f;
  DeviceArray<float> a(host);
  DeviceArray<float> c(host.size());
  const float one = 1;
  const float zero = 0;
  for (cublasOperation_t ta : {CUBLAS_OP_N, CUBLAS_OP_T}) {
    ASSERT_EQ(CUBLAS_STATUS_SUCCESS, cublasSgemm(handle_, ta, CUBLAS_OP_N, n, n, n, &one, a.get(),
                                                 n, a.get(), n, &zero, c.get(), n));
  }
  ASSERT_EQ(cudaSuccess, cudaStreamSynchronize(stream_));
}

// ---- Handles and statuses -----------------------------------------------------------------------

TEST_F(Cublas, HandleSettingsRoundTrip) {
  cudaStream_t s = reinterpret_cast<cudaStream_t>(0x1);
  ASSERT_EQ(CUBLAS_STATUS_SUCCESS, cublasGetStream(handle_, &s));
  EXPECT_EQ(stream_, s);
  EXPECT_EQ(CUBLAS_STATUS_INVALID_VALUE, cublasGetStream(handle_, nullptr));

  cublasPointerMode_t pm = CUBLAS_POINTER_MODE_DEVICE;
  ASSERT_EQ(CUBLAS_STATUS_SUCCESS, cublasGetPointerMode(handle_, &pm));
  EXPECT_EQ(CUBLAS_POINTER_MODE_HOST, pm);

  cublasMath_t mm = CUBLAS_PEDANTIC_MATH;
  ASSERT_EQ(CUBLAS_STATUS_SUCCESS, cublasGetMathMode(handle_, &mm));
  EXPECT_EQ(CUBLAS_DEFAULT_MATH, mm);
  const auto tf32_strict = static_cast<cublasMath_t>(
      CUBLAS_TF32_TENSOR_OP_MATH | CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION);
  ASSERT_EQ(CUBLAS_STATUS_SUCCESS, cublasSetMathMode(handle_, tf32_strict));
  ASSERT_EQ(CUBLAS_STATUS_SUCCESS, cublasGetMathMode(handle_, &mm));
  EXPECT_EQ(tf32_strict, mm);
  testing::internal::CaptureStderr();
  EXPECT_EQ(CUBLAS_STATUS_NOT_SUPPORTED, cublasSetMathMode(handle_, CUBLAS_TENSOR_OP_MATH));
  EXPECT_TRUE(contains(testing::internal::GetCapturedStderr(), "not emulated"));
  EXPECT_EQ(CUBLAS_STATUS_INVALID_VALUE, cublasSetMathMode(handle_, static_cast<cublasMath_t>(7)));

  EXPECT_EQ(CUBLAS_STATUS_NOT_INITIALIZED, cublasSetStream(nullptr, stream_));
  EXPECT_EQ(CUBLAS_STATUS_INVALID_VALUE, cublasCreate(nullptr));
  cublasHandle_t gone = nullptr;
  ASSERT_EQ(CUBLAS_STATUS_SUCCESS, cublasCreate(&gone));
  ASSERT_EQ(CUBLAS_STATUS_SUCCESS, cublasDestroy(gone));
  EXPECT_EQ(CUBLAS_STATUS_NOT_INITIALIZED, cublasSetStream(gone, stream_));
  EXPECT_EQ(CUBLAS_STATUS_NOT_INITIALIZED, cublasDestroy(gone));
}

TEST(CublasStatus, NamesAndStringsAreTheRealOnes) {
  EXPECT_STREQ("CUBLAS_STATUS_SUCCESS", cublasGetStatusName(CUBLAS_STATUS_SUCCESS));
  EXPECT_STREQ("success", cublasGetStatusString(CUBLAS_STATUS_SUCCESS));
  EXPECT_STREQ("CUBLAS_STATUS_INVALID_VALUE", cublasGetStatusName(CUBLAS_STATUS_INVALID_VALUE));
  EXPECT_STREQ("an unsupported value or parameter was passed to the function",
               cublasGetStatusString(CUBLAS_STATUS_INVALID_VALUE));
  EXPECT_STREQ("CUBLAS_STATUS_NOT_INITIALIZED", cublasGetStatusName(CUBLAS_STATUS_NOT_INITIALIZED));
  EXPECT_STREQ("the library was not initialized",
               cublasGetStatusString(CUBLAS_STATUS_NOT_INITIALIZED));
  EXPECT_STREQ("CUBLAS_STATUS_EXECUTION_FAILED",
               cublasGetStatusName(CUBLAS_STATUS_EXECUTION_FAILED));
  // 2 is within the enumeration's range but names no status.
  EXPECT_STREQ("unrecognized status", cublasGetStatusName(static_cast<cublasStatus_t>(2)));
  EXPECT_STREQ("unrecognized status", cublasGetStatusString(static_cast<cublasStatus_t>(2)));
}

TEST(CublasFaults, AfterADeviceFaultCallsFailUntilReset) {
  cublasHandle_t handle = nullptr;
  ASSERT_EQ(CUBLAS_STATUS_SUCCESS, cublasCreate(&handle));
  float* a = nullptr;  // both freed by cudaDeviceReset
  float* c = nullptr;
  ASSERT_EQ(cudaSuccess, cudaMalloc(reinterpret_cast<void**>(&a), 4 * sizeof(float)));
  ASSERT_EQ(cudaSuccess, cudaMalloc(reinterpret_cast<void**>(&c), 4 * sizeof(float)));
  const float one = 1;
  cunmf_emu::enqueue(nullptr, [] { throw cunmf_emu::KernelFault("injected"); });
  testing::internal::CaptureStderr();
  EXPECT_EQ(cudaErrorLaunchFailure, cudaDeviceSynchronize());
  EXPECT_TRUE(contains(testing::internal::GetCapturedStderr(), "device fault: injected"));
  EXPECT_EQ(CUBLAS_STATUS_EXECUTION_FAILED,
            cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, 2, 2, 2, &one, a, 2, a, 2, &one, c, 2));
  ASSERT_EQ(cudaSuccess, cudaDeviceReset());
  ASSERT_EQ(cudaSuccess, cudaMalloc(reinterpret_cast<void**>(&a), 4 * sizeof(float)));
  ASSERT_EQ(cudaSuccess, cudaMalloc(reinterpret_cast<void**>(&c), 4 * sizeof(float)));
  EXPECT_EQ(CUBLAS_STATUS_SUCCESS,
            cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, 2, 2, 2, &one, a, 2, a, 2, &one, c, 2));
  EXPECT_EQ(CUBLAS_STATUS_SUCCESS, cublasDestroy(handle));
  EXPECT_EQ(cudaSuccess, cudaFree(a));
  EXPECT_EQ(cudaSuccess, cudaFree(c));
}

}  // namespace
