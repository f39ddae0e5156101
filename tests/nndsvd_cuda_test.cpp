// NNDSVD initialization on the CUDA backend, whose truncated SVD runs on the device
// (cuda/truncated_svd.hpp), through cunmf::factorize with max_iter = 0 (the initial factors): on
// matrices with a clear spectral gap it equals NNDSVD from the exact SVD
// (tests/reference/nndsvd_reference.hpp) to 1e-6 — row-major, column-major and CSR X (both index
// types, truly sparse), float and double — and on any matrix it equals the CPU backend's NNDSVD
// (the host's randomized SVD from the same seed, so the same test matrix) up to rounding, for the
// three variants. A run then starts from those factors; a CSR X is never densified on the device.
#include <gtest/gtest.h>

#include <cstdint>

#include "cuda_test_support.hpp"
#include "cunmf/cuda/factorize.hpp"
#include "cunmf/cunmf.hpp"
#include "reference/nndsvd_reference.hpp"
#include "sparse_support.hpp"
#include "test_support.hpp"

namespace cunmf {
namespace {

constexpr std::int64_t kRank = 5;

/// Rank 5 plus 1e-4 relative noise (σ₅ far above σ₆), 61 × 47: odd sizes, more rows than columns.
DenseMatrix<double> gapped_matrix() { return test::planted_matrix<double>(61, 47, kRank, 1e-4, 7); }

/// Exactly rank 5 from factors with half their entries zero: about 40 % of X is zero, so its CSR
/// is truly sparse; 38 × 53, more columns than rows.
DenseMatrix<double> sparse_gapped_matrix() {
  return test::planted_matrix<double>(38, 53, kRank, 0.0, 11, 0.5);
}

Options init_only(Init init, Backend backend) {
  Options o;
  o.rank = kRank;
  o.init = init;
  o.backend = backend;
  o.max_iter = 0;
  return o;
}

// The randomized SVD on this gap converges to the exact subspace far below 1e-6 in double
// ((σ₁₆/σ₅)^15 ≈ 0); what remains is rounding. In float the products round at ~6e-8 relative and
// the singular vectors inherit it, amplified by at most the condition of the gap: 1e-4.
template <class T>
double exact_svd_tolerance() {
  return sizeof(T) == 8 ? 1e-6 : 1e-4;
}

template <class T>
class NndsvdCuda : public ::testing::Test {};
using Types = ::testing::Types<float, double>;
TYPED_TEST_SUITE(NndsvdCuda, Types);

TYPED_TEST(NndsvdCuda, DenseEqualsNndsvdOfTheExactSvd) {
  CUNMF_SKIP_WITHOUT_DEVICE();
  using T = TypeParam;
  const DenseMatrix<double> X = gapped_matrix();
  const auto [W, H] = reference::nndsvd(X, kRank);
  const DenseMatrix<T> Xt = test::cast<T>(X);
  const Options o = init_only(Init::Nndsvd, Backend::Cuda);
  const auto col_major = test::with_layout(Xt.view(), Layout::ColMajor);
  for (const Result<T>& r : {factorize(Xt.view(), o), factorize(col_major.view(), o)}) {
    EXPECT_EQ(r.backend, Backend::Cuda);
    EXPECT_LT(test::relative_difference(r.W, W), exact_svd_tolerance<T>());
    EXPECT_LT(test::relative_difference(r.H, H), exact_svd_tolerance<T>());
  }
}

TYPED_TEST(NndsvdCuda, CsrEqualsNndsvdOfTheExactSvd) {
  CUNMF_SKIP_WITHOUT_DEVICE();
  using T = TypeParam;
  const DenseMatrix<double> X = sparse_gapped_matrix();
  const auto [W, H] = reference::nndsvd(X, kRank);
  const DenseMatrix<T> Xt = test::cast<T>(X);
  const auto csr32 = test::csr_from_dense<T, std::int32_t>(Xt);
  const auto csr64 = test::csr_from_dense<T, std::int64_t>(Xt);
  ASSERT_LT(csr32.nnz(), X.size() * 3 / 4);
  const Options o = init_only(Init::Nndsvd, Backend::Cuda);
  for (const Result<T>& r : {factorize(csr32.view(), o), factorize(csr64.view(), o)}) {
    EXPECT_LT(test::relative_difference(r.W, W), exact_svd_tolerance<T>());
    EXPECT_LT(test::relative_difference(r.H, H), exact_svd_tolerance<T>());
  }
}

// Without a gap the randomized SVD has not converged to the exact triplets, but the device and the
// host run the same steps from the same test matrix: the factors agree to rounding, amplified by
// the (here modest) conditioning of the sketch's QR steps — 1e-9 in double, 1e-3 in float (the
// host runs its QR and small SVD in double, the device in float).
TYPED_TEST(NndsvdCuda, EqualsTheHostPathForEachVariant) {
  CUNMF_SKIP_WITHOUT_DEVICE();
  using T = TypeParam;
  const double tol = sizeof(T) == 8 ? 1e-9 : 1e-3;
  const DenseMatrix<T> X = test::random_matrix<T>(40, 30, 8);
  const auto csr = test::random_csr<T, std::int32_t>(45, 36, 0.3, 9);
  for (const Init init : {Init::Nndsvd, Init::Nndsvda, Init::Nndsvdar}) {
    SCOPED_TRACE(::testing::Message() << "init " << static_cast<int>(init));
    const Result<T> dense_gpu = factorize(X.view(), init_only(init, Backend::Cuda));
    const Result<T> dense_cpu = factorize(X.view(), init_only(init, Backend::Cpu));
    EXPECT_LT(test::relative_difference(dense_gpu.W, dense_cpu.W), tol);
    EXPECT_LT(test::relative_difference(dense_gpu.H, dense_cpu.H), tol);
    const Result<T> csr_gpu = factorize(csr.view(), init_only(init, Backend::Cuda));
    const Result<T> csr_cpu = factorize(csr.view(), init_only(init, Backend::Cpu));
    EXPECT_LT(test::relative_difference(csr_gpu.W, csr_cpu.W), tol);
    EXPECT_LT(test::relative_difference(csr_gpu.H, csr_cpu.H), tol);
  }
}

// The solve starts from the device's NNDSVD: 30 MU iterations on the GPU follow the CPU's from
// the CPU's NNDSVD (the starts agree to 1e-9; MU is a contraction near its fixed point here).
TEST(NndsvdCudaRun, RunsFromTheDevicesFactorsAsTheCpuDoesFromItsOwn) {
  CUNMF_SKIP_WITHOUT_DEVICE();
  const DenseMatrix<double> X = gapped_matrix();
  Options o = init_only(Init::Nndsvda, Backend::Cuda);
  o.max_iter = 30;
  const Result<double> gpu = factorize(X.view(), o);
  o.backend = Backend::Cpu;
  const Result<double> cpu = factorize(X.view(), o);
  test::expect_matches_reference(gpu, cpu, 1e-7, 1e-7);
  EXPECT_LT(gpu.loss_history.back(), gpu.loss_history.front());
}

// The device-resident entry on a CSR X computes the same NNDSVD as the host entry on the CUDA
// backend (the same device steps; only mean(X), summed on the device there, may round
// differently, which moves Nndsvda's fill by an ulp), and starts its solve from it.
TEST(NndsvdCudaRun, DeviceResidentCsrMatchesTheHostEntry) {
  CUNMF_SKIP_WITHOUT_DEVICE();
  const cuda::Context ctx;
  const auto X = test::random_csr<double, std::int64_t>(33, 27, 0.3, 5);
  cuda::DeviceBuffer<std::int64_t> row_ptr(X.row_ptr.size()), col_idx(X.col_idx.size());
  cuda::DeviceBuffer<double> values(X.values.size());
  row_ptr.copy_from_host(X.row_ptr.data(), ctx);
  col_idx.copy_from_host(X.col_idx.data(), ctx);
  values.copy_from_host(X.values.data(), ctx);
  const cuda::DeviceCsrView<const double, std::int64_t> dX{
      X.rows, X.cols, X.nnz(), row_ptr.data(), col_idx.data(), values.data()};
  Options o = init_only(Init::Nndsvda, Backend::Cuda);
  o.max_iter = 5;
  const Result<double> host = factorize(X.view(), o);
  const cuda::DeviceResult<double> device = cuda::factorize(ctx, dX, o);
  EXPECT_LT(test::relative_difference(device.W.download(ctx), host.W), 1e-13);
  EXPECT_LT(test::relative_difference(device.H.download(ctx), host.H), 1e-13);
}

// A rank outside [1, min(m, n)] is an InvalidArgument, as on the CPU.
TEST(NndsvdCudaRun, RejectsARankAboveTheSmallerDimension) {
  CUNMF_SKIP_WITHOUT_DEVICE();
  const DenseMatrix<double> X = test::random_matrix<double>(6, 4, 3);
  Options o = init_only(Init::Nndsvd, Backend::Cuda);
  o.rank = 5;
  EXPECT_THROW((void)factorize(X.view(), o), InvalidArgument);
}

}  // namespace
}  // namespace cunmf

#if defined(CUNMF_CUDA_EMULATION)
#include "cunmf_emu/runtime_hooks.hpp"

namespace cunmf {
namespace {

// The emulated device counts every byte: NNDSVD of a CSR X holds X, Xᵀ and panels of
// (m + n)·(k + 10) values (2.4 MB here), never anything m × n (the dense X would be 48 MB).
TEST(NndsvdCudaRun, NeverDensifiesACsrX) {
  const std::int64_t m = 3000, n = 2000;
  const auto X = test::random_csr<double, std::int32_t>(m, n, 0.001, 31);
  cunmf_emu::reset_peak_device_bytes();
  const Result<double> r = factorize(X.view(), init_only(Init::Nndsvd, Backend::Cuda));
  EXPECT_TRUE(test::all_finite_nonnegative(r.W.view()));
  EXPECT_GT(static_cast<double>(cunmf_emu::peak_device_bytes()), 2.0 * X.nnz() * 12);  // X, Xᵀ
  EXPECT_LT(static_cast<double>(cunmf_emu::peak_device_bytes()), m * n * 8 / 10.0);
}

}  // namespace
}  // namespace cunmf
#endif
