// cunmf::cuda::factorize for a device-resident CSR X: checks X, builds Xᵀ on the device, places
// the initial factors in the sparse orientation (W row-major, H column-major), runs the solver.
#include <type_traits>
#include <vector>

#include "../problem.hpp"
#include "../sparse_problem.hpp"
#include "blas.hpp"
#include "context_impl.hpp"
#include "cunmf/cuda/factorize.hpp"
#include "cunmf/errors.hpp"
#include "cusparse_descriptors.hpp"
#include "device_placement.hpp"
#include "mu_sparse_device.hpp"
#include "problem_limits.hpp"

namespace cunmf::cuda {

namespace {

/// A CSR matrix owned in device memory.
template <class T, class Index>
struct OwnedCsr {
  OwnedCsr(std::int64_t rows, std::int64_t cols, std::int64_t nnz)
      : row_ptr(static_cast<std::size_t>(rows + 1)),
        col_idx(static_cast<std::size_t>(nnz)),
        values(static_cast<std::size_t>(nnz)),
        view{rows, cols, nnz, row_ptr.data(), col_idx.data(), values.data()} {}
  DeviceBuffer<Index> row_ptr;
  DeviceBuffer<Index> col_idx;
  DeviceBuffer<T> values;
  cuda_backend::DeviceCsr<T, Index> view;
};

/// X copied to the host (for the structure check, and for the int64 transpose).
template <class T, class Index>
CsrMatrix<T, Index> download(const Context& ctx, DeviceCsrView<const T, Index> X) {
  CsrMatrix<T, Index> host{X.rows, X.cols, std::vector<Index>(static_cast<std::size_t>(X.rows + 1)),
                           std::vector<Index>(static_cast<std::size_t>(X.nnz)),
                           std::vector<T>(static_cast<std::size_t>(X.nnz))};
  detail::copy_to_host(host.row_ptr.data(), X.row_ptr, sizeof(Index) * host.row_ptr.size(), ctx);
  detail::copy_to_host(host.col_idx.data(), X.col_idx, sizeof(Index) * host.col_idx.size(), ctx);
  detail::copy_to_host(host.values.data(), X.values, sizeof(T) * host.values.size(), ctx);
  return host;
}

/// The CSR of Xᵀ in device memory: cuSPARSE's csr2csc (CSC of X = CSR of Xᵀ) for int32 indices;
/// csr2csc takes no int64, so those go through the host copy.
template <class T, class Index>
OwnedCsr<T, Index> transpose_on_device(const Context& ctx, DeviceCsrView<const T, Index> X,
                                       const CsrMatrix<T, Index>& host) {
  OwnedCsr<T, Index> t(X.cols, X.rows, X.nnz);
  if constexpr (std::is_same_v<Index, std::int32_t>) {
    const cusparseHandle_t handle = cuda_backend::sparse_handle(ctx);
    const int m = static_cast<int>(X.rows), n = static_cast<int>(X.cols);
    const int nnz = static_cast<int>(X.nnz);
    std::size_t bytes = 0;
    CUNMF_CUSPARSE_CHECK(cusparseCsr2cscEx2_bufferSize(
        handle, m, n, nnz, X.values, X.row_ptr, X.col_idx, t.values.data(), t.row_ptr.data(),
        t.col_idx.data(), cuda_backend::cuda_data_type<T>(), CUSPARSE_ACTION_NUMERIC,
        CUSPARSE_INDEX_BASE_ZERO, CUSPARSE_CSR2CSC_ALG_DEFAULT, &bytes));
    DeviceBuffer<unsigned char> buffer(std::max<std::size_t>(bytes, 1));
    CUNMF_CUSPARSE_CHECK(cusparseCsr2cscEx2(
        handle, m, n, nnz, X.values, X.row_ptr, X.col_idx, t.values.data(), t.row_ptr.data(),
        t.col_idx.data(), cuda_backend::cuda_data_type<T>(), CUSPARSE_ACTION_NUMERIC,
        CUSPARSE_INDEX_BASE_ZERO, CUSPARSE_CSR2CSC_ALG_DEFAULT, buffer.data()));
    ctx.synchronize();  // the buffer is freed on return
  } else {
    const CsrMatrix<T, Index> host_t = cunmf::detail::transpose(host.view());
    t.row_ptr.copy_from_host(host_t.row_ptr.data(), ctx);
    t.col_idx.copy_from_host(host_t.col_idx.data(), ctx);
    t.values.copy_from_host(host_t.values.data(), ctx);
    ctx.synchronize();  // host_t is freed on return
  }
  return t;
}

template <class T, class Index>
DeviceResult<T> run(const Context& ctx, DeviceCsrView<const T, Index> X, const Options& options,
                    const DeviceDenseView<const T>* W0, const DeviceDenseView<const T>* H0) {
  cunmf::detail::validate_options(options, X.rows, X.cols);
  cuda_backend::check_blas_dimensions(X.rows, X.cols);
  const std::int64_t m = X.rows, n = X.cols, k = options.rank;
  if (W0 != nullptr) {
    cunmf::detail::validate_shape(DenseView<const T>{nullptr, W0->rows, W0->cols}, m, k, "W0");
    cunmf::detail::validate_shape(DenseView<const T>{nullptr, H0->rows, H0->cols}, k, n, "H0");
  }
  const CsrMatrix<T, Index> host = download(ctx, X);
  cunmf::detail::validate_csr(host.view(), "X");
  const OwnedCsr<T, Index> xt = transpose_on_device(ctx, X, host);
  const cuda_backend::DeviceCsr<T, Index> x{X.rows, X.cols, X.nnz, X.row_ptr, X.col_idx, X.values};

  DeviceBuffer<T> w(static_cast<std::size_t>(m * k)), h(static_cast<std::size_t>(k * n));
  if (W0 != nullptr) {
    cuda_backend::validate_on_device(ctx, *W0, "W0");
    cuda_backend::validate_on_device(ctx, *H0, "H0");
    // W row-major m×k is the column-major k×m matrix Wᵀ; H is column-major k×n.
    cuda_backend::place(ctx, *W0, /*source_is_transpose=*/true, k, m, w.data());
    cuda_backend::place(ctx, *H0, /*source_is_transpose=*/false, k, n, h.data());
  } else {
    auto f = cunmf::detail::random_sparse_factors<T>(cunmf::detail::mean_of_entries(host.view()), m,
                                                     n, k, options.seed);
    w.copy_from_host(f.w.data(), ctx);
    h.copy_from_host(f.h.data(), ctx);
    ctx.synchronize();  // f is about to go out of scope
  }
  const auto outcome =
      cuda_backend::run_mu_sparse_device(ctx, x, xt.view, k, w.data(), h.data(), options);
  DeviceResult<T> result;
  result.loss_history = outcome.loss_history;
  result.history_iterations = outcome.history_iterations;
  result.iterations = outcome.iterations;
  result.converged = outcome.converged;
  result.seconds = outcome.seconds;
  result.W = DeviceMatrix<T>(std::move(w), m, k, Layout::RowMajor);
  result.H = DeviceMatrix<T>(std::move(h), k, n, Layout::ColMajor);
  return result;
}

}  // namespace

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

#define CUNMF_INSTANTIATE_DEVICE_SPARSE(T, Index)                                             \
  template DeviceResult<T> factorize<T, Index>(const Context&, DeviceCsrView<const T, Index>, \
                                               const Options&);                               \
  template DeviceResult<T> factorize<T, Index>(const Context&, DeviceCsrView<const T, Index>, \
                                               const Options&, DeviceDenseView<const T>,      \
                                               DeviceDenseView<const T>);
CUNMF_INSTANTIATE_DEVICE_SPARSE(float, std::int32_t)
CUNMF_INSTANTIATE_DEVICE_SPARSE(float, std::int64_t)
CUNMF_INSTANTIATE_DEVICE_SPARSE(double, std::int32_t)
CUNMF_INSTANTIATE_DEVICE_SPARSE(double, std::int64_t)
#undef CUNMF_INSTANTIATE_DEVICE_SPARSE

}  // namespace cunmf::cuda
