// The cuSOLVER subset of the emulated device: dense handles (stream) and the Cholesky
// factorization and solve, potrf (with its workspace query) and potrs, in single and double
// precision. The functions have the exact C signatures of <cusolverDn.h> and replace libcusolver
// at link time. The math is plain loops in the type's own precision, run on the handle's stream
// when the host synchronizes with it; devInfo is written by that queued work, as on a GPU.
//
// What each emulated call supports, after the cuSOLVER documentation of CUDA 13.0. Anything outside
// it is rejected with the status the real library gives. "(emulator)" marks rejections the real
// library does not make, where it would read or write memory the emulated device cannot vouch for.
//
// clang-format off
//  call                       supported                             rejected (status)
//  -------------------------  ------------------------------------  ------------------------------
//  every call below           a handle from cusolverDnCreate        null or destroyed handle
//                                                                   (NOT_INITIALIZED)
//  cusolverDnCreate           -                                     handle NULL (INVALID_VALUE);
//                                                                   device in an error state
//                                                                   (NOT_INITIALIZED)
//  cusolverDnDestroy          waits for the device first            -
//  cusolverDnSetStream/Get    any stream; 0 is the legacy default   Get(NULL) (INVALID_VALUE)
//  cusolverDn{S,D}potrf_      Lwork = n (at least 1) elements       uplo not LOWER/UPPER, n < 0,
//  bufferSize                                                       lda < max(1, n), Lwork NULL
//                                                                   (INVALID_VALUE)
//  cusolverDn{S,D}potrf       A = L Lᵀ (LOWER: L in the lower       as bufferSize; Workspace not
//                             triangle) or Uᵀ U (UPPER: U in the    device memory of Lwork
//                             upper); the other triangle is not     elements or Lwork below the
//                             read or written; *devInfo = 0, or i   query's answer, devInfo not
//                             when the leading minor of order i is  device memory (INVALID_VALUE,
//                             not positive definite (the           emulator)
//                             factorization stops there)
//  cusolverDn{S,D}potrs       A X = B with A's factor from potrf    uplo not LOWER/UPPER, n < 0,
//                             (same uplo), B n × nrhs overwritten   nrhs < 0, lda < max(1, n),
//                             by X; *devInfo = 0                    ldb < max(1, n)
//                                                                   (INVALID_VALUE); A, B or
//                                                                   devInfo not device memory
//                                                                   (INVALID_VALUE, emulator)
// clang-format on
//
// After a device fault, or on a destroyed stream, calls return EXECUTION_FAILED. The factorization
// is the column-by-column (left-looking) Cholesky: each sum adds its terms in increasing index
// order, in T; a pivot that is not > 0 (NaN included) stops it with devInfo = its 1-based index.
#include <cusolverDn.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "cunmf_emu/runtime_hooks.hpp"
#include "cusolver_internal.hpp"
#include "device_memory.hpp"
#include "runtime_internal.hpp"

namespace cunmf_emu::detail {

HandleRegistry<SolverHandle> g_solvers;

bool find_solver(cusolverDnHandle_t h, cudaStream_t* stream) {
  SolverHandle settings;
  if (!g_solvers.find(h, &settings)) return false;
  *stream = settings.stream;
  return true;
}

cusolverStatus_t check_launch(cudaStream_t stream, const char* api) {
  if (sticky_error() != cudaSuccess) return CUSOLVER_STATUS_EXECUTION_FAILED;
  if (!is_valid_stream(stream)) {
    std::fprintf(stderr, "cunmf_emu: %s: the handle's stream %p is not a live stream\n", api,
                 static_cast<void*>(stream));
    return CUSOLVER_STATUS_EXECUTION_FAILED;
  }
  return CUSOLVER_STATUS_SUCCESS;
}

namespace {

bool is_fill(cublasFillMode_t uplo) {
  return uplo == CUBLAS_FILL_MODE_LOWER || uplo == CUBLAS_FILL_MODE_UPPER;
}

/// The workspace potrf asks for, in elements.
int potrf_workspace(int n) { return std::max(1, n); }

/// Element (i, j) of the factor's triangle: L(i, j) (i ≥ j) stored in the lower triangle, or its
/// transpose U(j, i) stored in the upper one. Both walk the same numbers in the same order.
template <class T>
T& factor(T* A, int lda, bool lower, int i, int j) {
  return lower ? A[i + static_cast<std::size_t>(j) * lda]
               : A[j + static_cast<std::size_t>(i) * lda];
}

/// Left-looking Cholesky of the n × n A in its `lower` (else upper) triangle; returns devInfo.
template <class T>
int potrf_work(T* A, int n, int lda, bool lower) {
  for (int j = 0; j < n; ++j) {
    T pivot = factor(A, lda, lower, j, j);
    for (int r = 0; r < j; ++r) pivot -= factor(A, lda, lower, j, r) * factor(A, lda, lower, j, r);
    if (!(pivot > T(0))) return j + 1;
    const T diagonal = std::sqrt(pivot);
    factor(A, lda, lower, j, j) = diagonal;
    for (int i = j + 1; i < n; ++i) {
      T sum = factor(A, lda, lower, i, j);
      for (int r = 0; r < j; ++r) sum -= factor(A, lda, lower, i, r) * factor(A, lda, lower, j, r);
      factor(A, lda, lower, i, j) = sum / diagonal;
    }
  }
  return 0;
}

/// B ← (L Lᵀ)⁻¹ B, column by column: L z = b forward, then Lᵀ x = z backward.
template <class T>
void potrs_work(const T* A, int n, int nrhs, int lda, T* B, int ldb, bool lower) {
  for (int c = 0; c < nrhs; ++c) {
    T* b = B + static_cast<std::size_t>(c) * ldb;
    for (int i = 0; i < n; ++i) {
      T sum = b[i];
      for (int r = 0; r < i; ++r) sum -= factor(A, lda, lower, i, r) * b[r];
      b[i] = sum / factor(A, lda, lower, i, i);
    }
    for (int i = n - 1; i >= 0; --i) {
      T sum = b[i];
      for (int r = i + 1; r < n; ++r) sum -= factor(A, lda, lower, r, i) * b[r];
      b[i] = sum / factor(A, lda, lower, i, i);
    }
  }
}

template <class T>
cusolverStatus_t potrf_buffer_size(cusolverDnHandle_t handle, cublasFillMode_t uplo, int n, int lda,
                                   int* Lwork) {
  cudaStream_t stream;
  if (!find_solver(handle, &stream)) return CUSOLVER_STATUS_NOT_INITIALIZED;
  if (!is_fill(uplo) || n < 0 || lda < std::max(1, n) || Lwork == nullptr) {
    return CUSOLVER_STATUS_INVALID_VALUE;
  }
  *Lwork = potrf_workspace(n);
  return CUSOLVER_STATUS_SUCCESS;
}

template <class T>
cusolverStatus_t potrf(const char* api, cusolverDnHandle_t handle, cublasFillMode_t uplo, int n,
                       T* A, int lda, T* workspace, int Lwork, int* devInfo) {
  cudaStream_t stream;
  if (!find_solver(handle, &stream)) return CUSOLVER_STATUS_NOT_INITIALIZED;
  if (!is_fill(uplo) || n < 0 || lda < std::max(1, n)) return CUSOLVER_STATUS_INVALID_VALUE;
  if (const cusolverStatus_t s = check_launch(stream, api)) return s;
  if (Lwork < potrf_workspace(n)) {
    std::fprintf(stderr,
                 "cunmf_emu: %s: Lwork = %d is below the %d elements potrf_bufferSize asks\n", api,
                 Lwork, potrf_workspace(n));
    return CUSOLVER_STATUS_INVALID_VALUE;
  }
  const bool ok = check_matrix<T>(A, n, n, lda, api, "A") &&
                  check_device_range(workspace, sizeof(T) * Lwork, api, "Workspace") &&
                  check_device_range(devInfo, sizeof(int), api, "devInfo");
  if (!ok) return CUSOLVER_STATUS_INVALID_VALUE;
  const bool lower = uplo == CUBLAS_FILL_MODE_LOWER;
  enqueue(stream, [=] { *devInfo = potrf_work(A, n, lda, lower); });
  return CUSOLVER_STATUS_SUCCESS;
}

template <class T>
cusolverStatus_t potrs(const char* api, cusolverDnHandle_t handle, cublasFillMode_t uplo, int n,
                       int nrhs, const T* A, int lda, T* B, int ldb, int* devInfo) {
  cudaStream_t stream;
  if (!find_solver(handle, &stream)) return CUSOLVER_STATUS_NOT_INITIALIZED;
  if (!is_fill(uplo) || n < 0 || nrhs < 0 || lda < std::max(1, n) || ldb < std::max(1, n)) {
    return CUSOLVER_STATUS_INVALID_VALUE;
  }
  if (const cusolverStatus_t s = check_launch(stream, api)) return s;
  const bool ok = check_matrix(A, n, n, lda, api, "A") &&
                  check_matrix<T>(B, n, nrhs, ldb, api, "B") &&
                  check_device_range(devInfo, sizeof(int), api, "devInfo");
  if (!ok) return CUSOLVER_STATUS_INVALID_VALUE;
  const bool lower = uplo == CUBLAS_FILL_MODE_LOWER;
  enqueue(stream, [=] {
    potrs_work(A, n, nrhs, lda, B, ldb, lower);
    *devInfo = 0;
  });
  return CUSOLVER_STATUS_SUCCESS;
}

}  // namespace

std::size_t live_cusolver_handles() { return g_solvers.size(); }

}  // namespace cunmf_emu::detail

// ---- The cuSOLVER API --------------------------------------------------------------------------
// Inside extern "C" so that a signature differing from <cusolverDn.h> is a compile error.

namespace d = cunmf_emu::detail;

extern "C" {

cusolverStatus_t cusolverDnCreate(cusolverDnHandle_t* handle) {
  if (handle == nullptr) return CUSOLVER_STATUS_INVALID_VALUE;
  if (d::sticky_error() != cudaSuccess) return CUSOLVER_STATUS_NOT_INITIALIZED;
  if (d::take_handle_creation_failure(cunmf_emu::Library::Cusolver)) {
    return CUSOLVER_STATUS_ALLOC_FAILED;
  }
  *handle = reinterpret_cast<cusolverDnHandle_t>(d::g_solvers.create());
  return CUSOLVER_STATUS_SUCCESS;
}

cusolverStatus_t cusolverDnDestroy(cusolverDnHandle_t handle) {
  return d::g_solvers.destroy(handle) ? CUSOLVER_STATUS_SUCCESS : CUSOLVER_STATUS_NOT_INITIALIZED;
}

cusolverStatus_t cusolverDnSetStream(cusolverDnHandle_t handle, cudaStream_t streamId) {
  const bool live = d::g_solvers.update(handle, [&](d::SolverHandle& h) { h.stream = streamId; });
  return live ? CUSOLVER_STATUS_SUCCESS : CUSOLVER_STATUS_NOT_INITIALIZED;
}

cusolverStatus_t cusolverDnGetStream(cusolverDnHandle_t handle, cudaStream_t* streamId) {
  cudaStream_t stream;
  if (!d::find_solver(handle, &stream)) return CUSOLVER_STATUS_NOT_INITIALIZED;
  if (streamId == nullptr) return CUSOLVER_STATUS_INVALID_VALUE;
  *streamId = stream;
  return CUSOLVER_STATUS_SUCCESS;
}

cusolverStatus_t cusolverDnSpotrf_bufferSize(cusolverDnHandle_t handle, cublasFillMode_t uplo,
                                             int n, float* /*A*/, int lda, int* Lwork) {
  return d::potrf_buffer_size<float>(handle, uplo, n, lda, Lwork);
}

cusolverStatus_t cusolverDnDpotrf_bufferSize(cusolverDnHandle_t handle, cublasFillMode_t uplo,
                                             int n, double* /*A*/, int lda, int* Lwork) {
  return d::potrf_buffer_size<double>(handle, uplo, n, lda, Lwork);
}

cusolverStatus_t cusolverDnSpotrf(cusolverDnHandle_t handle, cublasFillMode_t uplo, int n, float* A,
                                  int lda, float* Workspace, int Lwork, int* devInfo) {
  return d::potrf("cusolverDnSpotrf", handle, uplo, n, A, lda, Workspace, Lwork, devInfo);
}

cusolverStatus_t cusolverDnDpotrf(cusolverDnHandle_t handle, cublasFillMode_t uplo, int n,
                                  double* A, int lda, double* Workspace, int Lwork, int* devInfo) {
  return d::potrf("cusolverDnDpotrf", handle, uplo, n, A, lda, Workspace, Lwork, devInfo);
}

cusolverStatus_t cusolverDnSpotrs(cusolverDnHandle_t handle, cublasFillMode_t uplo, int n, int nrhs,
                                  const float* A, int lda, float* B, int ldb, int* devInfo) {
  return d::potrs("cusolverDnSpotrs", handle, uplo, n, nrhs, A, lda, B, ldb, devInfo);
}

cusolverStatus_t cusolverDnDpotrs(cusolverDnHandle_t handle, cublasFillMode_t uplo, int n, int nrhs,
                                  const double* A, int lda, double* B, int ldb, int* devInfo) {
  return d::potrs("cusolverDnDpotrs", handle, uplo, n, nrhs, A, lda, B, ldb, devInfo);
}

}  // extern "C"
