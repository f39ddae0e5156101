// The CUDA context and device discovery (label gpu): a device ordinal that is not there, a moved
// context, the device's description; on the emulated device also a library handle that cannot be
// created, after which nothing the context had created is left. (A machine without a device:
// cuda_no_device_test.cpp.)
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "cuda_test_support.hpp"
#include "cunmf/cuda/context.hpp"
#include "cunmf/cuda/factorize.hpp"
#include "cunmf/cunmf.hpp"
#include "test_support.hpp"

#if defined(CUNMF_CUDA_EMULATION)
#include "cunmf_emu/runtime_hooks.hpp"
#endif

namespace cunmf::test {
namespace {

Options small_run(Backend backend) {
  Options o;
  o.rank = 2;
  o.max_iter = 3;
  o.backend = backend;
  return o;
}

TEST(CudaContext, AbsentDeviceOrdinalIsUnavailable) {
  CUNMF_SKIP_WITHOUT_DEVICE();
  for (const int device : {-1, 9999}) {
    EXPECT_TRUE(throws_with_message<DeviceUnavailable>(
        [device] { const cuda::Context ctx(device); },
        {"CUDA device " + std::to_string(device) + " is not available (", " visible)"}));
  }
}

TEST(CudaContext, MovedContextKeepsItsDeviceAndStream) {
  CUNMF_SKIP_WITHOUT_DEVICE();
  cuda::Context first;
  CUstream_st* const stream = first.stream();
  cuda::Context second(std::move(first));
  EXPECT_EQ(second.device(), 0);
  EXPECT_EQ(second.stream(), stream);
  cuda::Context third;
  third = std::move(second);
  EXPECT_EQ(third.stream(), stream);
  // The moved-to context works: a factorization runs on it.
  const auto X = random_matrix<float>(6, 5, 1);
  const auto dX = cuda::DeviceMatrix<float>::upload(X.view(), third);
  const auto r = cuda::factorize(third, dX.view(), small_run(Backend::Cuda));
  EXPECT_TRUE(all_finite_nonnegative(r.W.download(third).view()));
}

TEST(CudaContext, DescriptionNamesTheDevice) {
  CUNMF_SKIP_WITHOUT_DEVICE();
  const std::string description = cuda_device_description();
  EXPECT_NE(description.find(" (compute "), std::string::npos) << description;
  EXPECT_NE(description.find(" MiB)"), std::string::npos) << description;
}

#if defined(CUNMF_CUDA_EMULATION)

// Each handle the context creates may fail (a real library does when the device has no memory for
// its resources): the failure is DeviceOutOfMemory naming the call, and the stream and handles
// created before it are released.
TEST(CudaContextEmulated, FailedHandleCreationReleasesWhatWasCreated) {
  const std::size_t handles = cunmf_emu::live_library_handles();
  const std::size_t streams = cunmf_emu::live_streams();
  const std::pair<cunmf_emu::Library, const char*> failures[] = {
      {cunmf_emu::Library::Cublas, "CUBLAS_STATUS_ALLOC_FAILED"},
      {cunmf_emu::Library::Cusparse, "CUSPARSE_STATUS_ALLOC_FAILED"},
      {cunmf_emu::Library::Cusolver, "CUSOLVER_STATUS_ALLOC_FAILED"}};
  for (const auto& [library, status] : failures) {
    SCOPED_TRACE(status);
    cunmf_emu::fail_next_handle_creation(library);
    EXPECT_TRUE(throws_with_message<DeviceOutOfMemory>(
        [] { const cuda::Context ctx; }, {std::string(": ") + status, "context.cpp:"}));
    EXPECT_EQ(cunmf_emu::live_library_handles(), handles);
    EXPECT_EQ(cunmf_emu::live_streams(), streams);
  }
  // The same through a factorization, and the next one runs.
  cunmf_emu::fail_next_handle_creation(cunmf_emu::Library::Cusparse);
  const auto X = random_matrix<float>(6, 5, 1);
  EXPECT_THROW((void)factorize(X.view(), small_run(Backend::Cuda)), DeviceOutOfMemory);
  EXPECT_EQ(factorize(X.view(), small_run(Backend::Cuda)).backend, Backend::Cuda);
  EXPECT_EQ(cunmf_emu::live_library_handles(), handles);
  EXPECT_EQ(cunmf_emu::live_streams(), streams);
  const cuda::Context ctx;
  EXPECT_EQ(cunmf_emu::live_library_handles(), handles + 3);
  EXPECT_EQ(cunmf_emu::live_streams(), streams + 1);
}

#endif  // CUNMF_CUDA_EMULATION

}  // namespace
}  // namespace cunmf::test
