// The CUDA backend's primitives for a dense operand: cuBLAS products on the column-major storage S
// of X, read as S or as Sᵀ through the transpose flag (no copy), our kernels for the KL ratio and
// the loss terms.
#include <algorithm>
#include <type_traits>

#include "../../kernels/beta_weights.cuh"
#include "../../kernels/fused_kl.cuh"
#include "../../kernels/fused_kl_tf32.cuh"
#include "../../kernels/kl_cd_update.cuh"
#include "../../kernels/kl_ratio.cuh"
#include "../../kernels/losses.cuh"
#include "backend.hpp"
#include "blas.hpp"
#include "cunmf/errors.hpp"

namespace cunmf::cuda_backend {

namespace {

/// The largest rank at which dense KL takes the fused product even when the unfused buffer fits
/// (bench/README.md): on CUDA cores, 32; on TF32 tensor cores every rank the kernel takes; on
/// 3xTF32 (three products) 92.
constexpr std::int64_t kFusedKlPreferredRank = 32;
constexpr std::int64_t kFusedKlTf32PreferredRank = detail::kFusedKlTf32MaxRank;
constexpr std::int64_t kFusedKlTf32x3PreferredRank = 92;

/// Dense losses form W·Hᵀ a tile of columns at a time (beta_denominator a tile of rows): at most
/// this many entries.
constexpr std::int64_t kLossTileEntries = std::int64_t{1} << 24;

}  // namespace

template <class T>
void Backend<T>::dense_product(const detail::ColumnMajorStorage<T>& S, bool transposed,
                               const Matrix& F, Matrix& out) {
  storage_product(S, transposed, F.data(), F.cols(), out.data());
}

template <class T>
void Backend<T>::storage_product(const detail::ColumnMajorStorage<T>& S, bool transposed,
                                 const T* F, std::int64_t k, T* out) {
  // out ← op(S) · F, op(S) being rows × inner.
  const std::int64_t rows = transposed ? S.cols : S.rows;
  const std::int64_t inner = transposed ? S.rows : S.cols;
  gemm(blas_, transposed ? CUBLAS_OP_T : CUBLAS_OP_N, CUBLAS_OP_N, rows, k, inner, T(1), S.data,
       S.rows, F, inner, T(0), out, rows);
}

template <class T>
bool Backend<T>::fused_on_tensor_cores(std::int64_t k) const {
  return tensor_cores_ != TensorCoreMode::Off && detail::fused_kl_tf32_fits(k);
}

template <class T>
void Backend<T>::fused_ratio_product(const detail::ColumnMajorStorage<T>& S, bool transposed,
                                     const Matrix& W, const Matrix& F, Matrix& out) {
  if constexpr (std::is_same_v<T, float>) {
    if (fused_on_tensor_cores(F.cols())) {
      detail::fused_kl_ratio_product_tf32(
          S.data, S.rows, transposed, W.rows(), F.rows(), W.data(), F.data(), F.cols(),
          tensor_cores_ == TensorCoreMode::Tf32x3, out.data(), stream_);
      return;
    }
  }
  detail::fused_kl_ratio_product(S.data, S.rows, transposed, W.rows(), F.rows(), W.data(), F.data(),
                                 F.cols(), out.data(), stream_);
}

template <class T>
bool Backend<T>::prefers_fused_ratio_product(std::int64_t k) const {
  // Fused (kernels/fused_kl.cuh: X read once, nothing m × n formed) up to rank 32, where the
  // performance model puts its 4mnk flops on CUDA cores at or below the unfused path's 5 passes
  // over m × n values (bench/README.md); above, the unfused GEMMs are faster on paper, and the
  // fused kernel is the fallback when the m × n buffer cannot be allocated. On tensor cores the
  // same model moves the threshold to 92 (3xTF32) or past the TF32 kernel's largest rank.
  const std::int64_t preferred = !fused_on_tensor_cores(k) ? kFusedKlPreferredRank
                                 : tensor_cores_ == TensorCoreMode::Tf32x3
                                     ? kFusedKlTf32x3PreferredRank
                                     : kFusedKlTf32PreferredRank;
  return detail::fused_kl_fits(k, sizeof(T)) && k <= preferred;
}

template <class T>
template <class Index>
double Backend<T>::ratio_product_and_loss(const detail::Operand<T, Index>& A, const Matrix& W,
                                          const Matrix& F, Matrix& out) {
  // The CUDA-core fused kernel sums the KL terms from the W·Fᵀ values it forms anyway (X read
  // once for both); the tensor-core kernels do not, and the unfused path forms W·Fᵀ in a buffer
  // the loss's tiles do not share, so those take the rule.
  const std::int64_t k = F.cols();
  if (A.is_sparse() || fused_on_tensor_cores(k) || !prefers_fused_ratio_product(k)) {
    return detail::OperandDispatch<Backend<T>, T>::ratio_product_and_loss(A, W, F, out);
  }
  const detail::ColumnMajorStorage<T>& S = A.storage();
  reserve(fused_loss_partials_, detail::fused_kl_loss_partials(W.rows()));
  reset_accumulator();
  detail::fused_kl_ratio_product(S.data, S.rows, A.reads_transposed(), W.rows(), F.rows(), W.data(),
                                 F.data(), k, out.data(), stream_,
                                 {fused_loss_partials_.data(), accumulator_.data()});
  return read_accumulator();
}

template <class T>
void Backend<T>::dense_ratio_product(const detail::ColumnMajorStorage<T>& S, bool transposed,
                                     const Matrix& W, const Matrix& F, Matrix& out) {
  // The choice of path: prefers_fused_ratio_product.
  const std::int64_t k = F.cols();
  const bool fused = detail::fused_kl_fits(k, sizeof(T));
  if (prefers_fused_ratio_product(k)) {
    fused_ratio_product(S, transposed, W, F, out);
    return;
  }
  try {
    reserve(ratio_, S.rows * S.cols);
  } catch (const DeviceOutOfMemory&) {
    if (!fused) throw;
    fused_ratio_product(S, transposed, W, F, out);
    return;
  }
  // The ratio is formed in S's shape: S ⊘ (W Fᵀ) when A = S, S ⊘ (F Wᵀ) = (A ⊘ W Fᵀ)ᵀ when
  // A = Sᵀ.
  const Matrix& left = transposed ? F : W;
  const Matrix& right = transposed ? W : F;
  gemm(blas_, CUBLAS_OP_N, CUBLAS_OP_T, S.rows, S.cols, left.cols(), T(1), left.data(), left.rows(),
       right.data(), right.rows(), T(0), ratio_.data(), S.rows);
  detail::kl_ratio_in_place(S.data, ratio_.data(), S.rows * S.cols, stream_);
  storage_product({ratio_.data(), S.rows, S.cols}, transposed, F.data(), F.cols(), out.data());
}

template <class T>
void Backend<T>::dense_beta_terms(const detail::ColumnMajorStorage<T>& S, bool transposed,
                                  const Matrix& W, const Matrix& F, T beta, Matrix& numerator,
                                  Matrix& denominator) {
  // The numerator as dense_ratio_product: the weights x·(wh)^(β−2) formed in S's shape, then one
  // product; the denominator by tiles (beta_denominator), W·Fᵀ formed again: fusing the two would
  // need a second buffer of X's size.
  reserve(ratio_, S.rows * S.cols);
  const Matrix& left = transposed ? F : W;
  const Matrix& right = transposed ? W : F;
  gemm(blas_, CUBLAS_OP_N, CUBLAS_OP_T, S.rows, S.cols, left.cols(), T(1), left.data(), left.rows(),
       right.data(), right.rows(), T(0), ratio_.data(), S.rows);
  detail::beta_numerator_in_place(S.data, ratio_.data(), S.rows * S.cols,
                                  detail::BetaWeights<T>(beta), stream_);
  storage_product({ratio_.data(), S.rows, S.cols}, transposed, F.data(), F.cols(),
                  numerator.data());
  beta_denominator(W, F, beta, denominator);
}

template <class T>
void Backend<T>::beta_denominator(const Matrix& W, const Matrix& F, T beta, Matrix& out) {
  // out ← (W Fᵀ)^(β−1) F a tile of W's rows at a time, so that a CSR X's run never holds anything
  // m × n: tile ← W(i0 : i0 + h, :) Fᵀ, weighed in place, out(i0 : i0 + h, :) ← tile · F.
  const std::int64_t m = W.rows(), n = F.rows(), k = F.cols();
  const std::int64_t tile_rows = std::clamp<std::int64_t>(kLossTileEntries / n, 1, m);
  reserve(product_tile_, tile_rows * n);
  for (std::int64_t i0 = 0; i0 < m; i0 += tile_rows) {
    const std::int64_t h = std::min(tile_rows, m - i0);
    gemm(blas_, CUBLAS_OP_N, CUBLAS_OP_T, h, n, k, T(1), W.data() + i0, m, F.data(), n, T(0),
         product_tile_.data(), h);
    detail::beta_denominator_in_place(product_tile_.data(), h * n, detail::BetaWeights<T>(beta),
                                      stream_);
    gemm(blas_, CUBLAS_OP_N, CUBLAS_OP_N, h, k, n, T(1), product_tile_.data(), h, F.data(), n, T(0),
         out.data() + i0, m);
  }
}

template <class T>
double Backend<T>::dense_loss(detail::Divergence loss, const detail::ColumnMajorStorage<T>& S,
                              const Matrix& A, const Matrix& B) {
  // Sums the residual (or KL) terms of S ≈ A Bᵀ directly, tile by tile, in double: the trace form
  // would cancel catastrophically in float once ‖X − WH‖ ≪ ‖X‖. A tile holds at most 2^24
  // entries and at most as many as the factors, (m + n)·k (whole columns, at least one): with the
  // fused KL product, the device memory of a dense run is then X plus a few times the factors.
  const std::int64_t tile_entries = std::min(kLossTileEntries, (S.rows + S.cols) * A.cols());
  const std::int64_t tile_columns = std::clamp<std::int64_t>(tile_entries / S.rows, 1, S.cols);
  reserve(product_tile_, S.rows * tile_columns);
  reset_accumulator();
  const auto term = loss.kind == Loss::Frobenius         ? detail::LossTerm::SquaredResidual
                    : loss.kind == Loss::KullbackLeibler ? detail::LossTerm::KullbackLeibler
                                                         : detail::LossTerm::Beta;
  for (std::int64_t j0 = 0; j0 < S.cols; j0 += tile_columns) {
    const std::int64_t columns = std::min(tile_columns, S.cols - j0);
    gemm(blas_, CUBLAS_OP_N, CUBLAS_OP_T, S.rows, columns, A.cols(), T(1), A.data(), A.rows(),
         B.data() + j0, B.rows(), T(0), product_tile_.data(), S.rows);
    detail::accumulate_loss_terms(term, S.data + j0 * S.rows, product_tile_.data(),
                                  S.rows * columns, partials_.data(), accumulator_.data(), stream_,
                                  loss.beta);
  }
  const double sum = read_accumulator();
  return loss.kind == Loss::Frobenius ? 0.5 * sum : sum;
}

template <class T>
void Backend<T>::dense_kl_cd_update(const detail::ColumnMajorStorage<T>& S, bool transposed,
                                    Matrix& F, const Matrix& G, const Matrix& sums,
                                    detail::Penalty<T> penalty) {
  // One thread per row keeps that row's W·H values (a full row, only entries with x > 0 are
  // written): a work array of X's size, the buffer the dense KL ratio of MU uses, so cd needs no
  // more memory than MU. A per-block row of scratch would need shared memory of cols values.
  reserve(ratio_, S.rows * S.cols);
  const std::int64_t rows = transposed ? S.cols : S.rows;
  const std::int64_t cols = transposed ? S.rows : S.cols;
  detail::dense_kl_cd_update(S.data, S.rows, transposed, rows, cols, F.data(), G.data(),
                             sums.data(), penalty, F.cols(), ratio_.data(), stream_);
}

#define CUNMF_INSTANTIATE_CUDA_DENSE_PRIMITIVES(T)                                                 \
  template void Backend<T>::dense_product(const detail::ColumnMajorStorage<T>&, bool,              \
                                          const Matrix&, Matrix&);                                 \
  template void Backend<T>::storage_product(const detail::ColumnMajorStorage<T>&, bool, const T*,  \
                                            std::int64_t, T*);                                     \
  template void Backend<T>::dense_ratio_product(const detail::ColumnMajorStorage<T>&, bool,        \
                                                const Matrix&, const Matrix&, Matrix&);            \
  template void Backend<T>::fused_ratio_product(const detail::ColumnMajorStorage<T>&, bool,        \
                                                const Matrix&, const Matrix&, Matrix&);            \
  template bool Backend<T>::fused_on_tensor_cores(std::int64_t) const;                             \
  template bool Backend<T>::prefers_fused_ratio_product(std::int64_t) const;                       \
  template double Backend<T>::ratio_product_and_loss(const detail::Operand<T, std::int32_t>&,      \
                                                     const Matrix&, const Matrix&, Matrix&);       \
  template double Backend<T>::ratio_product_and_loss(const detail::Operand<T, std::int64_t>&,      \
                                                     const Matrix&, const Matrix&, Matrix&);       \
  template void Backend<T>::dense_beta_terms(const detail::ColumnMajorStorage<T>&, bool,           \
                                             const Matrix&, const Matrix&, T, Matrix&, Matrix&);   \
  template void Backend<T>::beta_denominator(const Matrix&, const Matrix&, T, Matrix&);            \
  template double Backend<T>::dense_loss(detail::Divergence, const detail::ColumnMajorStorage<T>&, \
                                         const Matrix&, const Matrix&);                            \
  template void Backend<T>::dense_kl_cd_update(const detail::ColumnMajorStorage<T>&, bool,         \
                                               Matrix&, const Matrix&, const Matrix&,              \
                                               detail::Penalty<T>);
CUNMF_INSTANTIATE_CUDA_DENSE_PRIMITIVES(float)
CUNMF_INSTANTIATE_CUDA_DENSE_PRIMITIVES(double)
#undef CUNMF_INSTANTIATE_CUDA_DENSE_PRIMITIVES

}  // namespace cunmf::cuda_backend
