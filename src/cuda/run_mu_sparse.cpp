// The host entry of the CUDA backend for a CSR X: uploads X, Xᵀ and the factors once, runs the
// device-resident sparse solver, downloads the factors.
#include "context_impl.hpp"
#include "cunmf/cuda/device_buffer.hpp"
#include "mu_sparse_device.hpp"
#include "problem_limits.hpp"
#include "run_mu.hpp"

namespace cunmf::cuda_backend {

namespace {

/// A CSR matrix uploaded to the device (queued on ctx's stream).
template <class T, class Index>
struct UploadedCsr {
  UploadedCsr(CsrView<const T, Index> host, const cuda::Context& ctx)
      : row_ptr(static_cast<std::size_t>(host.rows + 1)),
        col_idx(static_cast<std::size_t>(host.nnz)),
        values(static_cast<std::size_t>(host.nnz)),
        view{host.rows, host.cols, host.nnz, row_ptr.data(), col_idx.data(), values.data()} {
    row_ptr.copy_from_host(host.row_ptr, ctx);
    col_idx.copy_from_host(host.col_idx, ctx);
    values.copy_from_host(host.values, ctx);
  }
  cuda::DeviceBuffer<Index> row_ptr;
  cuda::DeviceBuffer<Index> col_idx;
  cuda::DeviceBuffer<T> values;
  DeviceCsr<T, Index> view;
};

}  // namespace

template <class T, class Index>
detail::LoopOutcome run_mu_sparse(CsrView<const T, Index> x, CsrView<const T, Index> xt,
                                  std::int64_t k, detail::SparseFactors<T>& f,
                                  const Options& options) {
  check_blas_dimensions(x.rows, x.cols);
  const cuda::Context ctx(options.device);
  const UploadedCsr<T, Index> dx(x, ctx), dxt(xt, ctx);
  cuda::DeviceBuffer<T> w(f.w.size()), h(f.h.size());
  w.copy_from_host(f.w.data(), ctx);
  h.copy_from_host(f.h.data(), ctx);
  detail::LoopOutcome outcome =
      run_mu_sparse_device(ctx, dx.view, dxt.view, k, w.data(), h.data(), options);
  w.copy_to_host(f.w.data(), ctx);
  h.copy_to_host(f.h.data(), ctx);
  return outcome;
}

#define CUNMF_INSTANTIATE_RUN_MU_SPARSE(T, Index)                                               \
  template detail::LoopOutcome run_mu_sparse<T, Index>(CsrView<const T, Index>,                \
                                                       CsrView<const T, Index>, std::int64_t,  \
                                                       detail::SparseFactors<T>&, const Options&);
CUNMF_INSTANTIATE_RUN_MU_SPARSE(float, std::int32_t)
CUNMF_INSTANTIATE_RUN_MU_SPARSE(float, std::int64_t)
CUNMF_INSTANTIATE_RUN_MU_SPARSE(double, std::int32_t)
CUNMF_INSTANTIATE_RUN_MU_SPARSE(double, std::int64_t)
#undef CUNMF_INSTANTIATE_RUN_MU_SPARSE

}  // namespace cunmf::cuda_backend
