// The QR part of the emulated cuSOLVER: the Householder QR factorization geqrf and orgqr, which
// forms the orthonormal Q from geqrf's reflectors, each with its workspace query, in single and
// double precision. The exact C signatures of <cusolverDn.h>; handles, the launch check and the
// operand check come from cusolver.cpp (cusolver_internal.hpp).
//
// What each emulated call supports, after the cuSOLVER documentation of CUDA 13.0 (which follows
// LAPACK's xGEQRF / xORGQR). "(emulator)" marks rejections the real library does not make.
//
// clang-format off
//  call                       supported                             rejected (status)
//  -------------------------  ------------------------------------  ------------------------------
//  cusolverDn{S,D}geqrf_      Lwork = max(1, n) elements            m < 0, n < 0, lda < max(1, m),
//  bufferSize                                                       lwork NULL (INVALID_VALUE)
//  cusolverDn{S,D}geqrf       A (m × n) = Q R: R in the upper       as bufferSize; Lwork below the
//                             triangle (min(m, n) × n), the         query's answer; A, TAU (min(m,
//                             reflectors v_j below the diagonal     n)), Workspace or devInfo not
//                             (v_j(j) = 1 implied), TAU[j] their    device memory (INVALID_VALUE,
//                             scalars: H_j = I − τ_j v_j v_jᵀ,      emulator)
//                             Q = H_1 ⋯ H_min(m,n); *devInfo = 0
//  cusolverDn{S,D}orgqr_      lwork = max(1, n) elements            m, n, k < 0, n > m, k > n,
//  bufferSize                                                       lda < max(1, m), lwork NULL
//                                                                   (INVALID_VALUE)
//  cusolverDn{S,D}orgqr       A (m × n) ← the first n columns of    as bufferSize; lwork below the
//                             H_1 ⋯ H_k (reflectors and tau as      query's answer; A, tau (k),
//                             geqrf left them); *info = 0           work or info not device memory
//                                                                   (INVALID_VALUE, emulator)
// clang-format on
//
// Math: LAPACK's unblocked algorithms (xGEQR2, xORG2R) in plain loops, in the type's own
// precision, every sum in increasing row order. A reflector is chosen as xLARFG does: for the
// column's head α and the norm ξ of the entries below it, β = −sign(α)·√(α² + ξ²), τ = (β − α)/β,
// v = (below) / (α − β), R(j, j) = β; when ξ = 0, τ = 0 (H_j = I) and R(j, j) = α. Unlike xNRM2 the
// norms are not scaled against overflow (the project's operands are orthonormalized sketches).
#include <cusolverDn.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "cunmf_emu/runtime_hooks.hpp"
#include "cusolver_internal.hpp"

namespace cunmf_emu::detail {
namespace {

int qr_workspace(int n) { return std::max(1, n); }

/// A(i, j) of a column-major matrix with leading dimension lda.
template <class T>
T& at(T* A, int lda, int i, int j) {
  return A[i + static_cast<std::size_t>(j) * lda];
}

/// Applies H = I − τ v vᵀ (v(row) = 1, v below it stored in column `col` of A) from the left to
/// columns [first, last) of A, rows [row, m).
template <class T>
void apply_reflector(T* A, int m, int lda, int row, int col, T tau, int first, int last) {
  if (tau == T(0)) return;
  for (int c = first; c < last; ++c) {
    T w = at(A, lda, row, c);
    for (int i = row + 1; i < m; ++i) w += at(A, lda, i, col) * at(A, lda, i, c);
    w *= tau;
    at(A, lda, row, c) -= w;
    for (int i = row + 1; i < m; ++i) at(A, lda, i, c) -= w * at(A, lda, i, col);
  }
}

/// xGEQR2: A (m × n) ← R and the reflectors, tau ← their scalars.
template <class T>
void geqrf_work(T* A, int m, int n, int lda, T* tau) {
  for (int j = 0; j < std::min(m, n); ++j) {
    const T alpha = at(A, lda, j, j);
    T below = T(0);
    for (int i = j + 1; i < m; ++i) below += at(A, lda, i, j) * at(A, lda, i, j);
    if (below == T(0)) {
      tau[j] = T(0);
      continue;
    }
    const T beta = -std::copysign(std::sqrt(alpha * alpha + below), alpha);
    tau[j] = (beta - alpha) / beta;
    const T scale = T(1) / (alpha - beta);
    for (int i = j + 1; i < m; ++i) at(A, lda, i, j) *= scale;
    at(A, lda, j, j) = beta;
    apply_reflector(A, m, lda, j, j, tau[j], j + 1, n);
  }
}

/// xORG2R: A (m × n) ← the first n columns of H_1 ⋯ H_k.
template <class T>
void orgqr_work(T* A, int m, int n, int k, int lda, const T* tau) {
  for (int j = k; j < n; ++j) {  // the columns past the reflectors start as the identity's
    for (int i = 0; i < m; ++i) at(A, lda, i, j) = T(0);
    at(A, lda, j, j) = T(1);
  }
  for (int j = k - 1; j >= 0; --j) {
    if (j < n - 1) apply_reflector(A, m, lda, j, j, tau[j], j + 1, n);
    for (int i = j + 1; i < m; ++i) at(A, lda, i, j) *= -tau[j];
    at(A, lda, j, j) = T(1) - tau[j];
    for (int i = 0; i < j; ++i) at(A, lda, i, j) = T(0);
  }
}

cusolverStatus_t check_workspace(const char* api, int lwork, int needed) {
  if (lwork >= needed) return CUSOLVER_STATUS_SUCCESS;
  std::fprintf(stderr, "cunmf_emu: %s: Lwork = %d is below the %d elements the query asks\n", api,
               lwork, needed);
  return CUSOLVER_STATUS_INVALID_VALUE;
}

template <class T>
cusolverStatus_t geqrf_buffer_size(cusolverDnHandle_t handle, int m, int n, int lda, int* lwork) {
  cudaStream_t stream;
  if (!find_solver(handle, &stream)) return CUSOLVER_STATUS_NOT_INITIALIZED;
  if (m < 0 || n < 0 || lda < std::max(1, m) || lwork == nullptr) {
    return CUSOLVER_STATUS_INVALID_VALUE;
  }
  *lwork = qr_workspace(n);
  return CUSOLVER_STATUS_SUCCESS;
}

template <class T>
cusolverStatus_t geqrf(const char* api, cusolverDnHandle_t handle, int m, int n, T* A, int lda,
                       T* tau, T* workspace, int lwork, int* devInfo) {
  cudaStream_t stream;
  if (!find_solver(handle, &stream)) return CUSOLVER_STATUS_NOT_INITIALIZED;
  if (m < 0 || n < 0 || lda < std::max(1, m)) return CUSOLVER_STATUS_INVALID_VALUE;
  if (const cusolverStatus_t s = check_launch(stream, api)) return s;
  if (const cusolverStatus_t s = check_workspace(api, lwork, qr_workspace(n))) return s;
  const int reflectors = std::min(m, n);
  const bool ok =
      check_matrix<T>(A, m, n, lda, api, "A") &&
      (reflectors == 0 || check_device_range(tau, sizeof(T) * reflectors, api, "TAU")) &&
      check_device_range(workspace, sizeof(T) * lwork, api, "Workspace") &&
      check_device_range(devInfo, sizeof(int), api, "devInfo");
  if (!ok) return CUSOLVER_STATUS_INVALID_VALUE;
  enqueue(stream, [=] {
    geqrf_work(A, m, n, lda, tau);
    *devInfo = 0;
  });
  return CUSOLVER_STATUS_SUCCESS;
}

bool valid_orgqr(int m, int n, int k, int lda) {
  return m >= 0 && n >= 0 && k >= 0 && n <= m && k <= n && lda >= std::max(1, m);
}

template <class T>
cusolverStatus_t orgqr_buffer_size(cusolverDnHandle_t handle, int m, int n, int k, int lda,
                                   int* lwork) {
  cudaStream_t stream;
  if (!find_solver(handle, &stream)) return CUSOLVER_STATUS_NOT_INITIALIZED;
  if (!valid_orgqr(m, n, k, lda) || lwork == nullptr) return CUSOLVER_STATUS_INVALID_VALUE;
  *lwork = qr_workspace(n);
  return CUSOLVER_STATUS_SUCCESS;
}

template <class T>
cusolverStatus_t orgqr(const char* api, cusolverDnHandle_t handle, int m, int n, int k, T* A,
                       int lda, const T* tau, T* work, int lwork, int* info) {
  cudaStream_t stream;
  if (!find_solver(handle, &stream)) return CUSOLVER_STATUS_NOT_INITIALIZED;
  if (!valid_orgqr(m, n, k, lda)) return CUSOLVER_STATUS_INVALID_VALUE;
  if (const cusolverStatus_t s = check_launch(stream, api)) return s;
  if (const cusolverStatus_t s = check_workspace(api, lwork, qr_workspace(n))) return s;
  const bool ok = check_matrix<T>(A, m, n, lda, api, "A") &&
                  (k == 0 || check_device_range(tau, sizeof(T) * k, api, "tau")) &&
                  check_device_range(work, sizeof(T) * lwork, api, "work") &&
                  check_device_range(info, sizeof(int), api, "info");
  if (!ok) return CUSOLVER_STATUS_INVALID_VALUE;
  enqueue(stream, [=] {
    orgqr_work(A, m, n, k, lda, tau);
    *info = 0;
  });
  return CUSOLVER_STATUS_SUCCESS;
}

}  // namespace
}  // namespace cunmf_emu::detail

// ---- The cuSOLVER API --------------------------------------------------------------------------
// Inside extern "C" so that a signature differing from <cusolverDn.h> is a compile error.

namespace d = cunmf_emu::detail;

extern "C" {

cusolverStatus_t cusolverDnSgeqrf_bufferSize(cusolverDnHandle_t handle, int m, int n, float* /*A*/,
                                             int lda, int* lwork) {
  return d::geqrf_buffer_size<float>(handle, m, n, lda, lwork);
}

cusolverStatus_t cusolverDnDgeqrf_bufferSize(cusolverDnHandle_t handle, int m, int n, double* /*A*/,
                                             int lda, int* lwork) {
  return d::geqrf_buffer_size<double>(handle, m, n, lda, lwork);
}

cusolverStatus_t cusolverDnSgeqrf(cusolverDnHandle_t handle, int m, int n, float* A, int lda,
                                  float* TAU, float* Workspace, int Lwork, int* devInfo) {
  return d::geqrf("cusolverDnSgeqrf", handle, m, n, A, lda, TAU, Workspace, Lwork, devInfo);
}

cusolverStatus_t cusolverDnDgeqrf(cusolverDnHandle_t handle, int m, int n, double* A, int lda,
                                  double* TAU, double* Workspace, int Lwork, int* devInfo) {
  return d::geqrf("cusolverDnDgeqrf", handle, m, n, A, lda, TAU, Workspace, Lwork, devInfo);
}

cusolverStatus_t cusolverDnSorgqr_bufferSize(cusolverDnHandle_t handle, int m, int n, int k,
                                             const float* /*A*/, int lda, const float* /*tau*/,
                                             int* lwork) {
  return d::orgqr_buffer_size<float>(handle, m, n, k, lda, lwork);
}

cusolverStatus_t cusolverDnDorgqr_bufferSize(cusolverDnHandle_t handle, int m, int n, int k,
                                             const double* /*A*/, int lda, const double* /*tau*/,
                                             int* lwork) {
  return d::orgqr_buffer_size<double>(handle, m, n, k, lda, lwork);
}

cusolverStatus_t cusolverDnSorgqr(cusolverDnHandle_t handle, int m, int n, int k, float* A, int lda,
                                  const float* tau, float* work, int lwork, int* info) {
  return d::orgqr("cusolverDnSorgqr", handle, m, n, k, A, lda, tau, work, lwork, info);
}

cusolverStatus_t cusolverDnDorgqr(cusolverDnHandle_t handle, int m, int n, int k, double* A,
                                  int lda, const double* tau, double* work, int lwork, int* info) {
  return d::orgqr("cusolverDnDorgqr", handle, m, n, k, A, lda, tau, work, lwork, info);
}

}  // extern "C"
