// Tests of the emulated cuSOLVER: the Cholesky factorization (potrf, both triangles) and solve
// (potrs) of random symmetric positive definite matrices against plain loops in double, over float
// and double, with padded leading dimensions (the padding holds NaN, so reading it shows) and the
// untouched other triangle; devInfo > 0 naming the leading minor of an indefinite matrix; the
// workspace query; the rejections of bad arguments and their statuses; asynchrony; the handle.
#include <cuda_runtime_api.h>
#include <cusolverDn.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "emu_test_support.hpp"

namespace {

using emu_test::DeviceArray;

// Typed dispatch, as the project's cuda_backend::solver.hpp does.
cusolverStatus_t potrf_buffer_size(cusolverDnHandle_t h, cublasFillMode_t uplo, int n, float* A,
                                   int lda, int* lwork) {
  return cusolverDnSpotrf_bufferSize(h, uplo, n, A, lda, lwork);
}
cusolverStatus_t potrf_buffer_size(cusolverDnHandle_t h, cublasFillMode_t uplo, int n, double* A,
                                   int lda, int* lwork) {
  return cusolverDnDpotrf_bufferSize(h, uplo, n, A, lda, lwork);
}
cusolverStatus_t potrf(cusolverDnHandle_t h, cublasFillMode_t uplo, int n, float* A, int lda,
                       float* work, int lwork, int* info) {
  return cusolverDnSpotrf(h, uplo, n, A, lda, work, lwork, info);
}
cusolverStatus_t potrf(cusolverDnHandle_t h, cublasFillMode_t uplo, int n, double* A, int lda,
                       double* work, int lwork, int* info) {
  return cusolverDnDpotrf(h, uplo, n, A, lda, work, lwork, info);
}
cusolverStatus_t potrs(cusolverDnHandle_t h, cublasFillMode_t uplo, int n, int nrhs, const float* A,
                       int lda, float* B, int ldb, int* info) {
  return cusolverDnSpotrs(h, uplo, n, nrhs, A, lda, B, ldb, info);
}
cusolverStatus_t potrs(cusolverDnHandle_t h, cublasFillMode_t uplo, int n, int nrhs,
                       const double* A, int lda, double* B, int ldb, int* info) {
  return cusolverDnDpotrs(h, uplo, n, nrhs, A, lda, B, ldb, info);
}

/// A handle on a fresh non-blocking stream, destroyed with it.
class Solver {
 public:
  Solver() {
    EXPECT_EQ(cudaSuccess, cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
    EXPECT_EQ(CUSOLVER_STATUS_SUCCESS, cusolverDnCreate(&handle_));
    EXPECT_EQ(CUSOLVER_STATUS_SUCCESS, cusolverDnSetStream(handle_, stream_));
  }
  ~Solver() {
    cusolverDnDestroy(handle_);
    cudaStreamDestroy(stream_);
  }
  cusolverDnHandle_t get() const { return handle_; }
  void sync() const { EXPECT_EQ(cudaSuccess, cudaStreamSynchronize(stream_)); }

 private:
  cudaStream_t stream_ = nullptr;
  cusolverDnHandle_t handle_ = nullptr;
};

/// S = B Bᵀ + n I for a random n × n B (symmetric positive definite), as an n × n column-major
/// matrix in an lda × n storage whose padding rows hold NaN.
std::vector<double> spd_matrix(int n, int lda, unsigned seed) {
  std::mt19937 engine(seed);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  std::vector<double> B(static_cast<std::size_t>(n) * n);
  for (double& b : B) b = uniform(engine);
  std::vector<double> S(static_cast<std::size_t>(lda) * n, std::nan(""));
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      double sum = i == j ? n : 0.0;
      for (int r = 0; r < n; ++r) sum += B[i + r * n] * B[j + r * n];
      S[i + static_cast<std::size_t>(j) * lda] = sum;
    }
  return S;
}

template <class T>
std::vector<T> cast(const std::vector<double>& v) {
  return std::vector<T>(v.begin(), v.end());
}

template <class T>
class CusolverTyped : public ::testing::Test {};
using Types = ::testing::Types<float, double>;
TYPED_TEST_SUITE(CusolverTyped, Types);

// Relative accuracy of a factorization or solve of these well-conditioned (κ < ~10) matrices:
// ~n ε_T.
template <class T>
double tolerance(int n) {
  return 8.0 * n * std::numeric_limits<T>::epsilon();
}

// potrf in either triangle: the factor reproduces S (L Lᵀ or Uᵀ U), the other triangle and the
// padding are untouched, devInfo = 0; potrs then solves S X = B for three right-hand sides.
TYPED_TEST(CusolverTyped, FactorizesAndSolvesSpdMatrices) {
  using T = TypeParam;
  for (const int n : {1, 2, 7, 33})
    for (const cublasFillMode_t uplo : {CUBLAS_FILL_MODE_LOWER, CUBLAS_FILL_MODE_UPPER}) {
      SCOPED_TRACE(::testing::Message() << "n = " << n << (uplo ? " upper" : " lower"));
      const int lda = n + 3, nrhs = 3;
      const std::vector<double> S = spd_matrix(n, lda, 7u + n);
      Solver solver;
      DeviceArray<T> A(cast<T>(S));
      int lwork = 0;
      ASSERT_EQ(CUSOLVER_STATUS_SUCCESS,
                potrf_buffer_size(solver.get(), uplo, n, A.get(), lda, &lwork));
      ASSERT_GT(lwork, 0);
      DeviceArray<T> work(static_cast<std::size_t>(lwork));
      DeviceArray<int> info(std::vector<int>{-7});
      ASSERT_EQ(CUSOLVER_STATUS_SUCCESS,
                potrf(solver.get(), uplo, n, A.get(), lda, work.get(), lwork, info.get()));
      const std::vector<T> F = A.download();
      EXPECT_EQ(info.download()[0], 0);
      const bool lower = uplo == CUBLAS_FILL_MODE_LOWER;
      auto at = [&](int i, int j) { return double(F[i + static_cast<std::size_t>(j) * lda]); };
      auto l = [&](int i, int j) { return lower ? at(i, j) : at(j, i); };  // L(i, j), i ≥ j
      for (int i = 0; i < n; ++i)
        for (int j = 0; j <= i; ++j) {
          double sum = 0.0;
          for (int r = 0; r <= j; ++r) sum += l(i, r) * l(j, r);
          const double s = S[i + static_cast<std::size_t>(j) * lda];
          EXPECT_NEAR(sum, s, tolerance<T>(n) * n) << "(L Lᵀ)(" << i << ", " << j << ")";
          if (i != j) {  // the other triangle keeps S's value (in T)
            EXPECT_EQ(lower ? at(j, i) : at(i, j), double(T(s)));
          }
        }
      for (std::size_t idx = 0; idx < F.size(); ++idx) {
        if (static_cast<int>(idx % lda) >= n) {
          EXPECT_TRUE(std::isnan(F[idx])) << "padding " << idx;
        }
      }

      std::vector<double> X(static_cast<std::size_t>(n) * nrhs);
      for (std::size_t idx = 0; idx < X.size(); ++idx) X[idx] = 1.0 + double(idx % 5);
      std::vector<double> B(static_cast<std::size_t>(lda) * nrhs, std::nan(""));
      for (int c = 0; c < nrhs; ++c)
        for (int i = 0; i < n; ++i) {
          double sum = 0.0;
          for (int r = 0; r < n; ++r) sum += S[i + r * lda] * X[r + c * n];
          B[i + c * lda] = sum;
        }
      DeviceArray<T> dB(cast<T>(B));
      ASSERT_EQ(CUSOLVER_STATUS_SUCCESS,
                potrs(solver.get(), uplo, n, nrhs, A.get(), lda, dB.get(), lda, info.get()));
      const std::vector<T> solved = dB.download();
      EXPECT_EQ(info.download()[0], 0);
      for (int c = 0; c < nrhs; ++c)
        for (int i = 0; i < n; ++i)
          EXPECT_NEAR(solved[i + c * lda], X[i + c * n], tolerance<T>(n) * 6.0) << i << ", " << c;
    }
}

// An indefinite matrix: devInfo is the order of the first leading minor that is not positive
// definite — 2 for [1 2; 2 1] (1 − 4 < 0), 3 for a singular 3 × 3 (pivot exactly 0), 1 for a
// negative or NaN first entry. Written by the queued work: the host sees it after a sync.
TYPED_TEST(CusolverTyped, DevInfoNamesTheFirstLeadingMinorNotPositiveDefinite) {
  using T = TypeParam;
  struct Case {
    int n;
    std::vector<double> S;
    int info;
  };
  const Case cases[] = {{2, {1, 2, 2, 1}, 2},
                        {3, {1, 1, 0, 1, 2, 1, 0, 1, 1}, 3},
                        {2, {-1, 0, 0, 1}, 1},
                        {1, {std::nan("")}, 1}};
  for (const Case& c : cases) {
    Solver solver;
    DeviceArray<T> A(cast<T>(c.S));
    DeviceArray<T> work(static_cast<std::size_t>(c.n));
    DeviceArray<int> info(std::vector<int>{0});
    ASSERT_EQ(CUSOLVER_STATUS_SUCCESS, potrf(solver.get(), CUBLAS_FILL_MODE_LOWER, c.n, A.get(),
                                             c.n, work.get(), c.n, info.get()));
    EXPECT_EQ(info.download()[0], c.info) << "case n = " << c.n;
  }
}

// Bad arguments give the documented statuses and queue nothing; a null or destroyed handle is
// NOT_INITIALIZED; n = 0 succeeds with devInfo = 0.
TEST(Cusolver, RejectsBadArguments) {
  Solver solver;
  const cusolverDnHandle_t h = solver.get();
  DeviceArray<double> A(std::vector<double>{4, 2, 2, 3});
  DeviceArray<double> work(2);
  DeviceArray<int> info(std::vector<int>{-1});
  int lwork = 0;
  const auto lower = CUBLAS_FILL_MODE_LOWER;
  EXPECT_EQ(CUSOLVER_STATUS_INVALID_VALUE,
            cusolverDnDpotrf_bufferSize(h, CUBLAS_FILL_MODE_FULL, 2, A.get(), 2, &lwork));
  EXPECT_EQ(CUSOLVER_STATUS_INVALID_VALUE,
            cusolverDnDpotrf_bufferSize(h, lower, -1, A.get(), 2, &lwork));
  EXPECT_EQ(CUSOLVER_STATUS_INVALID_VALUE,
            cusolverDnDpotrf_bufferSize(h, lower, 2, A.get(), 1, &lwork));
  EXPECT_EQ(CUSOLVER_STATUS_INVALID_VALUE,
            cusolverDnDpotrf_bufferSize(h, lower, 2, A.get(), 2, nullptr));
  EXPECT_EQ(CUSOLVER_STATUS_INVALID_VALUE,
            cusolverDnDpotrf(h, lower, 2, A.get(), 1, work.get(), 2, info.get()));
  EXPECT_EQ(CUSOLVER_STATUS_INVALID_VALUE,
            cusolverDnDpotrf(h, lower, -2, A.get(), 2, work.get(), 2, info.get()));
  EXPECT_EQ(CUSOLVER_STATUS_INVALID_VALUE,  // workspace smaller than the query's answer
            cusolverDnDpotrf(h, lower, 2, A.get(), 2, work.get(), 1, info.get()));
  std::vector<double> host_work(2);
  EXPECT_EQ(CUSOLVER_STATUS_INVALID_VALUE,  // host memory as workspace
            cusolverDnDpotrf(h, lower, 2, A.get(), 2, host_work.data(), 2, info.get()));
  EXPECT_EQ(CUSOLVER_STATUS_INVALID_VALUE,
            cusolverDnDpotrf(h, lower, 2, A.get(), 2, work.get(), 2, nullptr));
  EXPECT_EQ(CUSOLVER_STATUS_INVALID_VALUE,
            cusolverDnDpotrs(h, lower, 2, -1, A.get(), 2, work.get(), 2, info.get()));
  EXPECT_EQ(CUSOLVER_STATUS_INVALID_VALUE,
            cusolverDnDpotrs(h, lower, 2, 1, A.get(), 2, work.get(), 1, info.get()));
  EXPECT_EQ(CUSOLVER_STATUS_INVALID_VALUE, cusolverDnDpotrs(h, CUBLAS_FILL_MODE_FULL, 2, 1, A.get(),
                                                            2, work.get(), 2, info.get()));
  solver.sync();
  EXPECT_EQ(info.download()[0], -1) << "a rejected call queued work";
  EXPECT_EQ(A.download(), (std::vector<double>{4, 2, 2, 3}));

  EXPECT_EQ(CUSOLVER_STATUS_SUCCESS,
            cusolverDnDpotrf(h, lower, 0, A.get(), 1, work.get(), 1, info.get()));
  EXPECT_EQ(info.download()[0], 0);
  EXPECT_EQ(CUSOLVER_STATUS_NOT_INITIALIZED,
            cusolverDnDpotrf(nullptr, lower, 2, A.get(), 2, work.get(), 2, info.get()));
  cusolverDnHandle_t destroyed = nullptr;
  ASSERT_EQ(CUSOLVER_STATUS_SUCCESS, cusolverDnCreate(&destroyed));
  ASSERT_EQ(CUSOLVER_STATUS_SUCCESS, cusolverDnDestroy(destroyed));
  EXPECT_EQ(CUSOLVER_STATUS_NOT_INITIALIZED, cusolverDnDestroy(destroyed));
  EXPECT_EQ(CUSOLVER_STATUS_NOT_INITIALIZED, cusolverDnSetStream(destroyed, nullptr));
  EXPECT_EQ(CUSOLVER_STATUS_INVALID_VALUE, cusolverDnCreate(nullptr));
}

// The work is queued on the handle's stream: nothing changes before the host synchronizes, and
// GetStream returns the stream that was set.
TEST(Cusolver, RunsAsynchronouslyOnTheHandlesStream) {
  cudaStream_t stream = nullptr;
  ASSERT_EQ(cudaSuccess, cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  cusolverDnHandle_t h = nullptr;
  ASSERT_EQ(CUSOLVER_STATUS_SUCCESS, cusolverDnCreate(&h));
  ASSERT_EQ(CUSOLVER_STATUS_SUCCESS, cusolverDnSetStream(h, stream));
  cudaStream_t got = nullptr;
  ASSERT_EQ(CUSOLVER_STATUS_SUCCESS, cusolverDnGetStream(h, &got));
  EXPECT_EQ(got, stream);
  EXPECT_EQ(CUSOLVER_STATUS_INVALID_VALUE, cusolverDnGetStream(h, nullptr));
  double* A = nullptr;
  int* info = nullptr;
  ASSERT_EQ(cudaSuccess, cudaMalloc(reinterpret_cast<void**>(&A), 2 * sizeof(double)));
  ASSERT_EQ(cudaSuccess, cudaMalloc(reinterpret_cast<void**>(&info), sizeof(int)));
  const double four = 4.0;
  const int unset = -5;
  ASSERT_EQ(cudaSuccess, cudaMemcpy(A, &four, sizeof(double), cudaMemcpyHostToDevice));
  ASSERT_EQ(cudaSuccess, cudaMemcpy(info, &unset, sizeof(int), cudaMemcpyHostToDevice));
  ASSERT_EQ(CUSOLVER_STATUS_SUCCESS,
            cusolverDnDpotrf(h, CUBLAS_FILL_MODE_LOWER, 1, A, 1, A + 1, 1, info));
  double result = 0.0;
  int host_info = 0;
  ASSERT_EQ(cudaSuccess,
            cudaMemcpyAsync(&host_info, info, sizeof(int), cudaMemcpyDeviceToHost, stream));
  ASSERT_EQ(cudaSuccess,
            cudaMemcpyAsync(&result, A, sizeof(double), cudaMemcpyDeviceToHost, stream));
  EXPECT_EQ(result, 0.0) << "the copy ran before the host synchronized";
  ASSERT_EQ(cudaSuccess, cudaStreamSynchronize(stream));
  EXPECT_EQ(result, 2.0);
  EXPECT_EQ(host_info, 0);
  EXPECT_EQ(CUSOLVER_STATUS_SUCCESS, cusolverDnDestroy(h));
  EXPECT_EQ(cudaSuccess, cudaFree(A));
  EXPECT_EQ(cudaSuccess, cudaFree(info));
  EXPECT_EQ(cudaSuccess, cudaStreamDestroy(stream));
}

}  // namespace
