// The CUDA backend: the primitives of core/primitives.hpp with cuBLAS, cuSPARSE, cuSOLVER and our
// kernels, for dense and CSR operands in device memory, in float and double. All work is queued on
// the Context's stream (the one Context, received from the caller); only loss() waits. It knows
// nothing of the solvers that call it.
#pragma once

#include <cublas_v2.h>
#include <cusolverDn.h>
#include <cusparse.h>

#include <array>
#include <cstdint>

#include "../../kernels/elementwise.cuh"
#include "../core/operand_dispatch.hpp"
#include "cunmf/cuda/context.hpp"
#include "cunmf/cuda/device_buffer.hpp"
#include "cunmf/options.hpp"
#include "device_csr.hpp"

namespace cunmf::cuda_backend {

/// A column-major rows × cols matrix in device memory (the backend's Matrix).
template <class T>
class DevicePanel {
 public:
  DevicePanel() = default;
  DevicePanel(std::int64_t rows, std::int64_t cols)
      : buffer_(static_cast<std::size_t>(rows * cols)), rows_(rows), cols_(cols) {}
  std::int64_t rows() const { return rows_; }
  std::int64_t cols() const { return cols_; }
  std::int64_t size() const { return rows_ * cols_; }
  T* data() { return buffer_.data(); }
  const T* data() const { return buffer_.data(); }
  /// Gives up the memory (for a DeviceMatrix of the result); the panel is empty afterwards.
  cuda::DeviceBuffer<T> release() {
    rows_ = cols_ = 0;
    return std::move(buffer_);
  }

 private:
  cuda::DeviceBuffer<T> buffer_;
  std::int64_t rows_ = 0;
  std::int64_t cols_ = 0;
};

template <class T>
class Backend : public detail::OperandDispatch<Backend<T>, T> {
 public:
  using Scalar = T;
  using Matrix = DevicePanel<T>;

  /// Works on ctx's stream. `tensor_cores` (float only): Tf32 puts cuBLAS in TF32 math mode and
  /// the fused dense KL product on TF32 tensor cores, Tf32x3 that product on 3xTF32 (cuBLAS stays
  /// fp32); on a device without TF32 tensor cores both leave everything in fp32.
  Backend(const cuda::Context& ctx, TensorCoreMode tensor_cores);

  Matrix matrix(std::int64_t rows, std::int64_t cols) const { return Matrix(rows, cols); }
  /// A panel of the rows × cols column-major host values at `host`, which must stay valid until
  /// the queued copy has run (the next wait on the stream).
  Matrix from_column_major(const T* host, std::int64_t rows, std::int64_t cols) const {
    Matrix panel(rows, cols);
    cuda::copy_host_to_device(panel.data(), host,
                              static_cast<std::size_t>(panel.size()) * sizeof(T), ctx_);
    return panel;
  }
  /// A host CSR matrix copied to device memory (the graph's affinity); A must stay valid until
  /// the queued copy has run (the next wait on the stream).
  template <class Index>
  DeviceCsr<T, Index> csr_from_host(CsrView<const T, Index> A) const {
    return upload(ctx_, A);
  }
  /// Copies `panel` to column-major host memory, waiting for the queued work (checkpoints).
  void to_column_major(const Matrix& panel, T* host) const {
    cuda::copy_device_to_host(host, panel.data(),
                              static_cast<std::size_t>(panel.size()) * sizeof(T), ctx_);
  }

  void gram(const Matrix& F, Matrix& out);
  void multiply(const Matrix& F, const Matrix& S, Matrix& out);
  void column_sums(const Matrix& F, Matrix& out);
  void mu_update(Matrix& F, const Matrix& numerator, const Matrix& denominator,
                 detail::Penalty<T> penalty, T floor, T gamma);
  void beta_denominator(const Matrix& W, const Matrix& F, T beta, Matrix& out);
  void add_penalty(Matrix& gram, Matrix& numerator, detail::Penalty<T> penalty);
  void projected_gram_solve(const Matrix& G, Matrix& N);
  void nnls_bpp(const Matrix& G, const Matrix& numerator, Matrix& F);
  void hals_update(Matrix& F, const Matrix& numerator, const Matrix& gram);
  void axpby(T a, const Matrix& X, T b, const Matrix& Y, Matrix& out);
  void projected_step(const Matrix& F, const Matrix& gradient, T alpha, Matrix& out);
  void projected_gradient(const Matrix& F, const Matrix& gradient, Matrix& out);
  double dot(const Matrix& A, const Matrix& B);
  /// core/primitives.hpp's ratio_product_and_loss: for a dense A whose product dense_ratio_product
  /// would take on the fused CUDA-core kernel, one pass of it gives the product and the loss;
  /// otherwise the rule (core/operand_dispatch.hpp).
  template <class Index>
  double ratio_product_and_loss(const detail::Operand<T, Index>& A, const Matrix& W,
                                const Matrix& F, Matrix& out);

  // The operand primitives by kind (core/operand_dispatch.hpp).
  void dense_product(const detail::ColumnMajorStorage<T>& S, bool transposed, const Matrix& F,
                     Matrix& out);
  void dense_ratio_product(const detail::ColumnMajorStorage<T>& S, bool transposed, const Matrix& W,
                           const Matrix& F, Matrix& out);
  void dense_beta_terms(const detail::ColumnMajorStorage<T>& S, bool transposed, const Matrix& W,
                        const Matrix& F, T beta, Matrix& numerator, Matrix& denominator);
  /// dense_ratio_product by a fused kernel (kernels/fused_kl.cuh, or kernels/fused_kl_tf32.cuh in
  /// float with tensor cores on); k must fit it.
  void fused_ratio_product(const detail::ColumnMajorStorage<T>& S, bool transposed, const Matrix& W,
                           const Matrix& F, Matrix& out);
  /// Whether the fused dense KL product of rank k runs on tensor cores (kernels/fused_kl_tf32.cuh).
  bool fused_on_tensor_cores(std::int64_t k) const;
  /// Whether dense_ratio_product takes a fused kernel for rank k when the unfused path's buffer
  /// would fit too.
  bool prefers_fused_ratio_product(std::int64_t k) const;
  double dense_loss(detail::Divergence loss, const detail::ColumnMajorStorage<T>& S,
                    const Matrix& A, const Matrix& B);
  template <class Index>
  void sparse_product(const detail::CsrArrays<T, Index>& A, const T* values, const Matrix& F,
                      Matrix& out);
  template <class Index>
  void sparse_ratio_product(const detail::CsrArrays<T, Index>& A, const Matrix& W, const Matrix& F,
                            Matrix& out);
  template <class Index>
  void sparse_beta_numerator(const detail::CsrArrays<T, Index>& A, const Matrix& W, const Matrix& F,
                             T beta, Matrix& out);
  template <class Index>
  double sparse_loss(detail::Divergence loss, const detail::CsrArrays<T, Index>& X, const Matrix& W,
                     const Matrix& Ht);
  void dense_kl_cd_update(const detail::ColumnMajorStorage<T>& S, bool transposed, Matrix& F,
                          const Matrix& G, const Matrix& sums, detail::Penalty<T> penalty);
  template <class Index>
  void sparse_kl_cd_update(const detail::CsrArrays<T, Index>& A, Matrix& F, const Matrix& G,
                           const Matrix& sums, detail::Penalty<T> penalty);

 private:
  /// out ← op(S) · F on raw device pointers (F is inner × k, out rows × k).
  void storage_product(const detail::ColumnMajorStorage<T>& S, bool transposed, const T* F,
                       std::int64_t k, T* out);
  /// *sum += Σ over every entry of beta_power_term((w htᵀ)_ij, β), for w (m × k) and ht (n × k)
  /// column-major in double, formed a tile of columns at a time (CSR losses); `sum` is one of the
  /// accumulators.
  void accumulate_power_terms(const double* w, std::int64_t m, const double* ht, std::int64_t n,
                              std::int64_t k, double beta, double* sum);
  /// Where the loss reductions add their sums: one per term of a loss made of several, so that a
  /// check waits for the device once.
  static constexpr std::size_t kAccumulators = 3;
  /// The sum the loss reductions accumulated in the first accumulator since the last reset,
  /// waiting for it.
  double read_accumulator();
  /// The sums of every accumulator since the last reset, in one wait.
  std::array<double, kAccumulators> read_accumulators();
  /// Zeroes every accumulator.
  void reset_accumulator();
  /// Grows `buffer` to at least `count` elements (contents undefined). Queued work may still read
  /// the old memory, so the stream is drained before it is freed; growth happens only in the first
  /// calls, so the iterations do not wait.
  template <class U>
  void reserve(cuda::DeviceBuffer<U>& buffer, std::int64_t count) {
    if (buffer.size() >= static_cast<std::size_t>(count)) return;
    if (buffer.size() > 0) ctx_.synchronize();
    buffer = cuda::DeviceBuffer<U>(static_cast<std::size_t>(count));
  }
  /// A device vector of at least `count` ones.
  const T* ones(std::int64_t count);
  const double* ones_double(std::int64_t count);

  const cuda::Context& ctx_;
  cudaStream_t stream_;
  TensorCoreMode tensor_cores_;  // Off unless T is float and the device has TF32 tensor cores
  cublasHandle_t blas_;
  cusparseHandle_t sparse_;
  cusolverDnHandle_t dense_solver_;
  // Work space, grown on demand and kept, so that the iterations do not allocate.
  /// KL: X ⊘ WH for MU, W·H at the entries for kl_cd_update (dense: X's storage size; CSR: nnz)
  cuda::DeviceBuffer<T> ratio_;
  cuda::DeviceBuffer<T> product_tile_;      ///< dense losses, beta_denominator: a tile of W·Hᵀ
  cuda::DeviceBuffer<double> double_tile_;  ///< CSR β-divergence: a tile of W·Hᵀ in double
  cuda::DeviceBuffer<T> ones_;              ///< column sums (gemv with ones)
  cuda::DeviceBuffer<double> ones_double_;  ///< CSR losses
  cuda::DeviceBuffer<unsigned char> spmm_workspace_;
  cuda::DeviceBuffer<double> factors_double_;  ///< CSR losses: W and Hᵀ in double
  cuda::DeviceBuffer<double> small_double_;    ///< CSR losses: Grams or column sums, in double
  cuda::DeviceBuffer<double> partials_;
  cuda::DeviceBuffer<double> fused_loss_partials_;  ///< ratio_product_and_loss: a sum per block
  cuda::DeviceBuffer<double> accumulator_;          ///< kAccumulators sums
  cuda::DeviceBuffer<T> cholesky_factor_;      ///< projected_gram_solve: G + δI, then its factor
  cuda::DeviceBuffer<T> cholesky_workspace_;   ///< potrf's workspace
  cuda::DeviceBuffer<T> transposed_;           ///< projected_gram_solve: Nᵀ, solved in place
  cuda::DeviceBuffer<int> cholesky_info_;      ///< devInfo of potrf and of potrs
  cuda::DeviceBuffer<T> bpp_gram_;             ///< nnls_bpp: G + δI
  cuda::DeviceBuffer<T> bpp_scratch_;          ///< nnls_bpp: a batch of rows' Cholesky factors etc.
  cuda::DeviceBuffer<int> bpp_index_scratch_;  ///< nnls_bpp: a batch of rows' passive sets
};

}  // namespace cunmf::cuda_backend
