// Host matrices: DenseView (non-owning, either layout) and DenseMatrix (owning, row-major).
#pragma once

#include <cstdint>
#include <type_traits>
#include <vector>

namespace cunmf {

/// Storage order of a dense matrix.
enum class Layout { RowMajor, ColMajor };

/// A non-owning view of a dense rows × cols matrix stored contiguously in `layout` order.
/// Passed by value. T may be const.
template <class T>
struct DenseView {
  T* data = nullptr;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  Layout layout = Layout::RowMajor;

  /// Element (i, j).
  T& operator()(std::int64_t i, std::int64_t j) const {
    return layout == Layout::RowMajor ? data[i * cols + j] : data[j * rows + i];
  }
  /// Number of elements.
  std::int64_t size() const { return rows * cols; }
  /// The same view, read-only.
  operator DenseView<const T>() const { return {data, rows, cols, layout}; }
};

/// An owning row-major rows × cols matrix on the host.
template <class T>
class DenseMatrix {
 public:
  DenseMatrix() = default;
  /// A rows × cols matrix filled with `value`.
  DenseMatrix(std::int64_t rows, std::int64_t cols, T value = T{})
      : rows_(rows), cols_(cols), data_(static_cast<std::size_t>(rows * cols), value) {}

  std::int64_t rows() const { return rows_; }
  std::int64_t cols() const { return cols_; }
  std::int64_t size() const { return rows_ * cols_; }
  T* data() { return data_.data(); }
  const T* data() const { return data_.data(); }
  T& operator()(std::int64_t i, std::int64_t j) { return data_[i * cols_ + j]; }
  const T& operator()(std::int64_t i, std::int64_t j) const { return data_[i * cols_ + j]; }

  /// A read-only view of this matrix.
  DenseView<const T> view() const { return {data_.data(), rows_, cols_, Layout::RowMajor}; }
  operator DenseView<const T>() const { return view(); }
  /// A mutable view of this matrix.
  DenseView<T> mutable_view() { return {data_.data(), rows_, cols_, Layout::RowMajor}; }

 private:
  std::int64_t rows_ = 0;
  std::int64_t cols_ = 0;
  std::vector<T> data_;
};

}  // namespace cunmf
