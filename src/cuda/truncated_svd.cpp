// The device's truncated SVD for NNDSVD (truncated_svd.hpp).
//
// The steps mirror core/nndsvd.cpp's host SVD, whose products are in T too: Y = X Ω, then seven
// rounds of Z = orth(Xᵀ Y), Y = orth(X Z), each orth a Householder QR. Where the host takes the SVD
// of the n × l matrix B' = Xᵀ Q directly, the device first reduces it with one more QR, B' = Q₂ R,
// and only the l × l R goes to the host (l = k + 10: a few hundred bytes, against B' of n·l
// values): R = U_R S V_Rᵀ there in double, so B' = (Q₂ U_R) S V_Rᵀ and X ≈ (Q V_R) S (Q₂ U_R)ᵀ —
// the two k-column products formed on the device by GEMM. The Cholesky-QR the ALS solver's potrf
// could give would square the condition of the sketch (σ₁/σ_l, large exactly when the spectrum has
// the gap NNDSVD relies on) and lose float's digits, hence geqrf + orgqr.
//
// The factors' NNDSVD rule then runs on the host from U and V (core/nndsvd.hpp): the same code as
// the CPU path, Nndsvdar's draws included. It moves (m + n)·k values each way, the size of the
// factors the solve uploads anyway; X itself (m·n values) never leaves the device.
#include "truncated_svd.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "backend.hpp"
#include "blas.hpp"
#include "context_impl.hpp"
#include "cunmf/errors.hpp"
#include "qr.hpp"

namespace cunmf::cuda_backend {

namespace {

/// The QR of the panels Y and Z (the same number of columns), at most `calls` of them:
/// orthonormal bases in place, with the workspace (sized for both), τ and one devInfo slot per
/// call allocated once and read once at the end.
template <class T>
class Orthonormalizer {
 public:
  Orthonormalizer(const cuda::Context& ctx, DevicePanel<T>& Y, DevicePanel<T>& Z, int calls)
      : ctx_(ctx),
        solver_(dense_solver_handle(ctx)),
        tau_(static_cast<std::size_t>(Y.cols())),
        info_(static_cast<std::size_t>(2 * calls)) {
    int lwork = 1;
    for (DevicePanel<T>* F : {&Y, &Z}) {
      const std::int64_t rows = F->rows(), cols = F->cols();
      lwork = std::max({lwork, geqrf_workspace(solver_, rows, cols, F->data(), rows),
                        orgqr_workspace(solver_, rows, cols, cols, F->data(), rows, tau_.data())});
    }
    work_ = cuda::DeviceBuffer<T>(static_cast<std::size_t>(lwork));
  }

  /// F's R factor into its upper triangle (geqrf); the first of the two steps of orthonormalize.
  void factor(DevicePanel<T>& F) {
    geqrf(solver_, F.rows(), F.cols(), F.data(), F.rows(), tau_.data(), work_.data(),
          static_cast<int>(work_.size()), info_.data() + 2 * used_);
  }
  /// F ← Q of the factorization `factor` left in F (orgqr).
  void form_q(DevicePanel<T>& F) {
    orgqr(solver_, F.rows(), F.cols(), F.cols(), F.data(), F.rows(), tau_.data(), work_.data(),
          static_cast<int>(work_.size()), info_.data() + 2 * used_ + 1);
    ++used_;
  }
  /// F ← an orthonormal basis of its columns (F = Q R, F ← Q).
  void orthonormalize(DevicePanel<T>& F) {
    factor(F);
    form_q(F);
  }

  /// Throws CudaError when a call reported a bad argument (devInfo < 0); waits for the device.
  void check_reports() const {
    std::vector<int> reports(info_.size());
    info_.copy_to_host(reports.data(), ctx_);
    for (std::size_t c = 0; c < static_cast<std::size_t>(2 * used_); ++c) {
      if (reports[c] == 0) continue;
      throw cunmf::CudaError(std::string("NNDSVD's truncated SVD on the device: cuSOLVER ") +
                             (c % 2 == 0 ? "geqrf" : "orgqr") +
                             " reported devInfo = " + std::to_string(reports[c]) + " (call " +
                             std::to_string(c / 2 + 1) + ")");
    }
  }

 private:
  const cuda::Context& ctx_;
  cusolverDnHandle_t solver_;
  cuda::DeviceBuffer<T> tau_;
  cuda::DeviceBuffer<int> info_;
  cuda::DeviceBuffer<T> work_;
  int used_ = 0;  ///< QRs queued; at most the constructor's `calls`
};

/// A device panel holding `host` (rows × cols, column-major double) converted to T; waits for the
/// copy, since the converted host copy is temporary.
template <class T>
DevicePanel<T> upload(const cuda::Context& ctx, const double* host, std::int64_t rows,
                      std::int64_t cols) {
  const std::vector<T> converted(host, host + rows * cols);
  DevicePanel<T> panel(rows, cols);
  cuda::copy_host_to_device(panel.data(), converted.data(), converted.size() * sizeof(T), ctx);
  ctx.synchronize();
  return panel;
}

/// The rows × cols device panel as column-major doubles.
template <class T>
std::vector<double> download(const cuda::Context& ctx, const DevicePanel<T>& panel) {
  std::vector<T> host(static_cast<std::size_t>(panel.size()));
  cuda::copy_device_to_host(host.data(), panel.data(), host.size() * sizeof(T), ctx);
  return std::vector<double>(host.begin(), host.end());
}

}  // namespace

template <class T, class Index>
detail::TruncatedSvd truncated_svd_on_device(const cuda::Context& ctx,
                                             const detail::Operand<T, Index>& X, std::int64_t k,
                                             std::uint64_t seed) {
  const std::int64_t m = X.rows(), n = X.cols();
  detail::check_nndsvd_rank(m, n, k);
  const std::int64_t l = detail::sketch_columns(m, n, k);
  // TF32 off whatever the solve allows: its 10-bit products would cap the SVD near 1e-3.
  Backend<T> backend(ctx, TensorCoreMode::Off);
  const detail::Operand<T, Index> Xt = X.transposed();
  const std::vector<double> omega_host = detail::sketch_test_matrix(n, l, seed);
  const DevicePanel<T> omega = upload<T>(ctx, omega_host.data(), n, l);
  DevicePanel<T> Y(m, l), Z(n, l);  // Y: the basis of X's range; Z: of Xᵀ's
  Orthonormalizer<T> qr(ctx, Y, Z, 2 * detail::kNndsvdPowerIterations + 2);
  backend.product(X, omega, Y);
  qr.orthonormalize(Y);
  for (int it = 0; it < detail::kNndsvdPowerIterations; ++it) {
    backend.product(Xt, Y, Z);
    qr.orthonormalize(Z);
    backend.product(X, Z, Y);
    qr.orthonormalize(Y);
  }
  backend.product(Xt, Y, Z);  // B' = Xᵀ Q (n × l)
  qr.factor(Z);               // B' = Q₂ R
  // Rᵀ (l × l) from the top of Z: a transposing copy (geam) of the block whose upper triangle is
  // R; the reflectors below the diagonal are left out on the host.
  cuda::DeviceBuffer<T> rt(static_cast<std::size_t>(l * l));
  transpose_copy(blas_handle(ctx, false), l, l, Z.data(), n, rt.data());
  qr.form_q(Z);  // Z ← Q₂
  std::vector<T> rt_host(static_cast<std::size_t>(l * l));
  rt.copy_to_host(rt_host.data(), ctx);
  qr.check_reports();
  std::vector<double> R(static_cast<std::size_t>(l * l), 0.0);
  for (std::int64_t j = 0; j < l; ++j)
    for (std::int64_t i = 0; i <= j; ++i) R[i + j * l] = static_cast<double>(rt_host[j + i * l]);
  const detail::SmallSvd small = detail::small_svd(R, l);
  // U = Q V_R[:, :k] (m × k), V = Q₂ U_R[:, :k] (n × k).
  const DevicePanel<T> vr = upload<T>(ctx, small.vr.data(), l, k);
  const DevicePanel<T> ur = upload<T>(ctx, small.ur.data(), l, k);
  DevicePanel<T> U(m, k), V(n, k);
  backend.multiply(Y, vr, U);
  backend.multiply(Z, ur, V);
  detail::TruncatedSvd svd;
  svd.m = m;
  svd.n = n;
  svd.k = k;
  svd.u = download(ctx, U);
  svd.v = download(ctx, V);
  svd.s.assign(small.s.begin(), small.s.begin() + k);
  return svd;
}

template <class T, class Index>
detail::HostFactors<T> nndsvd_factors_on_device(const cuda::Context& ctx,
                                                const detail::Operand<T, Index>& X,
                                                const Options& options, double mean) {
  return detail::nndsvd_from_svd<T>(truncated_svd_on_device(ctx, X, options.rank, options.seed),
                                    options.init, mean, options.seed);
}

#define CUNMF_INSTANTIATE_TRUNCATED_SVD(T, Index)                                           \
  template detail::TruncatedSvd truncated_svd_on_device<T, Index>(                          \
      const cuda::Context&, const detail::Operand<T, Index>&, std::int64_t, std::uint64_t); \
  template detail::HostFactors<T> nndsvd_factors_on_device<T, Index>(                       \
      const cuda::Context&, const detail::Operand<T, Index>&, const Options&, double);
CUNMF_INSTANTIATE_TRUNCATED_SVD(float, std::int32_t)
CUNMF_INSTANTIATE_TRUNCATED_SVD(float, std::int64_t)
CUNMF_INSTANTIATE_TRUNCATED_SVD(double, std::int32_t)
CUNMF_INSTANTIATE_TRUNCATED_SVD(double, std::int64_t)
#undef CUNMF_INSTANTIATE_TRUNCATED_SVD

}  // namespace cunmf::cuda_backend
