// The fused dense KL half-step product (see fused_kl.cuh).
#include "elementwise.cuh"
#include "fused_kl.cuh"
#include "launch.cuh"
#include "loss_terms.cuh"
#include "losses.cuh"
#include "reduce.cuh"
#include "shared_memory.cuh"
#include "unroll.cuh"

namespace cunmf::detail {

namespace {

constexpr int kTileRows = 32;     // rows of A (and of out) per block
constexpr int kTileCols = 32;     // columns of A per step of the sweep
constexpr int kThreads = 256;     // 8 warps
constexpr int kMaxRank = 128;     // out's columns per block: 16 per thread
constexpr int kRatioStride = kTileRows + 1;  // padded: the transposed tile's warps hit 32 banks
constexpr std::size_t kSharedLimit = 48 * 1024;
constexpr std::size_t kBlockSumBytes = 32 * sizeof(double);  // block_sum's static shared array

std::size_t shared_bytes(std::int64_t k, std::size_t element_bytes) {
  return static_cast<std::size_t>((kTileRows + kTileCols) * k + kRatioStride * kTileCols) *
         element_bytes;
}

/// Block b owns rows i0 = 32b .. i0 + 31 of A. Shared memory: W's rows (entry (i, s) at
/// i + 32s), F's rows of the current column tile (entry (j, s) at j + 32s), and the quotient tile
/// (entry (i, j) at i + 33j). Thread t accumulates out(i0 + t mod 32, r) for r ≡ ⌊t/32⌋ (mod 8).
/// For the quotient tile a warp's lanes run along S's contiguous direction (rows of A, or its
/// columns when A = Sᵀ), so X is read coalesced. With `partials`, each thread also sums the KL
/// terms of the entries whose quotient it forms (kl_term_in, loss_terms.cuh) and block b writes
/// its block's sum to partials[b].
template <class T, bool kTransposed>
__global__ void __launch_bounds__(kThreads)
    fused_kl_kernel(const T* __restrict__ S, std::int64_t ld, std::int64_t rows, std::int64_t cols,
                    const T* __restrict__ W, const T* __restrict__ F, std::int64_t k,
                    T* __restrict__ out, double* __restrict__ partials) {
  T* w_tile = dynamic_shared<T>();
  T* f_tile = w_tile + kTileRows * k;
  T* ratio = f_tile + kTileCols * k;
  const int t = threadIdx.x;
  const std::int64_t i0 = static_cast<std::int64_t>(blockIdx.x) * kTileRows;
  for (std::int64_t e = t; e < kTileRows * k; e += kThreads) {
    const std::int64_t i = e % kTileRows, s = e / kTileRows;
    w_tile[e] = i0 + i < rows ? W[i0 + i + s * rows] : T(0);
  }
  const int own_row = t % kTileRows;
  const int rank_lane = t / kTileRows;  // 0 .. 7
  T acc[kMaxRank / 8];
  CUNMF_UNROLL
  for (int c = 0; c < kMaxRank / 8; ++c) acc[c] = T(0);
  ThreadSum<T> loss;

  for (std::int64_t j0 = 0; j0 < cols; j0 += kTileCols) {
    __syncthreads();  // the previous step's reads of f_tile and ratio are done
    for (std::int64_t e = t; e < kTileCols * k; e += kThreads) {
      const std::int64_t j = e % kTileCols, s = e / kTileCols;
      f_tile[e] = j0 + j < cols ? F[j0 + j + s * cols] : T(0);
    }
    __syncthreads();  // f_tile (and, the first time, w_tile) written
  CUNMF_UNROLL
    for (int c = 0; c < kTileRows * kTileCols / kThreads; ++c) {
      const int along = t % 32, across = t / 32 + 8 * c;
      const int i = kTransposed ? across : along;
      const int j = kTransposed ? along : across;
      T quotient = T(0);
      if (i0 + i < rows && j0 + j < cols) {
        T wh = T(0);
        for (std::int64_t s = 0; s < k; ++s) wh += w_tile[i + s * kTileRows] * f_tile[j + s * kTileCols];
        const T x = kTransposed ? S[(j0 + j) + (i0 + i) * ld] : S[(i0 + i) + (j0 + j) * ld];
        quotient = kl_ratio(x, wh);
        if (partials != nullptr) loss.add(kl_term_in(x, wh));
      }
      ratio[i + j * kRatioStride] = quotient;
    }
    __syncthreads();  // the quotient tile written
    const std::int64_t width = cols - j0 < kTileCols ? cols - j0 : kTileCols;
    for (std::int64_t j = 0; j < width; ++j) {
      const T q = ratio[own_row + j * kRatioStride];
  CUNMF_UNROLL
      for (int c = 0; c < kMaxRank / 8; ++c) {
        const std::int64_t r = rank_lane + 8 * c;
        if (r < k) acc[c] += q * f_tile[j + r * kTileCols];
      }
    }
  }
  if (partials != nullptr) {  // the same for the whole block: every thread takes the barrier
    const double block_loss = block_sum(loss.total());
    if (t == 0) partials[blockIdx.x] = block_loss;
  }
  if (i0 + own_row >= rows) return;
  CUNMF_UNROLL
  for (int c = 0; c < kMaxRank / 8; ++c) {
    const std::int64_t r = rank_lane + 8 * c;
    if (r < k) out[i0 + own_row + r * rows] = acc[c];
  }
}

}  // namespace

bool fused_kl_fits(std::int64_t k, std::size_t element_bytes) {
  return k >= 1 && k <= kMaxRank &&
         shared_bytes(k, element_bytes) + kBlockSumBytes <= kSharedLimit;
}

std::int64_t fused_kl_loss_partials(std::int64_t rows) {
  return (rows + kTileRows - 1) / kTileRows;
}

template <class T>
void fused_kl_ratio_product(const T* S, std::int64_t ld, bool transposed, std::int64_t rows,
                            std::int64_t cols, const T* W, const T* F, std::int64_t k, T* out,
                            cudaStream_t stream, FusedKlLoss loss) {
  if (rows <= 0) return;
  const std::int64_t blocks = fused_kl_loss_partials(rows);
  const dim3 grid(static_cast<unsigned>(blocks));
  const std::size_t bytes = shared_bytes(k, sizeof(T));
  if (transposed) {
    launch(fused_kl_kernel<T, true>, grid, dim3(kThreads), bytes, stream, S, ld, rows, cols, W, F,
           k, out, loss.partials);
  } else {
    launch(fused_kl_kernel<T, false>, grid, dim3(kThreads), bytes, stream, S, ld, rows, cols, W, F,
           k, out, loss.partials);
  }
  if (loss.partials != nullptr) {
    add_partials(loss.partials, static_cast<int>(blocks), loss.accumulator, stream);
  }
}

template void fused_kl_ratio_product<float>(const float*, std::int64_t, bool, std::int64_t,
                                            std::int64_t, const float*, const float*,
                                            std::int64_t, float*, cudaStream_t, FusedKlLoss);
template void fused_kl_ratio_product<double>(const double*, std::int64_t, bool, std::int64_t,
                                             std::int64_t, const double*, const double*,
                                             std::int64_t, double*, cudaStream_t, FusedKlLoss);

}  // namespace cunmf::detail
