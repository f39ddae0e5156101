// cunmf::cuda::factorize: the device-resident entry points. Validates on the device, places the
// initial factors as the solvers' column-major W and Hᵀ, solves, and hands W and H back without a
// copy (W column-major, H row-major — the bytes of Hᵀ column-major).
#include "cunmf/cuda/factorize.hpp"

#include <cmath>
#include <cstring>
#include <string>

#include "../../kernels/losses.cuh"
#include "../../kernels/scaling.cuh"
#include "../core/divergence.hpp"
#include "../core/expects.hpp"
#include "../core/host_factors.hpp"
#include "../core/scaling.hpp"
#include "../core/validation.hpp"
#include "../cuda/cuda_check.hpp"
#include "../cuda/device_csr.hpp"
#include "../cuda/device_placement.hpp"
#include "../cuda/problem_limits.hpp"
#include "../cuda/truncated_svd.hpp"
#include "checkpointing.hpp"
#include "solve_on_device.hpp"

namespace cunmf::cuda {

namespace {

using cuda_backend::DevicePanel;

/// Σ values[0 .. count) computed on the device, in double.
template <class T>
double device_sum(const Context& ctx, const T* values, std::int64_t count) {
  DeviceBuffer<double> partials(cunmf::detail::kLossPartials), sum(1);
  CUNMF_CUDA_CHECK(cudaMemsetAsync(sum.data(), 0, sizeof(double), ctx.stream()));
  cunmf::detail::accumulate_loss_terms(cunmf::detail::LossTerm::Value, values,
                                       static_cast<const T*>(nullptr), count, partials.data(),
                                       sum.data(), ctx.stream());
  double host_sum = 0.0;
  sum.copy_to_host(&host_sum, ctx);
  return host_sum;
}

/// W (m × k) and Hᵀ (n × k) on the device: W0 and H0 placed (after their checks), or the random
/// factors of the seed (the same as cunmf::factorize draws) from mean(X); options.init is ignored.
template <class T>
std::pair<DevicePanel<T>, DevicePanel<T>> device_factors(const Context& ctx, std::int64_t m,
                                                         std::int64_t n, const Options& options,
                                                         double sum_of_x,
                                                         const DeviceDenseView<const T>* W0,
                                                         const DeviceDenseView<const T>* H0) {
  const std::int64_t k = options.rank;
  DevicePanel<T> W(m, k), Ht(n, k);
  if (W0 != nullptr) {
    cuda_backend::validate_on_device(ctx, *W0, "W0");
    cuda_backend::validate_on_device(ctx, *H0, "H0");
    cuda_backend::place(ctx, *W0, /*source_is_transpose=*/false, m, k, W.data());
    cuda_backend::place(ctx, *H0, /*source_is_transpose=*/true, n, k, Ht.data());
  } else {
    const double mean = sum_of_x / (static_cast<double>(m) * static_cast<double>(n));
    const auto f = cunmf::detail::random_factors<T>(mean, m, n, k, options.seed);
    copy_host_to_device(W.data(), f.w.data(), f.w.size() * sizeof(T), ctx);
    copy_host_to_device(Ht.data(), f.ht.data(), f.ht.size() * sizeof(T), ctx);
    ctx.synchronize();  // f is about to go out of scope
  }
  return {std::move(W), std::move(Ht)};
}

/// NNDSVD's factors (options.init) of the operand X, which is 2^p times the user's X (whose
/// entries sum to sum_of_x), from its truncated SVD on the device — the factors cunmf::factorize
/// computes on the CUDA backend, which also draws them from the rescaled X. They are returned in
/// the user's scale, as device_factors' are (solve() applies 2^(p/2) again).
template <class T, class Index>
std::pair<DevicePanel<T>, DevicePanel<T>> nndsvd_device_factors(
    const Context& ctx, const cunmf::detail::Operand<T, Index>& X, const Options& options,
    double sum_of_x, int p) {
  const std::int64_t m = X.rows(), n = X.cols(), k = options.rank;
  const double mean = std::ldexp(sum_of_x / (static_cast<double>(m) * static_cast<double>(n)), p);
  auto f = cuda_backend::nndsvd_factors_on_device(ctx, X, options, mean);
  cunmf::detail::scale_factors(f, -(p / 2));
  DevicePanel<T> W(m, k), Ht(n, k);
  copy_host_to_device(W.data(), f.w.data(), f.w.size() * sizeof(T), ctx);
  copy_host_to_device(Ht.data(), f.ht.data(), f.ht.size() * sizeof(T), ctx);
  ctx.synchronize();  // f is about to go out of scope
  return {std::move(W), std::move(Ht)};
}

/// The initial factors: W0 and H0, the random ones, or NNDSVD's of the (rescaled) operand X.
template <class T, class Index>
std::pair<DevicePanel<T>, DevicePanel<T>> initial_device_factors(
    const Context& ctx, const cunmf::detail::Operand<T, Index>& X, const Options& options,
    double sum_of_x, int p, const DeviceDenseView<const T>* W0,
    const DeviceDenseView<const T>* H0) {
  if (W0 == nullptr && options.init != Init::Random) {
    return nndsvd_device_factors(ctx, X, options, sum_of_x, p);
  }
  return device_factors(ctx, X.rows(), X.cols(), options, sum_of_x, W0, H0);
}

template <class T>
void check_factor_shapes(std::int64_t m, std::int64_t n, const Options& options,
                         const DeviceDenseView<const T>* W0, const DeviceDenseView<const T>* H0) {
  if (W0 == nullptr) return;
  cunmf::detail::validate_shape(W0->rows, W0->cols, m, options.rank, "W0");
  cunmf::detail::validate_shape(H0->rows, H0->cols, options.rank, n, "H0");
}

/// The exponent p of the exact rescaling of X's `count` values (core/scaling.hpp), found on the
/// device; when p ≠ 0, `scaled` receives 2^p times the values (the only copy of X this entry
/// makes, and only for an extreme X). 0 for the β-divergences without a path of their own, as in
/// cunmf::factorize (their powers of 2^p are not powers of two in general).
template <class T>
int rescale_on_device(const Context& ctx, const T* values, std::int64_t count,
                      DeviceBuffer<T>& scaled, const Options& options) {
  if (!cunmf::detail::rescales(options)) return 0;
  DeviceBuffer<unsigned long long> bits(1);
  CUNMF_CUDA_CHECK(cudaMemsetAsync(bits.data(), 0, sizeof(unsigned long long), ctx.stream()));
  cunmf::detail::find_largest_entry(values, count, bits.data(), ctx.stream());
  unsigned long long host_bits = 0;
  bits.copy_to_host(&host_bits, ctx);
  double largest = 0.0;
  std::memcpy(&largest, &host_bits, sizeof largest);
  const int p = cunmf::detail::scale_exponent(largest);
  if (p != 0) {
    scaled = DeviceBuffer<T>(static_cast<std::size_t>(count));
    cunmf::detail::scale_by_power_of_two(values, scaled.data(), count, p, ctx.stream());
  }
  return p;
}

template <class T>
void scale_panels(const Context& ctx, DevicePanel<T>& W, DevicePanel<T>& Ht, int half_p) {
  if (half_p == 0) return;
  cunmf::detail::scale_by_power_of_two(W.data(), W.data(), W.size(), half_p, ctx.stream());
  cunmf::detail::scale_by_power_of_two(Ht.data(), Ht.data(), Ht.size(), half_p, ctx.stream());
}

/// Solves the problem X rescaled by 2^p (X is already the scaled operand; the factors are the
/// user's) and wraps the factors as the result, scaled back, as the host entry points do.
template <class T, class Index>
DeviceResult<T> solve(const Context& ctx, const cunmf::detail::Operand<T, Index>& X,
                      std::pair<DevicePanel<T>, DevicePanel<T>>&& factors, const Options& options,
                      int p) {
  auto& [W, Ht] = factors;
  const std::int64_t m = W.rows(), n = Ht.rows(), k = W.cols();
  DeviceResult<T> result;
  scale_panels(ctx, W, Ht, p / 2);
  // Checkpoints go to options.checkpoint.path as from the host entry points (the factors are
  // copied to the host at each one).
  static_cast<RunSummary&>(result) =
      cunmf::detail::solve_on_device(ctx, X, W, Ht, cunmf::detail::unscaled_reporting(options, p),
                                     cunmf::detail::run_start<T>(options, p, nullptr));
  scale_panels(ctx, W, Ht, -p / 2);
  cunmf::detail::unscale_history(result, options.loss, p);
  result.W = DeviceMatrix<T>(W.release(), m, k, Layout::ColMajor);
  result.H = DeviceMatrix<T>(Ht.release(), k, n, Layout::RowMajor);
  return result;
}

template <class T>
DeviceResult<T> run(const Context& ctx, DeviceDenseView<const T> X, const Options& given,
                    const DeviceDenseView<const T>* W0, const DeviceDenseView<const T>* H0) {
  cunmf::detail::validate_options(given, X.rows, X.cols);
  check_factor_shapes(X.rows, X.cols, given, W0, H0);
  cuda_backend::check_blas_dimensions(X.rows, X.cols);  // before X is read
  cuda_backend::validate_on_device(ctx, X, "X");
  if (cunmf::detail::needs_positive_entries(given)) {
    const std::int64_t zero = cuda_backend::first_invalid_on_device(ctx, X.data, X.size(), true);
    if (zero >= 0) {
      cunmf::detail::throw_zero_outside_domain(
          given, cunmf::detail::dense_position(zero, X.rows, X.cols, X.layout));
    }
  }
  const Options options = cunmf::detail::with_divergence(given);
  const double sum = W0 == nullptr ? device_sum(ctx, X.data, X.size()) : 0.0;
  DeviceBuffer<T> scaled;
  const int p = rescale_on_device(ctx, X.data, X.size(), scaled, options);
  const auto op =
      cunmf::detail::Operand<T>::dense(p != 0 ? scaled.data() : X.data, X.rows, X.cols, X.layout);
  return solve(ctx, op, initial_device_factors(ctx, op, options, sum, p, W0, H0), options, p);
}

template <class T, class Index>
DeviceResult<T> run(const Context& ctx, DeviceCsrView<const T, Index> X, const Options& given,
                    const DeviceDenseView<const T>* W0, const DeviceDenseView<const T>* H0) {
  cunmf::detail::validate_options(given, X.rows, X.cols);
  check_factor_shapes(X.rows, X.cols, given, W0, H0);
  cuda_backend::check_blas_dimensions(X.rows, X.cols);  // before X is read
  cuda_backend::validate_on_device(ctx, X, "X");
  if (cunmf::detail::needs_positive_entries(given)) {
    const std::string unstored = cunmf::detail::unstored_entries(X.nnz, X.rows, X.cols);
    if (!unstored.empty()) cunmf::detail::throw_zero_outside_domain(given, unstored);
    const std::int64_t zero = cuda_backend::first_invalid_on_device(ctx, X.values, X.nnz, true);
    if (zero >= 0) {
      cunmf::detail::throw_zero_outside_domain(given,
                                               "stored at CSR entry " + std::to_string(zero));
    }
  }
  const Options options = cunmf::detail::with_divergence(given);
  const double sum = W0 == nullptr ? device_sum(ctx, X.values, X.nnz) : 0.0;
  DeviceBuffer<T> scaled;
  const int p = rescale_on_device(ctx, X.values, X.nnz, scaled, options);
  const cunmf::detail::CsrArrays<T, Index> x{
      X.rows, X.cols, X.nnz, X.row_ptr, X.col_idx, p != 0 ? scaled.data() : X.values};
  const auto xt = cuda_backend::transpose_on_device(ctx, x);
  const auto op = cunmf::detail::Operand<T, Index>::sparse(x, xt.arrays());
  return solve(ctx, op, initial_device_factors(ctx, op, options, sum, p, W0, H0), options, p);
}

}  // namespace

DeviceResult<float> factorize(const Context& ctx, DeviceDenseView<const float> X,
                              const Options& options) {
  return run<float>(ctx, X, options, nullptr, nullptr);
}
DeviceResult<double> factorize(const Context& ctx, DeviceDenseView<const double> X,
                               const Options& options) {
  return run<double>(ctx, X, options, nullptr, nullptr);
}
DeviceResult<float> factorize(const Context& ctx, DeviceDenseView<const float> X,
                              const Options& options, DeviceDenseView<const float> W0,
                              DeviceDenseView<const float> H0) {
  return run<float>(ctx, X, options, &W0, &H0);
}
DeviceResult<double> factorize(const Context& ctx, DeviceDenseView<const double> X,
                               const Options& options, DeviceDenseView<const double> W0,
                               DeviceDenseView<const double> H0) {
  return run<double>(ctx, X, options, &W0, &H0);
}

template <class T, class Index>
DeviceResult<T> factorize(const Context& ctx, DeviceCsrView<const T, Index> X,
                          const Options& options) {
  return run<T, Index>(ctx, X, options, nullptr, nullptr);
}
template <class T, class Index>
DeviceResult<T> factorize(const Context& ctx, DeviceCsrView<const T, Index> X,
                          const Options& options, DeviceDenseView<const T> W0,
                          DeviceDenseView<const T> H0) {
  return run<T, Index>(ctx, X, options, &W0, &H0);
}

#define CUNMF_INSTANTIATE_DEVICE_CSR_FACTORIZE(T, Index)                                      \
  template DeviceResult<T> factorize<T, Index>(const Context&, DeviceCsrView<const T, Index>, \
                                               const Options&);                               \
  template DeviceResult<T> factorize<T, Index>(const Context&, DeviceCsrView<const T, Index>, \
                                               const Options&, DeviceDenseView<const T>,      \
                                               DeviceDenseView<const T>);
CUNMF_INSTANTIATE_DEVICE_CSR_FACTORIZE(float, std::int32_t)
CUNMF_INSTANTIATE_DEVICE_CSR_FACTORIZE(float, std::int64_t)
CUNMF_INSTANTIATE_DEVICE_CSR_FACTORIZE(double, std::int32_t)
CUNMF_INSTANTIATE_DEVICE_CSR_FACTORIZE(double, std::int64_t)
#undef CUNMF_INSTANTIATE_DEVICE_CSR_FACTORIZE

}  // namespace cunmf::cuda
