// Faulty programs for the emulated CUDA runtime, one per scenario (argv[1]). test_runtime.cpp runs
// each as a child process and checks its exit status and what it printed: each fault must be
// reported (by the emulated device or by AddressSanitizer) and make the process fail.
#include <cuda_runtime_api.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <string>

namespace {

/// What a careful program does with a CUDA error: name it and fail.
void check(cudaError_t error, const char* what) {
  if (error != cudaSuccess) {
    std::fprintf(stderr, "fault_cases_runtime: %s failed: %s\n", what, cudaGetErrorName(error));
    std::exit(1);
  }
}

void* device_bytes(std::size_t bytes) {
  void* p = nullptr;
  check(cudaMalloc(&p, bytes), "cudaMalloc");
  return p;
}

// Host code dereferences a device pointer: AddressSanitizer reports use-after-poison at once.
int host_reads_device_memory() {
  auto* p = static_cast<float*>(device_bytes(16 * sizeof(float)));
  volatile float value = p[3];
  std::printf("read %f without a report (no AddressSanitizer)\n", static_cast<double>(value));
  check(cudaFree(p), "cudaFree");
  return 0;
}

// Host code writes through a device pointer after the device has run work on it.
int host_writes_device_memory_after_sync() {
  auto* p = static_cast<float*>(device_bytes(16 * sizeof(float)));
  check(cudaMemset(p, 0, 16 * sizeof(float)), "cudaMemset");
  check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
  p[0] = 1.0f;
  std::printf("wrote without a report (no AddressSanitizer)\n");
  check(cudaFree(p), "cudaFree");
  return 0;
}

// A freed device block stays poisoned (quarantined): a stale host read is reported.
int host_reads_freed_device_memory() {
  auto* p = static_cast<float*>(device_bytes(16 * sizeof(float)));
  check(cudaFree(p), "cudaFree");
  volatile float value = p[0];
  std::printf("read %f without a report (no AddressSanitizer)\n", static_cast<double>(value));
  return 0;
}

// cudaMemcpyHostToDevice with the pointers swapped.
int copy_wrong_direction() {
  float host[8] = {};
  void* device = device_bytes(sizeof(host));
  const cudaError_t e = cudaMemcpy(host, device, sizeof(host), cudaMemcpyHostToDevice);
  cudaFree(device);
  check(e, "cudaMemcpy(host, device, cudaMemcpyHostToDevice)");
  return 0;
}

// cudaMemcpyAsync with a device source declared as host memory.
int copy_async_wrong_direction() {
  void* a = device_bytes(64);
  void* b = device_bytes(64);
  const cudaError_t e = cudaMemcpyAsync(a, b, 64, cudaMemcpyHostToDevice, nullptr);
  cudaFree(a);
  cudaFree(b);
  check(e, "cudaMemcpyAsync(device, device, cudaMemcpyHostToDevice)");
  return 0;
}

int copy_out_of_bounds() {
  float host[8] = {};
  void* device = device_bytes(4 * sizeof(float));
  const cudaError_t e = cudaMemcpy(host, device, sizeof(host), cudaMemcpyDeviceToHost);
  cudaFree(device);
  check(e, "cudaMemcpy of 8 floats from 4");
  return 0;
}

int copy_after_free() {
  float host[4] = {};
  void* device = device_bytes(sizeof(host));
  check(cudaFree(device), "cudaFree");
  check(cudaMemcpy(host, device, sizeof(host), cudaMemcpyDeviceToHost), "cudaMemcpy after free");
  return 0;
}

int double_free() {
  void* p = device_bytes(256);
  check(cudaFree(p), "first cudaFree");
  check(cudaFree(p), "second cudaFree");
  return 0;
}

int free_interior_pointer() {
  char* p = static_cast<char*>(device_bytes(256));
  const cudaError_t e = cudaFree(p + 16);
  cudaFree(p);
  check(e, "cudaFree(p + 16)");
  return 0;
}

// Two allocations never freed: the exit report lists them and the exit status is non-zero.
int leak_at_exit() {
  device_bytes(1000);
  device_bytes(24);
  return 0;
}

// cudaDeviceReset frees what is left: no report, exit status 0.
int reset_frees_leaks() {
  device_bytes(1000);
  check(cudaDeviceReset(), "cudaDeviceReset");
  return 0;
}

// Run with CUNMF_EMU_DEVICE_MEMORY=4096: the capacity limits cudaMalloc and cudaMemGetInfo.
int small_capacity() {
  void* a = device_bytes(3000);
  void* b = nullptr;
  const cudaError_t e = cudaMalloc(&b, 2000);
  std::size_t free = 0;
  std::size_t total = 0;
  check(cudaMemGetInfo(&free, &total), "cudaMemGetInfo");
  std::printf("second cudaMalloc: %s; free %zu of %zu\n", cudaGetErrorName(e), free, total);
  check(cudaFree(a), "cudaFree");
  return e == cudaErrorMemoryAllocation && free == 1096 && total == 4096 ? 0 : 2;
}

}  // namespace

int main(int argc, char** argv) {
  const std::map<std::string, std::function<int()>> scenarios = {
      {"host_reads_device_memory", host_reads_device_memory},
      {"host_writes_device_memory_after_sync", host_writes_device_memory_after_sync},
      {"host_reads_freed_device_memory", host_reads_freed_device_memory},
      {"copy_wrong_direction", copy_wrong_direction},
      {"copy_async_wrong_direction", copy_async_wrong_direction},
      {"copy_out_of_bounds", copy_out_of_bounds},
      {"copy_after_free", copy_after_free},
      {"double_free", double_free},
      {"free_interior_pointer", free_interior_pointer},
      {"leak_at_exit", leak_at_exit},
      {"reset_frees_leaks", reset_frees_leaks},
      {"small_capacity", small_capacity},
  };
  const auto it = argc == 2 ? scenarios.find(argv[1]) : scenarios.end();
  if (it == scenarios.end()) {
    std::fprintf(stderr, "usage: %s SCENARIO; scenarios:", argv[0]);
    for (const auto& entry : scenarios) std::fprintf(stderr, " %s", entry.first.c_str());
    std::fprintf(stderr, "\n");
    return 64;
  }
  return it->second();
}
