// Device failures on the emulated device, which this executable gives 128 MiB: a factorization
// that does not fit throws DeviceOutOfMemory saying what it asked for and what was free, leaves no
// device memory behind, and a smaller problem then succeeds in the same process; dense KL whose
// quotient buffer does not fit takes the fused kernel instead. (On a real GPU the memory cannot be
// limited, so the test is emulation-only.)
#include <gtest/gtest.h>

#include <cstdlib>

#include "cuda_test_support.hpp"
#include "cunmf/cuda/device_buffer.hpp"
#include "cunmf/cunmf.hpp"
#include "test_support.hpp"

#if defined(CUNMF_CUDA_EMULATION)
#include <cuda_runtime_api.h>

#include "cunmf_emu/runtime_hooks.hpp"

namespace cunmf {
namespace {

// The emulated device reads its capacity when it is first used, which is after this.
const bool kDeviceLimited = setenv("CUNMF_EMU_DEVICE_MEMORY", "134217728", 1) == 0;

TEST(CudaFailures, OutOfMemoryLeaksNothingAndASmallerProblemThenRuns) {
  ASSERT_TRUE(kDeviceLimited);
  CUNMF_SKIP_WITHOUT_DEVICE();
  // X (95 MiB of floats) fits and W (19 MiB) too; Hᵀ does not: the run fails while setting up,
  // after allocations that must all be given back. (KL no longer needs an m × n buffer beside X,
  // which is what failed here before: kernels/fused_kl.cuh.)
  Options o;
  o.rank = 1000;
  o.backend = Backend::Cuda;
  o.max_iter = 2;
  const std::size_t before = cunmf_emu::current_device_bytes();
  const DenseMatrix<float> big = test::random_matrix<float>(5000, 5000, 1, 0.1, 1.0);
  EXPECT_TRUE(test::throws_with_message<DeviceOutOfMemory>(
      [&] { (void)factorize(big.view(), o); }, {"out of device memory allocating", "free"}));
  EXPECT_EQ(cunmf_emu::current_device_bytes(), before);
  o.rank = 4;
  o.loss = Loss::KullbackLeibler;
  const DenseMatrix<float> small = test::random_matrix<float>(300, 200, 2, 0.1, 1.0);
  const Result<float> r = factorize(small.view(), o);
  EXPECT_TRUE(test::all_finite_nonnegative(r.W.view()));
  EXPECT_TRUE(test::all_finite_nonnegative(r.H.view()));
  EXPECT_EQ(cunmf_emu::current_device_bytes(), before);
}

// Above rank 32 dense KL prefers the unfused path, whose m × n quotient buffer comes on top of X;
// when that buffer does not fit, the fused kernel (no buffer) runs instead, to the same result up
// to float rounding, in less memory.
TEST(CudaFailures, DenseKlTakesTheFusedKernelWhenTheQuotientDoesNotFit) {
  ASSERT_TRUE(kDeviceLimited);
  CUNMF_SKIP_WITHOUT_DEVICE();
  const std::int64_t m = 600, n = 500;
  const std::size_t quotient = sizeof(float) * m * n;
  const DenseMatrix<float> X = test::random_matrix<float>(m, n, 3, 0.1, 1.0);
  Options o;
  o.rank = 40;
  o.loss = Loss::KullbackLeibler;
  o.backend = Backend::Cuda;
  o.max_iter = 2;
  const std::size_t before = cunmf_emu::current_device_bytes();
  cunmf_emu::reset_peak_device_bytes();
  const Result<float> unfused = factorize(X.view(), o);
  const std::size_t unfused_peak = cunmf_emu::peak_device_bytes() - before;
  ASSERT_GT(unfused_peak, 2 * quotient);  // X and the quotient
  // Leave free what the unfused run needed less half the quotient.
  std::size_t free_bytes = 0, total_bytes = 0;
  ASSERT_EQ(cudaMemGetInfo(&free_bytes, &total_bytes), cudaSuccess);
  const cuda::DeviceBuffer<char> filler(free_bytes - (unfused_peak - quotient / 2));
  cunmf_emu::reset_peak_device_bytes();
  const std::size_t filled = cunmf_emu::current_device_bytes();
  const Result<float> fused = factorize(X.view(), o);
  EXPECT_LT(cunmf_emu::peak_device_bytes() - filled, unfused_peak - quotient / 2);
  EXPECT_LT(test::relative_difference(fused.W.view(), unfused.W.view()), 1e-4);
  EXPECT_LT(test::relative_difference(fused.H.view(), unfused.H.view()), 1e-4);
}

}  // namespace
}  // namespace cunmf
#endif
