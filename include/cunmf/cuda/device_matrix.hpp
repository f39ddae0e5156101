// Dense matrices in device memory: DeviceDenseView (non-owning) and DeviceMatrix (owning).
#pragma once

#include <cstdint>

#include "../matrix.hpp"
#include "device_buffer.hpp"

namespace cunmf::cuda {

/// A non-owning view of a rows × cols matrix in device memory, contiguous in `layout` order.
template <class T>
struct DeviceDenseView {
  T* data = nullptr;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  Layout layout = Layout::ColMajor;

  std::int64_t size() const { return rows * cols; }
  operator DeviceDenseView<const T>() const { return {data, rows, cols, layout}; }
};

/// An owning rows × cols matrix in device memory, in `layout` order.
template <class T>
class DeviceMatrix {
 public:
  DeviceMatrix() = default;
  /// Allocates an uninitialized matrix. Throws DeviceOutOfMemory or CudaError.
  DeviceMatrix(std::int64_t rows, std::int64_t cols, Layout layout = Layout::ColMajor)
      : buffer_(static_cast<std::size_t>(rows * cols)), rows_(rows), cols_(cols), layout_(layout) {}
  /// Takes over a buffer of rows × cols elements stored in `layout` order.
  DeviceMatrix(DeviceBuffer<T>&& buffer, std::int64_t rows, std::int64_t cols, Layout layout)
      : buffer_(std::move(buffer)), rows_(rows), cols_(cols), layout_(layout) {}

  /// Uploads a host matrix, keeping its layout. Complete when ctx's stream is synchronized.
  static DeviceMatrix upload(DenseView<const T> host, const Context& ctx) {
    DeviceMatrix m(host.rows, host.cols, host.layout);
    m.buffer_.copy_from_host(host.data, ctx);
    return m;
  }
  /// Downloads into a row-major host matrix (waits for the copy).
  DenseMatrix<T> download(const Context& ctx) const {
    DenseMatrix<T> stored(layout_ == Layout::RowMajor ? rows_ : cols_,
                          layout_ == Layout::RowMajor ? cols_ : rows_);
    buffer_.copy_to_host(stored.data(), ctx);
    if (layout_ == Layout::RowMajor) return stored;
    DenseMatrix<T> out(rows_, cols_);  // column-major storage read as its transpose
    for (std::int64_t i = 0; i < rows_; ++i)
      for (std::int64_t j = 0; j < cols_; ++j) out(i, j) = stored(j, i);
    return out;
  }

  std::int64_t rows() const { return rows_; }
  std::int64_t cols() const { return cols_; }
  Layout layout() const { return layout_; }
  T* data() { return buffer_.data(); }
  const T* data() const { return buffer_.data(); }
  DeviceDenseView<const T> view() const { return {buffer_.data(), rows_, cols_, layout_}; }
  DeviceDenseView<T> mutable_view() { return {buffer_.data(), rows_, cols_, layout_}; }

 private:
  DeviceBuffer<T> buffer_;
  std::int64_t rows_ = 0;
  std::int64_t cols_ = 0;
  Layout layout_ = Layout::ColMajor;
};

/// A non-owning view of a CSR matrix in device memory (zero-based; sorted, unique column indices
/// within each row). Index is std::int32_t or std::int64_t. Passed by value.
template <class T, class Index = std::int32_t>
struct DeviceCsrView {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::int64_t nnz = 0;
  const Index* row_ptr = nullptr;
  const Index* col_idx = nullptr;
  T* values = nullptr;
};

}  // namespace cunmf::cuda
