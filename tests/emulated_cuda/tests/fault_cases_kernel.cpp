// Faulty kernels, one per scenario (argv[1]), run as child processes by test_kernel_execution.cpp
// so that a sanitizer report that ends the process can be checked. Each faulting line carries a
// `fault-site:` marker, which the test looks up to check the report names that line. The program
// prints the synchronization status and exits 0 when the device reported no error, 2 when it did.
#include <cuda_runtime_api.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cunmf_emu/runtime_hooks.hpp"
#include "cunmf_emu/wmma.hpp"
#include "kernels/shared_memory.cuh"

namespace fault_cases {

using cunmf::detail::shared_array;

struct Tag {};

/// Correct: a block sum through shared memory, barriers and warp shuffles (no report expected).
__global__ void clean_reduction(const float* x, float* sums) {
  float* s = shared_array<float, 128, Tag>();
  const unsigned tid = threadIdx.x;
  s[tid] = x[blockIdx.x * blockDim.x + tid];
  __syncthreads();
  for (unsigned stride = 64; stride >= 32; stride /= 2) {
    if (tid < stride) s[tid] += s[tid + stride];
    __syncthreads();
  }
  if (tid < 32) {
    float v = s[tid];
    for (int offset = 16; offset > 0; offset /= 2) v += __shfl_down_sync(0xffffffffu, v, offset);
    if (tid == 0) sums[blockIdx.x] = v;
  }
}

__global__ void shared_out_of_bounds(float* out) {
  float* s = shared_array<float, 64, Tag>();
  s[threadIdx.x + 1] = 1.0f;  // fault-site: shared_out_of_bounds
  __syncthreads();
  out[threadIdx.x] = s[threadIdx.x];
}

__global__ void global_out_of_bounds(float* out, int n) {
  const int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
  out[i + 1] = static_cast<float>(n);  // fault-site: global_out_of_bounds
}

/// Recurses until the fiber's stack runs out (the depth bound is never reached).
__device__ int recurse_after_barrier(int depth) {
  volatile char frame[1024];
  frame[depth % 1024] = static_cast<char>(depth);
  if (depth > 1000000000) return frame[0];
  return recurse_after_barrier(depth + 1) + frame[depth % 512];
}

__global__ void stack_overflow_after_barrier(int* out) {
  __syncthreads();
  if (threadIdx.x == 5) out[0] = recurse_after_barrier(0);
}

/// A non-atomic read-modify-write of one shared word by every thread between barriers.
__global__ void shared_race(float* out) {
  float* s = shared_array<float, 1, Tag>();
  if (threadIdx.x == 0) s[0] = 0.0f;
  __syncthreads();
  s[0] += 1.0f;  // fault-site: shared_race
  __syncthreads();
  if (threadIdx.x == 0) out[0] = s[0];
}

/// A neighbour's shared slot read without the barrier after the writes.
__global__ void missing_barrier(const float* in, float* out) {
  float* s = shared_array<float, 64, Tag>();
  const unsigned tid = threadIdx.x;
  s[tid] = in[tid];              // fault-site: missing_barrier_write
  out[tid] = s[(tid + 1) % 64];  // fault-site: missing_barrier_read
}

/// Warp 1 loads a tensor-core fragment from a shared tile that warp 0 writes, without the barrier
/// between: the load is a warp operation, which orders only the lanes of its own warp.
__global__ void wmma_missing_barrier(float* out) {
  float* s = shared_array<float, 128, Tag>();
  if (threadIdx.x < 32) {
    for (unsigned e = threadIdx.x; e < 128; e += 32) s[e] = 1.0f;  // fault-site: wmma_write
    return;
  }
  nvcuda::wmma::fragment<nvcuda::wmma::matrix_a, 16, 16, 8, nvcuda::wmma::precision::tf32,
                         nvcuda::wmma::row_major>
      a;
  nvcuda::wmma::load_matrix_sync(a, s, 8);  // fault-site: wmma_read
  out[threadIdx.x - 32] = a.x[0];
}

std::vector<void*> g_allocations;  // freed after a clean run, so no leak is reported at exit

template <class T>
T* device_array(std::size_t n, T value) {
  T* p = nullptr;
  cudaMalloc(reinterpret_cast<void**>(&p), n * sizeof(T));
  g_allocations.push_back(p);
  const std::vector<T> host(n, value);
  cudaMemcpy(p, host.data(), n * sizeof(T), cudaMemcpyHostToDevice);
  return p;
}

cudaError_t launch(const std::string& scenario) {
  using cunmf_emu::launch_kernel;
  if (scenario == "clean_reduction") {
    float* x = device_array<float>(4 * 128, 1.0f);
    float* sums = device_array<float>(4, 0.0f);
    return launch_kernel(clean_reduction, dim3(4), dim3(128), 0, nullptr, x, sums);
  }
  if (scenario == "shared_out_of_bounds") {
    return launch_kernel(shared_out_of_bounds, dim3(2), dim3(64), 0, nullptr,
                         device_array<float>(64, 0.0f));
  }
  if (scenario == "global_out_of_bounds") {
    return launch_kernel(global_out_of_bounds, dim3(2), dim3(32), 0, nullptr,
                         device_array<float>(64, 0.0f), 64);
  }
  if (scenario == "stack_overflow_after_barrier") {
    return launch_kernel(stack_overflow_after_barrier, dim3(1), dim3(32), 0, nullptr,
                         device_array<int>(1, 0));
  }
  if (scenario == "shared_race") {
    return launch_kernel(shared_race, dim3(1), dim3(32), 0, nullptr, device_array<float>(1, 0.0f));
  }
  if (scenario == "missing_barrier") {
    return launch_kernel(missing_barrier, dim3(1), dim3(64), 0, nullptr,
                         device_array<float>(64, 1.0f), device_array<float>(64, 0.0f));
  }
  if (scenario == "wmma_missing_barrier") {
    return launch_kernel(wmma_missing_barrier, dim3(1), dim3(64), 0, nullptr,
                         device_array<float>(32, 0.0f));
  }
  std::fprintf(stderr, "unknown scenario '%s'\n", scenario.c_str());
  return cudaErrorInvalidValue;
}

}  // namespace fault_cases

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s SCENARIO\n", argv[0]);
    return 64;
  }
  const cudaError_t launched = fault_cases::launch(argv[1]);
  const cudaError_t status = launched != cudaSuccess ? launched : cudaDeviceSynchronize();
  std::printf("status: %s\n", cudaGetErrorName(status));
  if (status != cudaSuccess) {
    std::printf("last fault: %s\n", cunmf_emu::last_fault_message().c_str());
  } else {
    for (void* p : fault_cases::g_allocations) cudaFree(p);
  }
  std::fflush(stdout);
  return status == cudaSuccess ? 0 : 2;
}
