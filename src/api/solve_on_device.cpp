// The CUDA backend's solve (see solve_on_device.hpp).
#include "solve_on_device.hpp"

#include "../solvers/solve.hpp"

namespace cunmf::detail {

template <class T, class Index>
RunSummary solve_on_device(const cuda::Context& ctx, const Operand<T, Index>& X,
                           cuda_backend::DevicePanel<T>& W, cuda_backend::DevicePanel<T>& Ht,
                           const Options& options, const RunStart<T>& start) {
  cuda_backend::Backend<T> backend(ctx, tensor_core_mode(options));
  RunSummary summary = solve(backend, X, W, Ht, options, start);
  ctx.synchronize();
  return summary;
}

#define CUNMF_INSTANTIATE_SOLVE_ON_DEVICE(T, Index)                                  \
  template RunSummary solve_on_device<T, Index>(                                     \
      const cuda::Context&, const Operand<T, Index>&, cuda_backend::DevicePanel<T>&, \
      cuda_backend::DevicePanel<T>&, const Options&, const RunStart<T>&);
CUNMF_INSTANTIATE_SOLVE_ON_DEVICE(float, std::int32_t)
CUNMF_INSTANTIATE_SOLVE_ON_DEVICE(float, std::int64_t)
CUNMF_INSTANTIATE_SOLVE_ON_DEVICE(double, std::int32_t)
CUNMF_INSTANTIATE_SOLVE_ON_DEVICE(double, std::int64_t)
#undef CUNMF_INSTANTIATE_SOLVE_ON_DEVICE

}  // namespace cunmf::detail
