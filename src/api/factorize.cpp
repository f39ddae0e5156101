// cunmf::factorize on host data: validates the arguments, picks the backend, builds the operand
// and the initial factors once, runs the backend's entry, and maps the outcome to a Result.
#include "cunmf/factorize.hpp"

#include "../core/expects.hpp"
#include "../core/validation.hpp"
#include "backend_entries.hpp"

namespace cunmf {

bool cuda_available() {
#if defined(CUNMF_WITH_CUDA)
  return detail::cuda_device_available();
#else
  return false;
#endif
}

const char* cuda_device_description() {
#if defined(CUNMF_WITH_CUDA)
  return detail::cuda_device_name();
#else
  return "none: cuNMF was built without CUDA";
#endif
}

namespace {

Backend resolve_backend(Backend requested) {
  if (requested == Backend::Cpu) return Backend::Cpu;
  if (requested == Backend::Auto) return cuda_available() ? Backend::Cuda : Backend::Cpu;
  if (!cuda_available()) {
    throw DeviceUnavailable(std::string("cunmf: Backend::Cuda requested but no CUDA device is "
                                        "usable: ") + cuda_device_description());
  }
  return Backend::Cuda;
}

/// Checks W0 (m × k) and H0 (k × n) and takes them as the initial factors.
template <class T>
detail::HostFactors<T> checked_factors(std::int64_t m, std::int64_t n, const Options& options,
                                       DenseView<const T> W0, DenseView<const T> H0) {
  detail::validate_shape(W0.rows, W0.cols, m, options.rank, "W0");
  detail::validate_shape(H0.rows, H0.cols, options.rank, n, "H0");
  detail::validate_nonnegative(W0, "W0");
  detail::validate_nonnegative(H0, "H0");
  return detail::factors_from(W0, H0);
}

/// Runs `run_backend(backend)` (which returns the RunSummary) and completes the Result.
template <class T, class RunBackend>
Result<T> run(const Options& options, detail::HostFactors<T>&& f, RunBackend run_backend) {
  Result<T> result;
  result.backend = resolve_backend(options.backend);
  static_cast<RunSummary&>(result) = run_backend(result.backend, f);
  detail::to_user(std::move(f), result.W, result.H);
  return result;
}

template <class T>
Result<T> factorize_dense(DenseView<const T> X, const Options& options,
                          const DenseView<const T>* W0, const DenseView<const T>* H0) {
  detail::validate_options(options, X.rows, X.cols);
  detail::validate_nonnegative(X, "X");
  detail::HostFactors<T> f =
      W0 != nullptr ? checked_factors(X.rows, X.cols, options, *W0, *H0)
                    : detail::random_factors<T>(detail::mean_of(X), X.rows, X.cols, options.rank,
                                                options.seed);
  return run(options, std::move(f), [&](Backend backend, detail::HostFactors<T>& factors) {
#if defined(CUNMF_WITH_CUDA)
    if (backend == Backend::Cuda) return detail::run_on_cuda(X, factors, options);
#endif
    (void)backend;
    const auto op = detail::Operand<T>::dense(X.data, X.rows, X.cols, X.layout);
    return detail::run_on_cpu(op, factors, options);
  });
}

template <class T, class Index>
Result<T> factorize_csr(CsrView<const T, Index> X, const Options& options,
                        const DenseView<const T>* W0, const DenseView<const T>* H0) {
  detail::validate_options(options, X.rows, X.cols);
  detail::validate_csr(X, "X");
  detail::HostFactors<T> f =
      W0 != nullptr ? checked_factors(X.rows, X.cols, options, *W0, *H0)
                    : detail::random_factors<T>(detail::mean_of(X), X.rows, X.cols, options.rank,
                                                options.seed);
  return run(options, std::move(f), [&](Backend backend, detail::HostFactors<T>& factors) {
#if defined(CUNMF_WITH_CUDA)
    if (backend == Backend::Cuda) return detail::run_on_cuda(X, factors, options);
#endif
    (void)backend;
    const CsrMatrix<T, Index> Xt = detail::transpose(X);
    const auto op = detail::Operand<T, Index>::sparse(detail::arrays_of(X),
                                                      detail::arrays_of(Xt.view()));
    return detail::run_on_cpu(op, factors, options);
  });
}

}  // namespace

Result<float> factorize(DenseView<const float> X, const Options& options) {
  return factorize_dense<float>(X, options, nullptr, nullptr);
}
Result<double> factorize(DenseView<const double> X, const Options& options) {
  return factorize_dense<double>(X, options, nullptr, nullptr);
}
Result<float> factorize(DenseView<const float> X, const Options& options,
                        DenseView<const float> W0, DenseView<const float> H0) {
  return factorize_dense<float>(X, options, &W0, &H0);
}
Result<double> factorize(DenseView<const double> X, const Options& options,
                         DenseView<const double> W0, DenseView<const double> H0) {
  return factorize_dense<double>(X, options, &W0, &H0);
}

template <class T, class Index>
Result<T> factorize(CsrView<const T, Index> X, const Options& options) {
  return factorize_csr<T, Index>(X, options, nullptr, nullptr);
}

template <class T, class Index>
Result<T> factorize(CsrView<const T, Index> X, const Options& options, DenseView<const T> W0,
                    DenseView<const T> H0) {
  return factorize_csr<T, Index>(X, options, &W0, &H0);
}

#define CUNMF_INSTANTIATE_CSR_FACTORIZE(T, Index)                                   \
  template Result<T> factorize<T, Index>(CsrView<const T, Index>, const Options&); \
  template Result<T> factorize<T, Index>(CsrView<const T, Index>, const Options&,  \
                                         DenseView<const T>, DenseView<const T>);
CUNMF_INSTANTIATE_CSR_FACTORIZE(float, std::int32_t)
CUNMF_INSTANTIATE_CSR_FACTORIZE(float, std::int64_t)
CUNMF_INSTANTIATE_CSR_FACTORIZE(double, std::int32_t)
CUNMF_INSTANTIATE_CSR_FACTORIZE(double, std::int64_t)
#undef CUNMF_INSTANTIATE_CSR_FACTORIZE

}  // namespace cunmf
