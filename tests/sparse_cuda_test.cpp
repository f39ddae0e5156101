// GPU tests of sparse (CSR) inputs (label gpu): the CUDA sparse path against the CPU sparse path
// in double from the same start, for both losses and both index types, with empty rows and
// columns present. Without a device they skip with the reason.
#include <gtest/gtest.h>

#include "cunmf/cuda/factorize.hpp"
#include "cunmf/cunmf.hpp"
#include "sparse_support.hpp"
#include "cuda_test_support.hpp"
#include "test_support.hpp"

namespace {

using cunmf::Backend;
using cunmf::Loss;
using cunmf::test::random_csr;
using cunmf::test::random_matrix;
using cunmf::test::relative_difference;

cunmf::Options options(Loss loss, std::int64_t k, Backend backend) {
  cunmf::Options o;
  o.rank = k;
  o.loss = loss;
  o.backend = backend;
  o.max_iter = 100;
  o.tol = 0.0;
  o.check_every = 10;
  return o;
}

template <class To, class From, class Index>
cunmf::CsrMatrix<To, Index> cast(const cunmf::CsrMatrix<From, Index>& a) {
  cunmf::CsrMatrix<To, Index> out{a.rows, a.cols, a.row_ptr, a.col_idx, {}};
  out.values.assign(a.values.begin(), a.values.end());
  return out;
}
using cunmf::test::cast;

template <class Pair>
class CudaSparseTest : public ::testing::Test {};
using Cases = ::testing::Types<std::pair<float, std::int32_t>, std::pair<float, std::int64_t>,
                               std::pair<double, std::int32_t>, std::pair<double, std::int64_t>>;
TYPED_TEST_SUITE(CudaSparseTest, Cases);

// Tolerances as for the dense path (mu_cuda_test.cpp): float rounding compounded over 100 MU
// iterations stays far below 2e-3 on the factors; double agrees to summation-order rounding.
TYPED_TEST(CudaSparseTest, MatchesCpuSparseFromSameStart) {
  using T = typename TypeParam::first_type;
  using Index = typename TypeParam::second_type;
  CUNMF_SKIP_WITHOUT_DEVICE();
  const double factor_tol = std::is_same_v<T, float> ? 2e-3 : 1e-9;
  const double loss_tol = std::is_same_v<T, float> ? 1e-4 : 1e-10;
  struct Shape { std::int64_t m, n, k; };
  for (const Shape s : {Shape{1, 7, 1}, Shape{37, 23, 3}, Shape{257, 65, 5}}) {
    for (const Loss loss : {Loss::Frobenius, Loss::KullbackLeibler}) {
      SCOPED_TRACE(::testing::Message() << s.m << "x" << s.n << " k=" << s.k
                                        << (loss == Loss::Frobenius ? " Frobenius" : " KL"));
      // Row 0 and the last column empty (for m = 1 only the column, so X is not all zero).
      const auto X = random_csr<double, Index>(s.m, s.n, 0.35, 17, s.m > 1 ? 0 : -1, s.n - 1);
      const auto W0 = random_matrix<double>(s.m, s.k, 18);
      const auto H0 = random_matrix<double>(s.k, s.n, 19);
      const auto cpu = cunmf::factorize(X.view(), options(loss, s.k, Backend::Cpu), W0.view(),
                                        H0.view());
      const auto Xt = cast<T>(X);
      const auto W0t = cast<T>(W0), H0t = cast<T>(H0);
      const auto gpu = cunmf::factorize(Xt.view(), options(loss, s.k, Backend::Cuda), W0t.view(),
                                        H0t.view());
      cunmf::test::expect_matches_reference(gpu, cpu, factor_tol, loss_tol);
    }
  }
}

// The sparse Frobenius loss is an expansion computed in double on the device: with
// ‖X − WH‖/‖X‖ ≈ 1e-3 it matches a direct double evaluation to 1e-3 relative, in float.
TEST(CudaSparse, LossAccurateWhenFitIsGood) {
  CUNMF_SKIP_WITHOUT_DEVICE();
  const std::int64_t m = 120, n = 90, k = 4;
  const auto W = random_matrix<float>(m, k, 1);
  const auto H = random_matrix<float>(k, n, 2);
  const auto dense = cunmf::test::planted_matrix(W, H, 1e-3, 3);
  cunmf::CsrMatrix<float, std::int32_t> X{m, n, {0}, {}, {}};
  for (std::int64_t i = 0; i < m; ++i) {
    for (std::int64_t j = 0; j < n; ++j) {
      X.col_idx.push_back(static_cast<std::int32_t>(j));
      X.values.push_back(dense(i, j));
    }
    X.row_ptr.push_back(static_cast<std::int32_t>(X.values.size()));
  }
  auto o = options(Loss::Frobenius, k, Backend::Cuda);
  o.max_iter = 0;
  const auto r = cunmf::factorize(X.view(), o, W.view(), H.view());
  double x_norm2 = 0.0;
  for (const float v : X.values) x_norm2 += double(v) * v;
  const double rel = cunmf::test::reconstruction_error(dense.view(), W.view(), H.view());
  const double exact = 0.5 * rel * rel * x_norm2;
  EXPECT_NEAR(r.loss_history[0], exact, 1e-3 * exact);
}

}  // namespace

namespace {

// The device-resident CSR entry gives the same bits as the host entry from the same start (both
// run the same device solver on the same data), for both index types.
template <class Index>
void check_device_resident_matches_host() {
  const cunmf::cuda::Context ctx;
  const auto X = random_csr<float, Index>(41, 29, 0.3, 23, 2, 5);
  const auto W0 = random_matrix<float>(41, 3, 24);
  const auto H0 = random_matrix<float>(3, 29, 25);
  for (const Loss loss : {Loss::Frobenius, Loss::KullbackLeibler}) {
    const auto o = options(loss, 3, Backend::Cuda);
    const auto host = cunmf::factorize(X.view(), o, W0.view(), H0.view());
    cunmf::cuda::DeviceBuffer<Index> row_ptr(X.row_ptr.size()), col_idx(X.col_idx.size());
    cunmf::cuda::DeviceBuffer<float> values(X.values.size());
    row_ptr.copy_from_host(X.row_ptr.data(), ctx);
    col_idx.copy_from_host(X.col_idx.data(), ctx);
    values.copy_from_host(X.values.data(), ctx);
    const cunmf::cuda::DeviceCsrView<const float, Index> dX{
        X.rows, X.cols, X.nnz(), row_ptr.data(), col_idx.data(), values.data()};
    const auto dW0 = cunmf::cuda::DeviceMatrix<float>::upload(W0.view(), ctx);
    const auto dH0 = cunmf::cuda::DeviceMatrix<float>::upload(H0.view(), ctx);
    const auto device = cunmf::cuda::factorize(ctx, dX, o, dW0.view(), dH0.view());
    EXPECT_TRUE(cunmf::test::bitwise_equal(device.W.download(ctx), host.W));
    EXPECT_TRUE(cunmf::test::bitwise_equal(device.H.download(ctx), host.H));
    EXPECT_EQ(device.loss_history, host.loss_history);
    // Random start: the same draws as the host entry.
    const auto host_random = cunmf::factorize(X.view(), o);
    const auto device_random = cunmf::cuda::factorize(ctx, dX, o);
    EXPECT_TRUE(cunmf::test::bitwise_equal(device_random.W.download(ctx), host_random.W));
  }
}

TEST(CudaSparse, DeviceResidentMatchesHostEntry) {
  CUNMF_SKIP_WITHOUT_DEVICE();
  check_device_resident_matches_host<std::int32_t>();
  check_device_resident_matches_host<std::int64_t>();
}

}  // namespace

#if defined(CUNMF_CUDA_EMULATION)
#include "cunmf_emu/runtime_hooks.hpp"

namespace {

// The emulated device counts every device byte: the sparse path holds X, Xᵀ, the factors and
// O(nnz + (m + n)·k) workspace, never anything m×n (which would be 24 MB here).
TEST(CudaSparse, NeverAllocatesDenseMatrixOnDevice) {
  const std::int64_t m = 3000, n = 2000, k = 4;
  const auto X = random_csr<float, std::int32_t>(m, n, 0.001, 31);
  for (const Loss loss : {Loss::Frobenius, Loss::KullbackLeibler}) {
    cunmf_emu::reset_peak_device_bytes();
    auto o = options(loss, k, Backend::Cuda);
    o.max_iter = 3;
    (void)cunmf::factorize(X.view(), o);
    const double nnz = static_cast<double>(X.nnz());
    const double bound = 3 * nnz * 8 + (m + n) * (4 + k * 12) + 2 * std::max(m, n) * (k * 4 + 12) +
                         (1 << 16);  // the README's formula, with slack for small buffers
    EXPECT_GT(static_cast<double>(cunmf_emu::peak_device_bytes()), 2 * nnz * 8);  // X and Xᵀ
    EXPECT_LT(static_cast<double>(cunmf_emu::peak_device_bytes()), bound);
    EXPECT_LT(static_cast<double>(cunmf_emu::peak_device_bytes()), m * n * 4 / 20.0);
  }
}

}  // namespace
#endif
