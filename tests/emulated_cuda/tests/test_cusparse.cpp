// Tests of the emulated cuSPARSE: SpMM, SDDMM and the CSR -> CSC conversion against plain loops in
// double, over float and double, both index types, both index bases, both dense orders, opA and
// opB N and T, padded leading dimensions (the padding holds NaN, so reading it shows), alpha/beta,
// beta = 0 over NaN, device pointer mode, asynchrony, argument validation with the documented
// statuses, descriptors, the handle and the status names.
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

// <cusparse.h> names parameters blockDim, which the forced-in emulation header (device.hpp)
// defines as a macro; it is set aside while the header is read.
#pragma push_macro("blockDim")
#undef blockDim
#include <cusparse.h>
#pragma pop_macro("blockDim")

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "cunmf_emu/runtime_hooks.hpp"
#include "emu_test_support.hpp"

namespace {

using emu_test::contains;
using emu_test::DeviceArray;

template <class T>
constexpr cudaDataType kValueType = std::is_same_v<T, float> ? CUDA_R_32F : CUDA_R_64F;
template <class I>
constexpr cusparseIndexType_t kIndexType =
    std::is_same_v<I, std::int32_t> ? CUSPARSE_INDEX_32I : CUSPARSE_INDEX_64I;

// Descriptors owned by a test (destroyed even when an assertion returns early).
struct SpMat {
  cusparseSpMatDescr_t d = nullptr;
  ~SpMat() { EXPECT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseDestroySpMat(d)); }
};
struct DnMat {
  cusparseDnMatDescr_t d = nullptr;
  ~DnMat() { EXPECT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseDestroyDnMat(d)); }
};

/// A sparse matrix on the host, base 0: row offsets, columns, values. Every row and column index
/// pattern is random, but row 1 and column cols - 2 are empty when the matrix has at least three
/// of them, so empty rows and empty columns are always exercised.
struct HostCsr {
  std::int64_t rows = 0, cols = 0;
  std::vector<std::int64_t> offsets{0};
  std::vector<std::int64_t> columns;
  std::vector<double> values;

  HostCsr(std::int64_t r, std::int64_t c, double density, std::mt19937& rng, bool shuffle)
      : rows(r), cols(c) {
    std::uniform_real_distribution<double> dist(-1.0, 1.0);
    std::bernoulli_distribution keep(density);
    for (std::int64_t i = 0; i < r; ++i) {
      const std::size_t row_begin = columns.size();
      for (std::int64_t j = 0; j < c; ++j) {
        const bool empty = (r >= 3 && i == 1) || (c >= 3 && j == c - 2);
        if (!empty && keep(rng)) {
          columns.push_back(j);
          values.push_back(dist(rng));
        }
      }
      if (shuffle) {  // the generic API allows unsorted columns within a row
        std::vector<std::size_t> order(columns.size() - row_begin);
        std::iota(order.begin(), order.end(), row_begin);
        std::shuffle(order.begin(), order.end(), rng);
        std::vector<std::int64_t> cols_copy(columns.begin() + row_begin, columns.end());
        std::vector<double> vals_copy(values.begin() + row_begin, values.end());
        for (std::size_t e = 0; e < order.size(); ++e) {
          columns[row_begin + e] = cols_copy[order[e] - row_begin];
          values[row_begin + e] = vals_copy[order[e] - row_begin];
        }
      }
      offsets.push_back(static_cast<std::int64_t>(columns.size()));
    }
  }
  std::int64_t nnz() const { return static_cast<std::int64_t>(columns.size()); }
  /// The dense rows x cols matrix (row-major), in double.
  std::vector<double> dense() const {
    std::vector<double> a(static_cast<std::size_t>(rows * cols), 0.0);
    for (std::int64_t i = 0; i < rows; ++i) {
      for (std::int64_t p = offsets[i]; p < offsets[i + 1]; ++p)
        a[i * cols + columns[p]] += values[p];
    }
    return a;
  }
};

/// A HostCsr on the device with index type I, value type T and index base `base`.
template <class I, class T>
struct DeviceCsr {
  DeviceArray<I> offsets, columns;
  DeviceArray<T> values;
  SpMat descr;

  DeviceCsr(const HostCsr& h, int base)
      : offsets(shifted(h.offsets, base)),
        columns(shifted(h.columns, base)),
        values(std::vector<T>(h.values.begin(), h.values.end())) {
    EXPECT_EQ(CUSPARSE_STATUS_SUCCESS,
              cusparseCreateCsr(&descr.d, h.rows, h.cols, h.nnz(), offsets.get(), columns.get(),
                                values.get(), kIndexType<I>, kIndexType<I>,
                                base == 1 ? CUSPARSE_INDEX_BASE_ONE : CUSPARSE_INDEX_BASE_ZERO,
                                kValueType<T>));
  }
  static std::vector<I> shifted(const std::vector<std::int64_t>& v, int base) {
    std::vector<I> out(v.size());
    for (std::size_t e = 0; e < v.size(); ++e) out[e] = static_cast<I>(v[e] + base);
    return out;
  }
};

/// A dense rows x cols matrix in either order, leading dimension padded by `pad`; the padding
/// holds NaN, so a routine that reads it produces NaN.
template <class T>
struct HostDense {
  std::int64_t rows, cols, ld;
  bool row_major;
  std::vector<T> data;

  HostDense(std::int64_t r, std::int64_t c, cusparseOrder_t order, std::int64_t pad,
            std::mt19937& rng)
      : rows(r), cols(c), row_major(order == CUSPARSE_ORDER_ROW) {
    ld = (row_major ? c : r) + pad;
    const std::int64_t outer = std::max<std::int64_t>(1, row_major ? r : c);
    data.assign(static_cast<std::size_t>(std::max<std::int64_t>(1, ld) * outer),
                std::numeric_limits<T>::quiet_NaN());
    std::uniform_real_distribution<double> dist(-1.0, 1.0);
    for (std::int64_t i = 0; i < r; ++i) {
      for (std::int64_t j = 0; j < c; ++j) at(i, j) = static_cast<T>(dist(rng));
    }
  }
  std::size_t index(std::int64_t i, std::int64_t j) const {
    return static_cast<std::size_t>(row_major ? i * ld + j : i + j * ld);
  }
  T& at(std::int64_t i, std::int64_t j) { return data[index(i, j)]; }
  T at(std::int64_t i, std::int64_t j) const { return data[index(i, j)]; }
  /// Element (i, j) of op(this).
  T op_at(bool trans, std::int64_t i, std::int64_t j) const { return trans ? at(j, i) : at(i, j); }
  /// True when data[e] is padding rather than an element.
  bool is_padding(std::size_t e) const {
    const std::int64_t inner = static_cast<std::int64_t>(e) % ld;
    const std::int64_t outer = static_cast<std::int64_t>(e) / ld;
    return row_major ? (inner >= cols || outer >= rows) : (inner >= rows || outer >= cols);
  }
  cusparseOrder_t order() const { return row_major ? CUSPARSE_ORDER_ROW : CUSPARSE_ORDER_COL; }
};

template <class T>
void create_dense(DnMat* d, const HostDense<T>& h, T* values) {
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseCreateDnMat(&d->d, h.rows, h.cols, h.ld, values, kValueType<T>, h.order()));
}

// Summation error bound for sums of k products in T: k ulp of the sum of magnitudes (with a
// factor 4 of slack); the reference runs in double, so its own error is negligible here.
template <class T>
double sum_tolerance(std::int64_t k, double magnitude) {
  return 4.0 * static_cast<double>(std::max<std::int64_t>(k, 1)) *
             std::numeric_limits<T>::epsilon() * magnitude +
         1e-30;
}

const char* op_name(cusparseOperation_t op) {
  return op == CUSPARSE_OPERATION_NON_TRANSPOSE ? "N"
         : op == CUSPARSE_OPERATION_TRANSPOSE   ? "T"
                                                : "C";
}
const char* order_name(cusparseOrder_t order) {
  return order == CUSPARSE_ORDER_ROW ? "row" : "col";
}

constexpr cusparseOperation_t kN = CUSPARSE_OPERATION_NON_TRANSPOSE;
constexpr cusparseOperation_t kT = CUSPARSE_OPERATION_TRANSPOSE;
constexpr cusparseOperation_t kC = CUSPARSE_OPERATION_CONJUGATE_TRANSPOSE;
constexpr cusparseOrder_t kOrders[] = {CUSPARSE_ORDER_COL, CUSPARSE_ORDER_ROW};

struct Shape {
  std::int64_t m, k, n;
};
// 1, odd sizes, n = 1, and sizes one past a multiple of 32.
constexpr Shape kShapes[] = {{1, 1, 1}, {5, 7, 3}, {4, 6, 1}, {33, 17, 9}};

template <class T>
class CusparseTyped : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseCreate(&handle_));
    ASSERT_EQ(cudaSuccess, cudaStreamCreate(&stream_));
    ASSERT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseSetStream(handle_, stream_));
  }
  void TearDown() override {
    EXPECT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseDestroy(handle_));
    EXPECT_EQ(cudaSuccess, cudaStreamDestroy(stream_));
  }
  cusparseHandle_t handle_ = nullptr;
  cudaStream_t stream_ = nullptr;
};

using Types = ::testing::Types<float, double>;
TYPED_TEST_SUITE(CusparseTyped, Types);

// ---- SpMM -------------------------------------------------------------------------------------

/// One SpMM against the plain loop: C = alpha op(A) op(B) + beta C, A m x k after op.
template <class I, class T>
void check_spmm(cusparseHandle_t handle, cudaStream_t stream, const Shape& s,
                cusparseOperation_t op_a, cusparseOperation_t op_b, cusparseOrder_t order_b,
                cusparseOrder_t order_c, cusparseSpMMAlg_t alg, int base, std::mt19937& rng) {
  const bool ta = op_a != kN;
  const bool tb = op_b != kN;
  const HostCsr a(ta ? s.k : s.m, ta ? s.m : s.k, 0.4, rng, /*shuffle=*/true);
  const HostDense<T> b(tb ? s.n : s.k, tb ? s.k : s.n, order_b, 2, rng);
  const HostDense<T> c(s.m, s.n, order_c, 1, rng);
  const T alpha = T(1.5);
  const T beta = T(-0.75);
  DeviceCsr<I, T> da(a, base);
  DeviceArray<T> db(b.data);
  DeviceArray<T> dc(c.data);
  DnMat mb, mc;
  create_dense(&mb, b, db.get());
  create_dense(&mc, c, dc.get());
  std::size_t bytes = 0;
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseSpMM_bufferSize(handle, op_a, op_b, &alpha, da.descr.d, mb.d, &beta, mc.d,
                                    kValueType<T>, alg, &bytes));
  ASSERT_GT(bytes, 0u);
  DeviceArray<char> work(bytes);
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseSpMM_preprocess(handle, op_a, op_b, &alpha, da.descr.d, mb.d, &beta, mc.d,
                                    kValueType<T>, alg, work.get()));
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseSpMM(handle, op_a, op_b, &alpha, da.descr.d, mb.d,
                                                  &beta, mc.d, kValueType<T>, alg, work.get()));
  ASSERT_EQ(cudaSuccess, cudaStreamSynchronize(stream));
  const std::vector<double> dense_a = a.dense();  // row-major, a.rows x a.cols
  const std::vector<T> got = dc.download();
  for (std::size_t e = 0; e < got.size(); ++e) {
    if (c.is_padding(e)) {
      EXPECT_TRUE(std::isnan(got[e])) << "padding written at " << e;
    }
  }
  for (std::int64_t i = 0; i < s.m; ++i) {
    for (std::int64_t j = 0; j < s.n; ++j) {
      double sum = 0.0;
      double magnitude = 0.0;
      for (std::int64_t l = 0; l < s.k; ++l) {
        const double av = ta ? dense_a[l * a.cols + i] : dense_a[i * a.cols + l];
        const double p = av * double(b.op_at(tb, l, j));
        sum += p;
        magnitude += std::abs(p);
      }
      const double old_c = c.at(i, j);
      const double expected = alpha * sum + beta * old_c;
      const double tol =
          sum_tolerance<T>(s.k + 2, std::abs(alpha) * magnitude + std::abs(beta * old_c));
      EXPECT_NEAR(expected, double(got[c.index(i, j)]), tol)
          << "op " << op_name(op_a) << op_name(op_b) << " B " << order_name(order_b) << " C "
          << order_name(order_c) << " alg " << alg << " base " << base << " index " << sizeof(I) * 8
          << " m=" << s.m << " k=" << s.k << " n=" << s.n << " at (" << i << "," << j << ")";
    }
  }
}

TYPED_TEST(CusparseTyped, SpmmMatchesPlainLoop) {
  using T = TypeParam;
  std::mt19937 rng(7);
  const cusparseSpMMAlg_t algs[] = {CUSPARSE_SPMM_ALG_DEFAULT, CUSPARSE_SPMM_CSR_ALG1,
                                    CUSPARSE_SPMM_CSR_ALG2, CUSPARSE_SPMM_CSR_ALG3};
  int count = 0;
  for (const Shape& s : kShapes) {
    for (const cusparseOperation_t op_a : {kN, kT}) {
      for (const cusparseOperation_t op_b : {kN, kT}) {
        for (const cusparseOrder_t order_b : kOrders) {
          for (const cusparseOrder_t order_c : kOrders) {
            ++count;
            // ALG3 supports opA = N only (checked separately below).
            cusparseSpMMAlg_t alg = algs[count % 4];
            if (op_a == kT && alg == CUSPARSE_SPMM_CSR_ALG3) alg = CUSPARSE_SPMM_ALG_DEFAULT;
            const int base = (count / 4) % 2;
            if (count % 3 == 0) {
              check_spmm<std::int64_t, T>(this->handle_, this->stream_, s, op_a, op_b, order_b,
                                          order_c, alg, base, rng);
            } else {
              check_spmm<std::int32_t, T>(this->handle_, this->stream_, s, op_a, op_b, order_b,
                                          order_c, alg, base, rng);
            }
          }
        }
      }
    }
  }
  // Every algorithm with every layout once more, both index types and bases.
  for (const cusparseSpMMAlg_t alg : algs) {
    for (const cusparseOrder_t order : kOrders) {
      check_spmm<std::int32_t, T>(this->handle_, this->stream_, {6, 5, 4}, kN, kT, order, order,
                                  alg, 1, rng);
      check_spmm<std::int64_t, T>(this->handle_, this->stream_, {6, 5, 4}, kN, kN, order, order,
                                  alg, 0, rng);
    }
  }
  // Conjugate transposes are transposes for real types.
  check_spmm<std::int32_t, T>(this->handle_, this->stream_, {5, 7, 3}, kC, kC, kOrders[0],
                              kOrders[1], CUSPARSE_SPMM_ALG_DEFAULT, 0, rng);
}

/// A 2 x 3 CSR matrix [[1, 0, 2], [0, 3, 0]] in type T with 32-bit indices, owned by the test.
template <class T>
struct SmallCsr {
  DeviceArray<std::int32_t> offsets{std::vector<std::int32_t>{0, 2, 3}};
  DeviceArray<std::int32_t> columns{std::vector<std::int32_t>{0, 2, 1}};
  DeviceArray<T> values{std::vector<T>{1, 2, 3}};
  SpMat descr;
  SmallCsr() {
    EXPECT_EQ(CUSPARSE_STATUS_SUCCESS,
              cusparseCreateCsr(&descr.d, 2, 3, 3, offsets.get(), columns.get(), values.get(),
                                CUSPARSE_INDEX_32I, CUSPARSE_INDEX_32I, CUSPARSE_INDEX_BASE_ZERO,
                                kValueType<T>));
  }
};

/// A column-major dense matrix of the given values, owned by the test.
template <class T>
struct SmallDense {
  DeviceArray<T> values;
  DnMat descr;
  SmallDense(std::int64_t rows, std::int64_t cols, const std::vector<T>& v) : values(v) {
    EXPECT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseCreateDnMat(&descr.d, rows, cols, rows, values.get(),
                                                           kValueType<T>, CUSPARSE_ORDER_COL));
  }
  SmallDense(std::int64_t rows, std::int64_t cols) : values(std::size_t(rows * cols)) {  // NaN
    EXPECT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseCreateDnMat(&descr.d, rows, cols, rows, values.get(),
                                                           kValueType<T>, CUSPARSE_ORDER_COL));
  }
};

TYPED_TEST(CusparseTyped, SpmmWithBetaZeroDoesNotReadC) {
  using T = TypeParam;
  SmallCsr<T> a;
  SmallDense<T> b(3, 2, {1, 1, 1, 0, 1, 0});  // columns (1, 1, 1) and (0, 1, 0)
  SmallDense<T> c(2, 2);                      // fresh device memory: all NaN
  DeviceArray<char> work(256);
  const T alpha = 2;
  const T beta = 0;
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseSpMM(this->handle_, kN, kN, &alpha, a.descr.d, b.descr.d, &beta, c.descr.d,
                         kValueType<T>, CUSPARSE_SPMM_ALG_DEFAULT, work.get()));
  EXPECT_EQ((std::vector<T>{6, 6, 0, 6}), c.values.download());
  // With op(A) = A^T too (C is 3 x 2, NaN).
  SmallDense<T> b2(2, 2, {1, 1, 0, 1});
  SmallDense<T> c2(3, 2);
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseSpMM(this->handle_, kT, kN, &alpha, a.descr.d, b2.descr.d, &beta, c2.descr.d,
                         kValueType<T>, CUSPARSE_SPMM_ALG_DEFAULT, work.get()));
  EXPECT_EQ((std::vector<T>{2, 6, 4, 0, 6, 0}), c2.values.download());
}

TYPED_TEST(CusparseTyped, SpmmWithAlphaZeroOnlyScalesC) {
  using T = TypeParam;
  SmallCsr<T> a;
  SmallDense<T> b(3, 2);  // NaN, never read
  SmallDense<T> c(2, 2, {1, 2, 3, 4});
  DeviceArray<char> work(256);
  const T alpha = 0;
  const T beta = 3;
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseSpMM(this->handle_, kN, kN, &alpha, a.descr.d, b.descr.d, &beta, c.descr.d,
                         kValueType<T>, CUSPARSE_SPMM_CSR_ALG1, work.get()));
  EXPECT_EQ((std::vector<T>{3, 6, 9, 12}), c.values.download());
}

TYPED_TEST(CusparseTyped, SpmmInDevicePointerModeReadsScalarsWhenItRuns) {
  using T = TypeParam;
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseSetPointerMode(this->handle_, CUSPARSE_POINTER_MODE_DEVICE));
  SmallCsr<T> a;
  SmallDense<T> b(3, 1, {1, 1, 1});
  SmallDense<T> c(2, 1, {1, 1});
  DeviceArray<char> work(256);
  DeviceArray<T> scalars(std::vector<T>{0, 0});  // alpha, beta
  // Queued before the SpMM on its stream: the SpMM must see these values, not the ones at the
  // call.
  const std::vector<T> values = {2, 10};
  ASSERT_EQ(cudaSuccess, cudaMemcpyAsync(scalars.get(), values.data(), 2 * sizeof(T),
                                         cudaMemcpyHostToDevice, this->stream_));
  ASSERT_EQ(
      CUSPARSE_STATUS_SUCCESS,
      cusparseSpMM(this->handle_, kN, kN, scalars.get(), a.descr.d, b.descr.d, scalars.get() + 1,
                   c.descr.d, kValueType<T>, CUSPARSE_SPMM_ALG_DEFAULT, work.get()));
  ASSERT_EQ(cudaSuccess, cudaStreamSynchronize(this->stream_));
  EXPECT_EQ((std::vector<T>{2 * 3 + 10, 2 * 3 + 10}), c.values.download());

  // Host scalars are rejected in device pointer mode.
  const T host_alpha = 1;
  testing::internal::CaptureStderr();
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,
            cusparseSpMM(this->handle_, kN, kN, &host_alpha, a.descr.d, b.descr.d, scalars.get(),
                         c.descr.d, kValueType<T>, CUSPARSE_SPMM_ALG_DEFAULT, work.get()));
  EXPECT_TRUE(contains(testing::internal::GetCapturedStderr(), "alpha"));
  // And device scalars in host pointer mode.
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseSetPointerMode(this->handle_, CUSPARSE_POINTER_MODE_HOST));
  testing::internal::CaptureStderr();
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,
            cusparseSpMM(this->handle_, kN, kN, scalars.get(), a.descr.d, b.descr.d, &host_alpha,
                         c.descr.d, kValueType<T>, CUSPARSE_SPMM_ALG_DEFAULT, work.get()));
  EXPECT_TRUE(contains(testing::internal::GetCapturedStderr(), "CUSPARSE_POINTER_MODE_HOST"));
}

TYPED_TEST(CusparseTyped, SpmmRunsOnTheHandlesStreamWhenSynchronized) {
  using T = TypeParam;
  SmallCsr<T> a;
  SmallDense<T> b(3, 1, {1, 1, 1});
  SmallDense<T> c(2, 1, {-1, -1});
  DeviceArray<char> work(256);
  const T one = 1;
  const T zero = 0;
  cudaStream_t other = nullptr;
  ASSERT_EQ(cudaSuccess, cudaStreamCreateWithFlags(&other, cudaStreamNonBlocking));
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseSpMM(this->handle_, kN, kN, &one, a.descr.d, b.descr.d, &zero, c.descr.d,
                         kValueType<T>, CUSPARSE_SPMM_ALG_DEFAULT, work.get()));
  T host[2] = {-5, -5};
  ASSERT_EQ(cudaSuccess, cudaMemcpyAsync(host, c.values.get(), sizeof(host), cudaMemcpyDeviceToHost,
                                         this->stream_));
  EXPECT_EQ(T(-5), host[0]);  // nothing has run
  ASSERT_EQ(cudaSuccess, cudaStreamSynchronize(other));
  EXPECT_EQ(T(-5), host[0]);  // another stream's synchronize does not run it
  ASSERT_EQ(cudaSuccess, cudaStreamSynchronize(this->stream_));
  EXPECT_EQ(T(3), host[0]);
  EXPECT_EQ(T(3), host[1]);
  ASSERT_EQ(cudaSuccess, cudaStreamDestroy(other));
}

TYPED_TEST(CusparseTyped, SpmmRejectsInvalidArguments) {
  using T = TypeParam;
  using Other = std::conditional_t<std::is_same_v<T, float>, double, float>;
  SmallCsr<T> a;  // 2 x 3
  SmallDense<T> b(3, 2, {1, 1, 1, 1, 1, 1});
  SmallDense<T> c(2, 2, {0, 0, 0, 0});
  SmallDense<T> wrong(4, 2, {0, 0, 0, 0, 0, 0, 0, 0});
  SmallDense<Other> other_type(2, 2, {0, 0, 0, 0});
  DeviceArray<char> work(256);
  const T one = 1;
  const auto type = kValueType<T>;
  auto call = [&](cusparseOperation_t op_a, cusparseOperation_t op_b, cusparseDnMatDescr_t mb,
                  cusparseDnMatDescr_t mc, cudaDataType compute, cusparseSpMMAlg_t alg,
                  void* buffer) {
    return cusparseSpMM(this->handle_, op_a, op_b, &one, a.descr.d, mb, &one, mc, compute, alg,
                        buffer);
  };
  testing::internal::CaptureStderr();
  EXPECT_EQ(CUSPARSE_STATUS_SUCCESS,
            call(kN, kN, b.descr.d, c.descr.d, type, CUSPARSE_SPMM_ALG_DEFAULT, work.get()));
  EXPECT_EQ(CUSPARSE_STATUS_NOT_INITIALIZED,
            cusparseSpMM(nullptr, kN, kN, &one, a.descr.d, b.descr.d, &one, c.descr.d, type,
                         CUSPARSE_SPMM_ALG_DEFAULT, work.get()));
  // Sizes that do not agree.
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,
            call(kN, kN, b.descr.d, wrong.descr.d, type, CUSPARSE_SPMM_ALG_DEFAULT, work.get()));
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,
            call(kT, kN, b.descr.d, c.descr.d, type, CUSPARSE_SPMM_ALG_DEFAULT, work.get()));
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,
            call(kN, static_cast<cusparseOperation_t>(7), b.descr.d, c.descr.d, type,
                 CUSPARSE_SPMM_ALG_DEFAULT, work.get()));
  // Types: compute type and operands must all agree, in 32F or 64F.
  EXPECT_EQ(CUSPARSE_STATUS_NOT_SUPPORTED, call(kN, kN, b.descr.d, c.descr.d, kValueType<Other>,
                                                CUSPARSE_SPMM_ALG_DEFAULT, work.get()));
  EXPECT_EQ(CUSPARSE_STATUS_NOT_SUPPORTED, call(kN, kN, b.descr.d, other_type.descr.d, type,
                                                CUSPARSE_SPMM_ALG_DEFAULT, work.get()));
  EXPECT_EQ(CUSPARSE_STATUS_NOT_SUPPORTED,
            call(kN, kN, b.descr.d, c.descr.d, CUDA_R_16F, CUSPARSE_SPMM_ALG_DEFAULT, work.get()));
  // Algorithms: ALG3 needs opA = N and opB != C; COO/BSR/Blocked-ELL ones are for other formats.
  EXPECT_EQ(CUSPARSE_STATUS_SUCCESS,
            call(kN, kN, b.descr.d, c.descr.d, type, CUSPARSE_SPMM_CSR_ALG3, work.get()));
  SmallDense<T> bt(2, 2, {1, 1, 1, 1});
  SmallDense<T> ct(3, 2, {0, 0, 0, 0, 0, 0});
  EXPECT_EQ(CUSPARSE_STATUS_SUCCESS,
            call(kT, kN, bt.descr.d, ct.descr.d, type, CUSPARSE_SPMM_CSR_ALG2, work.get()));
  EXPECT_EQ(CUSPARSE_STATUS_NOT_SUPPORTED,
            call(kT, kN, bt.descr.d, ct.descr.d, type, CUSPARSE_SPMM_CSR_ALG3, work.get()));
  SmallDense<T> b_trans(2, 3, {1, 1, 1, 1, 1, 1});  // op(B) = B^T is 3 x 2
  EXPECT_EQ(CUSPARSE_STATUS_SUCCESS,
            call(kN, kT, b_trans.descr.d, c.descr.d, type, CUSPARSE_SPMM_CSR_ALG3, work.get()));
  EXPECT_EQ(CUSPARSE_STATUS_NOT_SUPPORTED,
            call(kN, kC, b_trans.descr.d, c.descr.d, type, CUSPARSE_SPMM_CSR_ALG3, work.get()));
  for (const cusparseSpMMAlg_t alg : {CUSPARSE_SPMM_COO_ALG1, CUSPARSE_SPMM_COO_ALG4,
                                      CUSPARSE_SPMM_BLOCKED_ELL_ALG1, CUSPARSE_SPMM_BSR_ALG1}) {
    EXPECT_EQ(CUSPARSE_STATUS_NOT_SUPPORTED,
              call(kN, kN, b.descr.d, c.descr.d, type, alg, work.get()));
  }
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE, call(kN, kN, b.descr.d, c.descr.d, type,
                                                static_cast<cusparseSpMMAlg_t>(99), work.get()));
  // Scalars and descriptors.
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,
            cusparseSpMM(this->handle_, kN, kN, nullptr, a.descr.d, b.descr.d, &one, c.descr.d,
                         type, CUSPARSE_SPMM_ALG_DEFAULT, work.get()));
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,
            cusparseSpMM(this->handle_, kN, kN, &one, nullptr, b.descr.d, &one, c.descr.d, type,
                         CUSPARSE_SPMM_ALG_DEFAULT, work.get()));
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,  // a dense descriptor where a sparse one belongs
            cusparseSpMM(this->handle_, kN, kN, &one,
                         reinterpret_cast<cusparseConstSpMatDescr_t>(b.descr.d), b.descr.d, &one,
                         c.descr.d, type, CUSPARSE_SPMM_ALG_DEFAULT, work.get()));
  cusparseDnMatDescr_t gone = nullptr;
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseCreateDnMat(&gone, 2, 2, 2, c.values.get(), type, CUSPARSE_ORDER_COL));
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseDestroyDnMat(gone));
  EXPECT_EQ(CUSPARSE_STATUS_NOT_INITIALIZED,
            call(kN, kN, b.descr.d, gone, type, CUSPARSE_SPMM_ALG_DEFAULT, work.get()));
  // The workspace: required, device memory, as large as _bufferSize says.
  std::size_t bytes = 0;
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,
            cusparseSpMM_bufferSize(this->handle_, kN, kN, &one, a.descr.d, b.descr.d, &one,
                                    c.descr.d, type, CUSPARSE_SPMM_ALG_DEFAULT, nullptr));
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseSpMM_bufferSize(this->handle_, kN, kN, &one, a.descr.d, b.descr.d, &one,
                                    c.descr.d, type, CUSPARSE_SPMM_ALG_DEFAULT, &bytes));
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,
            call(kN, kN, b.descr.d, c.descr.d, type, CUSPARSE_SPMM_ALG_DEFAULT, nullptr));
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,
            cusparseSpMM_preprocess(this->handle_, kN, kN, &one, a.descr.d, b.descr.d, &one,
                                    c.descr.d, type, CUSPARSE_SPMM_ALG_DEFAULT, nullptr));
  std::vector<char> host_work(bytes);
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,
            call(kN, kN, b.descr.d, c.descr.d, type, CUSPARSE_SPMM_ALG_DEFAULT, host_work.data()));
  DeviceArray<char> small_work(bytes - 1);
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,
            call(kN, kN, b.descr.d, c.descr.d, type, CUSPARSE_SPMM_ALG_DEFAULT, small_work.get()));
  const std::string log = testing::internal::GetCapturedStderr();
  EXPECT_TRUE(contains(log, "CUSPARSE_SPMM_CSR_ALG3 is not supported"));
  EXPECT_TRUE(contains(log, "is a dense matrix descriptor, not a sparse matrix one"));
  EXPECT_TRUE(contains(log, "is a destroyed dense matrix descriptor"));
  EXPECT_TRUE(contains(log, "externalBuffer ("));
  EXPECT_TRUE(contains(log, "past the end"));
  ASSERT_EQ(cudaSuccess, cudaStreamSynchronize(this->stream_));
}

TYPED_TEST(CusparseTyped, SpmmRejectsMixedIndexTypesAndPreprocessDoesNothing) {
  using T = TypeParam;
  DeviceArray<std::int64_t> offsets(std::vector<std::int64_t>{0, 1});
  DeviceArray<std::int32_t> columns(std::vector<std::int32_t>{0});
  DeviceArray<T> values(std::vector<T>{2});
  SpMat mixed;
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseCreateCsr(&mixed.d, 1, 1, 1, offsets.get(), columns.get(), values.get(),
                              CUSPARSE_INDEX_64I, CUSPARSE_INDEX_32I, CUSPARSE_INDEX_BASE_ZERO,
                              kValueType<T>));
  SmallDense<T> b(1, 1, {3});
  SmallDense<T> c(1, 1, {5});
  DeviceArray<char> work(256);
  const T one = 1;
  testing::internal::CaptureStderr();
  EXPECT_EQ(CUSPARSE_STATUS_NOT_SUPPORTED,
            cusparseSpMM(this->handle_, kN, kN, &one, mixed.d, b.descr.d, &one, c.descr.d,
                         kValueType<T>, CUSPARSE_SPMM_ALG_DEFAULT, work.get()));
  EXPECT_TRUE(contains(testing::internal::GetCapturedStderr(), "mixes 64-bit row offsets"));
  // _preprocess validates like the computing call and leaves C alone.
  SmallCsr<T> a;
  SmallDense<T> b3(3, 1, {1, 1, 1});
  SmallDense<T> c2(2, 1, {7, 7});
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseSpMM_preprocess(this->handle_, kN, kN, &one, a.descr.d, b3.descr.d, &one,
                                    c2.descr.d, kValueType<T>, CUSPARSE_SPMM_CSR_ALG3, work.get()));
  ASSERT_EQ(cudaSuccess, cudaStreamSynchronize(this->stream_));
  EXPECT_EQ((std::vector<T>{7, 7}), c2.values.download());
}

// ---- SDDMM ------------------------------------------------------------------------------------

/// One SDDMM against the plain loop: C = alpha (op(A) op(B)) o spy(C) + beta C.
template <class I, class T>
void check_sddmm(cusparseHandle_t handle, cudaStream_t stream, const Shape& s,
                 cusparseOperation_t op_a, cusparseOperation_t op_b, cusparseOrder_t order_a,
                 cusparseOrder_t order_b, int base, std::mt19937& rng) {
  const bool ta = op_a != kN;
  const bool tb = op_b != kN;
  const HostDense<T> a(ta ? s.k : s.m, ta ? s.m : s.k, order_a, 3, rng);
  const HostDense<T> b(tb ? s.n : s.k, tb ? s.k : s.n, order_b, 1, rng);
  const HostCsr c(s.m, s.n, 0.5, rng, /*shuffle=*/true);
  const T alpha = T(-1.25);
  const T beta = T(0.5);
  DeviceArray<T> da(a.data);
  DeviceArray<T> db(b.data);
  DeviceCsr<I, T> dc(c, base);
  DnMat ma, mb;
  create_dense(&ma, a, da.get());
  create_dense(&mb, b, db.get());
  std::size_t bytes = 0;
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseSDDMM_bufferSize(handle, op_a, op_b, &alpha, ma.d, mb.d, &beta, dc.descr.d,
                                     kValueType<T>, CUSPARSE_SDDMM_ALG_DEFAULT, &bytes));
  ASSERT_GT(bytes, 0u);
  DeviceArray<char> work(bytes);
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseSDDMM_preprocess(handle, op_a, op_b, &alpha, ma.d, mb.d, &beta, dc.descr.d,
                                     kValueType<T>, CUSPARSE_SDDMM_ALG_DEFAULT, work.get()));
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseSDDMM(handle, op_a, op_b, &alpha, ma.d, mb.d, &beta, dc.descr.d, kValueType<T>,
                          CUSPARSE_SDDMM_ALG_DEFAULT, work.get()));
  ASSERT_EQ(cudaSuccess, cudaStreamSynchronize(stream));
  const std::vector<T> got = dc.values.download();
  for (std::int64_t i = 0; i < s.m; ++i) {
    for (std::int64_t p = c.offsets[i]; p < c.offsets[i + 1]; ++p) {
      const std::int64_t j = c.columns[p];
      double dot = 0.0;
      double magnitude = 0.0;
      for (std::int64_t l = 0; l < s.k; ++l) {
        const double x = double(a.op_at(ta, i, l)) * double(b.op_at(tb, l, j));
        dot += x;
        magnitude += std::abs(x);
      }
      const double old_c = static_cast<T>(c.values[p]);
      const double expected = alpha * dot + beta * old_c;
      EXPECT_NEAR(expected, double(got[p]),
                  sum_tolerance<T>(s.k + 2, std::abs(alpha) * magnitude + std::abs(beta * old_c)))
          << "op " << op_name(op_a) << op_name(op_b) << " A " << order_name(order_a) << " B "
          << order_name(order_b) << " base " << base << " index " << sizeof(I) * 8 << " m=" << s.m
          << " k=" << s.k << " n=" << s.n << " at (" << i << "," << j << ")";
    }
  }
}

TYPED_TEST(CusparseTyped, SddmmMatchesPlainLoop) {
  using T = TypeParam;
  std::mt19937 rng(11);
  int count = 0;
  for (const Shape& s : kShapes) {
    for (const cusparseOperation_t op_a : {kN, kT}) {
      for (const cusparseOperation_t op_b : {kN, kT}) {
        for (const cusparseOrder_t order_a : kOrders) {
          for (const cusparseOrder_t order_b : kOrders) {
            ++count;
            const int base = count % 2;
            if (count % 3 == 0) {
              check_sddmm<std::int64_t, T>(this->handle_, this->stream_, s, op_a, op_b, order_a,
                                           order_b, base, rng);
            } else {
              check_sddmm<std::int32_t, T>(this->handle_, this->stream_, s, op_a, op_b, order_a,
                                           order_b, base, rng);
            }
          }
        }
      }
    }
  }
}

TYPED_TEST(CusparseTyped, SddmmWithBetaZeroDoesNotReadC) {
  using T = TypeParam;
  SmallDense<T> a(2, 2, {1, 2, 3, 4});        // [[1, 3], [2, 4]]
  SmallDense<T> b(2, 3, {1, 0, 0, 1, 1, 1});  // [[1, 0, 1], [0, 1, 1]]
  DeviceArray<std::int32_t> offsets(std::vector<std::int32_t>{0, 2, 3});
  DeviceArray<std::int32_t> columns(std::vector<std::int32_t>{0, 2, 1});
  DeviceArray<T> values(3);  // NaN
  SpMat c;
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseCreateCsr(&c.d, 2, 3, 3, offsets.get(), columns.get(), values.get(),
                              CUSPARSE_INDEX_32I, CUSPARSE_INDEX_32I, CUSPARSE_INDEX_BASE_ZERO,
                              kValueType<T>));
  DeviceArray<char> work(256);
  const T alpha = 2;
  const T beta = 0;
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseSDDMM(this->handle_, kN, kN, &alpha, a.descr.d, b.descr.d, &beta, c.d,
                          kValueType<T>, CUSPARSE_SDDMM_ALG_DEFAULT, work.get()));
  // A B = [[1, 3, 4], [2, 4, 6]] sampled at (0, 0), (0, 2), (1, 1), times 2.
  EXPECT_EQ((std::vector<T>{2, 8, 8}), values.download());
  // alpha = 0: C = beta C, A and B are not read (NaN there would show).
  SmallDense<T> nan_a(2, 2);
  const T zero = 0;
  const T three = 3;
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseSDDMM(this->handle_, kN, kN, &zero, nan_a.descr.d, b.descr.d, &three, c.d,
                          kValueType<T>, CUSPARSE_SDDMM_ALG_DEFAULT, work.get()));
  EXPECT_EQ((std::vector<T>{6, 24, 24}), values.download());
}

TYPED_TEST(CusparseTyped, SddmmInDevicePointerMode) {
  using T = TypeParam;
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseSetPointerMode(this->handle_, CUSPARSE_POINTER_MODE_DEVICE));
  SmallDense<T> a(1, 2, {1, 2});
  SmallDense<T> b(2, 1, {3, 4});
  DeviceArray<std::int32_t> offsets(std::vector<std::int32_t>{1, 2});  // base one
  DeviceArray<std::int32_t> columns(std::vector<std::int32_t>{1});
  DeviceArray<T> values(std::vector<T>{1});
  SpMat c;
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseCreateCsr(&c.d, 1, 1, 1, offsets.get(), columns.get(), values.get(),
                              CUSPARSE_INDEX_32I, CUSPARSE_INDEX_32I, CUSPARSE_INDEX_BASE_ONE,
                              kValueType<T>));
  DeviceArray<T> scalars(std::vector<T>{0, 0});
  const std::vector<T> host_scalars = {10, -1};
  ASSERT_EQ(cudaSuccess, cudaMemcpyAsync(scalars.get(), host_scalars.data(), 2 * sizeof(T),
                                         cudaMemcpyHostToDevice, this->stream_));
  DeviceArray<char> work(256);
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseSDDMM(this->handle_, kN, kN, scalars.get(), a.descr.d,
                                                   b.descr.d, scalars.get() + 1, c.d, kValueType<T>,
                                                   CUSPARSE_SDDMM_ALG_DEFAULT, work.get()));
  ASSERT_EQ(cudaSuccess, cudaStreamSynchronize(this->stream_));
  EXPECT_EQ(std::vector<T>{T(10 * 11 - 1)}, values.download());
}

TYPED_TEST(CusparseTyped, SddmmRejectsInvalidArguments) {
  using T = TypeParam;
  SmallDense<T> a(2, 2, {1, 2, 3, 4});
  SmallDense<T> b(2, 3, {1, 0, 0, 1, 1, 1});
  SmallCsr<T> c;  // 2 x 3
  SmallDense<T> not_sparse(2, 3, {0, 0, 0, 0, 0, 0});
  DeviceArray<char> work(256);
  const T one = 1;
  const auto type = kValueType<T>;
  auto call = [&](cusparseOperation_t op_a, cusparseOperation_t op_b, cusparseConstDnMatDescr_t ma,
                  cudaDataType compute, cusparseSDDMMAlg_t alg, void* buffer) {
    return cusparseSDDMM(this->handle_, op_a, op_b, &one, ma, b.descr.d, &one, c.descr.d, compute,
                         alg, buffer);
  };
  testing::internal::CaptureStderr();
  EXPECT_EQ(CUSPARSE_STATUS_SUCCESS,
            call(kN, kN, a.descr.d, type, CUSPARSE_SDDMM_ALG_DEFAULT, work.get()));
  EXPECT_EQ(CUSPARSE_STATUS_SUCCESS,  // A is square, so op(A) = A^T fits too
            call(kT, kN, a.descr.d, type, CUSPARSE_SDDMM_ALG_DEFAULT, work.get()));
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,
            call(kC, kN, a.descr.d, type, CUSPARSE_SDDMM_ALG_DEFAULT, work.get()));
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,
            call(kN, kT, a.descr.d, type, CUSPARSE_SDDMM_ALG_DEFAULT, work.get()));  // sizes
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,
            call(kN, kN, a.descr.d, type, static_cast<cusparseSDDMMAlg_t>(1), work.get()));
  EXPECT_EQ(CUSPARSE_STATUS_NOT_SUPPORTED,
            call(kN, kN, a.descr.d, type == CUDA_R_32F ? CUDA_R_64F : CUDA_R_32F,
                 CUSPARSE_SDDMM_ALG_DEFAULT, work.get()));
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,
            call(kN, kN, a.descr.d, type, CUSPARSE_SDDMM_ALG_DEFAULT, nullptr));
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,
            cusparseSDDMM(this->handle_, kN, kN, &one, a.descr.d, b.descr.d, &one,
                          reinterpret_cast<cusparseSpMatDescr_t>(not_sparse.descr.d), type,
                          CUSPARSE_SDDMM_ALG_DEFAULT, work.get()));
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,
            cusparseSDDMM_bufferSize(this->handle_, kN, kN, &one, a.descr.d, b.descr.d, &one,
                                     c.descr.d, type, CUSPARSE_SDDMM_ALG_DEFAULT, nullptr));
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,
            cusparseSDDMM_preprocess(this->handle_, kN, kN, &one, a.descr.d, b.descr.d, &one,
                                     c.descr.d, type, CUSPARSE_SDDMM_ALG_DEFAULT, nullptr));
  EXPECT_EQ(CUSPARSE_STATUS_NOT_INITIALIZED,
            cusparseSDDMM(nullptr, kN, kN, &one, a.descr.d, b.descr.d, &one, c.descr.d, type,
                          CUSPARSE_SDDMM_ALG_DEFAULT, work.get()));
  const std::string log = testing::internal::GetCapturedStderr();
  EXPECT_TRUE(contains(log, "must be CUSPARSE_OPERATION_NON_TRANSPOSE or _TRANSPOSE"));
  ASSERT_EQ(cudaSuccess, cudaStreamSynchronize(this->stream_));
}

// ---- CSR -> CSC -------------------------------------------------------------------------------

template <class T>
void check_csr2csc(cusparseHandle_t handle, cudaStream_t stream, std::int64_t m, std::int64_t n,
                   int base, cusparseAction_t action, std::mt19937& rng) {
  const HostCsr x(m, n, 0.3, rng, /*shuffle=*/false);
  const int nnz = static_cast<int>(x.nnz());
  DeviceCsr<std::int32_t, T> dx(x, base);
  DeviceArray<T> csc_values(static_cast<std::size_t>(nnz));  // NaN
  DeviceArray<int> csc_offsets(static_cast<std::size_t>(n + 1));
  DeviceArray<int> csc_rows(static_cast<std::size_t>(nnz));
  const auto idx_base = base == 1 ? CUSPARSE_INDEX_BASE_ONE : CUSPARSE_INDEX_BASE_ZERO;
  std::size_t bytes = 0;
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseCsr2cscEx2_bufferSize(handle, int(m), int(n), nnz, dx.values.get(),
                                          dx.offsets.get(), dx.columns.get(), csc_values.get(),
                                          csc_offsets.get(), csc_rows.get(), kValueType<T>, action,
                                          idx_base, CUSPARSE_CSR2CSC_ALG_DEFAULT, &bytes));
  ASSERT_GT(bytes, 0u);
  DeviceArray<char> work(bytes);
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseCsr2cscEx2(handle, int(m), int(n), nnz, dx.values.get(), dx.offsets.get(),
                               dx.columns.get(), csc_values.get(), csc_offsets.get(),
                               csc_rows.get(), kValueType<T>, action, idx_base,
                               CUSPARSE_CSR2CSC_ALG_DEFAULT, work.get()));
  ASSERT_EQ(cudaSuccess, cudaStreamSynchronize(stream));
  // The host transpose: column j's entries in increasing row order.
  std::vector<int> want_offsets{base};
  std::vector<int> want_rows;
  std::vector<double> want_values;
  for (std::int64_t j = 0; j < n; ++j) {
    for (std::int64_t i = 0; i < m; ++i) {
      for (std::int64_t p = x.offsets[i]; p < x.offsets[i + 1]; ++p) {
        if (x.columns[p] == j) {
          want_rows.push_back(int(i) + base);
          want_values.push_back(x.values[p]);
        }
      }
    }
    want_offsets.push_back(int(want_rows.size()) + base);
  }
  EXPECT_EQ(want_offsets, csc_offsets.download()) << "m=" << m << " n=" << n << " base " << base;
  EXPECT_EQ(want_rows, csc_rows.download()) << "m=" << m << " n=" << n << " base " << base;
  const std::vector<T> got = csc_values.download();
  for (int p = 0; p < nnz; ++p) {
    if (action == CUSPARSE_ACTION_NUMERIC) {
      EXPECT_EQ(static_cast<T>(want_values[p]), got[p]) << "entry " << p;
    } else {
      EXPECT_TRUE(std::isnan(got[p])) << "SYMBOLIC wrote values at " << p;
    }
  }
}

TYPED_TEST(CusparseTyped, Csr2cscMatchesHostTranspose) {
  using T = TypeParam;
  std::mt19937 rng(3);
  for (const auto& [m, n] :
       {std::pair{1, 1}, std::pair{5, 3}, std::pair{33, 17}, std::pair{4, 9}}) {
    for (const int base : {0, 1}) {
      for (const cusparseAction_t action : {CUSPARSE_ACTION_NUMERIC, CUSPARSE_ACTION_SYMBOLIC}) {
        check_csr2csc<T>(this->handle_, this->stream_, m, n, base, action, rng);
      }
    }
  }
}

TYPED_TEST(CusparseTyped, Csr2cscGivesTheCsrOfTheTransposeForSpmm) {
  // SpMM with op(A) = X^T on X equals SpMM with op(A) = N on the converted matrix, bit for bit:
  // both sum each element in increasing row order of X.
  using T = TypeParam;
  std::mt19937 rng(5);
  const std::int64_t m = 23, n = 14, k = 6;
  const HostCsr x(m, n, 0.3, rng, /*shuffle=*/false);
  const int nnz = static_cast<int>(x.nnz());
  DeviceCsr<std::int32_t, T> dx(x, 0);
  DeviceArray<T> xt_values(static_cast<std::size_t>(nnz));
  DeviceArray<int> xt_offsets(static_cast<std::size_t>(n + 1));
  DeviceArray<int> xt_columns(static_cast<std::size_t>(nnz));
  std::size_t bytes = 0;
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseCsr2cscEx2_bufferSize(this->handle_, int(m), int(n), nnz, dx.values.get(),
                                          dx.offsets.get(), dx.columns.get(), xt_values.get(),
                                          xt_offsets.get(), xt_columns.get(), kValueType<T>,
                                          CUSPARSE_ACTION_NUMERIC, CUSPARSE_INDEX_BASE_ZERO,
                                          CUSPARSE_CSR2CSC_ALG_DEFAULT, &bytes));
  DeviceArray<char> conversion_work(bytes);
  ASSERT_EQ(
      CUSPARSE_STATUS_SUCCESS,
      cusparseCsr2cscEx2(this->handle_, int(m), int(n), nnz, dx.values.get(), dx.offsets.get(),
                         dx.columns.get(), xt_values.get(), xt_offsets.get(), xt_columns.get(),
                         kValueType<T>, CUSPARSE_ACTION_NUMERIC, CUSPARSE_INDEX_BASE_ZERO,
                         CUSPARSE_CSR2CSC_ALG_DEFAULT, conversion_work.get()));
  SpMat xt;  // n x m, made from the arrays the conversion writes (queued before the SpMM)
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseCreateCsr(&xt.d, n, m, nnz, xt_offsets.get(), xt_columns.get(), xt_values.get(),
                              CUSPARSE_INDEX_32I, CUSPARSE_INDEX_32I, CUSPARSE_INDEX_BASE_ZERO,
                              kValueType<T>));
  const HostDense<T> w(m, k, CUSPARSE_ORDER_COL, 0, rng);
  DeviceArray<T> dw(w.data);
  DeviceArray<T> c1(static_cast<std::size_t>(n * k));
  DeviceArray<T> c2(static_cast<std::size_t>(n * k));
  DnMat mw, m1, m2;
  create_dense(&mw, w, dw.get());
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseCreateDnMat(&m1.d, n, k, n, c1.get(), kValueType<T>, CUSPARSE_ORDER_COL));
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseCreateDnMat(&m2.d, n, k, n, c2.get(), kValueType<T>, CUSPARSE_ORDER_COL));
  DeviceArray<char> work(256);
  const T one = 1;
  const T zero = 0;
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseSpMM(this->handle_, kT, kN, &one, dx.descr.d, mw.d, &zero, m1.d, kValueType<T>,
                         CUSPARSE_SPMM_ALG_DEFAULT, work.get()));
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseSpMM(this->handle_, kN, kN, &one, xt.d, mw.d, &zero, m2.d, kValueType<T>,
                         CUSPARSE_SPMM_CSR_ALG3, work.get()));
  ASSERT_EQ(cudaSuccess, cudaStreamSynchronize(this->stream_));
  EXPECT_EQ(c1.download(), c2.download());
}

TYPED_TEST(CusparseTyped, Csr2cscEdgeCasesAndRejections) {
  using T = TypeParam;
  const auto type = kValueType<T>;
  const auto zero_base = CUSPARSE_INDEX_BASE_ZERO;
  const auto alg = CUSPARSE_CSR2CSC_ALG_DEFAULT;
  const auto numeric = CUSPARSE_ACTION_NUMERIC;
  DeviceArray<char> work(1024);
  // nnz == 0: the entry arrays may be NULL; every column offset is the base.
  DeviceArray<int> empty_rows(std::vector<int>{1, 1, 1});  // 2 x 3, base one
  DeviceArray<int> col_ptr(4);
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseCsr2cscEx2(this->handle_, 2, 3, 0, nullptr, empty_rows.get(), nullptr, nullptr,
                               col_ptr.get(), nullptr, type, numeric, CUSPARSE_INDEX_BASE_ONE, alg,
                               work.get()));
  EXPECT_EQ((std::vector<int>{1, 1, 1, 1}), col_ptr.download());
  // m == 0 or n == 0: nothing is checked or done.
  EXPECT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseCsr2cscEx2(this->handle_, 0, 3, 0, nullptr, nullptr, nullptr, nullptr, nullptr,
                               nullptr, type, numeric, zero_base, alg, nullptr));
  // Other documented value types are copied as they are (here 8-byte complex floats).
  DeviceArray<int> rows1(std::vector<int>{0, 1});
  DeviceArray<int> cols1(std::vector<int>{1});
  DeviceArray<double> val1(std::vector<double>{42.0});  // one CUDA_C_32F value, 8 bytes
  DeviceArray<int> out_ptr(3);
  DeviceArray<int> out_rows(1);
  DeviceArray<double> out_val(1);
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseCsr2cscEx2(this->handle_, 1, 2, 1, val1.get(), rows1.get(), cols1.get(),
                               out_val.get(), out_ptr.get(), out_rows.get(), CUDA_C_32F, numeric,
                               zero_base, alg, work.get()));
  EXPECT_EQ((std::vector<int>{0, 0, 1}), out_ptr.download());
  EXPECT_EQ(std::vector<double>{42.0}, out_val.download());
  auto call = [&](int m, int n, int nnz, cudaDataType vt, cusparseAction_t action,
                  cusparseIndexBase_t base, cusparseCsr2CscAlg_t a, void* buffer) {
    return cusparseCsr2cscEx2(this->handle_, m, n, nnz, val1.get(), rows1.get(), cols1.get(),
                              out_val.get(), out_ptr.get(), out_rows.get(), vt, action, base, a,
                              buffer);
  };
  testing::internal::CaptureStderr();
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,
            call(-1, 2, 1, type, numeric, zero_base, alg, work.get()));
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,
            call(1, 2, -1, type, numeric, zero_base, alg, work.get()));
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,
            call(1, 2, 1, type, static_cast<cusparseAction_t>(2), zero_base, alg, work.get()));
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,
            call(1, 2, 1, type, numeric, static_cast<cusparseIndexBase_t>(2), alg, work.get()));
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE, call(1, 2, 1, type, numeric, zero_base,
                                                static_cast<cusparseCsr2CscAlg_t>(2), work.get()));
  EXPECT_EQ(CUSPARSE_STATUS_NOT_SUPPORTED,
            call(1, 2, 1, CUDA_R_32I, numeric, zero_base, alg, work.get()));
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE, call(1, 2, 1, type, numeric, zero_base, alg, nullptr));
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,  // val1 holds 8 bytes, one CUDA_C_64F value needs 16
            call(1, 2, 1, CUDA_C_64F, numeric, zero_base, alg, work.get()));
  EXPECT_EQ(
      CUSPARSE_STATUS_NOT_INITIALIZED,
      cusparseCsr2cscEx2(nullptr, 1, 2, 1, val1.get(), rows1.get(), cols1.get(), out_val.get(),
                         out_ptr.get(), out_rows.get(), type, numeric, zero_base, alg, work.get()));
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,
            cusparseCsr2cscEx2_bufferSize(this->handle_, 1, 2, 1, val1.get(), rows1.get(),
                                          cols1.get(), out_val.get(), out_ptr.get(), out_rows.get(),
                                          type, numeric, zero_base, alg, nullptr));
  const std::string log = testing::internal::GetCapturedStderr();
  EXPECT_TRUE(contains(log, "externalBuffer is NULL"));
  EXPECT_TRUE(contains(log, "csrVal ("));
  ASSERT_EQ(cudaSuccess, cudaStreamSynchronize(this->stream_));
}

// ---- Precision --------------------------------------------------------------------------------

class Cusparse : public CusparseTyped<float> {};

TEST_F(Cusparse, SpmmAndSddmmAccumulateInFloat) {
  // 1e8 + 1 is 1e8 in float; in double the sum would be 1.
  DeviceArray<std::int32_t> offsets(std::vector<std::int32_t>{0, 3});
  DeviceArray<std::int32_t> columns(std::vector<std::int32_t>{0, 1, 2});
  DeviceArray<float> values(std::vector<float>{1e8f, 1.0f, -1e8f});
  SpMat a;
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseCreateCsr(&a.d, 1, 3, 3, offsets.get(), columns.get(), values.get(),
                              CUSPARSE_INDEX_32I, CUSPARSE_INDEX_32I, CUSPARSE_INDEX_BASE_ZERO,
                              CUDA_R_32F));
  SmallDense<float> b(3, 1, {1, 1, 1});
  SmallDense<float> c(1, 1);
  DeviceArray<char> work(256);
  const float one = 1;
  const float zero = 0;
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseSpMM(handle_, kN, kN, &one, a.d, b.descr.d, &zero, c.descr.d, CUDA_R_32F,
                         CUSPARSE_SPMM_ALG_DEFAULT, work.get()));
  EXPECT_EQ(std::vector<float>{0.0f}, c.values.download());
  // SDDMM: the dot product of (1e8, 1, -1e8) with ones.
  SmallDense<float> row(1, 3, {1e8f, 1.0f, -1e8f});
  DeviceArray<std::int32_t> c_offsets(std::vector<std::int32_t>{0, 1});
  DeviceArray<std::int32_t> c_columns(std::vector<std::int32_t>{0});
  DeviceArray<float> c_values(std::vector<float>{5});
  SpMat sc;
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseCreateCsr(&sc.d, 1, 1, 1, c_offsets.get(), c_columns.get(), c_values.get(),
                              CUSPARSE_INDEX_32I, CUSPARSE_INDEX_32I, CUSPARSE_INDEX_BASE_ZERO,
                              CUDA_R_32F));
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseSDDMM(handle_, kN, kN, &one, row.descr.d, b.descr.d, &zero, sc.d, CUDA_R_32F,
                          CUSPARSE_SDDMM_ALG_DEFAULT, work.get()));
  EXPECT_EQ(std::vector<float>{0.0f}, c_values.download());
}

TEST_F(Cusparse, SpmmOfAFewHundredIsQuick) {
  // The sizes the project's emulated sparse tests use; a regression in loop order shows as a
  // timeout.
  std::mt19937 rng(1);
  const std::int64_t m = 400, n = 300, k = 32;
  const HostCsr x(m, n, 0.05, rng, false);
  DeviceCsr<std::int32_t, float> dx(x, 0);
  const HostDense<float> h(n, k, CUSPARSE_ORDER_COL, 0, rng);
  DeviceArray<float> dh(h.data);
  DeviceArray<float> out(static_cast<std::size_t>(m * k));
  DnMat mh, mo;
  create_dense(&mh, h, dh.get());
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseCreateDnMat(&mo.d, m, k, m, out.get(), CUDA_R_32F, CUSPARSE_ORDER_COL));
  DeviceArray<char> work(256);
  const float one = 1;
  const float zero = 0;
  for (int rep = 0; rep < 10; ++rep) {
    ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
              cusparseSpMM(handle_, kN, kN, &one, dx.descr.d, mh.d, &zero, mo.d, CUDA_R_32F,
                           CUSPARSE_SPMM_ALG_DEFAULT, work.get()));
  }
  ASSERT_EQ(cudaSuccess, cudaStreamSynchronize(stream_));
}

// ---- Descriptors ------------------------------------------------------------------------------

TEST_F(Cusparse, CsrDescriptorsAreValidated) {
  DeviceArray<std::int32_t> offsets(std::vector<std::int32_t>{0, 1, 2});
  DeviceArray<std::int32_t> columns(std::vector<std::int32_t>{1, 0});
  DeviceArray<float> values(std::vector<float>{1, 2});
  const auto i32 = CUSPARSE_INDEX_32I;
  const auto zero = CUSPARSE_INDEX_BASE_ZERO;
  cusparseSpMatDescr_t d = nullptr;
  auto create = [&](std::int64_t rows, std::int64_t cols, std::int64_t nnz, void* o, void* c,
                    void* v, cusparseIndexType_t ot, cusparseIndexBase_t base, cudaDataType vt) {
    d = nullptr;
    const cusparseStatus_t st = cusparseCreateCsr(&d, rows, cols, nnz, o, c, v, ot, i32, base, vt);
    if (st == CUSPARSE_STATUS_SUCCESS) {
      EXPECT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseDestroySpMat(d));
    }
    return st;
  };
  testing::internal::CaptureStderr();
  EXPECT_EQ(CUSPARSE_STATUS_SUCCESS,
            create(2, 2, 2, offsets.get(), columns.get(), values.get(), i32, zero, CUDA_R_32F));
  // NULL arrays are accepted (set later); the computing calls reject them.
  EXPECT_EQ(CUSPARSE_STATUS_SUCCESS,
            create(2, 2, 0, nullptr, nullptr, nullptr, i32, zero, CUDA_R_32F));
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,
            create(-1, 2, 2, offsets.get(), columns.get(), values.get(), i32, zero, CUDA_R_32F));
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,
            create(2, 2, -2, offsets.get(), columns.get(), values.get(), i32, zero, CUDA_R_32F));
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,
            create(2, 2, 2, offsets.get(), columns.get(), values.get(), i32,
                   static_cast<cusparseIndexBase_t>(2), CUDA_R_32F));
  EXPECT_EQ(CUSPARSE_STATUS_NOT_SUPPORTED,
            create(2, 2, 2, offsets.get(), columns.get(), values.get(), CUSPARSE_INDEX_16U, zero,
                   CUDA_R_32F));
  EXPECT_EQ(CUSPARSE_STATUS_NOT_SUPPORTED,
            create(2, 2, 2, offsets.get(), columns.get(), values.get(), i32, zero, CUDA_R_16F));
  EXPECT_EQ(CUSPARSE_STATUS_INSUFFICIENT_RESOURCES,
            create(std::int64_t{1} << 31, 2, 0, nullptr, nullptr, nullptr, i32, zero, CUDA_R_32F));
  // Arrays outside device memory, too short or misaligned.
  std::vector<std::int32_t> host_offsets = {0, 1, 2};
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE, create(2, 2, 2, host_offsets.data(), columns.get(),
                                                  values.get(), i32, zero, CUDA_R_32F));
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,
            create(2, 2, 3, offsets.get(), columns.get(), values.get(), i32, zero, CUDA_R_32F));
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,
            create(2, 2, 1, offsets.get(), reinterpret_cast<char*>(columns.get()) + 2, values.get(),
                   i32, zero, CUDA_R_32F));
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,
            cusparseCreateCsr(nullptr, 2, 2, 2, offsets.get(), columns.get(), values.get(), i32,
                              i32, zero, CUDA_R_32F));
  const std::string log = testing::internal::GetCapturedStderr();
  EXPECT_TRUE(contains(log, "must be device memory"));
  EXPECT_TRUE(contains(log, "not aligned"));

  // Size, pointers, NULL and double destroy.
  SpMat a;
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseCreateCsr(&a.d, 2, 5, 2, nullptr, nullptr, nullptr,
                                                       i32, i32, zero, CUDA_R_32F));
  std::int64_t rows = 0, cols = 0, nnz = 0;
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseSpMatGetSize(a.d, &rows, &cols, &nnz));
  EXPECT_EQ(2, rows);
  EXPECT_EQ(5, cols);
  EXPECT_EQ(2, nnz);
  testing::internal::CaptureStderr();
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE, cusparseSpMatGetSize(a.d, &rows, nullptr, &nnz));
  EXPECT_TRUE(contains(testing::internal::GetCapturedStderr(), "rows, cols or nnz is NULL"));
  EXPECT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseDestroySpMat(nullptr));
  cusparseSpMatDescr_t gone = nullptr;
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseCreateCsr(&gone, 1, 1, 0, nullptr, nullptr, nullptr,
                                                       i32, i32, zero, CUDA_R_32F));
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseDestroySpMat(gone));
  testing::internal::CaptureStderr();
  EXPECT_EQ(CUSPARSE_STATUS_NOT_INITIALIZED, cusparseDestroySpMat(gone));
  EXPECT_EQ(CUSPARSE_STATUS_NOT_INITIALIZED, cusparseSpMatGetSize(gone, &rows, &cols, &nnz));
  EXPECT_TRUE(contains(testing::internal::GetCapturedStderr(), "destroyed sparse matrix"));

  // A descriptor made with NULL arrays computes once its pointers are set.
  DeviceArray<float> b_values(std::vector<float>{1, 2, 3, 4, 5});  // 5 x 1
  DeviceArray<float> c_values(2);
  DnMat b, c;
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseCreateDnMat(&b.d, 5, 1, 5, b_values.get(), CUDA_R_32F, CUSPARSE_ORDER_COL));
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseCreateDnMat(&c.d, 2, 1, 2, c_values.get(), CUDA_R_32F, CUSPARSE_ORDER_COL));
  DeviceArray<char> work(256);
  const float one = 1;
  const float zero_scalar = 0;
  testing::internal::CaptureStderr();
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,
            cusparseSpMM(handle_, kN, kN, &one, a.d, b.d, &zero_scalar, c.d, CUDA_R_32F,
                         CUSPARSE_SPMM_ALG_DEFAULT, work.get()));
  EXPECT_TRUE(contains(testing::internal::GetCapturedStderr(), "matA row offsets is NULL"));
  DeviceArray<std::int32_t> a_offsets(std::vector<std::int32_t>{0, 1, 2});
  DeviceArray<std::int32_t> a_columns(std::vector<std::int32_t>{4, 2});
  DeviceArray<float> a_values(std::vector<float>{10, 100});
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseCsrSetPointers(a.d, a_offsets.get(), a_columns.get(), a_values.get()));
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseSpMM(handle_, kN, kN, &one, a.d, b.d, &zero_scalar, c.d, CUDA_R_32F,
                         CUSPARSE_SPMM_ALG_DEFAULT, work.get()));
  EXPECT_EQ((std::vector<float>{50, 300}), c_values.download());
  testing::internal::CaptureStderr();
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,
            cusparseCsrSetPointers(a.d, host_offsets.data(), a_columns.get(), a_values.get()));
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,
            cusparseCsrSetPointers(nullptr, a_offsets.get(), a_columns.get(), a_values.get()));
  testing::internal::GetCapturedStderr();
}

TEST_F(Cusparse, ConstDescriptorsWork) {
  DeviceArray<std::int64_t> offsets(std::vector<std::int64_t>{0, 1});
  DeviceArray<std::int64_t> columns(std::vector<std::int64_t>{0});
  DeviceArray<double> values(std::vector<double>{4});
  DeviceArray<double> b_values(std::vector<double>{2});
  DeviceArray<double> c_values(1);
  cusparseConstSpMatDescr_t a = nullptr;
  cusparseConstDnMatDescr_t b = nullptr;
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseCreateConstCsr(&a, 1, 1, 1, offsets.get(), columns.get(), values.get(),
                                   CUSPARSE_INDEX_64I, CUSPARSE_INDEX_64I, CUSPARSE_INDEX_BASE_ZERO,
                                   CUDA_R_64F));
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseCreateConstDnMat(&b, 1, 1, 1, b_values.get(), CUDA_R_64F, CUSPARSE_ORDER_ROW));
  DnMat c;
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseCreateDnMat(&c.d, 1, 1, 1, c_values.get(), CUDA_R_64F, CUSPARSE_ORDER_ROW));
  DeviceArray<char> work(256);
  const double one = 1;
  const double zero = 0;
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseSpMM(handle_, kN, kN, &one, a, b, &zero, c.d,
                                                  CUDA_R_64F, CUSPARSE_SPMM_CSR_ALG2, work.get()));
  EXPECT_EQ(std::vector<double>{8}, c_values.download());
  EXPECT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseDestroySpMat(a));
  EXPECT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseDestroyDnMat(b));
}

TEST_F(Cusparse, DenseDescriptorsAreValidated) {
  DeviceArray<float> values(12);
  cusparseDnMatDescr_t d = nullptr;
  auto create = [&](std::int64_t rows, std::int64_t cols, std::int64_t ld, void* v, cudaDataType vt,
                    cusparseOrder_t order) {
    d = nullptr;
    const cusparseStatus_t st = cusparseCreateDnMat(&d, rows, cols, ld, v, vt, order);
    if (st == CUSPARSE_STATUS_SUCCESS) {
      EXPECT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseDestroyDnMat(d));
    }
    return st;
  };
  const auto col = CUSPARSE_ORDER_COL;
  const auto row = CUSPARSE_ORDER_ROW;
  testing::internal::CaptureStderr();
  EXPECT_EQ(CUSPARSE_STATUS_SUCCESS, create(3, 4, 3, values.get(), CUDA_R_32F, col));
  EXPECT_EQ(CUSPARSE_STATUS_SUCCESS, create(3, 2, 4, values.get(), CUDA_R_32F, col));  // padded
  EXPECT_EQ(CUSPARSE_STATUS_SUCCESS, create(4, 3, 3, values.get(), CUDA_R_32F, row));
  EXPECT_EQ(CUSPARSE_STATUS_SUCCESS, create(0, 3, 0, nullptr, CUDA_R_32F, col));
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE, create(3, 4, 2, values.get(), CUDA_R_32F, col));
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE, create(4, 3, 2, values.get(), CUDA_R_32F, row));
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE, create(-1, 3, 3, values.get(), CUDA_R_32F, row));
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,
            create(2, 2, 2, values.get(), CUDA_R_32F, static_cast<cusparseOrder_t>(0)));
  EXPECT_EQ(CUSPARSE_STATUS_NOT_SUPPORTED, create(2, 2, 2, values.get(), CUDA_R_16F, col));
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,  // 4 x 4 needs 16 floats, there are 12
            create(4, 4, 4, values.get(), CUDA_R_32F, col));
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,  // 6 x 2 doubles need 96 bytes, there are 48
            create(6, 2, 6, values.get(), CUDA_R_64F, col));
  EXPECT_TRUE(contains(testing::internal::GetCapturedStderr(), "past the end"));

  DnMat m;
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseCreateDnMat(&m.d, 2, 2, 2, values.get(), CUDA_R_32F, col));
  void* got = nullptr;
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseDnMatGetValues(m.d, &got));
  EXPECT_EQ(static_cast<void*>(values.get()), got);
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseDnMatSetValues(m.d, values.get() + 8));
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseDnMatGetValues(m.d, &got));
  EXPECT_EQ(static_cast<void*>(values.get() + 8), got);
  testing::internal::CaptureStderr();
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE, cusparseDnMatSetValues(m.d, values.get() + 9));
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE, cusparseDnMatGetValues(m.d, nullptr));
  testing::internal::GetCapturedStderr();

  cusparseDnVecDescr_t v = nullptr;
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseCreateDnVec(&v, 12, values.get(), CUDA_R_32F));
  testing::internal::CaptureStderr();
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,  // a vector is not a matrix
            cusparseDnMatGetValues(reinterpret_cast<cusparseDnMatDescr_t>(v), &got));
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE, cusparseCreateDnVec(&v, -1, nullptr, CUDA_R_32F));
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE, cusparseCreateDnVec(&v, 13, values.get(), CUDA_R_32F));
  EXPECT_EQ(CUSPARSE_STATUS_NOT_SUPPORTED, cusparseCreateDnVec(&v, 2, values.get(), CUDA_R_16F));
  testing::internal::GetCapturedStderr();
  EXPECT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseDestroyDnVec(v));
  EXPECT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseDestroyDnVec(nullptr));
  testing::internal::CaptureStderr();
  EXPECT_EQ(CUSPARSE_STATUS_NOT_INITIALIZED, cusparseDestroyDnVec(v));
  testing::internal::GetCapturedStderr();
}

// ---- Handles and statuses -----------------------------------------------------------------------

TEST_F(Cusparse, HandleSettingsRoundTrip) {
  cudaStream_t s = reinterpret_cast<cudaStream_t>(0x1);
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseGetStream(handle_, &s));
  EXPECT_EQ(stream_, s);
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE, cusparseGetStream(handle_, nullptr));
  cusparsePointerMode_t pm = CUSPARSE_POINTER_MODE_DEVICE;
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseGetPointerMode(handle_, &pm));
  EXPECT_EQ(CUSPARSE_POINTER_MODE_HOST, pm);
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseSetPointerMode(handle_, CUSPARSE_POINTER_MODE_DEVICE));
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseGetPointerMode(handle_, &pm));
  EXPECT_EQ(CUSPARSE_POINTER_MODE_DEVICE, pm);
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE,
            cusparseSetPointerMode(handle_, static_cast<cusparsePointerMode_t>(2)));
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE, cusparseGetPointerMode(handle_, nullptr));

  EXPECT_EQ(CUSPARSE_STATUS_NOT_INITIALIZED, cusparseSetStream(nullptr, stream_));
  EXPECT_EQ(CUSPARSE_STATUS_INVALID_VALUE, cusparseCreate(nullptr));
  cusparseHandle_t gone = nullptr;
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseCreate(&gone));
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseDestroy(gone));
  EXPECT_EQ(CUSPARSE_STATUS_NOT_INITIALIZED, cusparseSetStream(gone, stream_));
  EXPECT_EQ(CUSPARSE_STATUS_NOT_INITIALIZED,
            cusparseSetPointerMode(gone, CUSPARSE_POINTER_MODE_HOST));
  EXPECT_EQ(CUSPARSE_STATUS_NOT_INITIALIZED, cusparseDestroy(gone));
}

TEST(CusparseStatus, NamesAndStrings) {
  EXPECT_STREQ("CUSPARSE_STATUS_SUCCESS", cusparseGetErrorName(CUSPARSE_STATUS_SUCCESS));
  EXPECT_STREQ("success", cusparseGetErrorString(CUSPARSE_STATUS_SUCCESS));
  EXPECT_STREQ("CUSPARSE_STATUS_INVALID_VALUE",
               cusparseGetErrorName(CUSPARSE_STATUS_INVALID_VALUE));
  EXPECT_STREQ("invalid value", cusparseGetErrorString(CUSPARSE_STATUS_INVALID_VALUE));
  EXPECT_STREQ("initialization error", cusparseGetErrorString(CUSPARSE_STATUS_NOT_INITIALIZED));
  EXPECT_STREQ("operation not supported", cusparseGetErrorString(CUSPARSE_STATUS_NOT_SUPPORTED));
  EXPECT_STREQ("CUSPARSE_STATUS_INSUFFICIENT_RESOURCES",
               cusparseGetErrorName(CUSPARSE_STATUS_INSUFFICIENT_RESOURCES));
  EXPECT_STREQ("unrecognized error code", cusparseGetErrorName(static_cast<cusparseStatus_t>(12)));
  EXPECT_STREQ("unrecognized error code",
               cusparseGetErrorString(static_cast<cusparseStatus_t>(15)));
}

// ---- Faults -----------------------------------------------------------------------------------

TEST(CusparseFaults, ABrokenCsrStructureFaultsWhenTheWorkRunsAndCallsFailUntilReset) {
  cusparseHandle_t handle = nullptr;
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseCreate(&handle));
  // All freed by cudaDeviceReset.
  std::int32_t* offsets = nullptr;
  std::int32_t* columns = nullptr;
  float* values = nullptr;
  float* dense = nullptr;
  void* work = nullptr;
  ASSERT_EQ(cudaSuccess, cudaMalloc(reinterpret_cast<void**>(&offsets), 3 * sizeof(std::int32_t)));
  ASSERT_EQ(cudaSuccess, cudaMalloc(reinterpret_cast<void**>(&columns), 2 * sizeof(std::int32_t)));
  ASSERT_EQ(cudaSuccess, cudaMalloc(reinterpret_cast<void**>(&values), 2 * sizeof(float)));
  ASSERT_EQ(cudaSuccess, cudaMalloc(reinterpret_cast<void**>(&dense), 8 * sizeof(float)));
  ASSERT_EQ(cudaSuccess, cudaMalloc(&work, 256));
  const std::int32_t host_offsets[] = {0, 1, 2};
  const std::int32_t host_columns[] = {0, 7};  // 7 is outside a 2 x 2 matrix
  ASSERT_EQ(cudaSuccess,
            cudaMemcpy(offsets, host_offsets, sizeof(host_offsets), cudaMemcpyHostToDevice));
  ASSERT_EQ(cudaSuccess,
            cudaMemcpy(columns, host_columns, sizeof(host_columns), cudaMemcpyHostToDevice));
  ASSERT_EQ(cudaSuccess, cudaMemset(values, 0, 2 * sizeof(float)));
  ASSERT_EQ(cudaSuccess, cudaMemset(dense, 0, 8 * sizeof(float)));
  cusparseSpMatDescr_t a = nullptr;
  cusparseDnMatDescr_t b = nullptr;
  cusparseDnMatDescr_t c = nullptr;
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseCreateCsr(&a, 2, 2, 2, offsets, columns, values, CUSPARSE_INDEX_32I,
                              CUSPARSE_INDEX_32I, CUSPARSE_INDEX_BASE_ZERO, CUDA_R_32F));
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseCreateDnMat(&b, 2, 2, 2, dense, CUDA_R_32F, CUSPARSE_ORDER_COL));
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseCreateDnMat(&c, 2, 2, 2, dense + 4, CUDA_R_32F, CUSPARSE_ORDER_COL));
  const float one = 1;
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseSpMM(handle, kN, kN, &one, a, b, &one, c, CUDA_R_32F,
                                                  CUSPARSE_SPMM_ALG_DEFAULT, work));
  testing::internal::CaptureStderr();
  EXPECT_EQ(cudaErrorLaunchFailure, cudaDeviceSynchronize());
  EXPECT_TRUE(contains(testing::internal::GetCapturedStderr(),
                       "cusparseSpMM: matA: column index 7 of entry 1 is outside [0, 2)"));
  EXPECT_EQ(CUSPARSE_STATUS_EXECUTION_FAILED,
            cusparseSpMM(handle, kN, kN, &one, a, b, &one, c, CUDA_R_32F, CUSPARSE_SPMM_ALG_DEFAULT,
                         work));
  ASSERT_EQ(cudaSuccess, cudaDeviceReset());
  EXPECT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseDestroySpMat(a));
  EXPECT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseDestroyDnMat(b));
  EXPECT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseDestroyDnMat(c));

  // Decreasing offsets are caught too, by the conversion.
  int* rows = nullptr;
  int* out = nullptr;
  ASSERT_EQ(cudaSuccess, cudaMalloc(reinterpret_cast<void**>(&rows), 3 * sizeof(int)));
  ASSERT_EQ(cudaSuccess, cudaMalloc(reinterpret_cast<void**>(&out), 8 * sizeof(int)));
  ASSERT_EQ(cudaSuccess, cudaMalloc(&work, 256));
  const int bad_offsets[] = {0, 2, 1};
  ASSERT_EQ(cudaSuccess,
            cudaMemcpy(rows, bad_offsets, sizeof(bad_offsets), cudaMemcpyHostToDevice));
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS,
            cusparseCsr2cscEx2(handle, 2, 2, 1, nullptr, rows, out, nullptr, out + 2, out + 5,
                               CUDA_R_32F, CUSPARSE_ACTION_SYMBOLIC, CUSPARSE_INDEX_BASE_ZERO,
                               CUSPARSE_CSR2CSC_ALG_DEFAULT, work));
  testing::internal::CaptureStderr();
  EXPECT_EQ(cudaErrorLaunchFailure, cudaDeviceSynchronize());
  EXPECT_TRUE(
      contains(testing::internal::GetCapturedStderr(), "row offsets decrease at row 1 (2 then 1)"));
  ASSERT_EQ(cudaSuccess, cudaDeviceReset());
  EXPECT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseDestroy(handle));
}

}  // namespace
