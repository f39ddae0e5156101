// Device failures on the emulated device, which this executable gives 128 MiB: a factorization
// that does not fit throws DeviceOutOfMemory saying what it asked for and what was free, leaves no
// device memory behind, and a smaller problem then succeeds in the same process. (On a real GPU
// the memory cannot be limited, so the test is emulation-only.)
#include <gtest/gtest.h>

#include <cstdlib>

#include "cuda_test_support.hpp"
#include "cunmf/cunmf.hpp"
#include "test_support.hpp"

#if defined(CUNMF_CUDA_EMULATION)
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

}  // namespace
}  // namespace cunmf
#endif
