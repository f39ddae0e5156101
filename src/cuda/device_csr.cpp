// CSR matrices owned in device memory (see device_csr.hpp).
#include "device_csr.hpp"

#include <algorithm>
#include <type_traits>

#include "../../kernels/csr_transpose.cuh"
#include "context_impl.hpp"
#include "cuda_check.hpp"
#include "cusparse_descriptors.hpp"

namespace cunmf::cuda_backend {

template <class T, class Index>
DeviceCsr<T, Index> upload(const cuda::Context& ctx, CsrView<const T, Index> X) {
  DeviceCsr<T, Index> d(X.rows, X.cols, X.nnz);
  d.row_ptr.copy_from_host(X.row_ptr, ctx);
  d.col_idx.copy_from_host(X.col_idx, ctx);
  d.values.copy_from_host(X.values, ctx);
  return d;
}

template <class T, class Index>
DeviceCsr<T, Index> transpose_on_device(const cuda::Context& ctx, detail::CsrArrays<T, Index> X) {
  DeviceCsr<T, Index> t(X.cols, X.rows, X.nnz);
  if constexpr (std::is_same_v<Index, std::int32_t>) {
    const cusparseHandle_t handle = sparse_handle(ctx);
    const int m = static_cast<int>(X.rows), n = static_cast<int>(X.cols);
    const int nnz = static_cast<int>(X.nnz);
    std::size_t bytes = 0;
    CUNMF_CUSPARSE_CHECK(cusparseCsr2cscEx2_bufferSize(
        handle, m, n, nnz, X.values, X.row_ptr, X.col_idx, t.values.data(), t.row_ptr.data(),
        t.col_idx.data(), cuda_data_type<T>(), CUSPARSE_ACTION_NUMERIC, CUSPARSE_INDEX_BASE_ZERO,
        CUSPARSE_CSR2CSC_ALG_DEFAULT, &bytes));
    cuda::DeviceBuffer<unsigned char> buffer(std::max<std::size_t>(bytes, 1));
    CUNMF_CUSPARSE_CHECK(cusparseCsr2cscEx2(
        handle, m, n, nnz, X.values, X.row_ptr, X.col_idx, t.values.data(), t.row_ptr.data(),
        t.col_idx.data(), cuda_data_type<T>(), CUSPARSE_ACTION_NUMERIC, CUSPARSE_INDEX_BASE_ZERO,
        CUSPARSE_CSR2CSC_ALG_DEFAULT, buffer.data()));
    ctx.synchronize();  // the buffer is freed on return
  } else {
    // csr2csc takes no 64-bit indices: a stable sort of the entries by column (Thrust).
    cuda::DeviceBuffer<Index> scratch(static_cast<std::size_t>(std::max<std::int64_t>(X.nnz, 1)));
    detail::csr_transpose(X.row_ptr, X.col_idx, X.values, X.rows, X.cols, X.nnz, t.row_ptr.data(),
                          t.col_idx.data(), t.values.data(), scratch.data(), ctx.stream());
    ctx.synchronize();  // scratch is freed on return
  }
  return t;
}

#define CUNMF_INSTANTIATE_DEVICE_CSR(T, Index)                                                  \
  template DeviceCsr<T, Index> upload<T, Index>(const cuda::Context&, CsrView<const T, Index>); \
  template DeviceCsr<T, Index> transpose_on_device<T, Index>(const cuda::Context&,              \
                                                             detail::CsrArrays<T, Index>);
CUNMF_INSTANTIATE_DEVICE_CSR(float, std::int32_t)
CUNMF_INSTANTIATE_DEVICE_CSR(float, std::int64_t)
CUNMF_INSTANTIATE_DEVICE_CSR(double, std::int32_t)
CUNMF_INSTANTIATE_DEVICE_CSR(double, std::int64_t)
#undef CUNMF_INSTANTIATE_DEVICE_CSR

}  // namespace cunmf::cuda_backend
