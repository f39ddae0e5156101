// Helpers shared by the emulated device's own tests: a substring assertion for fault messages,
// environment scopes (the executor's orders), taking a deliberate fault, a device array owned
// by a test, and the order in which a grid's blocks ran.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdlib>
#include <string>
#include <vector>

#include "cunmf_emu/runtime_hooks.hpp"

namespace emu_test {

/// True when `text` contains `part`; otherwise the failure shows the whole text.
inline ::testing::AssertionResult contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << part << "\" not found in:\n" << text;
}

/// Sets an environment variable (unsets it, given nullptr) for a scope.
class EnvironmentScope {
 public:
  EnvironmentScope(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) {
      had_old_ = true;
      old_ = old;
    }
    if (value != nullptr) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~EnvironmentScope() {
    if (had_old_) {
      setenv(name_, old_.c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }
  EnvironmentScope(const EnvironmentScope&) = delete;
  EnvironmentScope& operator=(const EnvironmentScope&) = delete;

 private:
  const char* name_;
  bool had_old_ = false;
  std::string old_;
};

/// The executor's orders for a scope (read when a launch runs): CUNMF_EMU_THREAD_ORDER, and
/// CUNMF_EMU_SEED, unset unless given, so that the seed scripts/test-emulated.sh sets does not
/// shuffle the blocks of a test that expects the thread order's.
class OrderScope {
 public:
  explicit OrderScope(const char* threads, const char* seed = nullptr)
      : threads_("CUNMF_EMU_THREAD_ORDER", threads), seed_("CUNMF_EMU_SEED", seed) {}

 private:
  EnvironmentScope threads_;
  EnvironmentScope seed_;
};

/// After a test that faults the device on purpose: returns the fault message and clears the
/// sticky error (and every device allocation) so later tests start clean.
inline std::string take_fault() {
  const std::string message = cunmf_emu::last_fault_message();
  EXPECT_EQ(cudaSuccess, cudaDeviceReset());
  return message;
}

/// A device array owned by a test.
template <class T>
class DeviceArray {
 public:
  explicit DeviceArray(std::size_t n) : n_(n) {
    EXPECT_EQ(cudaSuccess, cudaMalloc(reinterpret_cast<void**>(&p_), n * sizeof(T)));
  }
  explicit DeviceArray(const std::vector<T>& host) : DeviceArray(host.size()) { upload(host); }
  ~DeviceArray() { cudaFree(p_); }
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;

  T* get() const { return p_; }
  std::size_t bytes() const { return n_ * sizeof(T); }
  std::vector<T> download() const {
    std::vector<T> host(n_);
    EXPECT_EQ(cudaSuccess, cudaMemcpy(host.data(), p_, n_ * sizeof(T), cudaMemcpyDeviceToHost));
    return host;
  }
  void upload(const std::vector<T>& host) {
    ASSERT_EQ(host.size(), n_);
    ASSERT_EQ(cudaSuccess, cudaMemcpy(p_, host.data(), n_ * sizeof(T), cudaMemcpyHostToDevice));
  }

 private:
  T* p_ = nullptr;
  std::size_t n_;
};

/// Thread 0 of every block writes the block's linear index at the next free place of `log`.
inline __global__ void record_block_order(unsigned* log, unsigned* position) {
  if (threadIdx.x == 0) log[atomicAdd(position, 1u)] = blockIdx.x + gridDim.x * blockIdx.y;
}

/// The linear block indices of a 12 x 5 grid of 32-thread blocks in the order the blocks ran,
/// under the orders in force (OrderScope).
inline std::vector<unsigned> recorded_block_order() {
  DeviceArray<unsigned> log(60);
  DeviceArray<unsigned> position(std::vector<unsigned>{0});
  EXPECT_EQ(cudaSuccess, cunmf_emu::launch_kernel(record_block_order, dim3(12, 5), dim3(32), 0,
                                                  nullptr, log.get(), position.get()));
  EXPECT_EQ(cudaSuccess, cudaDeviceSynchronize());
  return log.download();
}

}  // namespace emu_test
