// Typed cuBLAS dispatch in one place (DESIGN.md rule 6): gemm<float> → cublasSgemm, <double> →
// cublasDgemm, and likewise gemv and geam. Column-major, host-side alpha/beta, checked.
#pragma once

#include <cublas_v2.h>

#include <cstdint>

#include "cuda_check.hpp"

namespace cunmf::cuda_backend {

inline int blas_int(std::int64_t v) { return static_cast<int>(v); }

/// C (m×n) ← alpha · op(A) · op(B) + beta · C.
inline void gemm(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, std::int64_t m,
                 std::int64_t n, std::int64_t k, float alpha, const float* A, std::int64_t lda,
                 const float* B, std::int64_t ldb, float beta, float* C, std::int64_t ldc) {
  CUNMF_CUBLAS_CHECK(cublasSgemm(h, ta, tb, blas_int(m), blas_int(n), blas_int(k), &alpha, A,
                                 blas_int(lda), B, blas_int(ldb), &beta, C, blas_int(ldc)));
}
inline void gemm(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, std::int64_t m,
                 std::int64_t n, std::int64_t k, double alpha, const double* A, std::int64_t lda,
                 const double* B, std::int64_t ldb, double beta, double* C, std::int64_t ldc) {
  CUNMF_CUBLAS_CHECK(cublasDgemm(h, ta, tb, blas_int(m), blas_int(n), blas_int(k), &alpha, A,
                                 blas_int(lda), B, blas_int(ldb), &beta, C, blas_int(ldc)));
}

/// y ← alpha · op(A) · x + beta · y, A m×n.
inline void gemv(cublasHandle_t h, cublasOperation_t ta, std::int64_t m, std::int64_t n,
                 float alpha, const float* A, std::int64_t lda, const float* x, float beta,
                 float* y) {
  CUNMF_CUBLAS_CHECK(
      cublasSgemv(h, ta, blas_int(m), blas_int(n), &alpha, A, blas_int(lda), x, 1, &beta, y, 1));
}
inline void gemv(cublasHandle_t h, cublasOperation_t ta, std::int64_t m, std::int64_t n,
                 double alpha, const double* A, std::int64_t lda, const double* x, double beta,
                 double* y) {
  CUNMF_CUBLAS_CHECK(
      cublasDgemv(h, ta, blas_int(m), blas_int(n), &alpha, A, blas_int(lda), x, 1, &beta, y, 1));
}

/// C (m×n) ← alpha · A + beta · B, all column-major with leading dimension m; C may be A or B
/// (geam's in-place mode).
inline void axpby_matrix(cublasHandle_t h, std::int64_t m, std::int64_t n, float alpha,
                         const float* A, float beta, const float* B, float* C) {
  CUNMF_CUBLAS_CHECK(cublasSgeam(h, CUBLAS_OP_N, CUBLAS_OP_N, blas_int(m), blas_int(n), &alpha, A,
                                 blas_int(m), &beta, B, blas_int(m), C, blas_int(m)));
}
inline void axpby_matrix(cublasHandle_t h, std::int64_t m, std::int64_t n, double alpha,
                         const double* A, double beta, const double* B, double* C) {
  CUNMF_CUBLAS_CHECK(cublasDgeam(h, CUBLAS_OP_N, CUBLAS_OP_N, blas_int(m), blas_int(n), &alpha, A,
                                 blas_int(m), &beta, B, blas_int(m), C, blas_int(m)));
}

/// C (m×n) ← op(A), a transposing copy (geam with beta = 0; C must not alias A).
inline void transpose_copy(cublasHandle_t h, std::int64_t m, std::int64_t n, const float* A,
                           std::int64_t lda, float* C) {
  const float one = 1.0f, zero = 0.0f;
  CUNMF_CUBLAS_CHECK(cublasSgeam(h, CUBLAS_OP_T, CUBLAS_OP_N, blas_int(m), blas_int(n), &one, A,
                                 blas_int(lda), &zero, C, blas_int(m), C, blas_int(m)));
}
inline void transpose_copy(cublasHandle_t h, std::int64_t m, std::int64_t n, const double* A,
                           std::int64_t lda, double* C) {
  const double one = 1.0, zero = 0.0;
  CUNMF_CUBLAS_CHECK(cublasDgeam(h, CUBLAS_OP_T, CUBLAS_OP_N, blas_int(m), blas_int(n), &one, A,
                                 blas_int(lda), &zero, C, blas_int(m), C, blas_int(m)));
}

}  // namespace cunmf::cuda_backend
