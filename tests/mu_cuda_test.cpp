// GPU tests of multiplicative updates (label gpu): the CUDA backend against the CPU reference in
// double, and the properties the CPU tests check, on a real or the emulated device. Without a
// device they skip with the reason.
#include <gtest/gtest.h>

#include <climits>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "cuda/cuda_check.hpp"
#include "cuda_test_support.hpp"
#include "cunmf/cuda/factorize.hpp"
#include "cunmf/cunmf.hpp"
#include "test_support.hpp"

namespace {

using cunmf::Backend;
using cunmf::DenseMatrix;
using cunmf::Layout;
using cunmf::Loss;
using cunmf::test::planted_matrix;
using cunmf::test::random_matrix;
using cunmf::test::relative_difference;

struct Shape {
  std::int64_t m, n, k;
};
// 1, odd sizes, and one past a block multiple (257 = 256 + 1), as DESIGN.md rule 8 asks.
const Shape kShapes[] = {{1, 5, 1}, {6, 1, 1}, {37, 23, 4}, {257, 129, 8}};
const Loss kLosses[] = {Loss::Frobenius, Loss::KullbackLeibler};

const char* loss_name(Loss loss) { return loss == Loss::Frobenius ? "Frobenius" : "KL"; }

template <class T>
cunmf::Options options_for(Loss loss, std::int64_t k, Backend backend) {
  cunmf::Options o;
  o.rank = k;
  o.loss = loss;
  o.backend = backend;
  o.max_iter = 100;
  o.tol = 0.0;
  o.check_every = 10;
  o.seed = 3;
  return o;
}

using cunmf::test::cast;

template <class T>
class CudaMuTest : public ::testing::Test {};
using Precisions = ::testing::Types<float, double>;
TYPED_TEST_SUITE(CudaMuTest, Precisions);

// The GPU in precision T against the CPU reference in double, from the same W0 and H0, after 100
// iterations. Tolerances: double agrees to rounding (1e-9 leaves room for the different summation
// orders of cuBLAS and Eigen over 100 iterations); float carries ~6e-8 relative rounding per
// operation, which MU's multiplicative steps compound over 100 iterations to ~1e-5 typically;
// 2e-3 on the factors and 1e-4 on the loss bound that with margin, and still catch any wrong
// update (a wrong formula moves the factors by O(1)).
TYPED_TEST(CudaMuTest, MatchesCpuReferenceFromSameStart) {
  using T = TypeParam;
  CUNMF_SKIP_WITHOUT_DEVICE();
  const double factor_tol = std::is_same_v<T, float> ? 2e-3 : 1e-9;
  const double loss_tol = std::is_same_v<T, float> ? 1e-4 : 1e-10;
  for (const Shape s : kShapes) {
    for (const Loss loss : kLosses) {
      SCOPED_TRACE(::testing::Message()
                   << s.m << "x" << s.n << " k=" << s.k << " " << loss_name(loss));
      const auto X = random_matrix<double>(s.m, s.n, 11);
      const auto W0 = random_matrix<double>(s.m, s.k, 12);
      const auto H0 = random_matrix<double>(s.k, s.n, 13);
      const auto cpu = cunmf::factorize(X.view(), options_for<double>(loss, s.k, Backend::Cpu),
                                        W0.view(), H0.view());
      const auto Xt = cast<T>(X), W0t = cast<T>(W0), H0t = cast<T>(H0);
      const auto gpu = cunmf::factorize(Xt.view(), options_for<T>(loss, s.k, Backend::Cuda),
                                        W0t.view(), H0t.view());
      EXPECT_EQ(gpu.iterations, 100);
      cunmf::test::expect_matches_reference(gpu, cpu, factor_tol, loss_tol);
    }
  }
}

// Above the fused kernels' ranks, KL takes the unfused ratio paths: dense above rank 32 (W·Hᵀ
// formed in a work buffer, kernels/kl_ratio.cu's in-place ratio, then a GEMM) and CSR above rank
// 256 (the ratio at the stored entries, then SpMM). Against the CPU in double from the same start,
// with the tolerances above over 10 iterations (the ranks only lengthen the sums).
TYPED_TEST(CudaMuTest, KlAboveTheFusedRanksMatchesCpu) {
  using T = TypeParam;
  CUNMF_SKIP_WITHOUT_DEVICE();
  const double factor_tol = std::is_same_v<T, float> ? 2e-3 : 1e-9;
  const double loss_tol = std::is_same_v<T, float> ? 1e-4 : 1e-10;
  for (const Shape s : {Shape{40, 36, 33}, Shape{260, 258, 257}}) {
    SCOPED_TRACE(::testing::Message() << s.m << "x" << s.n << " k=" << s.k);
    auto cpu_options = options_for<double>(Loss::KullbackLeibler, s.k, Backend::Cpu);
    auto gpu_options = options_for<T>(Loss::KullbackLeibler, s.k, Backend::Cuda);
    cpu_options.max_iter = gpu_options.max_iter = 10;
    cpu_options.check_every = gpu_options.check_every = 5;
    const auto W0 = random_matrix<double>(s.m, s.k, 12);
    const auto H0 = random_matrix<double>(s.k, s.n, 13);
    const auto W0t = cast<T>(W0), H0t = cast<T>(H0);
    if (s.k < 256) {  // dense (rank 33); rank 257 is run on a CSR X
      const auto X = random_matrix<double>(s.m, s.n, 11);
      const auto Xt = cast<T>(X);
      cunmf::test::expect_matches_reference(
          cunmf::factorize(Xt.view(), gpu_options, W0t.view(), H0t.view()),
          cunmf::factorize(X.view(), cpu_options, W0.view(), H0.view()), factor_tol, loss_tol);
    } else {  // CSR, 2 % dense
      const auto X = cunmf::test::random_csr<double, std::int32_t>(s.m, s.n, 0.02, 11);
      cunmf::CsrMatrix<T, std::int32_t> Xt{X.rows, X.cols, X.row_ptr, X.col_idx, {}};
      Xt.values.assign(X.values.begin(), X.values.end());
      cunmf::test::expect_matches_reference(
          cunmf::factorize(Xt.view(), gpu_options, W0t.view(), H0t.view()),
          cunmf::factorize(X.view(), cpu_options, W0.view(), H0.view()), factor_tol, loss_tol);
    }
  }
}

// Lee & Seung: each MU step does not increase the loss. Slack: float rounding of the loss terms
// (accumulated in double, but W·H is formed in float: ~1e-6 relative).
TYPED_TEST(CudaMuTest, LossNeverIncreases) {
  using T = TypeParam;
  CUNMF_SKIP_WITHOUT_DEVICE();
  const double slack = std::is_same_v<T, float> ? 1e-6 : 1e-12;
  for (const Loss loss : kLosses) {
    SCOPED_TRACE(loss_name(loss));
    const auto X = random_matrix<T>(45, 33, 21);
    auto o = options_for<T>(loss, 5, Backend::Cuda);
    o.check_every = 1;
    o.max_iter = 60;
    const auto r = cunmf::factorize(X.view(), o);
    ASSERT_EQ(r.loss_history.size(), 61u);
    for (std::size_t i = 1; i < r.loss_history.size(); ++i) {
      EXPECT_LE(r.loss_history[i], r.loss_history[i - 1] * (1 + slack)) << "iteration " << i;
    }
    EXPECT_TRUE(cunmf::test::all_finite_nonnegative(r.W.view()));
    EXPECT_TRUE(cunmf::test::all_finite_nonnegative(r.H.view()));
  }
}

// An exact rank-k product is recovered: relative error below 1e-3.
TYPED_TEST(CudaMuTest, RecoversPlantedLowRankFactors) {
  using T = TypeParam;
  CUNMF_SKIP_WITHOUT_DEVICE();
  const auto X = planted_matrix<T>(64, 48, 3, 0.0, 31);
  auto o = options_for<T>(Loss::Frobenius, 3, Backend::Cuda);
  o.max_iter = 3000;
  o.check_every = 100;
  const auto r = cunmf::factorize(X.view(), o);
  EXPECT_LT(cunmf::relative_error(X.view(), r.W.view(), r.H.view()), 1e-3);
}

// The same seed, input and backend give bit-identical factors.
TYPED_TEST(CudaMuTest, SameSeedGivesIdenticalBits) {
  using T = TypeParam;
  CUNMF_SKIP_WITHOUT_DEVICE();
  for (const Loss loss : kLosses) {
    const auto X = random_matrix<T>(70, 41, 5);
    const auto o = options_for<T>(loss, 6, Backend::Cuda);
    const auto a = cunmf::factorize(X.view(), o);
    const auto b = cunmf::factorize(X.view(), o);
    EXPECT_TRUE(cunmf::test::bitwise_equal(a.W, b.W));
    EXPECT_TRUE(cunmf::test::bitwise_equal(a.H, b.H));
    EXPECT_EQ(a.loss_history, b.loss_history);
  }
}

// KL's loss at a check and the numerator of the W half-step after it come from one pass of the
// fused kernel (MultiplicativeUpdate::fit_loss; a dense X at rank ≤ 32): checking after every
// iteration leaves the iterates' bits as a run without checks has them (a stale or mismatched
// numerator would move them), and a loss taken in that pass matches the one the loss primitive
// alone gives for the same factors (the last check of a run, which no half-step follows): float's
// terms are summed in float (kernels/loss_terms.cuh) from W·H formed in another order, 1e-5
// relative; double 1e-12.
TYPED_TEST(CudaMuTest, KlChecksShareTheirPassWithoutChangingTheIterates) {
  using T = TypeParam;
  CUNMF_SKIP_WITHOUT_DEVICE();
  const auto X = planted_matrix<T>(70, 45, 6, 0.05, 61);
  auto o = options_for<T>(Loss::KullbackLeibler, 6, Backend::Cuda);
  o.max_iter = 12;
  o.check_every = 12;
  const auto quiet = cunmf::factorize(X.view(), o);
  o.check_every = 1;
  const auto checked = cunmf::factorize(X.view(), o);
  EXPECT_TRUE(cunmf::test::bitwise_equal(quiet.W, checked.W));
  EXPECT_TRUE(cunmf::test::bitwise_equal(quiet.H, checked.H));
  ASSERT_EQ(checked.loss_history.size(), 13u);
  o.max_iter = 11;
  o.check_every = 11;
  const auto shorter = cunmf::factorize(X.view(), o);
  const double fused = checked.loss_history[11], alone = shorter.loss_history.back();
  EXPECT_NEAR(fused, alone, (std::is_same_v<T, float> ? 1e-5 : 1e-12) * alone);
  EXPECT_EQ(checked.loss_history.back(), quiet.loss_history.back());
}

// Options::allow_tf32 reaches cuBLAS: in float the products then round their inputs to TF32
// (10-bit mantissa; the emulated cuBLAS does so in CUBLAS_TF32_TENSOR_OP_MATH), so the factors
// change, by about TF32's 2^-11 relative rounding per product (1e-2 bounds 20 iterations of it);
// in double the flag changes no bit. Frobenius MU: every product is a cuBLAS GEMM. (KL takes the
// fused kernel, on TF32 tensor cores with the flag: tests/fused_kl_tf32_cuda_test.cpp.)
TYPED_TEST(CudaMuTest, AllowTf32ReachesTheProducts) {
  using T = TypeParam;
  CUNMF_SKIP_WITHOUT_DEVICE();
  const auto X = random_matrix<T>(70, 41, 6);
  auto o = options_for<T>(Loss::Frobenius, 6, Backend::Cuda);
  o.max_iter = 20;
  const auto exact = cunmf::factorize(X.view(), o);
  o.allow_tf32 = true;
  const auto tf32 = cunmf::factorize(X.view(), o);
  if (sizeof(T) == 4) {
    EXPECT_FALSE(cunmf::test::bitwise_equal(exact.W, tf32.W));
    EXPECT_LT(relative_difference(exact.W, tf32.W), 1e-2);
    EXPECT_LT(relative_difference(exact.H, tf32.H), 1e-2);
  } else {
    EXPECT_TRUE(cunmf::test::bitwise_equal(exact.W, tf32.W));
    EXPECT_TRUE(cunmf::test::bitwise_equal(exact.H, tf32.H));
  }
}

// A row-major X and the same matrix column-major give the same factors (the latter is solved as
// the transposed problem; only the GEMMs' summation order differs).
TYPED_TEST(CudaMuTest, RowAndColumnMajorAgree) {
  using T = TypeParam;
  CUNMF_SKIP_WITHOUT_DEVICE();
  const double tol = std::is_same_v<T, float> ? 1e-3 : 1e-10;
  for (const Loss loss : kLosses) {
    const auto X = random_matrix<T>(39, 28, 8);
    const auto Xc = cunmf::test::with_layout(X.view(), Layout::ColMajor);
    const auto o = options_for<T>(loss, 4, Backend::Cuda);
    const auto a = cunmf::factorize(X.view(), o);
    const auto b = cunmf::factorize(Xc.view(), o);
    EXPECT_LT(relative_difference(a.W.view(), b.W.view()), tol);
    EXPECT_LT(relative_difference(a.H.view(), b.H.view()), tol);
  }
}

// The device-resident entry point gives the same bits as the host one from the same start, for
// both layouts, and the same result within rounding from a random start (its mean(X) for the
// initial scale is summed on the device, in another order).
TYPED_TEST(CudaMuTest, DeviceResidentMatchesHostEntry) {
  using T = TypeParam;
  CUNMF_SKIP_WITHOUT_DEVICE();
  const cunmf::cuda::Context ctx;
  for (const Layout layout : {Layout::RowMajor, Layout::ColMajor}) {
    for (const Loss loss : kLosses) {
      const auto Xl = cunmf::test::with_layout(random_matrix<T>(33, 26, 41).view(), layout);
      const cunmf::DenseView<const T> X = Xl.view();
      const auto W0 = random_matrix<T>(33, 3, 42);
      const auto H0 = random_matrix<T>(3, 26, 43);
      const auto o = options_for<T>(loss, 3, Backend::Cuda);
      const auto host = cunmf::factorize(X, o, W0.view(), H0.view());
      const auto dX = cunmf::cuda::DeviceMatrix<T>::upload(X, ctx);
      const auto dW0 = cunmf::cuda::DeviceMatrix<T>::upload(W0.view(), ctx);
      const auto dH0 = cunmf::cuda::DeviceMatrix<T>::upload(H0.view(), ctx);
      const auto device = cunmf::cuda::factorize(ctx, dX.view(), o, dW0.view(), dH0.view());
      const auto W = device.W.download(ctx), H = device.H.download(ctx);
      EXPECT_TRUE(cunmf::test::bitwise_equal(W, host.W));
      EXPECT_TRUE(cunmf::test::bitwise_equal(H, host.H));
      EXPECT_EQ(device.loss_history, host.loss_history);

      const auto host_random = cunmf::factorize(X, o);
      const auto device_random = cunmf::cuda::factorize(ctx, dX.view(), o);
      EXPECT_LT(relative_difference(device_random.W.download(ctx).view(), host_random.W.view()),
                1e-4);
      EXPECT_LT(relative_difference(device_random.H.download(ctx).view(), host_random.H.view()),
                1e-4);
    }
  }
}

// The reported loss stays accurate when the fit is good, where the terms are small differences of
// large parts: the loss at the start from factors that fit X to a relative 1e-3 (Frobenius) or
// 1e-4 (KL) matches a double evaluation of the same factors to 1e-3 relative. A float run forms
// and sums its terms in float (kernels/loss_terms.cuh); KL written x·log(x / wh) − x + wh in float
// would be off by about ε/d² ≈ 6 times each term at d = 1e-4, which no summation order repairs.
TYPED_TEST(CudaMuTest, LossAccurateWhenFitIsGood) {
  using T = TypeParam;
  CUNMF_SKIP_WITHOUT_DEVICE();
  const std::int64_t m = 300, n = 200, k = 5;
  const auto W = random_matrix<T>(m, k, 51);
  const auto H = random_matrix<T>(k, n, 52);
  for (const Loss loss : kLosses) {
    SCOPED_TRACE(loss_name(loss));
    const auto X = planted_matrix<T>(W, H, loss == Loss::Frobenius ? 1e-3 : 1e-4, 53);
    auto o = options_for<T>(loss, k, Backend::Cuda);
    o.max_iter = 0;
    const auto r = cunmf::factorize(X.view(), o, W.view(), H.view());
    const auto X64 = cast<double>(X), W64 = cast<double>(W), H64 = cast<double>(H);
    const double exact = loss == Loss::Frobenius
                             ? cunmf::frobenius_loss(X64.view(), W64.view(), H64.view())
                             : cunmf::kl_divergence(X64.view(), W64.view(), H64.view());
    ASSERT_GT(exact, 0.0);
    EXPECT_NEAR(r.loss_history[0], exact, 1e-3 * exact);
  }
}

// NNDSVD on the CUDA backend runs its truncated SVD on the device (tests/nndsvd_cuda_test.cpp has
// the accuracy tests): the host entry gives the CPU backend's factors up to float rounding, and
// the device-resident entry the host entry's (the same device steps; only mean(X), summed on the
// device there, may round differently).
TEST(CudaInit, NndsvdOnHostDataAndOnDeviceData) {
  CUNMF_SKIP_WITHOUT_DEVICE();
  const auto X = planted_matrix<float>(30, 20, 3, 0.01, 51);
  auto o = options_for<float>(Loss::Frobenius, 3, Backend::Cuda);
  o.init = cunmf::Init::Nndsvda;
  o.max_iter = 0;
  const auto gpu = cunmf::factorize(X.view(), o);
  o.backend = Backend::Cpu;
  const auto cpu = cunmf::factorize(X.view(), o);
  EXPECT_LT(relative_difference(gpu.W.view(), cpu.W.view()), 1e-4);
  EXPECT_LT(relative_difference(gpu.H.view(), cpu.H.view()), 1e-4);
  const cunmf::cuda::Context ctx;
  const auto dX = cunmf::cuda::DeviceMatrix<float>::upload(X.view(), ctx);
  const auto device = cunmf::cuda::factorize(ctx, dX.view(), o);
  EXPECT_LT(relative_difference(device.W.download(ctx).view(), gpu.W.view()), 1e-6);
  EXPECT_LT(relative_difference(device.H.download(ctx).view(), gpu.H.view()), 1e-6);
}

TEST(CudaInput, NegativeOrNanOnDeviceIsReportedWithPosition) {
  CUNMF_SKIP_WITHOUT_DEVICE();
  const cunmf::cuda::Context ctx;
  auto X = random_matrix<float>(7, 5, 1);
  X(4, 2) = std::nanf("");
  X(5, 3) = -1.0f;
  const auto dX = cunmf::cuda::DeviceMatrix<float>::upload(X.view(), ctx);
  cunmf::Options o;
  o.rank = 2;
  try {
    (void)cunmf::cuda::factorize(ctx, dX.view(), o);
    FAIL() << "expected InvalidArgument";
  } catch (const cunmf::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("X(4, 2)"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("NaN"), std::string::npos) << e.what();
  }
}

// cuBLAS takes 32-bit dimensions: a larger X is refused, saying so, before any of it is read (the
// view's data holds one entry).
TEST(CudaInput, DimensionsBeyondCublasAreRefusedBeforeXIsRead) {
  CUNMF_SKIP_WITHOUT_DEVICE();
  const cunmf::cuda::Context ctx;
  const cunmf::cuda::DeviceBuffer<float> one(1);
  const std::int64_t too_many = std::int64_t{INT_MAX} + 1;
  cunmf::Options o;
  o.rank = 1;
  const std::pair<std::int64_t, std::int64_t> shapes[] = {{too_many, 1}, {1, too_many}};
  for (const auto& [rows, cols] : shapes) {
    const cunmf::cuda::DeviceDenseView<const float> X{one.data(), rows, cols,
                                                      cunmf::Layout::ColMajor};
    EXPECT_TRUE(cunmf::test::throws_with_message<cunmf::InvalidArgument>(
        [&] { (void)cunmf::cuda::factorize(ctx, X, o); },
        {"at most 2147483647 rows and columns; X is " + std::to_string(rows) + " x " +
         std::to_string(cols)}));
  }
}

TEST(CudaInput, OutOfDeviceMemoryThrowsTypedError) {
  CUNMF_SKIP_WITHOUT_DEVICE();
  const cunmf::cuda::Context ctx;
  EXPECT_THROW(cunmf::cuda::DeviceBuffer<float>(std::size_t{1} << 50), cunmf::DeviceOutOfMemory);
  cunmf::cuda::DeviceBuffer<float> fine(16);  // the failure is not sticky
  EXPECT_EQ(fine.size(), 16u);
}

// Runs with or without a device: the failing call's message reads file:line: expr: name: text.
TEST(CudaErrors, MessageNamesPlaceCallAndError) {
  try {
    CUNMF_CUDA_CHECK(cudaSetDevice(9999));
    FAIL() << "cudaSetDevice(9999) succeeded";
  } catch (const cunmf::CudaError& e) {
    // Checked piece by piece (std::regex trips GCC 12's -Wmaybe-uninitialized under ASan).
    const std::string message = e.what();
    const std::string file = "mu_cuda_test.cpp:";
    const std::size_t at = message.find(file);
    ASSERT_NE(at, std::string::npos) << message;
    std::size_t pos = at + file.size();
    const std::size_t digits = message.find_first_not_of("0123456789", pos);
    EXPECT_GT(digits, pos) << "no line number: " << message;
    const std::string call = ": cudaSetDevice(9999): cuda";
    EXPECT_EQ(message.compare(digits, call.size(), call), 0) << message;
    const std::size_t description = message.find(": ", digits + call.size());
    EXPECT_NE(description, std::string::npos) << message;
    EXPECT_LT(description + 2, message.size()) << "empty description: " << message;
  }
}

// Runs with or without a device: each library's check names the call, the status and its meaning,
// and an allocation failure (of the runtime or a library) is the typed DeviceOutOfMemory.
TEST(CudaErrors, LibraryStatusesAreNamedAndAllocationFailuresTyped) {
  const auto message_of = [](const auto& check) -> std::string {
    try {
      check();
    } catch (const cunmf::DeviceOutOfMemory& e) {
      return std::string("out of memory: ") + e.what();
    } catch (const cunmf::CudaError& e) {
      return e.what();
    }
    return "no exception";
  };
  const auto contains = [](const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  };
  const std::string blas = message_of([] { CUNMF_CUBLAS_CHECK(CUBLAS_STATUS_INVALID_VALUE); });
  EXPECT_TRUE(contains(blas, ": CUBLAS_STATUS_INVALID_VALUE: CUBLAS_STATUS_INVALID_VALUE: "))
      << blas;
  const std::string sparse =
      message_of([] { CUNMF_CUSPARSE_CHECK(CUSPARSE_STATUS_INVALID_VALUE); });
  EXPECT_TRUE(contains(sparse, ": CUSPARSE_STATUS_INVALID_VALUE: CUSPARSE_STATUS_INVALID_VALUE: "))
      << sparse;
  // cuSOLVER has no name function: every status of <cusolver_common.h> the check spells out.
  for (const cusolverStatus_t status :
       {CUSOLVER_STATUS_NOT_INITIALIZED, CUSOLVER_STATUS_INVALID_VALUE,
        CUSOLVER_STATUS_ARCH_MISMATCH, CUSOLVER_STATUS_EXECUTION_FAILED,
        CUSOLVER_STATUS_INTERNAL_ERROR, CUSOLVER_STATUS_MATRIX_TYPE_NOT_SUPPORTED}) {
    const std::string text = message_of([status] { CUNMF_CUSOLVER_CHECK(status); });
    EXPECT_TRUE(contains(text, "mu_cuda_test.cpp:")) << text;
    EXPECT_TRUE(contains(text, ": status: CUSOLVER_STATUS_")) << text;
  }
  const std::string unknown =
      message_of([] { CUNMF_CUSOLVER_CHECK(static_cast<cusolverStatus_t>(999)); });
  EXPECT_TRUE(contains(unknown, ": cusolverStatus_t 999")) << unknown;
  for (const std::string& text :
       {message_of([] { CUNMF_CUDA_CHECK(cudaErrorMemoryAllocation); }),
        message_of([] { CUNMF_CUBLAS_CHECK(CUBLAS_STATUS_ALLOC_FAILED); }),
        message_of([] { CUNMF_CUSPARSE_CHECK(CUSPARSE_STATUS_ALLOC_FAILED); }),
        message_of([] { CUNMF_CUSOLVER_CHECK(CUSOLVER_STATUS_ALLOC_FAILED); })}) {
    EXPECT_TRUE(contains(text, "out of memory: ")) << text;
    EXPECT_TRUE(contains(text, "ALLOC") || contains(text, "cudaErrorMemoryAllocation")) << text;
  }
}

TEST(CudaBackend, WithoutDeviceThrowsDeviceUnavailable) {
  if (cunmf::cuda_available()) GTEST_SKIP() << "a device is present";
  const auto X = random_matrix<float>(4, 4, 1);
  cunmf::Options o;
  o.rank = 2;
  o.backend = Backend::Cuda;
  EXPECT_THROW((void)cunmf::factorize(X.view(), o), cunmf::DeviceUnavailable);
  EXPECT_THROW(cunmf::cuda::Context{}, cunmf::DeviceUnavailable);
}

}  // namespace
