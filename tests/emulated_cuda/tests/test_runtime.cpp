// Tests of the emulated CUDA runtime: device queries, memory (NaN fill, copies, memsets, capacity,
// peak bytes, poisoning), stream asynchrony and ordering, events, errors and faults. The faults
// that must end a process run as child processes (fault_cases_runtime.cpp).
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "cunmf_emu/runtime_hooks.hpp"
#include "emu_test_support.hpp"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define CUNMF_EMU_TEST_ASAN 1
#endif

namespace {

using emu_test::contains;
using emu_test::DeviceArray;

/// A stream owned by a test.
class Stream {
 public:
  explicit Stream(unsigned flags = cudaStreamDefault) {
    EXPECT_EQ(cudaSuccess, cudaStreamCreateWithFlags(&s_, flags));
  }
  ~Stream() { cudaStreamDestroy(s_); }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  cudaStream_t get() const { return s_; }

 private:
  cudaStream_t s_ = nullptr;
};

/// An event owned by a test.
class Event {
 public:
  explicit Event(unsigned flags = cudaEventDefault) {
    EXPECT_EQ(cudaSuccess, cudaEventCreateWithFlags(&e_, flags));
  }
  ~Event() { cudaEventDestroy(e_); }
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  cudaEvent_t get() const { return e_; }

 private:
  cudaEvent_t e_ = nullptr;
};

std::uint32_t bits_of(float x) {
  std::uint32_t b;
  std::memcpy(&b, &x, sizeof(b));
  return b;
}

// ---- Device queries ------------------------------------------------------------------------

TEST(EmulatedRuntime, OneDeviceWithH100Limits) {
  int count = 0;
  ASSERT_EQ(cudaSuccess, cudaGetDeviceCount(&count));
  EXPECT_EQ(1, count);
  int device = -1;
  ASSERT_EQ(cudaSuccess, cudaGetDevice(&device));
  EXPECT_EQ(0, device);
  EXPECT_EQ(cudaSuccess, cudaSetDevice(0));
  EXPECT_EQ(cudaErrorInvalidDevice, cudaSetDevice(1));
  EXPECT_EQ(cudaErrorInvalidDevice, cudaGetLastError());

  cudaDeviceProp prop;
  ASSERT_EQ(cudaSuccess, cudaGetDeviceProperties(&prop, 0));
  EXPECT_STREQ("emulated CUDA device (testing only, no GPU)", prop.name);
  EXPECT_EQ(1024, prop.maxThreadsPerBlock);
  EXPECT_EQ(2147483647, prop.maxGridSize[0]);
  EXPECT_EQ(65535, prop.maxGridSize[1]);
  EXPECT_EQ(65535, prop.maxGridSize[2]);
  EXPECT_EQ(48u * 1024, prop.sharedMemPerBlock);
  EXPECT_EQ(227u * 1024, prop.sharedMemPerBlockOptin);
  EXPECT_EQ(32, prop.warpSize);
  EXPECT_EQ(132, prop.multiProcessorCount);
  EXPECT_EQ(9, prop.major);
  EXPECT_EQ(0, prop.minor);
  std::size_t free = 0;
  std::size_t total = 0;
  ASSERT_EQ(cudaSuccess, cudaMemGetInfo(&free, &total));
  EXPECT_EQ(total, prop.totalGlobalMem);
  EXPECT_EQ(cudaErrorInvalidDevice, cudaGetDeviceProperties(&prop, 1));

  // Attributes agree with the properties.
  const std::pair<cudaDeviceAttr, int> attributes[] = {
      {cudaDevAttrMaxThreadsPerBlock, prop.maxThreadsPerBlock},
      {cudaDevAttrMaxGridDimX, prop.maxGridSize[0]},
      {cudaDevAttrMaxGridDimY, prop.maxGridSize[1]},
      {cudaDevAttrMaxBlockDimZ, prop.maxThreadsDim[2]},
      {cudaDevAttrMaxSharedMemoryPerBlock, static_cast<int>(prop.sharedMemPerBlock)},
      {cudaDevAttrMaxSharedMemoryPerBlockOptin, static_cast<int>(prop.sharedMemPerBlockOptin)},
      {cudaDevAttrWarpSize, prop.warpSize},
      {cudaDevAttrMultiProcessorCount, prop.multiProcessorCount},
      {cudaDevAttrComputeCapabilityMajor, prop.major},
      {cudaDevAttrComputeCapabilityMinor, prop.minor},
      {cudaDevAttrL2CacheSize, prop.l2CacheSize},
  };
  for (const auto& [attr, expected] : attributes) {
    int value = -1;
    EXPECT_EQ(cudaSuccess, cudaDeviceGetAttribute(&value, attr, 0)) << attr;
    EXPECT_EQ(expected, value) << attr;
  }
}

TEST(EmulatedRuntime, VersionsAreCuda13) {
  int driver = 0;
  int runtime = 0;
  ASSERT_EQ(cudaSuccess, cudaDriverGetVersion(&driver));
  ASSERT_EQ(cudaSuccess, cudaRuntimeGetVersion(&runtime));
  EXPECT_EQ(13000, driver);
  EXPECT_EQ(13000, runtime);
}

// ---- Errors --------------------------------------------------------------------------------

TEST(EmulatedRuntime, ErrorNamesAndStringsAreTheRealOnes) {
  EXPECT_STREQ("cudaSuccess", cudaGetErrorName(cudaSuccess));
  EXPECT_STREQ("no error", cudaGetErrorString(cudaSuccess));
  EXPECT_STREQ("cudaErrorMemoryAllocation", cudaGetErrorName(cudaErrorMemoryAllocation));
  EXPECT_STREQ("out of memory", cudaGetErrorString(cudaErrorMemoryAllocation));
  EXPECT_STREQ("cudaErrorInvalidValue", cudaGetErrorName(cudaErrorInvalidValue));
  EXPECT_STREQ("invalid argument", cudaGetErrorString(cudaErrorInvalidValue));
  EXPECT_STREQ("cudaErrorLaunchFailure", cudaGetErrorName(cudaErrorLaunchFailure));
  EXPECT_STREQ("unspecified launch failure", cudaGetErrorString(cudaErrorLaunchFailure));
  EXPECT_STREQ("cudaErrorIllegalAddress", cudaGetErrorName(cudaErrorIllegalAddress));
  EXPECT_STREQ("an illegal memory access was encountered",
               cudaGetErrorString(cudaErrorIllegalAddress));
  EXPECT_STREQ("cudaErrorInvalidConfiguration", cudaGetErrorName(cudaErrorInvalidConfiguration));
  EXPECT_STREQ("cudaErrorNotReady", cudaGetErrorName(cudaErrorNotReady));
  EXPECT_STREQ("unrecognized error code", cudaGetErrorName(static_cast<cudaError_t>(33)));
  EXPECT_STREQ("unrecognized error code", cudaGetErrorString(static_cast<cudaError_t>(33)));
}

TEST(EmulatedRuntime, LastErrorIsReturnedOnceAndPeekLeavesIt) {
  cudaGetLastError();  // whatever an earlier test left
  EXPECT_EQ(cudaSuccess, cudaPeekAtLastError());
  EXPECT_EQ(cudaErrorInvalidDevice, cudaSetDevice(7));
  EXPECT_EQ(cudaSuccess, cudaSetDevice(0));  // a later success does not clear it
  EXPECT_EQ(cudaErrorInvalidDevice, cudaPeekAtLastError());
  EXPECT_EQ(cudaErrorInvalidDevice, cudaGetLastError());
  EXPECT_EQ(cudaSuccess, cudaGetLastError());
  cunmf_emu::set_last_error(cudaErrorInvalidConfiguration);  // what a rejected launch does
  EXPECT_EQ(cudaErrorInvalidConfiguration, cudaGetLastError());
  EXPECT_EQ(cudaSuccess, cudaPeekAtLastError());
}

// ---- Memory --------------------------------------------------------------------------------

TEST(EmulatedRuntime, ZeroByteMallocGivesNullAndSuccess) {
  void* p = reinterpret_cast<void*>(0x1234);
  EXPECT_EQ(cudaSuccess, cudaMalloc(&p, 0));
  EXPECT_EQ(nullptr, p);
  EXPECT_EQ(cudaSuccess, cudaFree(p));
  EXPECT_EQ(cudaErrorInvalidValue, cudaMalloc(nullptr, 16));
  cudaGetLastError();
}

TEST(EmulatedRuntime, NewMemoryIsNaNAndAligned) {
  DeviceArray<float> f(33);
  DeviceArray<double> d(5);
  EXPECT_EQ(0u, reinterpret_cast<std::uintptr_t>(f.get()) % 256);
  EXPECT_EQ(0u, reinterpret_cast<std::uintptr_t>(d.get()) % 256);
  for (float x : f.download()) {
    EXPECT_TRUE(std::isnan(x));
    EXPECT_EQ(0xFFFFFFFFu, bits_of(x));
  }
  for (double x : d.download()) EXPECT_TRUE(std::isnan(x));
}

TEST(EmulatedRuntime, CopiesRoundTripInEveryDirection) {
  const std::vector<float> source = {1, 2, 3, 4, 5, 6, 7};
  DeviceArray<float> a(source.size());
  DeviceArray<float> b(source.size());
  a.upload(source);
  ASSERT_EQ(cudaSuccess, cudaMemcpy(b.get(), a.get(), a.bytes(), cudaMemcpyDeviceToDevice));
  EXPECT_EQ(source, b.download());

  // cudaMemcpyDefault infers the direction from the pointers.
  std::vector<float> back(source.size(), 0.0f);
  ASSERT_EQ(cudaSuccess, cudaMemcpy(back.data(), b.get(), b.bytes(), cudaMemcpyDefault));
  EXPECT_EQ(source, back);
  const std::vector<float> twice = {2, 4, 6, 8, 10, 12, 14};
  ASSERT_EQ(cudaSuccess, cudaMemcpy(a.get(), twice.data(), a.bytes(), cudaMemcpyDefault));
  EXPECT_EQ(twice, a.download());

  // Part of an allocation, at an offset.
  ASSERT_EQ(cudaSuccess,
            cudaMemcpy(b.get() + 2, source.data(), 3 * sizeof(float), cudaMemcpyHostToDevice));
  EXPECT_EQ((std::vector<float>{1, 2, 1, 2, 3, 6, 7}), b.download());

  EXPECT_EQ(cudaSuccess, cudaMemcpy(nullptr, nullptr, 0, cudaMemcpyDeviceToHost));  // no-op
}

TEST(EmulatedRuntime, MemsetSetsBytes) {
  DeviceArray<std::uint32_t> a(10);
  ASSERT_EQ(cudaSuccess, cudaMemset(a.get(), 0, a.bytes()));
  ASSERT_EQ(cudaSuccess, cudaMemset(a.get() + 4, 0x1AB, 2 * sizeof(std::uint32_t)));  // low byte
  EXPECT_EQ((std::vector<std::uint32_t>{0, 0, 0, 0, 0xABABABAB, 0xABABABAB, 0, 0, 0, 0}),
            a.download());
}

TEST(EmulatedRuntime, BadCopiesAreReportedAndRejected) {
  DeviceArray<float> a(4);
  DeviceArray<float> b(4);
  float host[8] = {};

  testing::internal::CaptureStderr();
  EXPECT_EQ(cudaErrorInvalidValue, cudaMemcpy(host, a.get(), a.bytes(), cudaMemcpyHostToDevice));
  EXPECT_TRUE(contains(testing::internal::GetCapturedStderr(), "wrong copy direction"));

  testing::internal::CaptureStderr();
  EXPECT_EQ(cudaErrorInvalidValue,
            cudaMemcpyAsync(a.get(), b.get(), a.bytes(), cudaMemcpyHostToDevice, nullptr));
  EXPECT_TRUE(contains(testing::internal::GetCapturedStderr(), "wrong copy direction"));

  testing::internal::CaptureStderr();
  EXPECT_EQ(cudaErrorInvalidValue, cudaMemcpy(host, a.get(), sizeof(host), cudaMemcpyDeviceToHost));
  EXPECT_TRUE(contains(testing::internal::GetCapturedStderr(), "past the end"));

  testing::internal::CaptureStderr();
  EXPECT_EQ(cudaErrorInvalidValue, cudaMemcpy(a.get(), host, a.bytes(), cudaMemcpyDeviceToDevice));
  EXPECT_TRUE(contains(testing::internal::GetCapturedStderr(), "must be device memory"));

  testing::internal::CaptureStderr();
  EXPECT_EQ(cudaErrorInvalidValue, cudaMemset(host, 0, sizeof(host)));
  EXPECT_TRUE(contains(testing::internal::GetCapturedStderr(), "must be device memory"));

  EXPECT_EQ(cudaErrorInvalidMemcpyDirection,
            cudaMemcpy(host, a.get(), a.bytes(), static_cast<cudaMemcpyKind>(7)));
  EXPECT_EQ(cudaErrorInvalidMemcpyDirection, cudaGetLastError());
}

TEST(EmulatedRuntime, UseAfterFreeAndDoubleFreeAreReported) {
  void* p = nullptr;
  ASSERT_EQ(cudaSuccess, cudaMalloc(&p, 64));
  ASSERT_EQ(cudaSuccess, cudaFree(p));
  EXPECT_FALSE(cunmf_emu::is_device_pointer(p));
  float host[4];

  testing::internal::CaptureStderr();
  EXPECT_EQ(cudaErrorInvalidValue, cudaMemcpy(host, p, sizeof(host), cudaMemcpyDeviceToHost));
  EXPECT_TRUE(contains(testing::internal::GetCapturedStderr(), "use after free"));

  testing::internal::CaptureStderr();
  EXPECT_EQ(cudaErrorInvalidValue, cudaFree(p));
  EXPECT_TRUE(contains(testing::internal::GetCapturedStderr(), "double free"));
  cudaGetLastError();
}

TEST(EmulatedRuntime, DevicePointersAreKnown) {
  DeviceArray<char> a(100);
  EXPECT_TRUE(cunmf_emu::is_device_pointer(nullptr));
  EXPECT_TRUE(cunmf_emu::is_device_pointer(a.get()));
  EXPECT_TRUE(cunmf_emu::is_device_pointer(a.get() + 99));
  EXPECT_FALSE(cunmf_emu::is_device_pointer(a.get() + 100));
  int host = 0;
  EXPECT_FALSE(cunmf_emu::is_device_pointer(&host));
}

TEST(EmulatedRuntime, PeakAndCurrentBytesTrackAllocations) {
  const std::size_t base = cunmf_emu::current_device_bytes();
  cunmf_emu::reset_peak_device_bytes();
  EXPECT_EQ(base, cunmf_emu::peak_device_bytes());
  {
    DeviceArray<char> a(1000);
    {
      DeviceArray<char> b(3000);
      EXPECT_EQ(base + 4000, cunmf_emu::current_device_bytes());
    }
    EXPECT_EQ(base + 1000, cunmf_emu::current_device_bytes());
    DeviceArray<char> c(500);
  }
  EXPECT_EQ(base, cunmf_emu::current_device_bytes());
  EXPECT_EQ(base + 4000, cunmf_emu::peak_device_bytes());
  cunmf_emu::reset_peak_device_bytes();
  EXPECT_EQ(base, cunmf_emu::peak_device_bytes());
}

TEST(EmulatedRuntime, AllocationBeyondCapacityIsOutOfMemory) {
  std::size_t free = 0;
  std::size_t total = 0;
  ASSERT_EQ(cudaSuccess, cudaMemGetInfo(&free, &total));
  EXPECT_EQ(total - cunmf_emu::current_device_bytes(), free);
  void* p = reinterpret_cast<void*>(0x1234);
  // Far beyond this machine's memory too: the host allocator is never asked.
  EXPECT_EQ(cudaErrorMemoryAllocation, cudaMalloc(&p, free + 1));
  EXPECT_EQ(cudaErrorMemoryAllocation, cudaMalloc(&p, ~std::size_t{0}));
  EXPECT_EQ(cudaErrorMemoryAllocation, cudaGetLastError());
  EXPECT_EQ(cudaSuccess, cudaGetLastError());
  ASSERT_EQ(cudaSuccess, cudaMemGetInfo(&free, &total));
  EXPECT_EQ(total - cunmf_emu::current_device_bytes(), free);
}

TEST(EmulatedRuntime, CapacityComesFromTheEnvironment) {
  // 16 GiB unless CUNMF_EMU_DEVICE_MEMORY says otherwise; the small case runs in a child.
  std::size_t free = 0;
  std::size_t total = 0;
  ASSERT_EQ(cudaSuccess, cudaMemGetInfo(&free, &total));
  if (std::getenv("CUNMF_EMU_DEVICE_MEMORY") == nullptr) {
    EXPECT_EQ(std::size_t{16} << 30, total);
  }
}

#if defined(CUNMF_EMU_TEST_ASAN)
TEST(EmulatedRuntime, DeviceMemoryIsPoisonedExceptWhileDeviceWorkRuns) {
  DeviceArray<float> a(16);
  EXPECT_TRUE(__asan_address_is_poisoned(a.get()));
  EXPECT_TRUE(__asan_address_is_poisoned(a.get() + 15));
  Stream s;
  bool poisoned_during_work = true;
  cunmf_emu::enqueue(s.get(), [&] {
    poisoned_during_work =
        __asan_address_is_poisoned(a.get()) || __asan_address_is_poisoned(a.get() + 15);
  });
  ASSERT_EQ(cudaSuccess, cudaStreamSynchronize(s.get()));
  EXPECT_FALSE(poisoned_during_work);
  EXPECT_TRUE(__asan_address_is_poisoned(a.get()));
  a.upload(std::vector<float>(16, 1.0f));  // a copy unpoisons only while it runs
  EXPECT_TRUE(__asan_address_is_poisoned(a.get()));
}
#endif

// ---- Asynchrony and ordering -----------------------------------------------------------------

TEST(EmulatedRuntime, AsyncCopyToHostLandsOnlyAtSynchronize) {
  DeviceArray<float> a(4);
  a.upload({1, 2, 3, 4});
  Stream s;
  std::vector<float> host(4, -1.0f);
  ASSERT_EQ(cudaSuccess,
            cudaMemcpyAsync(host.data(), a.get(), a.bytes(), cudaMemcpyDeviceToHost, s.get()));
  // The host reads before synchronizing: the copy has not happened.
  EXPECT_EQ(std::vector<float>(4, -1.0f), host);
  ASSERT_EQ(cudaSuccess, cudaStreamSynchronize(s.get()));
  EXPECT_EQ((std::vector<float>{1, 2, 3, 4}), host);
}

TEST(EmulatedRuntime, AsyncCopyFromHostReadsTheHostWhenItRuns) {
  DeviceArray<float> a(2);
  Stream s;
  std::vector<float> host = {1, 2};
  ASSERT_EQ(cudaSuccess,
            cudaMemcpyAsync(a.get(), host.data(), a.bytes(), cudaMemcpyHostToDevice, s.get()));
  host = {5, 6};  // a bug with pinned memory: the emulated device shows it
  ASSERT_EQ(cudaSuccess, cudaStreamSynchronize(s.get()));
  EXPECT_EQ((std::vector<float>{5, 6}), a.download());
}

TEST(EmulatedRuntime, StreamRunsItsWorkInOrder) {
  DeviceArray<std::uint8_t> a(8);
  Stream s;
  std::vector<std::uint8_t> first(8, 0);
  std::vector<std::uint8_t> second(8, 0);
  ASSERT_EQ(cudaSuccess, cudaMemsetAsync(a.get(), 3, 8, s.get()));
  ASSERT_EQ(cudaSuccess,
            cudaMemcpyAsync(first.data(), a.get(), 8, cudaMemcpyDeviceToHost, s.get()));
  ASSERT_EQ(cudaSuccess, cudaMemsetAsync(a.get(), 4, 8, s.get()));
  ASSERT_EQ(cudaSuccess,
            cudaMemcpyAsync(second.data(), a.get(), 8, cudaMemcpyDeviceToHost, s.get()));
  EXPECT_EQ(std::vector<std::uint8_t>(8, 0), first);
  ASSERT_EQ(cudaSuccess, cudaStreamSynchronize(s.get()));
  EXPECT_EQ(std::vector<std::uint8_t>(8, 3), first);
  EXPECT_EQ(std::vector<std::uint8_t>(8, 4), second);
}

TEST(EmulatedRuntime, SynchronousCallsWaitForAllStreams) {
  DeviceArray<std::uint8_t> a(8);
  Stream s;
  ASSERT_EQ(cudaSuccess, cudaMemsetAsync(a.get(), 7, 8, s.get()));
  EXPECT_EQ(std::vector<std::uint8_t>(8, 7), a.download());  // cudaMemcpy drained s first

  std::vector<std::uint8_t> host(8, 0);
  ASSERT_EQ(cudaSuccess, cudaMemsetAsync(a.get(), 9, 8, s.get()));
  ASSERT_EQ(cudaSuccess, cudaMemcpyAsync(host.data(), a.get(), 8, cudaMemcpyDeviceToHost, s.get()));
  ASSERT_EQ(cudaSuccess, cudaMemset(a.get(), 1, 8));  // runs s's work, then sets
  EXPECT_EQ(std::vector<std::uint8_t>(8, 9), host);
  EXPECT_EQ(std::vector<std::uint8_t>(8, 1), a.download());
}

TEST(EmulatedRuntime, FreeWaitsForQueuedWork) {
  std::vector<std::uint8_t> host(8, 0);
  Stream s;
  void* p = nullptr;
  ASSERT_EQ(cudaSuccess, cudaMalloc(&p, 8));
  ASSERT_EQ(cudaSuccess, cudaMemsetAsync(p, 5, 8, s.get()));
  ASSERT_EQ(cudaSuccess, cudaMemcpyAsync(host.data(), p, 8, cudaMemcpyDeviceToHost, s.get()));
  ASSERT_EQ(cudaSuccess, cudaFree(p));
  EXPECT_EQ(std::vector<std::uint8_t>(8, 5), host);
}

TEST(EmulatedRuntime, DeviceSynchronizeRunsEveryStream) {
  DeviceArray<std::uint8_t> a(4);
  DeviceArray<std::uint8_t> b(4);
  Stream s1;
  Stream s2(cudaStreamNonBlocking);
  ASSERT_EQ(cudaSuccess, cudaMemsetAsync(a.get(), 1, 4, s1.get()));
  ASSERT_EQ(cudaSuccess, cudaMemsetAsync(b.get(), 2, 4, s2.get()));
  ASSERT_EQ(cudaSuccess, cudaDeviceSynchronize());
  cudaStream_t none = nullptr;
  std::vector<std::uint8_t> ha(4);
  std::vector<std::uint8_t> hb(4);
  ASSERT_EQ(cudaSuccess, cudaMemcpyAsync(ha.data(), a.get(), 4, cudaMemcpyDeviceToHost, none));
  ASSERT_EQ(cudaSuccess, cudaMemcpyAsync(hb.data(), b.get(), 4, cudaMemcpyDeviceToHost, none));
  ASSERT_EQ(cudaSuccess, cudaDeviceSynchronize());
  EXPECT_EQ(std::vector<std::uint8_t>(4, 1), ha);
  EXPECT_EQ(std::vector<std::uint8_t>(4, 2), hb);
}

TEST(EmulatedRuntime, LegacyDefaultStreamOrdersBlockingStreamsOnly) {
  DeviceArray<std::uint8_t> a(4);
  ASSERT_EQ(cudaSuccess, cudaMemset(a.get(), 0, 4));
  std::vector<std::uint8_t> host(4, 42);

  // Blocking stream, then the default stream: the default stream's copy waits for the memset.
  Stream blocking;
  ASSERT_EQ(cudaSuccess, cudaMemsetAsync(a.get(), 1, 4, blocking.get()));
  ASSERT_EQ(cudaSuccess, cudaMemcpyAsync(host.data(), a.get(), 4, cudaMemcpyDeviceToHost, nullptr));
  ASSERT_EQ(cudaSuccess, cudaStreamSynchronize(nullptr));
  EXPECT_EQ(std::vector<std::uint8_t>(4, 1), host);

  // Default stream, then a blocking stream: the stream's copy waits for the default stream.
  ASSERT_EQ(cudaSuccess, cudaMemsetAsync(a.get(), 2, 4, cudaStreamLegacy));
  ASSERT_EQ(cudaSuccess,
            cudaMemcpyAsync(host.data(), a.get(), 4, cudaMemcpyDeviceToHost, blocking.get()));
  ASSERT_EQ(cudaSuccess, cudaStreamSynchronize(blocking.get()));
  EXPECT_EQ(std::vector<std::uint8_t>(4, 2), host);

  // A non-blocking stream is not ordered with the default stream.
  Stream non_blocking(cudaStreamNonBlocking);
  ASSERT_EQ(cudaSuccess, cudaMemsetAsync(a.get(), 3, 4, non_blocking.get()));
  ASSERT_EQ(cudaSuccess, cudaMemcpyAsync(host.data(), a.get(), 4, cudaMemcpyDeviceToHost, nullptr));
  ASSERT_EQ(cudaSuccess, cudaStreamSynchronize(nullptr));
  EXPECT_EQ(std::vector<std::uint8_t>(4, 2), host);  // the memset has not run
  ASSERT_EQ(cudaSuccess, cudaStreamSynchronize(non_blocking.get()));
  EXPECT_EQ(std::vector<std::uint8_t>(4, 3), a.download());
}

TEST(EmulatedRuntime, EventSynchronizeRunsUpToTheEventOnly) {
  DeviceArray<float> a(2);
  a.upload({1, 2});
  Stream s;
  Event e;
  std::vector<float> before(2, 0.0f);
  std::vector<float> after(2, 0.0f);
  ASSERT_EQ(cudaSuccess,
            cudaMemcpyAsync(before.data(), a.get(), a.bytes(), cudaMemcpyDeviceToHost, s.get()));
  ASSERT_EQ(cudaSuccess, cudaEventRecord(e.get(), s.get()));
  ASSERT_EQ(cudaSuccess,
            cudaMemcpyAsync(after.data(), a.get(), a.bytes(), cudaMemcpyDeviceToHost, s.get()));
  ASSERT_EQ(cudaSuccess, cudaEventSynchronize(e.get()));
  EXPECT_EQ((std::vector<float>{1, 2}), before);
  EXPECT_EQ((std::vector<float>{0, 0}), after);
  ASSERT_EQ(cudaSuccess, cudaStreamSynchronize(s.get()));
  EXPECT_EQ((std::vector<float>{1, 2}), after);
}

TEST(EmulatedRuntime, StreamWaitEventOrdersTwoStreams) {
  DeviceArray<std::uint8_t> a(4);
  ASSERT_EQ(cudaSuccess, cudaMemset(a.get(), 0, 4));
  Stream producer(cudaStreamNonBlocking);
  Stream consumer(cudaStreamNonBlocking);
  Event ready(cudaEventDisableTiming);
  std::vector<std::uint8_t> seen(4, 0);
  std::vector<std::uint8_t> later(4, 0);

  ASSERT_EQ(cudaSuccess, cudaMemsetAsync(a.get(), 6, 4, producer.get()));
  ASSERT_EQ(cudaSuccess, cudaEventRecord(ready.get(), producer.get()));
  ASSERT_EQ(cudaSuccess,
            cudaMemcpyAsync(later.data(), a.get(), 4, cudaMemcpyDeviceToHost, producer.get()));
  ASSERT_EQ(cudaSuccess, cudaStreamWaitEvent(consumer.get(), ready.get(), 0));
  ASSERT_EQ(cudaSuccess,
            cudaMemcpyAsync(seen.data(), a.get(), 4, cudaMemcpyDeviceToHost, consumer.get()));

  // Synchronizing the consumer runs the producer up to the event, and no further.
  ASSERT_EQ(cudaSuccess, cudaStreamSynchronize(consumer.get()));
  EXPECT_EQ(std::vector<std::uint8_t>(4, 6), seen);
  EXPECT_EQ(std::vector<std::uint8_t>(4, 0), later);
  EXPECT_EQ(cudaSuccess, cudaEventQuery(ready.get()));  // the event itself is complete
  ASSERT_EQ(cudaSuccess, cudaStreamSynchronize(producer.get()));
  EXPECT_EQ(std::vector<std::uint8_t>(4, 6), later);

  // Waiting for an event never recorded waits for nothing.
  Event never;
  EXPECT_EQ(cudaSuccess, cudaStreamWaitEvent(consumer.get(), never.get(), 0));
  EXPECT_EQ(cudaSuccess, cudaEventSynchronize(never.get()));
}

TEST(EmulatedRuntime, ElapsedTimeMeasuresTheWorkBetweenEvents) {
  Stream s;
  Event start;
  Event stop;
  Event untimed(cudaEventDisableTiming);
  float ms = -1.0f;
  ASSERT_EQ(cudaSuccess, cudaEventRecord(start.get(), s.get()));
  cunmf_emu::enqueue(s.get(), [] { std::this_thread::sleep_for(std::chrono::milliseconds(5)); });
  ASSERT_EQ(cudaSuccess, cudaEventRecord(stop.get(), s.get()));
  EXPECT_EQ(cudaErrorNotReady, cudaEventElapsedTime(&ms, start.get(), stop.get()));
  ASSERT_EQ(cudaSuccess, cudaEventSynchronize(stop.get()));
  ASSERT_EQ(cudaSuccess, cudaEventElapsedTime(&ms, start.get(), stop.get()));
  EXPECT_GE(ms, 4.0f);
  ASSERT_EQ(cudaSuccess, cudaEventRecord(untimed.get(), s.get()));
  ASSERT_EQ(cudaSuccess, cudaStreamSynchronize(s.get()));
  EXPECT_EQ(cudaErrorInvalidResourceHandle, cudaEventElapsedTime(&ms, start.get(), untimed.get()));
  Event unrecorded;
  EXPECT_EQ(cudaErrorInvalidResourceHandle,
            cudaEventElapsedTime(&ms, start.get(), unrecorded.get()));
  cudaGetLastError();
}

TEST(EmulatedRuntime, QueriesRunPendingWorkAndReportNotReadyOnce) {
  DeviceArray<std::uint8_t> a(4);
  Stream s;
  Event e;
  std::vector<std::uint8_t> host(4, 0);
  ASSERT_EQ(cudaSuccess, cudaMemsetAsync(a.get(), 8, 4, s.get()));
  ASSERT_EQ(cudaSuccess, cudaMemcpyAsync(host.data(), a.get(), 4, cudaMemcpyDeviceToHost, s.get()));
  ASSERT_EQ(cudaSuccess, cudaEventRecord(e.get(), s.get()));
  EXPECT_EQ(cudaErrorNotReady, cudaEventQuery(e.get()));
  EXPECT_EQ(cudaSuccess, cudaEventQuery(e.get()));
  EXPECT_EQ(std::vector<std::uint8_t>(4, 8), host);
  EXPECT_EQ(cudaSuccess, cudaStreamQuery(s.get()));
  ASSERT_EQ(cudaSuccess, cudaMemsetAsync(a.get(), 9, 4, s.get()));
  EXPECT_EQ(cudaErrorNotReady, cudaStreamQuery(s.get()));
  EXPECT_EQ(cudaSuccess, cudaStreamQuery(s.get()));
}

TEST(EmulatedRuntime, DestroyedStreamStillRunsItsQueuedWork) {
  DeviceArray<std::uint8_t> a(4);
  ASSERT_EQ(cudaSuccess, cudaMemset(a.get(), 4, 4));
  std::vector<std::uint8_t> host(4, 0);
  cudaStream_t s = nullptr;
  ASSERT_EQ(cudaSuccess, cudaStreamCreate(&s));
  ASSERT_EQ(cudaSuccess, cudaMemcpyAsync(host.data(), a.get(), 4, cudaMemcpyDeviceToHost, s));
  ASSERT_EQ(cudaSuccess, cudaStreamDestroy(s));
  EXPECT_EQ(std::vector<std::uint8_t>(4, 0), host);
  EXPECT_EQ(cudaErrorInvalidResourceHandle, cudaStreamSynchronize(s));
  EXPECT_EQ(cudaErrorInvalidResourceHandle, cudaStreamDestroy(s));
  EXPECT_EQ(cudaErrorInvalidResourceHandle, cudaStreamDestroy(nullptr));
  ASSERT_EQ(cudaSuccess, cudaDeviceSynchronize());
  EXPECT_EQ(std::vector<std::uint8_t>(4, 4), host);
  cudaGetLastError();
}

TEST(EmulatedRuntime, InvalidFlagsAreRejected) {
  cudaStream_t s = nullptr;
  EXPECT_EQ(cudaErrorInvalidValue, cudaStreamCreateWithFlags(&s, 0x8));
  cudaEvent_t e = nullptr;
  EXPECT_EQ(cudaErrorInvalidValue, cudaEventCreateWithFlags(&e, 0x40));
  EXPECT_EQ(cudaErrorInvalidValue, cudaEventCreateWithFlags(&e, cudaEventInterprocess));
  cudaGetLastError();
}

// ---- Function attributes -------------------------------------------------------------------

void some_kernel() {}
void other_kernel() {}

TEST(EmulatedRuntime, DynamicSharedMemoryLimitIsPerKernel) {
  const void* k = reinterpret_cast<const void*>(&some_kernel);
  const void* other = reinterpret_cast<const void*>(&other_kernel);
  EXPECT_EQ(48u * 1024, cunmf_emu::max_dynamic_shared_bytes(other));  // never set: the default
  ASSERT_EQ(cudaSuccess,
            cudaFuncSetAttribute(k, cudaFuncAttributeMaxDynamicSharedMemorySize, 100 * 1024));
  EXPECT_EQ(100u * 1024, cunmf_emu::max_dynamic_shared_bytes(k));
  EXPECT_EQ(48u * 1024, cunmf_emu::max_dynamic_shared_bytes(other));
  ASSERT_EQ(cudaSuccess,
            cudaFuncSetAttribute(k, cudaFuncAttributeMaxDynamicSharedMemorySize, 227 * 1024));
  EXPECT_EQ(cudaErrorInvalidValue,
            cudaFuncSetAttribute(k, cudaFuncAttributeMaxDynamicSharedMemorySize, 227 * 1024 + 1));
  EXPECT_EQ(227u * 1024, cunmf_emu::max_dynamic_shared_bytes(k));
  EXPECT_EQ(cudaErrorInvalidDeviceFunction,
            cudaFuncSetAttribute(nullptr, cudaFuncAttributeMaxDynamicSharedMemorySize, 0));
  cudaGetLastError();
  // cudaDeviceReset forgets the attributes.
  ASSERT_EQ(cudaSuccess, cudaDeviceReset());
  EXPECT_EQ(48u * 1024, cunmf_emu::max_dynamic_shared_bytes(k));
}

// ---- Faults --------------------------------------------------------------------------------

TEST(EmulatedRuntime, FaultInDeviceWorkIsStickyUntilReset) {
  void* p = nullptr;  // freed by cudaDeviceReset below
  ASSERT_EQ(cudaSuccess, cudaMalloc(&p, 16));
  cudaStream_t s = nullptr;  // destroyed by cudaDeviceReset
  ASSERT_EQ(cudaSuccess, cudaStreamCreate(&s));
  std::vector<std::uint8_t> host(16, 0);
  cunmf_emu::enqueue(s,
                     [] { throw cunmf_emu::KernelFault("thread (3,0,0) of block (1,0,0): boom"); });
  ASSERT_EQ(cudaSuccess, cudaMemcpyAsync(host.data(), p, 16, cudaMemcpyDeviceToHost, s));

  testing::internal::CaptureStderr();
  EXPECT_EQ(cudaErrorLaunchFailure, cudaStreamSynchronize(s));
  const std::string report = testing::internal::GetCapturedStderr();
  EXPECT_TRUE(contains(report, "device fault: thread (3,0,0) of block (1,0,0): boom"));
  EXPECT_EQ("thread (3,0,0) of block (1,0,0): boom", cunmf_emu::last_fault_message());
  EXPECT_EQ(std::vector<std::uint8_t>(16, 0), host);  // work after the fault never ran

  // Sticky: every later call fails, and cudaGetLastError does not clear it.
  EXPECT_EQ(cudaErrorLaunchFailure, cudaGetLastError());
  EXPECT_EQ(cudaErrorLaunchFailure, cudaGetLastError());
  EXPECT_EQ(cudaErrorLaunchFailure, cudaDeviceSynchronize());
  void* q = nullptr;
  EXPECT_EQ(cudaErrorLaunchFailure, cudaMalloc(&q, 16));
  EXPECT_EQ(cudaErrorLaunchFailure, cudaMemcpy(host.data(), p, 16, cudaMemcpyDeviceToHost));

  ASSERT_EQ(cudaSuccess, cudaDeviceReset());
  EXPECT_EQ(cudaSuccess, cudaGetLastError());
  EXPECT_EQ("", cunmf_emu::last_fault_message());
  EXPECT_FALSE(cunmf_emu::is_device_pointer(p));
  EXPECT_EQ(0u, cunmf_emu::current_device_bytes());
  DeviceArray<std::uint8_t> fresh(16);
  EXPECT_EQ(std::vector<std::uint8_t>(16, 0xFF), fresh.download());
}

// ---- Faults that end a process ---------------------------------------------------------------

struct ChildResult {
  int exit_status = -1;
  std::string output;  // stdout and stderr together
};

ChildResult run_fault_case(const std::string& scenario, const std::string& environment = "") {
  const std::string command =
      environment + " '" + std::string(EMU_FAULT_RUNTIME) + "' " + scenario + " 2>&1";
  ChildResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) result.output.append(buffer, n);
  const int status = pclose(pipe);
  result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

TEST(EmulatedRuntimeFaults, HostReadOfDeviceMemoryIsReportedByAsan) {
#if !defined(CUNMF_EMU_TEST_ASAN)
  GTEST_SKIP() << "needs a build with -DCUNMF_SANITIZE=address";
#else
  for (const char* scenario : {"host_reads_device_memory", "host_writes_device_memory_after_sync",
                               "host_reads_freed_device_memory"}) {
    const ChildResult r = run_fault_case(scenario);
    EXPECT_NE(0, r.exit_status) << scenario << "\n" << r.output;
    EXPECT_TRUE(contains(r.output, "AddressSanitizer: use-after-poison")) << scenario;
    EXPECT_TRUE(contains(r.output, "fault_cases_runtime.cpp")) << scenario;  // names the line
  }
#endif
}

TEST(EmulatedRuntimeFaults, WrongCopyDirectionIsReported) {
  ChildResult r = run_fault_case("copy_wrong_direction");
  EXPECT_EQ(1, r.exit_status) << r.output;
  EXPECT_TRUE(contains(r.output, "cudaMemcpy: wrong copy direction: cudaMemcpyHostToDevice"));
  EXPECT_TRUE(contains(r.output, "failed: cudaErrorInvalidValue"));
  r = run_fault_case("copy_async_wrong_direction");
  EXPECT_EQ(1, r.exit_status) << r.output;
  EXPECT_TRUE(contains(r.output, "cudaMemcpyAsync: wrong copy direction"));
}

TEST(EmulatedRuntimeFaults, OutOfBoundsAndFreedCopiesAreReported) {
  ChildResult r = run_fault_case("copy_out_of_bounds");
  EXPECT_EQ(1, r.exit_status) << r.output;
  EXPECT_TRUE(contains(r.output, "16 bytes past the end of its device allocation"));
  r = run_fault_case("copy_after_free");
  EXPECT_EQ(1, r.exit_status) << r.output;
  EXPECT_TRUE(contains(r.output, "use after free"));
}

TEST(EmulatedRuntimeFaults, DoubleFreeIsReported) {
  ChildResult r = run_fault_case("double_free");
  EXPECT_EQ(1, r.exit_status) << r.output;
  EXPECT_TRUE(contains(r.output, "cudaFree: double free"));
  EXPECT_TRUE(contains(r.output, "second cudaFree failed: cudaErrorInvalidValue"));
  r = run_fault_case("free_interior_pointer");
  EXPECT_EQ(1, r.exit_status) << r.output;
  EXPECT_TRUE(contains(r.output, "is not the base of a live device allocation"));
}

TEST(EmulatedRuntimeFaults, LeakAtExitIsReportedAndFailsTheProcess) {
  ChildResult r = run_fault_case("leak_at_exit");
  EXPECT_EQ(1, r.exit_status) << r.output;
  EXPECT_TRUE(contains(r.output, "device memory leak: 2 allocation(s), 1024 bytes"));
  EXPECT_TRUE(contains(r.output, "1000 bytes at"));
  EXPECT_TRUE(contains(r.output, "24 bytes at"));
  r = run_fault_case("reset_frees_leaks");
  EXPECT_EQ(0, r.exit_status) << r.output;
  EXPECT_EQ(std::string::npos, r.output.find("leak")) << r.output;
}

TEST(EmulatedRuntimeFaults, CapacityLimitsAllocations) {
  const ChildResult r = run_fault_case("small_capacity", "CUNMF_EMU_DEVICE_MEMORY=4096");
  EXPECT_EQ(0, r.exit_status) << r.output;
  EXPECT_TRUE(contains(r.output, "cudaErrorMemoryAllocation; free 1096 of 4096"));
}

}  // namespace
