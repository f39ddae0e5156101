// The CUDA backend's multiplicative-update steps: cuBLAS GEMMs for the products, our kernels for
// the fused element-wise updates, the KL ratio and the losses. Nothing is copied to the host inside
// the loop except the loss scalar at a check.
#include "mu_device.hpp"

#include <algorithm>

#include "../../kernels/kl_ratio.cuh"
#include "../../kernels/losses.cuh"
#include "../../kernels/mu_update.cuh"
#include "blas.hpp"
#include "context_impl.hpp"
#include "cunmf/cuda/device_buffer.hpp"

namespace cunmf::cuda_backend {

namespace {

/// Frobenius losses are computed tile by tile: W·H for this many entries at a time at most.
constexpr std::int64_t kLossTileEntries = std::int64_t{1} << 24;

template <class T>
class DeviceMuSteps final : public detail::MuSteps {
 public:
  DeviceMuSteps(const cuda::Context& ctx, const T* x, std::int64_t M, std::int64_t N,
                std::int64_t k, T* w, T* h, const Options& options)
      : ctx_(ctx),
        stream_(ctx.impl().stream),
        blas_(blas_handle(ctx, options.allow_tf32)),
        loss_(options.loss),
        x_(x), w_(w), h_(h), M_(M), N_(N), k_(k),
        numerator_(static_cast<std::size_t>(std::max(M, N) * k)),
        partials_(detail::kLossPartials),
        accumulator_(1) {
    if (loss_ == Loss::Frobenius) {
      denominator_ = cuda::DeviceBuffer<T>(static_cast<std::size_t>(std::max(M, N) * k));
      gram_ = cuda::DeviceBuffer<T>(static_cast<std::size_t>(k * k));
      tile_columns_ = std::clamp<std::int64_t>(kLossTileEntries / M, 1, N);
      product_ = cuda::DeviceBuffer<T>(static_cast<std::size_t>(M * tile_columns_));
    } else {
      // The KL updates need X ⊘ WH in full (a fused kernel that never writes WH is future work).
      tile_columns_ = N;
      product_ = cuda::DeviceBuffer<T>(static_cast<std::size_t>(M * N));
      per_rank_ = cuda::DeviceBuffer<T>(static_cast<std::size_t>(k));
      ones_ = cuda::DeviceBuffer<T>(static_cast<std::size_t>(std::max(M, N)));
      detail::fill(ones_.data(), T(1), std::max(M, N), stream_);
    }
  }

  void update_h() override {
    if (loss_ == Loss::Frobenius) {
      // H ← H ⊙ (WᵀX) ⊘ ((WᵀW) H)
      gemm(blas_, CUBLAS_OP_T, CUBLAS_OP_N, k_, N_, M_, T(1), w_, M_, x_, M_, T(0),
           numerator_.data(), k_);
      gemm(blas_, CUBLAS_OP_T, CUBLAS_OP_N, k_, k_, M_, T(1), w_, M_, w_, M_, T(0), gram_.data(),
           k_);
      gemm(blas_, CUBLAS_OP_N, CUBLAS_OP_N, k_, N_, k_, T(1), gram_.data(), k_, h_, k_, T(0),
           denominator_.data(), k_);
      detail::mu_update(h_, numerator_.data(), denominator_.data(), k_ * N_, stream_);
    } else {
      // H ← H ⊙ (Wᵀ(X ⊘ WH)) ⊘ (Wᵀ1)
      kl_ratio_into_product();
      gemm(blas_, CUBLAS_OP_T, CUBLAS_OP_N, k_, N_, M_, T(1), w_, M_, product_.data(), M_, T(0),
           numerator_.data(), k_);
      gemv(blas_, CUBLAS_OP_T, M_, k_, T(1), w_, M_, ones_.data(), T(0), per_rank_.data());
      detail::mu_update_broadcast(h_, numerator_.data(), per_rank_.data(), k_ * N_, 1, k_,
                                  stream_);
    }
  }

  void update_w() override {
    if (loss_ == Loss::Frobenius) {
      // W ← W ⊙ (XHᵀ) ⊘ (W (HHᵀ))
      gemm(blas_, CUBLAS_OP_N, CUBLAS_OP_T, M_, k_, N_, T(1), x_, M_, h_, k_, T(0),
           numerator_.data(), M_);
      gemm(blas_, CUBLAS_OP_N, CUBLAS_OP_T, k_, k_, N_, T(1), h_, k_, h_, k_, T(0), gram_.data(),
           k_);
      gemm(blas_, CUBLAS_OP_N, CUBLAS_OP_N, M_, k_, k_, T(1), w_, M_, gram_.data(), k_, T(0),
           denominator_.data(), M_);
      detail::mu_update(w_, numerator_.data(), denominator_.data(), M_ * k_, stream_);
    } else {
      // W ← W ⊙ ((X ⊘ WH) Hᵀ) ⊘ (1Hᵀ)
      kl_ratio_into_product();
      gemm(blas_, CUBLAS_OP_N, CUBLAS_OP_T, M_, k_, N_, T(1), product_.data(), M_, h_, k_, T(0),
           numerator_.data(), M_);
      gemv(blas_, CUBLAS_OP_N, k_, N_, T(1), h_, k_, ones_.data(), T(0), per_rank_.data());
      detail::mu_update_broadcast(w_, numerator_.data(), per_rank_.data(), M_ * k_, M_, k_,
                                  stream_);
    }
  }

  double loss() override {
    // Sums the residual (or KL) terms directly, tile by tile, in double: the trace form would
    // cancel catastrophically in float once ‖X − WH‖ ≪ ‖X‖.
    CUNMF_CUDA_CHECK(cudaMemsetAsync(accumulator_.data(), 0, sizeof(double), stream_));
    const auto term = loss_ == Loss::Frobenius ? detail::LossTerm::SquaredResidual
                                               : detail::LossTerm::KullbackLeibler;
    for (std::int64_t j0 = 0; j0 < N_; j0 += tile_columns_) {
      const std::int64_t columns = std::min(tile_columns_, N_ - j0);
      gemm(blas_, CUBLAS_OP_N, CUBLAS_OP_N, M_, columns, k_, T(1), w_, M_, h_ + j0 * k_, k_, T(0),
           product_.data(), M_);
      detail::accumulate_loss_terms(term, x_ + j0 * M_, product_.data(), M_ * columns,
                                    partials_.data(), accumulator_.data(), stream_);
    }
    double sum = 0.0;
    accumulator_.copy_to_host(&sum, ctx_);
    return loss_ == Loss::Frobenius ? 0.5 * sum : sum;
  }

 private:
  /// product ← X ⊘ (W H), the whole M×N matrix.
  void kl_ratio_into_product() {
    gemm(blas_, CUBLAS_OP_N, CUBLAS_OP_N, M_, N_, k_, T(1), w_, M_, h_, k_, T(0), product_.data(),
         M_);
    detail::kl_ratio_in_place(x_, product_.data(), M_ * N_, stream_);
  }

  const cuda::Context& ctx_;
  cudaStream_t stream_;
  cublasHandle_t blas_;
  Loss loss_;
  const T* x_;
  T* w_;
  T* h_;
  std::int64_t M_, N_, k_;
  std::int64_t tile_columns_ = 0;
  cuda::DeviceBuffer<T> numerator_;    // k×N or M×k
  cuda::DeviceBuffer<T> denominator_;  // Frobenius: k×N or M×k
  cuda::DeviceBuffer<T> gram_;         // Frobenius: k×k
  cuda::DeviceBuffer<T> product_;      // W·H: M×N for KL, an M×tile for Frobenius losses
  cuda::DeviceBuffer<T> per_rank_;     // KL: Wᵀ1 or H1
  cuda::DeviceBuffer<T> ones_;         // KL: max(M, N) ones
  cuda::DeviceBuffer<double> partials_;
  cuda::DeviceBuffer<double> accumulator_;
};

}  // namespace

template <class T>
detail::LoopOutcome run_mu_device(const cuda::Context& ctx, const T* x, std::int64_t M,
                                  std::int64_t N, std::int64_t k, bool transposed, T* w, T* h,
                                  const Options& options) {
  DeviceMuSteps<T> steps(ctx, x, M, N, k, w, h, options);
  detail::LoopOutcome outcome = detail::run_iterations(steps, options, /*h_first=*/!transposed);
  ctx.synchronize();
  return outcome;
}

template detail::LoopOutcome run_mu_device<float>(const cuda::Context&, const float*, std::int64_t,
                                                  std::int64_t, std::int64_t, bool, float*, float*,
                                                  const Options&);
template detail::LoopOutcome run_mu_device<double>(const cuda::Context&, const double*,
                                                   std::int64_t, std::int64_t, std::int64_t, bool,
                                                   double*, double*, const Options&);

}  // namespace cunmf::cuda_backend
