// The CUDA backend's sparse MU steps (see mu_sparse_device.hpp). Orientation: W is row-major m×k
// and H column-major k×n, so every dense operand of SpMM is row-major (CUSPARSE_SPMM_CSR_ALG2,
// deterministic) and W·H at entry (i, j) is the dot product of two contiguous k-vectors.
#include "mu_sparse_device.hpp"

#include <algorithm>
#include <optional>

#include "../../kernels/kl_ratio.cuh"
#include "../../kernels/losses.cuh"
#include "../../kernels/mu_update.cuh"
#include "../../kernels/sparse_terms.cuh"
#include "blas.hpp"
#include "context_impl.hpp"
#include "cunmf/cuda/device_buffer.hpp"
#include "cusparse_descriptors.hpp"

namespace cunmf::cuda_backend {

namespace {

constexpr cusparseSpMMAlg_t kSpmmAlgorithm = CUSPARSE_SPMM_CSR_ALG2;

template <class T, class Index>
class DeviceSparseMuSteps final : public detail::MuSteps {
 public:
  DeviceSparseMuSteps(const cuda::Context& ctx, const DeviceCsr<T, Index>& x,
                      const DeviceCsr<T, Index>& xt, std::int64_t k, T* w, T* h,
                      const Options& options)
      : ctx_(ctx),
        stream_(ctx.impl().stream),
        blas_(blas_handle(ctx, options.allow_tf32)),
        sparse_(sparse_handle(ctx)),
        loss_(options.loss),
        x_(x), xt_(xt), w_(w), h_(h), m_(x.rows), n_(x.cols), k_(k),
        numerator_(static_cast<std::size_t>(std::max(m_, n_) * k)),
        partials_(detail::kLossPartials),
        accumulator_(1),
        w_double_(static_cast<std::size_t>(m_ * k)),
        h_double_(static_cast<std::size_t>(k * n_)),
        gram_w_double_(static_cast<std::size_t>(k * k)),
        gram_h_double_(static_cast<std::size_t>(k * k)),
        x_descriptor_(x.rows, x.cols, x.nnz, x.row_ptr, x.col_idx, x.values),
        xt_descriptor_(xt.rows, xt.cols, xt.nnz, xt.row_ptr, xt.col_idx, xt.values),
        w_descriptor_(m_, k, w),
        h_descriptor_(n_, k, h),  // H column-major k×n is Hᵀ row-major n×k
        numerator_w_descriptor_(m_, k, numerator_.data()),
        numerator_h_descriptor_(n_, k, numerator_.data()) {
    if (loss_ == Loss::Frobenius) {
      denominator_ = cuda::DeviceBuffer<T>(static_cast<std::size_t>(std::max(m_, n_) * k));
      gram_ = cuda::DeviceBuffer<T>(static_cast<std::size_t>(k * k));
    } else {
      ratio_ = cuda::DeviceBuffer<T>(static_cast<std::size_t>(x.nnz));
      ratio_descriptor_.emplace(x.rows, x.cols, x.nnz, x.row_ptr, x.col_idx, ratio_.data());
      ratio_t_descriptor_.emplace(xt.rows, xt.cols, xt.nnz, xt.row_ptr, xt.col_idx, ratio_.data());
      per_rank_ = cuda::DeviceBuffer<T>(static_cast<std::size_t>(k));
      ones_ = cuda::DeviceBuffer<T>(static_cast<std::size_t>(std::max(m_, n_)));
      detail::fill(ones_.data(), T(1), std::max(m_, n_), stream_);
      ones_double_ = cuda::DeviceBuffer<double>(static_cast<std::size_t>(std::max(m_, n_)));
      detail::fill(ones_double_.data(), 1.0, std::max(m_, n_), stream_);
    }
    // One workspace, sized once for both products and reused by every iteration.
    const std::size_t bytes = std::max(spmm_buffer_size(x_descriptor_, h_descriptor_,
                                                        numerator_w_descriptor_),
                                       spmm_buffer_size(xt_descriptor_, w_descriptor_,
                                                        numerator_h_descriptor_));
    spmm_buffer_ = cuda::DeviceBuffer<unsigned char>(std::max<std::size_t>(bytes, 1));
    // ‖X‖² once, for the Frobenius loss.
    CUNMF_CUDA_CHECK(cudaMemsetAsync(accumulator_.data(), 0, sizeof(double), stream_));
    detail::accumulate_loss_terms(detail::LossTerm::Product, x.values, x.values, x.nnz,
                                  partials_.data(), accumulator_.data(), stream_);
    accumulator_.copy_to_host(&x_squared_norm_, ctx_);
  }

  void update_h() override {
    if (loss_ == Loss::Frobenius) {
      // H ← H ⊙ (WᵀX) ⊘ ((WᵀW) H); (WᵀX)ᵀ = Xᵀ W lands as H's column-major layout.
      spmm(xt_descriptor_, w_descriptor_, numerator_h_descriptor_);
      gemm(blas_, CUBLAS_OP_N, CUBLAS_OP_T, k_, k_, m_, T(1), w_, k_, w_, k_, T(0), gram_.data(),
           k_);
      gemm(blas_, CUBLAS_OP_N, CUBLAS_OP_N, k_, n_, k_, T(1), gram_.data(), k_, h_, k_, T(0),
           denominator_.data(), k_);
      detail::mu_update(h_, numerator_.data(), denominator_.data(), k_ * n_, stream_);
    } else {
      // H ← H ⊙ (Wᵀ(X ⊘ WH)) ⊘ (Wᵀ1), the ratio taken at the non-zeros of Xᵀ.
      detail::csr_kl_ratio(xt_.row_ptr, xt_.col_idx, xt_.values, xt_.rows, h_, w_, k_,
                           ratio_.data(), stream_);
      spmm(*ratio_t_descriptor_, w_descriptor_, numerator_h_descriptor_);
      gemv(blas_, CUBLAS_OP_N, k_, m_, T(1), w_, k_, ones_.data(), T(0), per_rank_.data());
      detail::mu_update_broadcast(h_, numerator_.data(), per_rank_.data(), k_ * n_, 1, k_,
                                  stream_);
    }
  }

  void update_w() override {
    if (loss_ == Loss::Frobenius) {
      // W ← W ⊙ (XHᵀ) ⊘ (W (HHᵀ)); with W row-major, (W G)ᵀ = G Wᵀ as G is symmetric.
      spmm(x_descriptor_, h_descriptor_, numerator_w_descriptor_);
      gemm(blas_, CUBLAS_OP_N, CUBLAS_OP_T, k_, k_, n_, T(1), h_, k_, h_, k_, T(0), gram_.data(),
           k_);
      gemm(blas_, CUBLAS_OP_N, CUBLAS_OP_N, k_, m_, k_, T(1), gram_.data(), k_, w_, k_, T(0),
           denominator_.data(), k_);
      detail::mu_update(w_, numerator_.data(), denominator_.data(), m_ * k_, stream_);
    } else {
      // W ← W ⊙ ((X ⊘ WH) Hᵀ) ⊘ (1Hᵀ), the ratio taken at the non-zeros of X.
      detail::csr_kl_ratio(x_.row_ptr, x_.col_idx, x_.values, x_.rows, w_, h_, k_, ratio_.data(),
                           stream_);
      spmm(*ratio_descriptor_, h_descriptor_, numerator_w_descriptor_);
      gemv(blas_, CUBLAS_OP_N, k_, n_, T(1), h_, k_, ones_.data(), T(0), per_rank_.data());
      detail::mu_update_broadcast(w_, numerator_.data(), per_rank_.data(), m_ * k_, 1, k_,
                                  stream_);
    }
  }

  double loss() override {
    // Everything in double from the float factors (their products are exact in double), so the
    // Frobenius expansion ‖X‖² − 2⟨X, WH⟩ + tr((WᵀW)(HHᵀ)) keeps its digits when the fit is good.
    detail::convert_to_double(w_, w_double_.data(), m_ * k_, stream_);
    detail::convert_to_double(h_, h_double_.data(), k_ * n_, stream_);
    double result = 0.0;
    if (loss_ == Loss::Frobenius) {
      gemm(blas_, CUBLAS_OP_N, CUBLAS_OP_T, k_, k_, m_, 1.0, w_double_.data(), k_,
           w_double_.data(), k_, 0.0, gram_w_double_.data(), k_);
      gemm(blas_, CUBLAS_OP_N, CUBLAS_OP_T, k_, k_, n_, 1.0, h_double_.data(), k_,
           h_double_.data(), k_, 0.0, gram_h_double_.data(), k_);
      const double cross = sum_at_nonzeros(detail::SparseTerm::CrossProduct);
      CUNMF_CUDA_CHECK(cudaMemsetAsync(accumulator_.data(), 0, sizeof(double), stream_));
      detail::accumulate_loss_terms(detail::LossTerm::Product, gram_w_double_.data(),
                                    gram_h_double_.data(), k_ * k_, partials_.data(),
                                    accumulator_.data(), stream_);
      double trace = 0.0;
      accumulator_.copy_to_host(&trace, ctx_);
      result = 0.5 * std::max(0.0, x_squared_norm_ - 2.0 * cross + trace);
    } else {
      // Σ over the non-zeros of x·log(x/wh) − x, plus Σ over all entries of wh = (1ᵀW)(H1).
      const double at_nonzeros = sum_at_nonzeros(detail::SparseTerm::KullbackLeibler);
      gemv(blas_, CUBLAS_OP_N, k_, m_, 1.0, w_double_.data(), k_, ones_double_.data(), 0.0,
           gram_w_double_.data());
      gemv(blas_, CUBLAS_OP_N, k_, n_, 1.0, h_double_.data(), k_, ones_double_.data(), 0.0,
           gram_h_double_.data());
      CUNMF_CUDA_CHECK(cudaMemsetAsync(accumulator_.data(), 0, sizeof(double), stream_));
      detail::accumulate_loss_terms(detail::LossTerm::Product, gram_w_double_.data(),
                                    gram_h_double_.data(), k_, partials_.data(),
                                    accumulator_.data(), stream_);
      double total_wh = 0.0;
      accumulator_.copy_to_host(&total_wh, ctx_);
      result = at_nonzeros + total_wh;
    }
    return result;
  }

 private:
  /// Σ term(x, (WH)_ij) over the non-zeros of X, in double, waiting for the result.
  double sum_at_nonzeros(detail::SparseTerm term) {
    CUNMF_CUDA_CHECK(cudaMemsetAsync(accumulator_.data(), 0, sizeof(double), stream_));
    detail::accumulate_csr_terms(term, x_.row_ptr, x_.col_idx, x_.values, x_.rows, w_, h_, k_,
                                 partials_.data(), accumulator_.data(), stream_);
    double sum = 0.0;
    accumulator_.copy_to_host(&sum, ctx_);
    return sum;
  }

  std::size_t spmm_buffer_size(const CsrDescriptor& a, const RowMajorDescriptor& b,
                               const RowMajorDescriptor& c) {
    const T one = 1, zero = 0;
    std::size_t bytes = 0;
    CUNMF_CUSPARSE_CHECK(cusparseSpMM_bufferSize(
        sparse_, CUSPARSE_OPERATION_NON_TRANSPOSE, CUSPARSE_OPERATION_NON_TRANSPOSE, &one, a.get(),
        b.get(), &zero, c.get(), cuda_data_type<T>(), kSpmmAlgorithm, &bytes));
    return bytes;
  }

  /// c ← a · b.
  void spmm(const CsrDescriptor& a, const RowMajorDescriptor& b, const RowMajorDescriptor& c) {
    const T one = 1, zero = 0;
    CUNMF_CUSPARSE_CHECK(cusparseSpMM(sparse_, CUSPARSE_OPERATION_NON_TRANSPOSE,
                                      CUSPARSE_OPERATION_NON_TRANSPOSE, &one, a.get(), b.get(),
                                      &zero, c.get(), cuda_data_type<T>(), kSpmmAlgorithm,
                                      spmm_buffer_.data()));
  }

  const cuda::Context& ctx_;
  cudaStream_t stream_;
  cublasHandle_t blas_;
  cusparseHandle_t sparse_;
  Loss loss_;
  DeviceCsr<T, Index> x_, xt_;
  T* w_;
  T* h_;
  std::int64_t m_, n_, k_;
  double x_squared_norm_ = 0.0;
  cuda::DeviceBuffer<T> numerator_;    // m×k or n×k, row-major
  cuda::DeviceBuffer<T> denominator_;  // Frobenius
  cuda::DeviceBuffer<T> gram_;         // Frobenius: k×k
  cuda::DeviceBuffer<T> ratio_;        // KL: nnz values, X's or Xᵀ's pattern
  cuda::DeviceBuffer<T> per_rank_;     // KL: Wᵀ1 or H1
  cuda::DeviceBuffer<T> ones_;         // KL
  cuda::DeviceBuffer<double> ones_double_;  // KL loss
  cuda::DeviceBuffer<double> partials_, accumulator_;
  cuda::DeviceBuffer<double> w_double_, h_double_, gram_w_double_, gram_h_double_;
  cuda::DeviceBuffer<unsigned char> spmm_buffer_;
  CsrDescriptor x_descriptor_, xt_descriptor_;
  RowMajorDescriptor w_descriptor_, h_descriptor_;
  RowMajorDescriptor numerator_w_descriptor_, numerator_h_descriptor_;
  std::optional<CsrDescriptor> ratio_descriptor_, ratio_t_descriptor_;
};

}  // namespace

template <class T, class Index>
detail::LoopOutcome run_mu_sparse_device(const cuda::Context& ctx, const DeviceCsr<T, Index>& x,
                                         const DeviceCsr<T, Index>& xt, std::int64_t k, T* w,
                                         T* h, const Options& options) {
  DeviceSparseMuSteps<T, Index> steps(ctx, x, xt, k, w, h, options);
  detail::LoopOutcome outcome = detail::run_iterations(steps, options, /*h_first=*/true);
  ctx.synchronize();
  return outcome;
}

#define CUNMF_INSTANTIATE_SPARSE_MU(T, Index)                                                \
  template detail::LoopOutcome run_mu_sparse_device<T, Index>(                              \
      const cuda::Context&, const DeviceCsr<T, Index>&, const DeviceCsr<T, Index>&,         \
      std::int64_t, T*, T*, const Options&);
CUNMF_INSTANTIATE_SPARSE_MU(float, std::int32_t)
CUNMF_INSTANTIATE_SPARSE_MU(float, std::int64_t)
CUNMF_INSTANTIATE_SPARSE_MU(double, std::int32_t)
CUNMF_INSTANTIATE_SPARSE_MU(double, std::int64_t)
#undef CUNMF_INSTANTIATE_SPARSE_MU

}  // namespace cunmf::cuda_backend
