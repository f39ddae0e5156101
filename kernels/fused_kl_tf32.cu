// The fused dense KL half-step product on TF32 tensor cores (see fused_kl_tf32.cuh).
#include <type_traits>

#include "cuda_check.cuh"
#include "elementwise.cuh"
#include "fused_kl_tf32.cuh"
#include "launch.cuh"
#include "shared_memory.cuh"
#include "tensor_core.cuh"
#include "unroll.cuh"

namespace cunmf::detail {

namespace {

constexpr int kTileRows = 32;  // rows of A (and of out) per block
constexpr int kTileCols = 32;  // columns of A per step of the sweep
constexpr int kThreads = 256;  // 8 warps
constexpr int kFragment = 16;  // rows and columns of an accumulator fragment
constexpr std::size_t kSharedLimit = 48 * 1024;

/// k rounded up to whole fragments: the factor tiles are zero-padded to it, so every fragment
/// reads defined zeros beyond k.
__host__ __device__ constexpr std::int64_t padded_rank(std::int64_t k) {
  return (k + kFragment - 1) / kFragment * kFragment;
}

std::size_t shared_bytes(std::int64_t k) {
  return static_cast<std::size_t>((kTileRows + kTileCols) * padded_rank(k) +
                                  kTileRows * kTileCols) *
         sizeof(float);
}

#if CUNMF_TF32_MMA
namespace wmma = nvcuda::wmma;
using Accumulator = wmma::fragment<wmma::accumulator, 16, 16, 8, float>;

/// A matrix_a or matrix_b fragment ready for the tensor cores: the fp32 values loaded from shared
/// memory, rounded to TF32 (`high`), or with kSplit the 3xTF32 pair high = tf32(x),
/// low = tf32(x − high). Each element gets the same operation: a kernel does not know which
/// matrix entry a lane holds.
template <class Use, class Layout, bool kSplit>
struct TensorOperand {
  wmma::fragment<Use, 16, 16, 8, wmma::precision::tf32, Layout> high, low;

  __device__ __forceinline__ void load(const float* p, unsigned ldm) {
    wmma::load_matrix_sync(high, p, ldm);
  CUNMF_UNROLL
    for (int e = 0; e < high.num_elements; ++e) {
      const float x = high.x[e];
      if constexpr (kSplit) {
        high.x[e] = tf32_high(x);
        low.x[e] = tf32_low(x, high.x[e]);
      } else {
        high.x[e] = wmma::__float_to_tf32(x);
      }
    }
  }
};

/// acc += a·b: one TF32 product, or the 3xTF32 sum lo·hi + hi·lo + hi·hi (small terms first; the
/// lo·lo term, about 2^-22 of the product, is left out).
template <bool kSplit, class LayoutA, class LayoutB>
__device__ __forceinline__ void multiply_accumulate(
    Accumulator& acc, const TensorOperand<wmma::matrix_a, LayoutA, kSplit>& a,
    const TensorOperand<wmma::matrix_b, LayoutB, kSplit>& b) {
  if constexpr (kSplit) {
    wmma::mma_sync(acc, a.low, b.high, acc);
    wmma::mma_sync(acc, a.high, b.low, acc);
  }
  wmma::mma_sync(acc, a.high, b.high, acc);
}
#endif

/// Block b owns rows i0 = 32b .. i0 + 31 of A. Shared memory: W's rows (entry (i, s) at i + 32s),
/// F's rows of the current column tile (entry (j, s) at j + 32s), both zero-padded to k' =
/// padded_rank(k) columns and beyond A's edge, and the 32 × 32 tile that holds W Fᵀ and then the
/// quotient, laid out along S's contiguous direction (column-major for A = S, row-major for
/// A = Sᵀ) so that the division's warps read X coalesced and hit 32 banks.
/// Per column tile: warps 0-3 make the four 16 × 16 fragments of W Fᵀ (8 ranks per mma_sync),
/// all threads divide X's tile by it in fp32 (kl_ratio), and warp w adds the quotient times F
/// into its output fragments w and w + 8 of the 2 × k'/16 grid over the block's 32 × k' output
/// (rows 16·(f mod 2), columns 16·⌊f/2⌋), held in registers for the whole sweep.
template <bool kTransposed, bool kSplit>
__global__ void __launch_bounds__(kThreads)
    fused_kl_tf32_kernel(const float* __restrict__ S, std::int64_t ld, std::int64_t rows,
                         std::int64_t cols, const float* __restrict__ W,
                         const float* __restrict__ F, std::int64_t k, float* __restrict__ out) {
#if CUNMF_TF32_MMA
  constexpr int kWarps = kThreads / 32;
  constexpr int kStep = 8;  // the inner dimension of one mma_sync
  using TileLayout = std::conditional_t<kTransposed, wmma::row_major, wmma::col_major>;
  constexpr wmma::layout_t kTileMemory = kTransposed ? wmma::mem_row_major : wmma::mem_col_major;
  const int kp = static_cast<int>(padded_rank(k));
  float* w_tile = dynamic_shared<float>();
  float* f_tile = w_tile + kTileRows * kp;
  float* tile = f_tile + kTileCols * kp;
  const auto tile_at = [tile](int i, int j) {
    return kTransposed ? tile + i * kTileCols + j : tile + i + j * kTileRows;
  };
  const int t = threadIdx.x;
  const int warp = t / 32;
  const std::int64_t i0 = static_cast<std::int64_t>(blockIdx.x) * kTileRows;
  for (int e = t; e < kTileRows * kp; e += kThreads) {
    const int i = e % kTileRows, s = e / kTileRows;
    w_tile[e] = i0 + i < rows && s < k ? W[i0 + i + s * rows] : 0.0f;
  }
  const int out_row = (warp % 2) * kFragment;
  const int out_fragments = 2 * kp / kFragment;
  Accumulator acc[2];
  wmma::fill_fragment(acc[0], 0.0f);
  wmma::fill_fragment(acc[1], 0.0f);

  for (std::int64_t j0 = 0; j0 < cols; j0 += kTileCols) {
    __syncthreads();  // the previous step's reads of f_tile and tile are done
    for (int e = t; e < kTileCols * kp; e += kThreads) {
      const int j = e % kTileCols, s = e / kTileCols;
      f_tile[e] = j0 + j < cols && s < k ? F[j0 + j + s * cols] : 0.0f;
    }
    __syncthreads();  // f_tile (and, the first time, w_tile) written
    if (warp < 4) {
      const int row0 = (warp % 2) * kFragment, col0 = (warp / 2) * kFragment;
      Accumulator wh;
      wmma::fill_fragment(wh, 0.0f);
      for (int s0 = 0; s0 < k; s0 += kStep) {
        TensorOperand<wmma::matrix_a, wmma::col_major, kSplit> a;
        TensorOperand<wmma::matrix_b, wmma::row_major, kSplit> b;  // Fᵀ: entry (s, j) at j + 32s
        a.load(w_tile + row0 + kTileRows * s0, kTileRows);
        b.load(f_tile + col0 + kTileCols * s0, kTileCols);
        multiply_accumulate(wh, a, b);
      }
      wmma::store_matrix_sync(tile_at(row0, col0), wh, 32, kTileMemory);
    }
    __syncthreads();  // the tile of W Fᵀ written
  CUNMF_UNROLL
    for (int c = 0; c < kTileRows * kTileCols / kThreads; ++c) {
      const int along = t % 32, across = t / 32 + kWarps * c;
      const int i = kTransposed ? across : along;
      const int j = kTransposed ? along : across;
      float quotient = 0.0f;
      if (i0 + i < rows && j0 + j < cols) {
        const float x = kTransposed ? S[(j0 + j) + (i0 + i) * ld] : S[(i0 + i) + (j0 + j) * ld];
        quotient = kl_ratio(x, *tile_at(i, j));
      }
      *tile_at(i, j) = quotient;
    }
    __syncthreads();  // the quotient tile written
    for (int q0 = 0; q0 < kTileCols; q0 += kStep) {
      TensorOperand<wmma::matrix_a, TileLayout, kSplit> a;
      a.load(tile_at(out_row, q0), 32);
  CUNMF_UNROLL
      for (int c = 0; c < 2; ++c) {
        const int f = warp + kWarps * c;
        if (f >= out_fragments) continue;
        TensorOperand<wmma::matrix_b, wmma::col_major, kSplit> b;  // F: entry (j, r) at j + 32r
        b.load(f_tile + q0 + kTileCols * (f / 2) * kFragment, kTileCols);
        multiply_accumulate(acc[c], a, b);
      }
    }
  }
  // The output leaves through shared memory (w_tile, no longer read), as the fragments' lanes
  // hold unspecified entries and out's leading dimension need not suit store_matrix_sync.
  __syncthreads();
  CUNMF_UNROLL
  for (int c = 0; c < 2; ++c) {
    const int f = warp + kWarps * c;
    if (f >= out_fragments) continue;
    wmma::store_matrix_sync(w_tile + out_row + kTileRows * (f / 2) * kFragment, acc[c], kTileRows,
                            wmma::mem_col_major);
  }
  __syncthreads();
  for (int e = t; e < kTileRows * k; e += kThreads) {
    const int i = e % kTileRows, r = e / kTileRows;
    if (i0 + i < rows) out[i0 + i + r * rows] = w_tile[e];
  }
#else
  __trap();  // below sm_80: never launched (tf32_mma_supported() is false there)
#endif
}

}  // namespace

bool fused_kl_tf32_fits(std::int64_t k) {
  return k >= 1 && k <= kFusedKlTf32MaxRank && shared_bytes(k) <= kSharedLimit;
}

bool tf32_mma_supported() {
  int device = 0, major = 0;
  CUNMF_CUDA_CHECK(cudaGetDevice(&device));
  CUNMF_CUDA_CHECK(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device));
  return major >= 8;
}

void fused_kl_ratio_product_tf32(const float* S, std::int64_t ld, bool transposed,
                                 std::int64_t rows, std::int64_t cols, const float* W,
                                 const float* F, std::int64_t k, bool split, float* out,
                                 cudaStream_t stream) {
  if (rows <= 0) return;
  const dim3 grid(static_cast<unsigned>((rows + kTileRows - 1) / kTileRows));
  const auto kernel = transposed ? (split ? fused_kl_tf32_kernel<true, true>
                                          : fused_kl_tf32_kernel<true, false>)
                                 : (split ? fused_kl_tf32_kernel<false, true>
                                          : fused_kl_tf32_kernel<false, false>);
  launch(kernel, grid, dim3(kThreads), shared_bytes(k), stream, S, ld, rows, cols, W, F, k, out);
}

}  // namespace cunmf::detail
