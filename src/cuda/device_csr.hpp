// CSR matrices owned in device memory: an upload of a host CSR, and the CSR of the transpose built
// on the device (what a sparse operand needs besides X itself).
#pragma once

#include <cstdint>

#include "../core/operand.hpp"
#include "cunmf/cuda/context.hpp"
#include "cunmf/cuda/device_buffer.hpp"

namespace cunmf::cuda_backend {

/// A CSR matrix in device memory, owned.
template <class T, class Index>
struct DeviceCsr {
  DeviceCsr(std::int64_t rows, std::int64_t cols, std::int64_t nnz)
      : rows(rows),
        cols(cols),
        nnz(nnz),
        row_ptr(static_cast<std::size_t>(rows + 1)),
        col_idx(static_cast<std::size_t>(nnz)),
        values(static_cast<std::size_t>(nnz)) {}
  std::int64_t rows, cols, nnz;
  cuda::DeviceBuffer<Index> row_ptr;
  cuda::DeviceBuffer<Index> col_idx;
  cuda::DeviceBuffer<T> values;

  detail::CsrArrays<T, Index> arrays() const {
    return {rows, cols, nnz, row_ptr.data(), col_idx.data(), values.data()};
  }
};

/// A host CSR matrix copied to the device (queued on ctx's stream).
template <class T, class Index>
DeviceCsr<T, Index> upload(const cuda::Context& ctx, CsrView<const T, Index> X);

/// The CSR of Xᵀ (cols × rows, columns sorted within each row), built on the device from a valid
/// device-resident X: cuSPARSE's CSR-to-CSC conversion (the CSC of X is the CSR of Xᵀ) for 32-bit
/// indices, a stable sort by column (kernels/csr_transpose.cuh) for 64-bit ones. Returns when
/// done.
template <class T, class Index>
DeviceCsr<T, Index> transpose_on_device(const cuda::Context& ctx, detail::CsrArrays<T, Index> X);

}  // namespace cunmf::cuda_backend
