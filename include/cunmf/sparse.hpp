// Sparse host matrices in CSR form: CsrView (non-owning) and CsrMatrix (owning).
#pragma once

#include <cstdint>
#include <type_traits>
#include <vector>

namespace cunmf {

/// A non-owning view of a rows × cols matrix in compressed sparse row form: the entries of row i are
/// values[row_ptr[i] .. row_ptr[i+1]) at columns col_idx[...]. Index is std::int32_t or
/// std::int64_t. T may be const (then the indices are read-only too). Column indices must be in
/// range; within a row they must be strictly increasing (sorted, no duplicates) — the solvers
/// check this and throw InvalidArgument otherwise. Passed by value.
template <class T, class Index = std::int32_t>
struct CsrView {
  static_assert(std::is_same_v<Index, std::int32_t> || std::is_same_v<Index, std::int64_t>,
                "CSR indices are int32 or int64");
  using IndexPointer = std::conditional_t<std::is_const_v<T>, const Index*, Index*>;

  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::int64_t nnz = 0;
  IndexPointer row_ptr = nullptr;  ///< rows + 1 offsets, row_ptr[0] = 0, row_ptr[rows] = nnz
  IndexPointer col_idx = nullptr;  ///< nnz column indices
  T* values = nullptr;             ///< nnz values

  /// The same view, read-only.
  operator CsrView<const T, Index>() const { return {rows, cols, nnz, row_ptr, col_idx, values}; }
};

/// An owning CSR matrix on the host (sorted column indices within each row, no duplicates).
template <class T, class Index = std::int32_t>
struct CsrMatrix {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::vector<Index> row_ptr;  ///< rows + 1 offsets
  std::vector<Index> col_idx;
  std::vector<T> values;

  std::int64_t nnz() const { return static_cast<std::int64_t>(values.size()); }
  /// A read-only view of this matrix.
  CsrView<const T, Index> view() const {
    return {rows, cols, nnz(), row_ptr.data(), col_idx.data(), values.data()};
  }
  operator CsrView<const T, Index>() const { return view(); }
};

}  // namespace cunmf
