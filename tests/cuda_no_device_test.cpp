// A machine without a CUDA device, on the emulated device made absent (label gpu; emulation only):
// nothing is available, each entry says why, and Backend::Auto runs on the CPU. Its own executable,
// because the device's description is worked out once per process, and here it must be worked
// out while the device is absent.
#include <gtest/gtest.h>

#include <string>

#include "cunmf/cuda/context.hpp"
#include "cunmf/cunmf.hpp"
#include "test_support.hpp"

#if defined(CUNMF_CUDA_EMULATION)
#include "cunmf_emu/runtime_hooks.hpp"

namespace cunmf::test {
namespace {

TEST(CudaNoDevice, EachEntrySaysWhyAndAutoRunsOnTheCpu) {
  cunmf_emu::set_device_present(false);
  struct Restore {
    ~Restore() { cunmf_emu::set_device_present(true); }
  } restore;
  EXPECT_FALSE(cuda_available());
  const std::string description = cuda_device_description();
  EXPECT_NE(description.find("none: cudaErrorNoDevice: "), std::string::npos) << description;
  EXPECT_TRUE(throws_with_message<DeviceUnavailable>([] { const cuda::Context ctx; },
                                                     {"(0 visible; none: cudaErrorNoDevice"}));
  const auto X = random_matrix<float>(6, 5, 1);
  Options o;
  o.rank = 2;
  o.max_iter = 3;
  o.backend = Backend::Cuda;
  EXPECT_THROW((void)factorize(X.view(), o), DeviceUnavailable);
  o.backend = Backend::Auto;
  EXPECT_EQ(factorize(X.view(), o).backend, Backend::Cpu);
}

}  // namespace
}  // namespace cunmf::test
#endif  // CUNMF_CUDA_EMULATION
