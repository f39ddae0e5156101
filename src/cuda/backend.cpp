// The CUDA backend's primitives that do not depend on the operand (Gram and small products, column
// sums, the element-wise update, the coordinate-descent sweep, the projected Gram solve, the panel
// arithmetic of projected gradient) and the reduction and work-space plumbing.
#include "backend.hpp"

#include <algorithm>
#include <type_traits>

#include "../../kernels/fused_kl_tf32.cuh"
#include "../../kernels/gram_solve.cuh"
#include "../../kernels/hals_update.cuh"
#include "../../kernels/kl_ratio.cuh"
#include "../../kernels/losses.cuh"
#include "../../kernels/mu_update.cuh"
#include "../../kernels/nnls_bpp.cuh"
#include "../../kernels/penalty.cuh"
#include "../../kernels/projected_gradient.cuh"
#include "blas.hpp"
#include "cholesky.hpp"
#include "context_impl.hpp"

namespace cunmf::cuda_backend {

namespace {

/// nnls_bpp's work space in elements at most (128 MiB in float, 256 MiB in double): rows are
/// solved in batches of as many rows as fit (k² + 2k elements each: 76 Ki rows at k = 20, 8 Ki at
/// k = 64, enough threads to fill a GPU at the ranks NMF is used with).
constexpr std::int64_t kBppScratchEntries = std::int64_t{1} << 25;

}  // namespace

template <class T>
Backend<T>::Backend(const cuda::Context& ctx, TensorCoreMode tensor_cores)
    : ctx_(ctx),
      stream_(ctx.stream()),
      tensor_cores_(std::is_same_v<T, float> && tensor_cores != TensorCoreMode::Off &&
                            detail::tf32_mma_supported()
                        ? tensor_cores
                        : TensorCoreMode::Off),
      blas_(blas_handle(ctx, tensor_cores_ == TensorCoreMode::Tf32)),
      sparse_(sparse_handle(ctx)),
      dense_solver_(dense_solver_handle(ctx)),
      partials_(detail::kLossPartials),
      accumulator_(kAccumulators) {}

template <class T>
void Backend<T>::gram(const Matrix& F, Matrix& out) {
  gemm(blas_, CUBLAS_OP_T, CUBLAS_OP_N, F.cols(), F.cols(), F.rows(), T(1), F.data(), F.rows(),
       F.data(), F.rows(), T(0), out.data(), F.cols());
}

template <class T>
void Backend<T>::multiply(const Matrix& F, const Matrix& S, Matrix& out) {
  gemm(blas_, CUBLAS_OP_N, CUBLAS_OP_N, F.rows(), S.cols(), F.cols(), T(1), F.data(), F.rows(),
       S.data(), S.rows(), T(0), out.data(), F.rows());
}

template <class T>
void Backend<T>::column_sums(const Matrix& F, Matrix& out) {
  gemv(blas_, CUBLAS_OP_T, F.rows(), F.cols(), T(1), F.data(), F.rows(), ones(F.rows()), T(0),
       out.data());
}

template <class T>
void Backend<T>::mu_update(Matrix& F, const Matrix& numerator, const Matrix& denominator,
                           detail::Penalty<T> penalty, T floor, T gamma) {
  if (denominator.rows() == F.rows()) {
    detail::mu_update(F.data(), numerator.data(), denominator.data(), penalty, floor, gamma,
                      F.size(), stream_);
  } else {  // 1 × k: one denominator per column
    detail::mu_update_per_column(F.data(), numerator.data(), denominator.data(), penalty, floor,
                                 gamma, F.rows(), F.size(), stream_);
  }
}

template <class T>
void Backend<T>::add_penalty(Matrix& gram, Matrix& numerator, detail::Penalty<T> penalty) {
  if (penalty.l1 == T(0) && penalty.l2 == T(0)) return;
  detail::add_penalty(gram.data(), numerator.data(), penalty, numerator.rows(), gram.rows(),
                      stream_);
}

// G + δI is factorized in a copy (G stays as it is) by potrf; the rows of N are solved as the
// columns of Nᵀ by potrs (cuSOLVER solves A X = B, with the right-hand sides as columns), and one
// kernel transposes the solution back, projects it and turns it into NaN if either devInfo says
// the factorization failed — so no devInfo is read on the host inside the iterations.
template <class T>
void Backend<T>::projected_gram_solve(const Matrix& G, Matrix& N) {
  const std::int64_t k = G.rows();
  const std::int64_t rows = N.rows();
  reserve(cholesky_factor_, k * k);
  reserve(transposed_, rows * k);
  reserve(cholesky_info_, 2);
  detail::ridged_gram(G.data(), cholesky_factor_.data(), k, stream_);
  const int lwork =
      potrf_workspace(dense_solver_, CUBLAS_FILL_MODE_LOWER, k, cholesky_factor_.data(), k);
  reserve(cholesky_workspace_, lwork);
  potrf(dense_solver_, CUBLAS_FILL_MODE_LOWER, k, cholesky_factor_.data(), k,
        cholesky_workspace_.data(), lwork, cholesky_info_.data());
  transpose_copy(blas_, k, rows, N.data(), rows, transposed_.data());
  potrs(dense_solver_, CUBLAS_FILL_MODE_LOWER, k, rows, cholesky_factor_.data(), k,
        transposed_.data(), k, cholesky_info_.data() + 1);
  detail::project_transposed(transposed_.data(), N.data(), cholesky_info_.data(), rows, k, stream_);
}

// Block principal pivoting, one thread per row (kernels/nnls_bpp.cu), in batches of rows whose
// work space (a k × k Cholesky factor and a few k-vectors per row) stays within
// kBppScratchEntries, so that memory does not grow as rows × k² for a large factor.
template <class T>
void Backend<T>::nnls_bpp(const Matrix& G, const Matrix& numerator, Matrix& F) {
  const std::int64_t k = G.rows();
  const std::int64_t rows = F.rows();
  if (rows == 0 || k == 0) return;
  const std::int64_t batch =
      std::clamp<std::int64_t>(kBppScratchEntries / detail::nnls_bpp_scratch(k), 1, rows);
  reserve(bpp_gram_, k * k);
  reserve(bpp_scratch_, batch * detail::nnls_bpp_scratch(k));
  reserve(bpp_index_scratch_, batch * detail::nnls_bpp_index_scratch(k));
  detail::ridged_gram(G.data(), bpp_gram_.data(), k, stream_);
  for (std::int64_t first = 0; first < rows; first += batch) {
    detail::nnls_bpp_rows(bpp_gram_.data(), numerator.data(), F.data(), rows, first,
                          std::min(batch, rows - first), k, bpp_scratch_.data(),
                          bpp_index_scratch_.data(), stream_);
  }
}

template <class T>
void Backend<T>::hals_update(Matrix& F, const Matrix& numerator, const Matrix& gram) {
  detail::hals_update(F.data(), numerator.data(), gram.data(), F.rows(), F.cols(), stream_);
}

template <class T>
void Backend<T>::axpby(T a, const Matrix& X, T b, const Matrix& Y, Matrix& out) {
  if (out.size() == 0) return;
  axpby_matrix(blas_, out.rows(), out.cols(), a, X.data(), b, Y.data(), out.data());
}

template <class T>
void Backend<T>::projected_step(const Matrix& F, const Matrix& gradient, T alpha, Matrix& out) {
  detail::projected_step(F.data(), gradient.data(), alpha, out.data(), F.size(), stream_);
}

template <class T>
void Backend<T>::projected_gradient(const Matrix& F, const Matrix& gradient, Matrix& out) {
  detail::projected_gradient(F.data(), gradient.data(), out.data(), F.size(), stream_);
}

// The loss reductions' sum of products (per-block partials in double, combined in a fixed order):
// the same bits on every run, and the result on the host, where the solver decides with it.
template <class T>
double Backend<T>::dot(const Matrix& A, const Matrix& B) {
  reset_accumulator();
  detail::accumulate_loss_terms(detail::LossTerm::Product, A.data(), B.data(), A.size(),
                                partials_.data(), accumulator_.data(), stream_);
  return read_accumulator();
}

template <class T>
void Backend<T>::reset_accumulator() {
  CUNMF_CUDA_CHECK(
      cudaMemsetAsync(accumulator_.data(), 0, kAccumulators * sizeof(double), stream_));
}

template <class T>
double Backend<T>::read_accumulator() {
  return read_accumulators()[0];
}

template <class T>
std::array<double, Backend<T>::kAccumulators> Backend<T>::read_accumulators() {
  std::array<double, kAccumulators> sums{};
  accumulator_.copy_to_host(sums.data(), ctx_);
  return sums;
}

template <class T>
const T* Backend<T>::ones(std::int64_t count) {
  if (ones_.size() < static_cast<std::size_t>(count)) {
    reserve(ones_, count);
    detail::fill(ones_.data(), T(1), count, stream_);
  }
  return ones_.data();
}

template <class T>
const double* Backend<T>::ones_double(std::int64_t count) {
  if (ones_double_.size() < static_cast<std::size_t>(count)) {
    reserve(ones_double_, count);
    detail::fill(ones_double_.data(), 1.0, count, stream_);
  }
  return ones_double_.data();
}

template class Backend<float>;
template class Backend<double>;

}  // namespace cunmf::cuda_backend
