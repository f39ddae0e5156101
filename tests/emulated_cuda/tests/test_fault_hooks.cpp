// Tests of the emulated device's test hooks for failures (runtime_hooks.hpp): an absent device, a
// library handle whose creation fails once, and the counts of live handles and streams.
#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <cusolverDn.h>
#include <cusparse.h>
#include <gtest/gtest.h>

#include "cunmf_emu/runtime_hooks.hpp"

namespace {

TEST(EmulatedFaultHooks, AbsentDeviceIsNoDeviceUntilRestored) {
  cunmf_emu::set_device_present(false);
  int count = -1;
  EXPECT_EQ(cudaErrorNoDevice, cudaGetDeviceCount(&count));
  EXPECT_EQ(count, 0);
  EXPECT_EQ(cudaErrorNoDevice, cudaSetDevice(0));
  EXPECT_EQ(cudaErrorNoDevice, cudaGetLastError());
  cunmf_emu::set_device_present(true);
  EXPECT_EQ(cudaSuccess, cudaGetDeviceCount(&count));
  EXPECT_EQ(count, 1);
  EXPECT_EQ(cudaSuccess, cudaSetDevice(0));
}

TEST(EmulatedFaultHooks, HandleCreationFailsOnceWithAllocFailed) {
  const std::size_t before = cunmf_emu::live_library_handles();
  cublasHandle_t blas = nullptr;
  cunmf_emu::fail_next_handle_creation(cunmf_emu::Library::Cublas);
  EXPECT_EQ(CUBLAS_STATUS_ALLOC_FAILED, cublasCreate(&blas));
  EXPECT_EQ(cunmf_emu::live_library_handles(), before);
  ASSERT_EQ(CUBLAS_STATUS_SUCCESS, cublasCreate(&blas));  // once only
  cusparseHandle_t sparse = nullptr;
  cunmf_emu::fail_next_handle_creation(cunmf_emu::Library::Cusparse);
  EXPECT_EQ(CUSPARSE_STATUS_ALLOC_FAILED, cusparseCreate(&sparse));
  ASSERT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseCreate(&sparse));
  cusolverDnHandle_t solver = nullptr;
  cunmf_emu::fail_next_handle_creation(cunmf_emu::Library::Cusolver);
  EXPECT_EQ(CUSOLVER_STATUS_ALLOC_FAILED, cusolverDnCreate(&solver));
  ASSERT_EQ(CUSOLVER_STATUS_SUCCESS, cusolverDnCreate(&solver));
  EXPECT_EQ(cunmf_emu::live_library_handles(), before + 3);
  EXPECT_EQ(CUBLAS_STATUS_SUCCESS, cublasDestroy(blas));
  EXPECT_EQ(CUSPARSE_STATUS_SUCCESS, cusparseDestroy(sparse));
  EXPECT_EQ(CUSOLVER_STATUS_SUCCESS, cusolverDnDestroy(solver));
  EXPECT_EQ(cunmf_emu::live_library_handles(), before);
}

TEST(EmulatedFaultHooks, LiveStreamsCountCreatedAndNotDestroyed) {
  const std::size_t before = cunmf_emu::live_streams();
  cudaStream_t a = nullptr, b = nullptr;
  ASSERT_EQ(cudaSuccess, cudaStreamCreate(&a));
  ASSERT_EQ(cudaSuccess, cudaStreamCreateWithFlags(&b, cudaStreamNonBlocking));
  EXPECT_EQ(cunmf_emu::live_streams(), before + 2);
  EXPECT_EQ(cudaSuccess, cudaStreamDestroy(a));
  EXPECT_EQ(cunmf_emu::live_streams(), before + 1);
  EXPECT_EQ(cudaSuccess, cudaStreamDestroy(b));
  EXPECT_EQ(cunmf_emu::live_streams(), before);
}

}  // namespace
