// The host entry of the CUDA backend: one upload, the device-resident solver, one download.
#include "run_mu.hpp"

#include "context_impl.hpp"
#include "cunmf/cuda/device_buffer.hpp"
#include "mu_device.hpp"
#include "problem_limits.hpp"

namespace cunmf::cuda_backend {

template <class T>
detail::LoopOutcome run_mu(const detail::ColMajorProblem<T>& p, detail::ColMajorFactors<T>& f,
                           const Options& options) {
  check_blas_dimensions(p.M, p.N);
  const cuda::Context ctx(options.device);
  cuda::DeviceBuffer<T> x(static_cast<std::size_t>(p.M * p.N));
  cuda::DeviceBuffer<T> w(f.w.size());
  cuda::DeviceBuffer<T> h(f.h.size());
  x.copy_from_host(p.x, ctx);
  w.copy_from_host(f.w.data(), ctx);
  h.copy_from_host(f.h.data(), ctx);
  detail::LoopOutcome outcome =
      run_mu_device(ctx, x.data(), p.M, p.N, p.k, p.transposed, w.data(), h.data(), options);
  w.copy_to_host(f.w.data(), ctx);
  h.copy_to_host(f.h.data(), ctx);
  return outcome;
}

template detail::LoopOutcome run_mu<float>(const detail::ColMajorProblem<float>&,
                                           detail::ColMajorFactors<float>&, const Options&);
template detail::LoopOutcome run_mu<double>(const detail::ColMajorProblem<double>&,
                                            detail::ColMajorFactors<double>&, const Options&);

}  // namespace cunmf::cuda_backend
