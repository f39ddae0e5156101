// Tests of the run order's seed (CUNMF_EMU_SEED, src/run_order.hpp): it shuffles the blocks of
// every grid whatever the thread order, reproducibly, so that atomics land in another order under
// another seed (a float sum then changes its bits: what scripts/test-emulated.sh's two seeded
// runs compare); a bad seed is a fault; a fault report names the order to replay it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "cunmf_emu/runtime_hooks.hpp"
#include "emu_test_support.hpp"

// Not an anonymous namespace: kernels need external linkage for fault messages to name them.
namespace emu_run_order_test {

using cunmf_emu::launch_kernel;
using emu_test::contains;
using emu_test::DeviceArray;
using emu_test::OrderScope;

/// The linear block indices of a 12 x 5 grid in the order the blocks ran.
std::vector<unsigned> block_order(const char* threads, const char* seed) {
  OrderScope scope(threads, seed);
  return emu_test::recorded_block_order();
}

TEST(RunOrder, ASeedShufflesTheBlocksWhateverTheThreadOrder) {
  const std::vector<unsigned> seeded = block_order("forward", "5");
  EXPECT_EQ(seeded, block_order("reverse", "5"));
  EXPECT_EQ(seeded, block_order("shuffle:99", "5"));
  EXPECT_EQ(seeded, block_order("forward", "5"));  // reproducible from the seed
  EXPECT_NE(seeded, block_order("forward", "6"));
  EXPECT_NE(seeded, block_order("forward", "0x5ab"));
  std::vector<unsigned> in_index_order(60);
  for (unsigned i = 0; i < 60; ++i) in_index_order[i] = i;
  EXPECT_NE(in_index_order, seeded);
  std::vector<unsigned> sorted = seeded;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(in_index_order, sorted);  // every block once
  // Without a seed the blocks follow the thread order, as before the seed existed.
  EXPECT_EQ(in_index_order, block_order("forward", nullptr));
}

/// Records the order in which the threads of one block pass the start of the kernel.
__global__ void record_thread_order(unsigned* log, unsigned* position) {
  log[atomicAdd(position, 1u)] = threadIdx.x;
}

std::vector<unsigned> thread_order(const char* threads, const char* seed) {
  OrderScope scope(threads, seed);
  DeviceArray<unsigned> log(64);
  DeviceArray<unsigned> position(std::vector<unsigned>{0});
  EXPECT_EQ(cudaSuccess, launch_kernel(record_thread_order, dim3(1), dim3(64), 0, nullptr,
                                       log.get(), position.get()));
  EXPECT_EQ(cudaSuccess, cudaDeviceSynchronize());
  return log.download();
}

TEST(RunOrder, TheSeedLeavesForwardAndReverseThreadsAloneAndSeedsAPlainShuffle) {
  const std::vector<unsigned> forward = thread_order("forward", "7");
  const std::vector<unsigned> reverse = thread_order("reverse", "7");
  for (unsigned i = 0; i < 64; ++i) {
    EXPECT_EQ(i, forward[i]);
    EXPECT_EQ(63 - i, reverse[i]);
  }
  const std::vector<unsigned> shuffled = thread_order("shuffle", "7");
  EXPECT_EQ(thread_order("shuffle:7", nullptr), shuffled);
  EXPECT_NE(thread_order("shuffle", "8"), shuffled);
  EXPECT_EQ(thread_order("shuffle:7", "8"), shuffled);  // a shuffle's own seed wins
}

/// One float atomicAdd per block into *sum: the reduction across blocks that the suite must catch,
/// because its rounding depends on the order in which the blocks run.
__global__ void add_block_values(const float* values, float* sum) {
  if (threadIdx.x == 0) atomicAdd(sum, values[blockIdx.x]);
}

std::uint32_t atomic_sum_bits(const char* threads, const char* seed) {
  const DeviceArray<float> values(
      std::vector<float>{1e8f, 1.0f, 3.0f, -1e8f, 0.3f, 7.7f, 1e-3f, 5.0f, -2.5f, 1e7f});
  OrderScope scope(threads, seed);
  DeviceArray<float> sum(std::vector<float>{0.0f});
  EXPECT_EQ(cudaSuccess, launch_kernel(add_block_values, dim3(10), dim3(32), 0, nullptr,
                                       values.get(), sum.get()));
  EXPECT_EQ(cudaSuccess, cudaDeviceSynchronize());
  const float result = sum.download()[0];
  std::uint32_t bits;
  std::memcpy(&bits, &result, sizeof bits);
  return bits;
}

TEST(RunOrder, AFloatAtomicSumChangesItsBitsWithTheSeed) {
  std::set<std::uint32_t> results;
  for (const char* seed : {"1", "2", "3", "4", "5", "6"}) {
    EXPECT_EQ(atomic_sum_bits("forward", seed), atomic_sum_bits("forward", seed)) << seed;
    results.insert(atomic_sum_bits("forward", seed));
  }
  EXPECT_GE(results.size(), 2u);
}

__global__ void trap_kernel() { __trap(); }

TEST(RunOrder, ABadSeedIsAFaultAndAFaultReportNamesTheOrderToReplay) {
  {
    OrderScope scope("forward", "12x");
    ASSERT_EQ(cudaSuccess, launch_kernel(trap_kernel, dim3(1), dim3(1), 0, nullptr));
    EXPECT_EQ(cudaErrorLaunchFailure, cudaDeviceSynchronize());
  }
  EXPECT_TRUE(contains(cunmf_emu::last_fault_message(), "CUNMF_EMU_SEED='12x'"));
  ASSERT_EQ(cudaSuccess, cudaDeviceReset());

  OrderScope scope("reverse", "77");
  ::testing::internal::CaptureStderr();
  ASSERT_EQ(cudaSuccess, launch_kernel(trap_kernel, dim3(1), dim3(1), 0, nullptr));
  EXPECT_EQ(cudaErrorLaunchFailure, cudaDeviceSynchronize());
  const std::string report = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(contains(report, "CUNMF_EMU_THREAD_ORDER=reverse CUNMF_EMU_SEED=77"));
  ASSERT_EQ(cudaSuccess, cudaDeviceReset());
}

}  // namespace emu_run_order_test
