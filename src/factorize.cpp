// cunmf::factorize: validates the arguments, picks the backend, and runs the solver there.
#include "cunmf/factorize.hpp"

#include "cpu/mu.hpp"
#include "cunmf/errors.hpp"
#include "problem.hpp"
#include "sparse_problem.hpp"
#if defined(CUNMF_WITH_CUDA)
#include "cuda/run_mu.hpp"
#endif

namespace cunmf {

bool cuda_available() {
#if defined(CUNMF_WITH_CUDA)
  return cuda_backend::device_available();
#else
  return false;
#endif
}

const char* cuda_device_description() {
#if defined(CUNMF_WITH_CUDA)
  return cuda_backend::device_description();
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

template <class T>
Result<T> run(const Options& options, const detail::ColMajorProblem<T>& p,
              detail::ColMajorFactors<T> f, Backend backend) {
  Result<T> result;
  result.backend = backend;
  detail::LoopOutcome outcome;
  if (backend == Backend::Cpu) {
    outcome = cpu::run_mu(p, f, options);
  } else {
#if defined(CUNMF_WITH_CUDA)
    outcome = cuda_backend::run_mu(p, f, options);
#endif
  }
  result.loss_history = std::move(outcome.loss_history);
  result.history_iterations = std::move(outcome.history_iterations);
  result.iterations = outcome.iterations;
  result.converged = outcome.converged;
  result.seconds = outcome.seconds;
  detail::to_user(p, std::move(f), result);
  return result;
}

template <class T>
Result<T> factorize_random(DenseView<const T> X, const Options& options) {
  detail::validate_options(options, X.rows, X.cols);
  detail::validate_nonnegative(X, "X");
  const Backend backend = resolve_backend(options.backend);
  const auto p = detail::make_problem(X, options.rank);
  return run(options, p, detail::random_factors(X, p, options.seed), backend);
}

template <class T>
Result<T> factorize_from(DenseView<const T> X, const Options& options, DenseView<const T> W0,
                         DenseView<const T> H0) {
  detail::validate_options(options, X.rows, X.cols);
  detail::validate_shape(W0, X.rows, options.rank, "W0");
  detail::validate_shape(H0, options.rank, X.cols, "H0");
  detail::validate_nonnegative(X, "X");
  detail::validate_nonnegative(W0, "W0");
  detail::validate_nonnegative(H0, "H0");
  const Backend backend = resolve_backend(options.backend);
  const auto p = detail::make_problem(X, options.rank);
  return run(options, p, detail::to_backend(p, W0, H0), backend);
}

template <class T, class Index>
Result<T> run_sparse(CsrView<const T, Index> X, const Options& options,
                     detail::SparseFactors<T> f, Backend backend) {
  const CsrMatrix<T, Index> Xt = detail::transpose(X);
  detail::LoopOutcome outcome;
  if (backend == Backend::Cpu) {
    outcome = cpu::run_mu_sparse(X, Xt.view(), options.rank, f, options);
  } else {
#if defined(CUNMF_WITH_CUDA)
    outcome = cuda_backend::run_mu_sparse(X, Xt.view(), options.rank, f, options);
#endif
  }
  Result<T> result;
  result.backend = backend;
  result.loss_history = std::move(outcome.loss_history);
  result.history_iterations = std::move(outcome.history_iterations);
  result.iterations = outcome.iterations;
  result.converged = outcome.converged;
  result.seconds = outcome.seconds;
  detail::sparse_factors_to_user(X.rows, X.cols, options.rank, std::move(f), result);
  return result;
}

}  // namespace

template <class T, class Index>
Result<T> factorize(CsrView<const T, Index> X, const Options& options) {
  detail::validate_options(options, X.rows, X.cols);
  detail::validate_csr(X, "X");
  const Backend backend = resolve_backend(options.backend);
  auto f = detail::random_sparse_factors<T>(detail::mean_of_entries(X), X.rows, X.cols,
                                            options.rank, options.seed);
  return run_sparse(X, options, std::move(f), backend);
}

template <class T, class Index>
Result<T> factorize(CsrView<const T, Index> X, const Options& options, DenseView<const T> W0,
                    DenseView<const T> H0) {
  detail::validate_options(options, X.rows, X.cols);
  detail::validate_shape(W0, X.rows, options.rank, "W0");
  detail::validate_shape(H0, options.rank, X.cols, "H0");
  detail::validate_csr(X, "X");
  detail::validate_nonnegative(W0, "W0");
  detail::validate_nonnegative(H0, "H0");
  const Backend backend = resolve_backend(options.backend);
  return run_sparse(X, options, detail::to_sparse_factors(W0, H0), backend);
}

#define CUNMF_INSTANTIATE_SPARSE_FACTORIZE(T, Index)                                           \
  template Result<T> factorize<T, Index>(CsrView<const T, Index>, const Options&);            \
  template Result<T> factorize<T, Index>(CsrView<const T, Index>, const Options&,             \
                                         DenseView<const T>, DenseView<const T>);
CUNMF_INSTANTIATE_SPARSE_FACTORIZE(float, std::int32_t)
CUNMF_INSTANTIATE_SPARSE_FACTORIZE(float, std::int64_t)
CUNMF_INSTANTIATE_SPARSE_FACTORIZE(double, std::int32_t)
CUNMF_INSTANTIATE_SPARSE_FACTORIZE(double, std::int64_t)
#undef CUNMF_INSTANTIATE_SPARSE_FACTORIZE

Result<float> factorize(DenseView<const float> X, const Options& options) {
  return factorize_random(X, options);
}
Result<double> factorize(DenseView<const double> X, const Options& options) {
  return factorize_random(X, options);
}
Result<float> factorize(DenseView<const float> X, const Options& options,
                        DenseView<const float> W0, DenseView<const float> H0) {
  return factorize_from(X, options, W0, H0);
}
Result<double> factorize(DenseView<const double> X, const Options& options,
                         DenseView<const double> W0, DenseView<const double> H0) {
  return factorize_from(X, options, W0, H0);
}

}  // namespace cunmf
