// Tests of the emulated cuSOLVER's Householder QR: geqrf and orgqr on random matrices (tall,
// square, wide, a single row or column, padded leading dimensions whose NaN padding must stay
// unread and unwritten) over float and double, checked against plain loops in double: Q from orgqr
// is orthonormal, Q R reproduces A, R is upper triangular with LAPACK's signs, and Q equals the
// product of the reflectors geqrf stored, built here independently; orgqr with fewer reflectors
// than columns; a zero column (τ = 0); the rejections and their statuses; asynchrony.
#include <cuda_runtime_api.h>
#include <cusolverDn.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "emu_test_support.hpp"

namespace {

using emu_test::DeviceArray;

// Typed dispatch, as the project's cuda_backend/qr.hpp does.
cusolverStatus_t geqrf_buffer_size(cusolverDnHandle_t h, int m, int n, float* A, int lda, int* w) {
  return cusolverDnSgeqrf_bufferSize(h, m, n, A, lda, w);
}
cusolverStatus_t geqrf_buffer_size(cusolverDnHandle_t h, int m, int n, double* A, int lda, int* w) {
  return cusolverDnDgeqrf_bufferSize(h, m, n, A, lda, w);
}
cusolverStatus_t geqrf(cusolverDnHandle_t h, int m, int n, float* A, int lda, float* tau,
                       float* work, int lwork, int* info) {
  return cusolverDnSgeqrf(h, m, n, A, lda, tau, work, lwork, info);
}
cusolverStatus_t geqrf(cusolverDnHandle_t h, int m, int n, double* A, int lda, double* tau,
                       double* work, int lwork, int* info) {
  return cusolverDnDgeqrf(h, m, n, A, lda, tau, work, lwork, info);
}
cusolverStatus_t orgqr_buffer_size(cusolverDnHandle_t h, int m, int n, int k, const float* A,
                                   int lda, const float* tau, int* w) {
  return cusolverDnSorgqr_bufferSize(h, m, n, k, A, lda, tau, w);
}
cusolverStatus_t orgqr_buffer_size(cusolverDnHandle_t h, int m, int n, int k, const double* A,
                                   int lda, const double* tau, int* w) {
  return cusolverDnDorgqr_bufferSize(h, m, n, k, A, lda, tau, w);
}
cusolverStatus_t orgqr(cusolverDnHandle_t h, int m, int n, int k, float* A, int lda,
                       const float* tau, float* work, int lwork, int* info) {
  return cusolverDnSorgqr(h, m, n, k, A, lda, tau, work, lwork, info);
}
cusolverStatus_t orgqr(cusolverDnHandle_t h, int m, int n, int k, double* A, int lda,
                       const double* tau, double* work, int lwork, int* info) {
  return cusolverDnDorgqr(h, m, n, k, A, lda, tau, work, lwork, info);
}

/// A handle on the legacy default stream, destroyed at the end.
class Handle {
 public:
  Handle() { EXPECT_EQ(CUSOLVER_STATUS_SUCCESS, cusolverDnCreate(&h_)); }
  ~Handle() { cusolverDnDestroy(h_); }
  cusolverDnHandle_t get() const { return h_; }

 private:
  cusolverDnHandle_t h_ = nullptr;
};

/// A random m × n matrix in an lda × n column-major storage whose padding rows hold NaN.
std::vector<double> random_matrix(int m, int n, int lda, unsigned seed) {
  std::mt19937 engine(seed);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  std::vector<double> A(static_cast<std::size_t>(lda) * n, std::nan(""));
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < m; ++i) A[i + static_cast<std::size_t>(j) * lda] = uniform(engine);
  return A;
}

/// geqrf's output (R and the reflectors), tau and orgqr's output, each in double.
struct Factorization {
  std::vector<double> packed, tau, Q;
};

/// geqrf then (when n ≤ m) orgqr with `k` reflectors of A on the device.
template <class T>
Factorization qr_on_device(const std::vector<double>& A, int m, int n, int lda, int k) {
  Handle h;
  DeviceArray<T> dA(std::vector<T>(A.begin(), A.end()));
  DeviceArray<T> tau(static_cast<std::size_t>(std::max(1, std::min(m, n))));
  DeviceArray<int> info(std::vector<int>{-9});
  int lwork = 0;
  EXPECT_EQ(CUSOLVER_STATUS_SUCCESS, geqrf_buffer_size(h.get(), m, n, dA.get(), lda, &lwork));
  EXPECT_GT(lwork, 0);
  DeviceArray<T> work(static_cast<std::size_t>(lwork));
  EXPECT_EQ(CUSOLVER_STATUS_SUCCESS,
            geqrf(h.get(), m, n, dA.get(), lda, tau.get(), work.get(), lwork, info.get()));
  Factorization f;
  const std::vector<T> packed = dA.download(), t = tau.download();
  EXPECT_EQ(info.download()[0], 0);
  f.packed.assign(packed.begin(), packed.end());
  f.tau.assign(t.begin(), t.end());
  if (n <= m) {
    int qwork = 0;
    EXPECT_EQ(CUSOLVER_STATUS_SUCCESS,
              orgqr_buffer_size(h.get(), m, n, k, dA.get(), lda, tau.get(), &qwork));
    DeviceArray<T> work2(static_cast<std::size_t>(std::max(1, qwork)));
    EXPECT_EQ(CUSOLVER_STATUS_SUCCESS,
              orgqr(h.get(), m, n, k, dA.get(), lda, tau.get(), work2.get(), qwork, info.get()));
    const std::vector<T> Q = dA.download();
    EXPECT_EQ(info.download()[0], 0);
    f.Q.assign(Q.begin(), Q.end());
  }
  return f;
}

/// The first n columns of H_1 ⋯ H_k (m × m), H_j = I − τ_j v_j v_jᵀ read from geqrf's storage,
/// multiplied out as dense matrices in double.
std::vector<double> reflector_product(const std::vector<double>& packed,
                                      const std::vector<double>& tau, int m, int n, int k,
                                      int lda) {
  std::vector<double> Q(static_cast<std::size_t>(m) * m, 0.0);
  for (int i = 0; i < m; ++i) Q[i + static_cast<std::size_t>(i) * m] = 1.0;
  for (int j = k - 1; j >= 0; --j) {  // Q ← H_j Q
    std::vector<double> v(m, 0.0);
    v[j] = 1.0;
    for (int i = j + 1; i < m; ++i) v[i] = packed[i + static_cast<std::size_t>(j) * lda];
    for (int c = 0; c < m; ++c) {
      double w = 0.0;
      for (int i = 0; i < m; ++i) w += v[i] * Q[i + static_cast<std::size_t>(c) * m];
      for (int i = 0; i < m; ++i) Q[i + static_cast<std::size_t>(c) * m] -= tau[j] * w * v[i];
    }
  }
  Q.resize(static_cast<std::size_t>(m) * n);
  return Q;
}

template <class T>
class CusolverQrTyped : public ::testing::Test {};
using Types = ::testing::Types<float, double>;
TYPED_TEST_SUITE(CusolverQrTyped, Types);

// Householder QR is backward stable: errors ~ max(m, n) ε_T relative to ‖A‖ ≤ √(mn).
template <class T>
double tolerance(int m, int n) {
  return 16.0 * std::max(m, n) * std::numeric_limits<T>::epsilon();
}

TYPED_TEST(CusolverQrTyped, FactorsAndFormsAnOrthonormalQ) {
  using T = TypeParam;
  const int shapes[][2] = {{1, 1}, {5, 1}, {1, 4}, {7, 3}, {33, 33}, {40, 7}, {6, 9}};
  for (const auto& shape : shapes) {
    const int m = shape[0], n = shape[1], lda = m + 2, r = std::min(m, n);
    SCOPED_TRACE(::testing::Message() << m << " x " << n);
    const std::vector<double> A = random_matrix(m, n, lda, 11u + m * n);
    const Factorization f = qr_on_device<T>(A, m, n, lda, r);
    const double tol = tolerance<T>(m, n);
    auto packed = [&](int i, int j) { return f.packed[i + static_cast<std::size_t>(j) * lda]; };
    for (std::size_t idx = 0; idx < f.packed.size(); ++idx) {
      if (static_cast<int>(idx % lda) >= m) {
        EXPECT_TRUE(std::isnan(f.packed[idx])) << idx;
      }
    }
    // LAPACK's sign choice: R(0, 0) has the opposite sign of A(0, 0) unless the column is already
    // zero below the diagonal (τ = 0, then R(0, 0) = A(0, 0)); every τ is 0 or in [1, 2].
    if (m > 1) {
      EXPECT_LT(packed(0, 0) * A[0], 0.0);
    }
    for (int j = 0; j < r; ++j) {
      EXPECT_TRUE(f.tau[j] == 0.0 || (f.tau[j] >= 1.0 && f.tau[j] <= 2.0)) << f.tau[j];
    }
    // Q (the reflectors multiplied out here, m × r) times R reproduces A.
    const std::vector<double> Qfull = reflector_product(f.packed, f.tau, m, r, r, lda);
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < m; ++i) {
        double sum = 0.0;
        for (int p = 0; p <= std::min(j, r - 1); ++p) sum += Qfull[i + p * m] * packed(p, j);
        EXPECT_NEAR(sum, A[i + static_cast<std::size_t>(j) * lda], tol) << i << ", " << j;
      }
    if (n > m) continue;  // orgqr needs n ≤ m
    // orgqr's Q equals that product, is orthonormal, and the padding stays NaN.
    auto q = [&](int i, int j) { return f.Q[i + static_cast<std::size_t>(j) * lda]; };
    for (int j = 0; j < n; ++j) {
      for (int i = 0; i < m; ++i) EXPECT_NEAR(q(i, j), Qfull[i + j * m], tol) << i << ", " << j;
      for (int c = 0; c <= j; ++c) {
        double dot = 0.0;
        for (int p = 0; p < m; ++p) dot += q(p, j) * q(p, c);
        EXPECT_NEAR(dot, c == j ? 1.0 : 0.0, tol) << "Q(:, " << j << ") · Q(:, " << c << ")";
      }
    }
    for (std::size_t idx = 0; idx < f.Q.size(); ++idx) {
      if (static_cast<int>(idx % lda) >= m) {
        EXPECT_TRUE(std::isnan(f.Q[idx])) << idx;
      }
    }
  }
}

// orgqr with k < n reflectors: the first n columns of H_1 ⋯ H_k, whose later columns are those
// reflectors applied to the identity's columns.
TYPED_TEST(CusolverQrTyped, FormsQFromFewerReflectorsThanColumns) {
  using T = TypeParam;
  const int m = 9, n = 5, k = 2, lda = 9;
  const std::vector<double> A = random_matrix(m, n, lda, 5u);
  const Factorization f = qr_on_device<T>(A, m, n, lda, k);
  const std::vector<double> expected = reflector_product(f.packed, f.tau, m, n, k, lda);
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < m; ++i)
      EXPECT_NEAR(f.Q[i + j * lda], expected[i + j * m], tolerance<T>(m, n)) << i << ", " << j;
}

// A column that is zero below the diagonal needs no reflection: τ = 0 and R keeps its entry; an
// all-zero column gives R(j, j) = 0 and Q is still orthonormal.
TYPED_TEST(CusolverQrTyped, ZeroColumnsGiveIdentityReflectors) {
  using T = TypeParam;
  const int m = 4, n = 3;
  // Column 0 = 3·e₀ (already reduced), column 1 = 0, column 2 random.
  std::vector<double> A = {3, 0, 0, 0, 0, 0, 0, 0, 0.5, -1, 2, 0.25};
  const Factorization f = qr_on_device<T>(A, m, n, m, n);
  EXPECT_EQ(f.tau[0], 0.0);
  EXPECT_EQ(f.packed[0], 3.0);
  EXPECT_EQ(f.tau[1], 0.0);
  EXPECT_EQ(f.packed[1 + 4], 0.0);
  for (int j = 0; j < n; ++j) {
    double norm = 0.0;
    for (int i = 0; i < m; ++i) norm += f.Q[i + j * m] * f.Q[i + j * m];
    EXPECT_NEAR(norm, 1.0, tolerance<T>(m, n)) << j;
  }
}

// Bad arguments give the documented statuses and queue nothing; the emulator also rejects a short
// workspace and host memory.
TEST(CusolverQr, RejectsBadArguments) {
  Handle handle;
  const cusolverDnHandle_t h = handle.get();
  DeviceArray<double> A(std::vector<double>{1, 2, 3, 4, 5, 6});  // 3 × 2
  DeviceArray<double> tau(2), work(4);
  DeviceArray<int> info(std::vector<int>{-1});
  int lwork = 0;
  EXPECT_EQ(CUSOLVER_STATUS_INVALID_VALUE,
            cusolverDnDgeqrf_bufferSize(h, -1, 2, A.get(), 3, &lwork));
  EXPECT_EQ(CUSOLVER_STATUS_INVALID_VALUE,
            cusolverDnDgeqrf_bufferSize(h, 3, 2, A.get(), 2, &lwork));
  EXPECT_EQ(CUSOLVER_STATUS_INVALID_VALUE,
            cusolverDnDgeqrf_bufferSize(h, 3, 2, A.get(), 3, nullptr));
  EXPECT_EQ(CUSOLVER_STATUS_INVALID_VALUE,
            cusolverDnDgeqrf(h, 3, -2, A.get(), 3, tau.get(), work.get(), 4, info.get()));
  EXPECT_EQ(CUSOLVER_STATUS_INVALID_VALUE,  // workspace below the query's answer (2)
            cusolverDnDgeqrf(h, 3, 2, A.get(), 3, tau.get(), work.get(), 1, info.get()));
  std::vector<double> host(4);
  EXPECT_EQ(CUSOLVER_STATUS_INVALID_VALUE,
            cusolverDnDgeqrf(h, 3, 2, A.get(), 3, host.data(), work.get(), 4, info.get()));
  EXPECT_EQ(CUSOLVER_STATUS_INVALID_VALUE,
            cusolverDnDgeqrf(h, 3, 2, A.get(), 3, tau.get(), work.get(), 4, nullptr));
  EXPECT_EQ(CUSOLVER_STATUS_INVALID_VALUE,  // n > m
            cusolverDnDorgqr_bufferSize(h, 2, 3, 1, A.get(), 3, tau.get(), &lwork));
  EXPECT_EQ(CUSOLVER_STATUS_INVALID_VALUE,  // k > n
            cusolverDnDorgqr_bufferSize(h, 3, 2, 3, A.get(), 3, tau.get(), &lwork));
  EXPECT_EQ(CUSOLVER_STATUS_INVALID_VALUE,
            cusolverDnDorgqr(h, 3, 2, 2, A.get(), 2, tau.get(), work.get(), 4, info.get()));
  EXPECT_EQ(CUSOLVER_STATUS_INVALID_VALUE,
            cusolverDnDorgqr(h, 3, 2, 2, A.get(), 3, tau.get(), work.get(), 1, info.get()));
  EXPECT_EQ(CUSOLVER_STATUS_INVALID_VALUE,
            cusolverDnDorgqr(h, 3, 2, 2, A.get(), 3, host.data(), work.get(), 4, info.get()));
  EXPECT_EQ(CUSOLVER_STATUS_NOT_INITIALIZED,
            cusolverDnDgeqrf(nullptr, 3, 2, A.get(), 3, tau.get(), work.get(), 4, info.get()));
  EXPECT_EQ(CUSOLVER_STATUS_NOT_INITIALIZED,
            cusolverDnDorgqr_bufferSize(nullptr, 3, 2, 2, A.get(), 3, tau.get(), &lwork));
  ASSERT_EQ(cudaSuccess, cudaDeviceSynchronize());
  EXPECT_EQ(info.download()[0], -1) << "a rejected call queued work";
  EXPECT_EQ(A.download(), (std::vector<double>{1, 2, 3, 4, 5, 6}));
  // Empty shapes succeed with info = 0.
  EXPECT_EQ(CUSOLVER_STATUS_SUCCESS,
            cusolverDnDgeqrf(h, 0, 0, A.get(), 1, tau.get(), work.get(), 1, info.get()));
  EXPECT_EQ(info.download()[0], 0);
}

// The work is queued on the handle's stream: A is unchanged until the host synchronizes.
TEST(CusolverQr, RunsAsynchronouslyOnTheHandlesStream) {
  cudaStream_t stream = nullptr;
  ASSERT_EQ(cudaSuccess, cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  Handle h;
  ASSERT_EQ(CUSOLVER_STATUS_SUCCESS, cusolverDnSetStream(h.get(), stream));
  DeviceArray<double> A(std::vector<double>{3, 4});  // 2 × 1: R = −5
  DeviceArray<double> tau(1), work(1);
  DeviceArray<int> info(std::vector<int>{-1});
  ASSERT_EQ(CUSOLVER_STATUS_SUCCESS,
            cusolverDnDgeqrf(h.get(), 2, 1, A.get(), 2, tau.get(), work.get(), 1, info.get()));
  double r = 0.0;
  ASSERT_EQ(cudaSuccess, cudaMemcpyAsync(&r, A.get(), sizeof r, cudaMemcpyDeviceToHost, stream));
  EXPECT_EQ(r, 0.0) << "the copy ran before the host synchronized";
  ASSERT_EQ(cudaSuccess, cudaStreamSynchronize(stream));
  EXPECT_DOUBLE_EQ(r, -5.0);
  EXPECT_EQ(cudaSuccess, cudaStreamDestroy(stream));
}

}  // namespace
