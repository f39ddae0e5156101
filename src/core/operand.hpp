// The matrix a solver multiplies by: X or Xᵀ, dense or CSR, in host or device memory (the backend
// that receives it knows which). Transposing never copies: a dense operand is a column-major
// storage S read as S or as Sᵀ (a row-major X is the column-major storage of Xᵀ), and a sparse
// operand carries the CSR of X and the CSR of Xᵀ (built once by the caller) and swaps them.
#pragma once

#include <cstdint>

#include "cunmf/matrix.hpp"
#include "cunmf/sparse.hpp"

namespace cunmf::detail {

/// The arrays of a CSR matrix (zero-based, column indices strictly increasing within a row).
template <class T, class Index>
struct CsrArrays {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::int64_t nnz = 0;
  const Index* row_ptr = nullptr;  ///< rows + 1 offsets
  const Index* col_idx = nullptr;  ///< nnz column indices
  const T* values = nullptr;       ///< nnz values
};

/// The arrays of a host CSR view.
template <class T, class Index>
CsrArrays<T, Index> arrays_of(CsrView<const T, Index> X) {
  return {X.rows, X.cols, X.nnz, X.row_ptr, X.col_idx, X.values};
}

/// A column-major rows × cols matrix, leading dimension rows.
template <class T>
struct ColumnMajorStorage {
  const T* data = nullptr;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
};

/// X (rows × cols) as the solvers see it. Index is the CSR index type (unused for dense X).
template <class T, class Index = std::int32_t>
class Operand {
 public:
  /// A dense rows × cols matrix stored in `layout` order.
  static Operand dense(const T* data, std::int64_t rows, std::int64_t cols, Layout layout) {
    Operand op;
    op.rows_ = rows;
    op.cols_ = cols;
    op.reads_transposed_ = layout == Layout::RowMajor;
    op.storage_ = op.reads_transposed_ ? ColumnMajorStorage<T>{data, cols, rows}
                                       : ColumnMajorStorage<T>{data, rows, cols};
    return op;
  }
  /// A CSR matrix `a` and the CSR of its transpose `a_transposed`.
  static Operand sparse(CsrArrays<T, Index> a, CsrArrays<T, Index> a_transposed) {
    Operand op;
    op.sparse_ = true;
    op.rows_ = a.rows;
    op.cols_ = a.cols;
    op.csr_ = a;
    op.csr_transposed_ = a_transposed;
    return op;
  }

  std::int64_t rows() const { return rows_; }
  std::int64_t cols() const { return cols_; }
  bool is_sparse() const { return sparse_; }

  /// The transpose, sharing the same memory.
  Operand transposed() const {
    Operand op = *this;
    op.rows_ = cols_;
    op.cols_ = rows_;
    op.reads_transposed_ = !reads_transposed_;
    op.csr_ = csr_transposed_;
    op.csr_transposed_ = csr_;
    return op;
  }

  /// Dense: the column-major storage S; the operand is S, or Sᵀ when reads_transposed().
  const ColumnMajorStorage<T>& storage() const { return storage_; }
  bool reads_transposed() const { return reads_transposed_; }

  /// Sparse: this operand (rows × cols) and its transpose, as CSR.
  const CsrArrays<T, Index>& csr() const { return csr_; }
  const CsrArrays<T, Index>& csr_of_transpose() const { return csr_transposed_; }

 private:
  std::int64_t rows_ = 0;
  std::int64_t cols_ = 0;
  bool sparse_ = false;
  bool reads_transposed_ = false;
  ColumnMajorStorage<T> storage_;
  CsrArrays<T, Index> csr_;
  CsrArrays<T, Index> csr_transposed_;
};

}  // namespace cunmf::detail
