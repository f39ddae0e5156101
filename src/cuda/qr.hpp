// Typed cuSOLVER dispatch for the Householder QR (DESIGN.md rule 6), as cholesky.hpp is for the
// Cholesky routines: geqrf and orgqr with their workspace queries, float → cusolverDnS*, double →
// cusolverDnD*. Column-major, checked.
#pragma once

#include <cusolverDn.h>

#include <cstdint>

#include "blas.hpp"  // blas_int
#include "cuda_check.hpp"

namespace cunmf::cuda_backend {

/// Elements of workspace geqrf needs for an m × n matrix.
inline int geqrf_workspace(cusolverDnHandle_t h, std::int64_t m, std::int64_t n, float* A,
                           std::int64_t lda) {
  int lwork = 0;
  CUNMF_CUSOLVER_CHECK(
      cusolverDnSgeqrf_bufferSize(h, blas_int(m), blas_int(n), A, blas_int(lda), &lwork));
  return lwork;
}
inline int geqrf_workspace(cusolverDnHandle_t h, std::int64_t m, std::int64_t n, double* A,
                           std::int64_t lda) {
  int lwork = 0;
  CUNMF_CUSOLVER_CHECK(
      cusolverDnDgeqrf_bufferSize(h, blas_int(m), blas_int(n), A, blas_int(lda), &lwork));
  return lwork;
}

/// A (m × n) ← R (upper triangle) and the Householder reflectors (below it); tau (min(m, n))
/// ← their scalars; *info (device) ← 0.
inline void geqrf(cusolverDnHandle_t h, std::int64_t m, std::int64_t n, float* A, std::int64_t lda,
                  float* tau, float* work, int lwork, int* info) {
  CUNMF_CUSOLVER_CHECK(
      cusolverDnSgeqrf(h, blas_int(m), blas_int(n), A, blas_int(lda), tau, work, lwork, info));
}
inline void geqrf(cusolverDnHandle_t h, std::int64_t m, std::int64_t n, double* A, std::int64_t lda,
                  double* tau, double* work, int lwork, int* info) {
  CUNMF_CUSOLVER_CHECK(
      cusolverDnDgeqrf(h, blas_int(m), blas_int(n), A, blas_int(lda), tau, work, lwork, info));
}

/// Elements of workspace orgqr needs for an m × n Q from k reflectors.
inline int orgqr_workspace(cusolverDnHandle_t h, std::int64_t m, std::int64_t n, std::int64_t k,
                           const float* A, std::int64_t lda, const float* tau) {
  int lwork = 0;
  CUNMF_CUSOLVER_CHECK(cusolverDnSorgqr_bufferSize(h, blas_int(m), blas_int(n), blas_int(k), A,
                                                   blas_int(lda), tau, &lwork));
  return lwork;
}
inline int orgqr_workspace(cusolverDnHandle_t h, std::int64_t m, std::int64_t n, std::int64_t k,
                           const double* A, std::int64_t lda, const double* tau) {
  int lwork = 0;
  CUNMF_CUSOLVER_CHECK(cusolverDnDorgqr_bufferSize(h, blas_int(m), blas_int(n), blas_int(k), A,
                                                   blas_int(lda), tau, &lwork));
  return lwork;
}

/// A (m × n, m ≥ n ≥ k) ← the first n columns of the product of geqrf's first k reflectors (an
/// orthonormal basis of the factorized columns); *info (device) ← 0.
inline void orgqr(cusolverDnHandle_t h, std::int64_t m, std::int64_t n, std::int64_t k, float* A,
                  std::int64_t lda, const float* tau, float* work, int lwork, int* info) {
  CUNMF_CUSOLVER_CHECK(cusolverDnSorgqr(h, blas_int(m), blas_int(n), blas_int(k), A, blas_int(lda),
                                        tau, work, lwork, info));
}
inline void orgqr(cusolverDnHandle_t h, std::int64_t m, std::int64_t n, std::int64_t k, double* A,
                  std::int64_t lda, const double* tau, double* work, int lwork, int* info) {
  CUNMF_CUSOLVER_CHECK(cusolverDnDorgqr(h, blas_int(m), blas_int(n), blas_int(k), A, blas_int(lda),
                                        tau, work, lwork, info));
}

}  // namespace cunmf::cuda_backend
