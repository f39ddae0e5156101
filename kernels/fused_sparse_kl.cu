// The fused sparse KL half-step product (see fused_sparse_kl.cuh).
#include "elementwise.cuh"
#include "fused_sparse_kl.cuh"
#include "grid.cuh"
#include "launch.cuh"
#include "reduce.cuh"
#include "unroll.cuh"

namespace cunmf::detail {

namespace {

constexpr int kPerLane = static_cast<int>(kFusedSparseKlMaxRank / kWarpSize);

/// Warp w of the grid handles rows w, w + warps, ... (for_each_warp_entry's assignment).
template <class T, class Index>
__global__ void fused_csr_kl_kernel(const Index* __restrict__ row_ptr,
                                    const Index* __restrict__ col_idx, const T* __restrict__ x,
                                    std::int64_t rows, const T* __restrict__ W, std::int64_t lda,
                                    const T* __restrict__ F, std::int64_t ldb, std::int64_t k,
                                    T* __restrict__ out) {
  const std::int64_t thread = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const std::int64_t warps = static_cast<std::int64_t>(gridDim.x) * blockDim.x / kWarpSize;
  const int lane = threadIdx.x % kWarpSize;
  for (std::int64_t p = thread / kWarpSize; p < rows; p += warps) {
    T w[kPerLane], acc[kPerLane];
    CUNMF_UNROLL
    for (int c = 0; c < kPerLane; ++c) {
      const std::int64_t r = lane + kWarpSize * c;
      w[c] = r < k ? W[p + r * lda] : T(0);
      acc[c] = T(0);
    }
    for (Index e = row_ptr[p]; e < row_ptr[p + 1]; ++e) {
      const std::int64_t q = static_cast<std::int64_t>(col_idx[e]);
      T f[kPerLane];
      T wh = T(0);
      CUNMF_UNROLL
      for (int c = 0; c < kPerLane; ++c) {
        const std::int64_t r = lane + kWarpSize * c;
        f[c] = r < k ? F[q + r * ldb] : T(0);
        wh += w[c] * f[c];
      }
      // Each step adds the same two partial sums in every pair of lanes (in swapped order, and
      // addition commutes), so every lane ends with the same bits.
      for (int offset = kWarpSize / 2; offset > 0; offset /= 2) {
        wh += __shfl_xor_sync(0xffffffffu, wh, offset);
      }
      const T quotient = kl_ratio(x[e], wh);
      CUNMF_UNROLL
      for (int c = 0; c < kPerLane; ++c) acc[c] += quotient * f[c];
    }
    CUNMF_UNROLL
    for (int c = 0; c < kPerLane; ++c) {
      const std::int64_t r = lane + kWarpSize * c;
      if (r < k) out[p + r * rows] = acc[c];
    }
  }
}

}  // namespace

template <class T, class Index>
void fused_csr_kl_ratio_product(const Index* row_ptr, const Index* col_idx, const T* x,
                                std::int64_t rows, const T* W, std::int64_t lda, const T* F,
                                std::int64_t ldb, std::int64_t k, T* out, cudaStream_t stream) {
  if (rows <= 0) return;
  launch(fused_csr_kl_kernel<T, Index>, grid_blocks(rows * kWarpSize), kBlockThreads, 0, stream,
         row_ptr, col_idx, x, rows, W, lda, F, ldb, k, out);
}

#define CUNMF_INSTANTIATE_FUSED_CSR_KL(T, Index)                                                  \
  template void fused_csr_kl_ratio_product<T, Index>(const Index*, const Index*, const T*,       \
                                                     std::int64_t, const T*, std::int64_t,       \
                                                     const T*, std::int64_t, std::int64_t, T*,   \
                                                     cudaStream_t);
CUNMF_INSTANTIATE_FUSED_CSR_KL(float, std::int32_t)
CUNMF_INSTANTIATE_FUSED_CSR_KL(float, std::int64_t)
CUNMF_INSTANTIATE_FUSED_CSR_KL(double, std::int32_t)
CUNMF_INSTANTIATE_FUSED_CSR_KL(double, std::int64_t)
#undef CUNMF_INSTANTIATE_FUSED_CSR_KL

}  // namespace cunmf::detail
