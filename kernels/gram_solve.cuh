// Launchers of the kernels around the Cholesky solve of projected ALS (the rules they apply are in
// projected_solve.cuh, shared with the CPU backend).
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace cunmf::detail {

/// ridged (k × k) ← G + gram_ridge(trace G)·I, column-major, computed on the device (no round
/// trip to the host for the trace). Queued on `stream`.
template <class T>
void ridged_gram(const T* G, T* ridged, std::int64_t k, cudaStream_t stream);

/// out (rows × k, column-major) ← nonnegative_part(solvedᵀ) for solved (k × rows, column-major),
/// or NaN everywhere when failures[0] or failures[1] is non-zero (the devInfo of the Cholesky
/// factorization and of the solve), so that a failed factorization reaches the next loss check
/// without a round trip to the host. Queued on `stream`.
template <class T>
void project_transposed(const T* solved, T* out, const int* failures, std::int64_t rows,
                        std::int64_t k, cudaStream_t stream);

}  // namespace cunmf::detail
