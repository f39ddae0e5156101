// The kernels around the Cholesky solve of projected ALS: the ridge added to the Gram matrix, and
// the projection of the solution onto ≥ 0 (transposed back into the factor's panel).
#include <limits>

#include "grid.cuh"
#include "gram_solve.cuh"
#include "launch.cuh"
#include "projected_solve.cuh"

namespace cunmf::detail {

namespace {

/// One block. Each thread sums the diagonal itself (the same k terms in the same order, so every
/// thread has the same δ and no shared memory or barrier is needed; k is small) and copies the
/// entries i ≡ thread index (mod block size), adding δ on the diagonal.
template <class T>
__global__ void ridged_gram_kernel(const T* __restrict__ G, T* __restrict__ ridged,
                                   std::int64_t k) {
  T trace = T(0);
  for (std::int64_t r = 0; r < k; ++r) trace += G[r * (k + 1)];
  const T delta = gram_ridge(trace);
  for (std::int64_t i = threadIdx.x; i < k * k; i += blockDim.x) {
    ridged[i] = i % (k + 1) == 0 ? G[i] + delta : G[i];
  }
}

/// Each thread writes the entries i ≡ thread index (mod grid size) of out: out(row, r) from
/// solved(r, row), projected, or NaN when the factorization or the solve failed.
template <class T>
__global__ void project_transposed_kernel(const T* __restrict__ solved, T* __restrict__ out,
                                          const int* __restrict__ failures, std::int64_t rows,
                                          std::int64_t k) {
  const bool failed = failures[0] != 0 || failures[1] != 0;
  const std::int64_t count = rows * k;
  const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count;
       i += step) {
    const std::int64_t row = i % rows;
    const std::int64_t r = i / rows;
    out[i] = failed ? std::numeric_limits<T>::quiet_NaN() : nonnegative_part(solved[r + row * k]);
  }
}

}  // namespace

template <class T>
void ridged_gram(const T* G, T* ridged, std::int64_t k, cudaStream_t stream) {
  if (k <= 0) return;
  launch(ridged_gram_kernel<T>, 1, kBlockThreads, 0, stream, G, ridged, k);
}

template <class T>
void project_transposed(const T* solved, T* out, const int* failures, std::int64_t rows,
                        std::int64_t k, cudaStream_t stream) {
  if (rows <= 0 || k <= 0) return;
  launch(project_transposed_kernel<T>, grid_blocks(rows * k), kBlockThreads, 0, stream, solved,
         out, failures, rows, k);
}

#define CUNMF_INSTANTIATE_GRAM_SOLVE(T)                                         \
  template void ridged_gram<T>(const T*, T*, std::int64_t, cudaStream_t);       \
  template void project_transposed<T>(const T*, T*, const int*, std::int64_t, \
                                      std::int64_t, cudaStream_t);
CUNMF_INSTANTIATE_GRAM_SOLVE(float)
CUNMF_INSTANTIATE_GRAM_SOLVE(double)
#undef CUNMF_INSTANTIATE_GRAM_SOLVE

}  // namespace cunmf::detail
