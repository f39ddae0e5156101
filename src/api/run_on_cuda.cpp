// The CUDA backend's host entry: one upload of X and the factors (a CSR X's transpose is built on
// the device), the solve, one download of the factors. Empty factors ask for NNDSVD's, computed
// here from the uploaded X (cuda/truncated_svd.hpp).
#include "../cuda/device_csr.hpp"
#include "../cuda/problem_limits.hpp"
#include "../cuda/truncated_svd.hpp"
#include "backend_entries.hpp"
#include "solve_on_device.hpp"

namespace cunmf::detail {

namespace {

template <class T>
cuda_backend::DevicePanel<T> upload_panel(const cuda::Context& ctx, const std::vector<T>& host,
                                          std::int64_t rows, std::int64_t cols) {
  cuda_backend::DevicePanel<T> panel(rows, cols);
  cuda::copy_host_to_device(panel.data(), host.data(), host.size() * sizeof(T), ctx);
  return panel;
}

/// Uploads the factors, solves X on the device, downloads the factors into f. Empty factors are
/// first NNDSVD's of X (options.init), from its truncated SVD on the device; `mean` is mean(X).
template <class T, class Index>
RunSummary solve_from_host(const cuda::Context& ctx, const Operand<T, Index>& X, HostFactors<T>& f,
                           const Options& options, const RunStart<T>& start, double mean) {
  if (f.w.empty()) f = cuda_backend::nndsvd_factors_on_device(ctx, X, options, mean);
  auto W = upload_panel(ctx, f.w, f.m, f.k);
  auto Ht = upload_panel(ctx, f.ht, f.n, f.k);
  RunSummary summary = solve_on_device(ctx, X, W, Ht, options, start);
  cuda::copy_device_to_host(f.w.data(), W.data(), f.w.size() * sizeof(T), ctx);
  cuda::copy_device_to_host(f.ht.data(), Ht.data(), f.ht.size() * sizeof(T), ctx);
  return summary;
}

}  // namespace

template <class T>
RunSummary run_on_cuda(DenseView<const T> X, HostFactors<T>& f, const Options& options,
                       const RunStart<T>& start) {
  cuda_backend::check_blas_dimensions(X.rows, X.cols);
  const cuda::Context ctx(options.device);
  cuda::DeviceBuffer<T> x(static_cast<std::size_t>(X.size()));
  x.copy_from_host(X.data, ctx);
  const double mean = f.w.empty() ? mean_of(X) : 0.0;
  return solve_from_host(ctx, Operand<T>::dense(x.data(), X.rows, X.cols, X.layout), f, options,
                         start, mean);
}

template <class T, class Index>
RunSummary run_on_cuda(CsrView<const T, Index> X, HostFactors<T>& f, const Options& options,
                       const RunStart<T>& start) {
  cuda_backend::check_blas_dimensions(X.rows, X.cols);
  const cuda::Context ctx(options.device);
  const auto x = cuda_backend::upload(ctx, X);
  const auto xt = cuda_backend::transpose_on_device(ctx, x.arrays());
  const double mean = f.w.empty() ? mean_of(X) : 0.0;
  return solve_from_host(ctx, Operand<T, Index>::sparse(x.arrays(), xt.arrays()), f, options, start,
                         mean);
}

template RunSummary run_on_cuda<float>(DenseView<const float>, HostFactors<float>&, const Options&,
                                       const RunStart<float>&);
template RunSummary run_on_cuda<double>(DenseView<const double>, HostFactors<double>&,
                                        const Options&, const RunStart<double>&);
#define CUNMF_INSTANTIATE_RUN_ON_CUDA(T, Index)                                       \
  template RunSummary run_on_cuda<T, Index>(CsrView<const T, Index>, HostFactors<T>&, \
                                            const Options&, const RunStart<T>&);
CUNMF_INSTANTIATE_RUN_ON_CUDA(float, std::int32_t)
CUNMF_INSTANTIATE_RUN_ON_CUDA(float, std::int64_t)
CUNMF_INSTANTIATE_RUN_ON_CUDA(double, std::int32_t)
CUNMF_INSTANTIATE_RUN_ON_CUDA(double, std::int64_t)
#undef CUNMF_INSTANTIATE_RUN_ON_CUDA

}  // namespace cunmf::detail
