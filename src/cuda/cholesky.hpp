// Typed cuSOLVER dispatch in one place (DESIGN.md rule 6), as blas.hpp is for cuBLAS: the dense
// Cholesky factorization (potrf, with its workspace query) and solve (potrs), float → cusolverDnS*,
// double → cusolverDnD*. Column-major, checked.
#pragma once

#include <cusolverDn.h>

#include <cstdint>

#include "blas.hpp"  // blas_int
#include "cuda_check.hpp"

namespace cunmf::cuda_backend {

/// Elements of workspace potrf needs for an n × n matrix.
inline int potrf_workspace(cusolverDnHandle_t h, cublasFillMode_t uplo, std::int64_t n, float* A,
                           std::int64_t lda) {
  int lwork = 0;
  CUNMF_CUSOLVER_CHECK(cusolverDnSpotrf_bufferSize(h, uplo, blas_int(n), A, blas_int(lda), &lwork));
  return lwork;
}
inline int potrf_workspace(cusolverDnHandle_t h, cublasFillMode_t uplo, std::int64_t n, double* A,
                           std::int64_t lda) {
  int lwork = 0;
  CUNMF_CUSOLVER_CHECK(cusolverDnDpotrf_bufferSize(h, uplo, blas_int(n), A, blas_int(lda), &lwork));
  return lwork;
}

/// A (n × n) ← its Cholesky factor in the `uplo` triangle; *info (device) ← 0, or i > 0 when the
/// leading minor of order i is not positive definite.
inline void potrf(cusolverDnHandle_t h, cublasFillMode_t uplo, std::int64_t n, float* A,
                  std::int64_t lda, float* work, int lwork, int* info) {
  CUNMF_CUSOLVER_CHECK(cusolverDnSpotrf(h, uplo, blas_int(n), A, blas_int(lda), work, lwork, info));
}
inline void potrf(cusolverDnHandle_t h, cublasFillMode_t uplo, std::int64_t n, double* A,
                  std::int64_t lda, double* work, int lwork, int* info) {
  CUNMF_CUSOLVER_CHECK(cusolverDnDpotrf(h, uplo, blas_int(n), A, blas_int(lda), work, lwork, info));
}

/// B (n × nrhs) ← (L Lᵀ)⁻¹ B for the factor potrf left in A; *info (device) ← 0.
inline void potrs(cusolverDnHandle_t h, cublasFillMode_t uplo, std::int64_t n, std::int64_t nrhs,
                  const float* A, std::int64_t lda, float* B, std::int64_t ldb, int* info) {
  CUNMF_CUSOLVER_CHECK(cusolverDnSpotrs(h, uplo, blas_int(n), blas_int(nrhs), A, blas_int(lda), B,
                                        blas_int(ldb), info));
}
inline void potrs(cusolverDnHandle_t h, cublasFillMode_t uplo, std::int64_t n, std::int64_t nrhs,
                  const double* A, std::int64_t lda, double* B, std::int64_t ldb, int* info) {
  CUNMF_CUSOLVER_CHECK(cusolverDnDpotrs(h, uplo, blas_int(n), blas_int(nrhs), A, blas_int(lda), B,
                                        blas_int(ldb), info));
}

}  // namespace cunmf::cuda_backend
