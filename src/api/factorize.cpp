// cunmf::factorize on host data: validates the arguments, picks the backend, builds the operand
// and the initial factors once, runs the backend's entry, and maps the outcome to a Result.
#include "cunmf/factorize.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "../core/divergence.hpp"
#include "../core/expects.hpp"
#include "../core/scaling.hpp"
#include "../core/smoothing.hpp"
#include "../core/validation.hpp"
#include "backend_entries.hpp"
#include "checkpointing.hpp"
#include "cunmf/checkpoint.hpp"
#if defined(CUNMF_WITH_CUDA)
#include "../cuda/device_info.hpp"
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

namespace detail {

Backend resolve_backend(Backend requested) {
  if (requested == Backend::Cpu) return Backend::Cpu;
  if (requested == Backend::Auto) return cuda_available() ? Backend::Cuda : Backend::Cpu;
  if (!cuda_available()) {
    throw DeviceUnavailable(std::string("cunmf: Backend::Cuda requested but no CUDA device is "
                                        "usable: ") +
                            cuda_device_description());
  }
  return Backend::Cuda;
}

}  // namespace detail

namespace {

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

/// NNDSVD's truncated SVD runs where the solve does: on the device for the CUDA backend, which
/// uploads X for the solve anyway (the host's SVD would read X some 16 times on the CPU).
bool nndsvd_on_device(Backend backend, const Options& options) {
  return backend == Backend::Cuda && options.init != Init::Random;
}

/// The input checks and facts of a dense or a CSR X.
template <class T>
void validate_input(DenseView<const T> X) {
  detail::validate_nonnegative(X, "X");
}
template <class T, class Index>
void validate_input(CsrView<const T, Index> X) {
  detail::validate_csr(X, "X");
}

/// The CPU backend on a host X: a dense X is read in place; a CSR X gets its transpose built once.
template <class T>
RunSummary run_on_cpu(DenseView<const T> X, detail::HostFactors<T>& f, const Options& options,
                      const detail::RunStart<T>& start) {
  return detail::run_on_cpu(detail::Operand<T>::dense(X.data, X.rows, X.cols, X.layout), f, options,
                            start);
}
template <class T, class Index>
RunSummary run_on_cpu(CsrView<const T, Index> X, detail::HostFactors<T>& f, const Options& options,
                      const detail::RunStart<T>& start) {
  const CsrMatrix<T, Index> Xt = detail::transpose(X);
  const auto op =
      detail::Operand<T, Index>::sparse(detail::arrays_of(X), detail::arrays_of(Xt.view()));
  return detail::run_on_cpu(op, f, options, start);
}

/// transform's start of H (cunmf/factorize.hpp) for the (scaled) X: zeros for the Frobenius loss
/// with a solver that can leave them, sqrt(mean(X) / k) everywhere otherwise.
template <class T, class XView>
std::vector<T> transform_start(XView X, const Options& options) {
  const bool zeros =
      options.loss == Loss::Frobenius && options.solver != Solver::MultiplicativeUpdate;
  const double value =
      zeros ? 0.0 : std::sqrt(detail::mean_of(X) / static_cast<double>(options.rank));
  return std::vector<T>(static_cast<std::size_t>(X.cols * options.rank), static_cast<T>(value));
}

/// cunmf::factorize for a dense or CSR X: checks, initial factors (W0/H0, a checkpoint's, or drawn
/// from the seed), the backend's run, the Result. With `fixed_w` (cunmf::transform), W0 is held
/// and H0 may be null (transform_start).
template <class T, class XView>
Result<T> factorize_input(XView X, const Options& given, const DenseView<const T>* W0,
                          const DenseView<const T>* H0, const Checkpoint<T>* from = nullptr,
                          bool fixed_w = false) {
  detail::validate_options(given, X.rows, X.cols, fixed_w);
  CUNMF_EXPECTS(!fixed_w || given.checkpoint.path.empty(),
                "transform does not write checkpoints: leave options.checkpoint empty");
  validate_input(X);
  detail::validate_divergence_domain(X, given);
  // From here on a β-divergence with a path of its own is that path (core/divergence.hpp).
  const Options options = detail::with_divergence(given);
  if (from != nullptr) detail::validate_resumable(*from, X.rows, X.cols, options);
  Result<T> result;
  result.backend = detail::resolve_backend(options.backend);
  // An extreme X is solved as 2^p X with factors 2^(p/2) W, 2^(p/2) H (core/scaling.hpp).
  const int p = detail::rescales(options) ? detail::scale_exponent(detail::max_entry(X)) : 0;
  std::vector<T> scaled_storage;
  const XView Xs = detail::scaled(X, p, scaled_storage);
  const Options scaled_options = detail::unscaled_reporting(options, p);
  // Given factors are scaled with X; drawn ones are drawn from the scaled X (for the random
  // init, exactly 2^(p/2) times the draws from X, since mean and square root scale exactly).
  detail::HostFactors<T> f;
  if (fixed_w && H0 == nullptr) {
    detail::validate_shape(W0->rows, W0->cols, X.rows, options.rank, "W");
    detail::validate_nonnegative(*W0, "W");
    const std::vector<T> start = transform_start<T>(Xs, options);
    f = detail::factors_from(
        *W0, DenseView<const T>{start.data(), options.rank, X.cols, Layout::RowMajor});
    for (T& w : f.w) w = static_cast<T>(std::ldexp(w, p / 2));  // W scaled with X; H drawn from Xs
  } else if (from != nullptr || W0 != nullptr) {
    f = from != nullptr ? detail::factors_from(from->W.view(), from->H.view())
                        : checked_factors(X.rows, X.cols, options, *W0, *H0);
    detail::scale_factors(f, p / 2);
  } else if (!nndsvd_on_device(result.backend, options)) {
    f = detail::initial_factors<T>(Xs, options);
  }  // else f stays empty: run_on_cuda computes NNDSVD's factors from X on the device
  detail::RunStart<T> start = detail::run_start(options, p, from);
  start.fixed_w = fixed_w;
  RunSummary& summary = result;
#if defined(CUNMF_WITH_CUDA)
  if (result.backend == Backend::Cuda) summary = detail::run_on_cuda(Xs, f, scaled_options, start);
#endif
  if (result.backend == Backend::Cpu) summary = run_on_cpu(Xs, f, scaled_options, start);
  detail::unscale_history(summary, options.loss, p);
  detail::scale_factors(f, -p / 2);
  detail::to_user(std::move(f), result.W, result.H);
  result.S = DenseMatrix<T>(options.rank, options.rank);
  const std::vector<T> S = detail::smoothing_matrix<T>(options.nsnmf_theta, options.rank);
  std::copy(S.begin(), S.end(), result.S.data());
  return result;
}

/// cunmf::transform: X ≈ W H with W held; k is W's columns.
template <class T, class XView>
Result<T> transform_input(XView X, DenseView<const T> W, const Options& options,
                          const DenseView<const T>* H0) {
  Options with_rank = options;
  with_rank.rank = W.cols;
  return factorize_input<T>(X, with_rank, &W, H0, nullptr, true);
}

}  // namespace

Result<float> transform(DenseView<const float> X, DenseView<const float> W,
                        const Options& options) {
  return transform_input<float>(X, W, options, nullptr);
}
Result<double> transform(DenseView<const double> X, DenseView<const double> W,
                         const Options& options) {
  return transform_input<double>(X, W, options, nullptr);
}
Result<float> transform(DenseView<const float> X, DenseView<const float> W, const Options& options,
                        DenseView<const float> H0) {
  return transform_input<float>(X, W, options, &H0);
}
Result<double> transform(DenseView<const double> X, DenseView<const double> W,
                         const Options& options, DenseView<const double> H0) {
  return transform_input<double>(X, W, options, &H0);
}
template <class T, class Index>
Result<T> transform(CsrView<const T, Index> X, DenseView<const T> W, const Options& options) {
  return transform_input<T>(X, W, options, nullptr);
}
template <class T, class Index>
Result<T> transform(CsrView<const T, Index> X, DenseView<const T> W, const Options& options,
                    DenseView<const T> H0) {
  return transform_input<T>(X, W, options, &H0);
}

Result<float> factorize(DenseView<const float> X, const Options& options) {
  return factorize_input<float>(X, options, nullptr, nullptr);
}
Result<double> factorize(DenseView<const double> X, const Options& options) {
  return factorize_input<double>(X, options, nullptr, nullptr);
}
Result<float> factorize(DenseView<const float> X, const Options& options, DenseView<const float> W0,
                        DenseView<const float> H0) {
  return factorize_input<float>(X, options, &W0, &H0);
}
Result<double> factorize(DenseView<const double> X, const Options& options,
                         DenseView<const double> W0, DenseView<const double> H0) {
  return factorize_input<double>(X, options, &W0, &H0);
}

Result<float> factorize(DenseView<const float> X, const Options& options,
                        const Checkpoint<float>& from) {
  return factorize_input<float>(X, options, nullptr, nullptr, &from);
}
Result<double> factorize(DenseView<const double> X, const Options& options,
                         const Checkpoint<double>& from) {
  return factorize_input<double>(X, options, nullptr, nullptr, &from);
}

template <class T, class Index>
Result<T> factorize(CsrView<const T, Index> X, const Options& options) {
  return factorize_input<T>(X, options, nullptr, nullptr);
}

template <class T, class Index>
Result<T> factorize(CsrView<const T, Index> X, const Options& options, DenseView<const T> W0,
                    DenseView<const T> H0) {
  return factorize_input<T>(X, options, &W0, &H0);
}

template <class T, class Index>
Result<T> factorize(CsrView<const T, Index> X, const Options& options, const Checkpoint<T>& from) {
  return factorize_input<T>(X, options, nullptr, nullptr, &from);
}

#define CUNMF_INSTANTIATE_CSR_FACTORIZE(T, Index)                                     \
  template Result<T> factorize<T, Index>(CsrView<const T, Index>, const Options&);    \
  template Result<T> factorize<T, Index>(CsrView<const T, Index>, const Options&,     \
                                         DenseView<const T>, DenseView<const T>);     \
  template Result<T> factorize<T, Index>(CsrView<const T, Index>, const Options&,     \
                                         const Checkpoint<T>&);                       \
  template Result<T> transform<T, Index>(CsrView<const T, Index>, DenseView<const T>, \
                                         const Options&);                             \
  template Result<T> transform<T, Index>(CsrView<const T, Index>, DenseView<const T>, \
                                         const Options&, DenseView<const T>);
CUNMF_INSTANTIATE_CSR_FACTORIZE(float, std::int32_t)
CUNMF_INSTANTIATE_CSR_FACTORIZE(float, std::int64_t)
CUNMF_INSTANTIATE_CSR_FACTORIZE(double, std::int32_t)
CUNMF_INSTANTIATE_CSR_FACTORIZE(double, std::int64_t)
#undef CUNMF_INSTANTIATE_CSR_FACTORIZE

}  // namespace cunmf
