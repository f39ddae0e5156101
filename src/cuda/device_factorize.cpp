// cunmf::cuda::factorize: the device-resident entry point. Validates on the device, places the
// initial factors in the backend orientation, runs the solver, hands W and H back without a copy.
#include "cunmf/cuda/factorize.hpp"

#include "../../kernels/losses.cuh"
#include "../problem.hpp"
#include "blas.hpp"
#include "context_impl.hpp"
#include "cunmf/errors.hpp"
#include "device_placement.hpp"
#include "mu_device.hpp"
#include "problem_limits.hpp"

namespace cunmf::cuda {

namespace {

/// mean(X) computed on the device, in double.
template <class T>
double device_mean(const Context& ctx, DeviceDenseView<const T> X) {
  DeviceBuffer<double> partials(cunmf::detail::kLossPartials), sum(1);
  CUNMF_CUDA_CHECK(cudaMemsetAsync(sum.data(), 0, sizeof(double), ctx.impl().stream));
  cunmf::detail::accumulate_loss_terms(cunmf::detail::LossTerm::Value, X.data,
                                       static_cast<const T*>(nullptr), X.size(), partials.data(),
                                       sum.data(), ctx.impl().stream);
  double host_sum = 0.0;
  sum.copy_to_host(&host_sum, ctx);
  return host_sum / static_cast<double>(X.size());
}

template <class T>
DeviceResult<T> run(const Context& ctx, DeviceDenseView<const T> X, const Options& options,
                    const DeviceDenseView<const T>* W0, const DeviceDenseView<const T>* H0) {
  cunmf::detail::validate_options(options, X.rows, X.cols);
  cuda_backend::check_blas_dimensions(X.rows, X.cols);
  const std::int64_t m = X.rows, n = X.cols, k = options.rank;
  if (W0 != nullptr) {
    cunmf::detail::validate_shape(DenseView<const T>{nullptr, W0->rows, W0->cols}, m, k, "W0");
    cunmf::detail::validate_shape(DenseView<const T>{nullptr, H0->rows, H0->cols}, k, n, "H0");
  }
  cuda_backend::validate_on_device(ctx, X, "X");
  const bool transposed = X.layout == Layout::RowMajor;
  const std::int64_t M = transposed ? n : m, N = transposed ? m : n;

  DeviceBuffer<T> w(static_cast<std::size_t>(M * k)), h(static_cast<std::size_t>(k * N));
  if (W0 != nullptr) {
    cuda_backend::validate_on_device(ctx, *W0, "W0");
    cuda_backend::validate_on_device(ctx, *H0, "H0");
    // Not transposed: W_int = W0, H_int = H0. Transposed: W_int = H0ᵀ, H_int = W0ᵀ.
    cuda_backend::place(ctx, transposed ? *H0 : *W0, transposed, M, k, w.data());
    cuda_backend::place(ctx, transposed ? *W0 : *H0, transposed, k, N, h.data());
  } else {
    cunmf::detail::ColMajorProblem<T> p{nullptr, M, N, k, transposed};
    auto f = cunmf::detail::random_factors_from_mean<T>(device_mean(ctx, X), p, options.seed);
    w.copy_from_host(f.w.data(), ctx);
    h.copy_from_host(f.h.data(), ctx);
    ctx.synchronize();  // f is about to go out of scope
  }

  DeviceResult<T> result;
  const auto outcome =
      cuda_backend::run_mu_device(ctx, X.data, M, N, k, transposed, w.data(), h.data(), options);
  result.loss_history = outcome.loss_history;
  result.history_iterations = outcome.history_iterations;
  result.iterations = outcome.iterations;
  result.converged = outcome.converged;
  result.seconds = outcome.seconds;
  if (transposed) {  // H_int (k×m col-major) is W row-major; W_int is H row-major
    result.W = DeviceMatrix<T>(std::move(h), m, k, Layout::RowMajor);
    result.H = DeviceMatrix<T>(std::move(w), k, n, Layout::RowMajor);
  } else {
    result.W = DeviceMatrix<T>(std::move(w), m, k, Layout::ColMajor);
    result.H = DeviceMatrix<T>(std::move(h), k, n, Layout::ColMajor);
  }
  return result;
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

}  // namespace cunmf::cuda
