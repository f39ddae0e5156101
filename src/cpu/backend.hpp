// The CPU backend: the primitives of core/primitives.hpp with Eigen and OpenMP, for dense and CSR
// operands in float and double. It knows nothing of the solvers that call it.
#pragma once

#include "product.hpp"  // first: it configures Eigen

#include <cstdint>
#include <vector>

#include "../core/operand_dispatch.hpp"
#include "sparse_residual.hpp"

namespace cunmf::cpu {

template <class T>
class Backend : public detail::OperandDispatch<Backend<T>, T> {
 public:
  using Scalar = T;
  using Matrix = cpu::Matrix<T>;  ///< column-major

  Matrix matrix(std::int64_t rows, std::int64_t cols) const { return Matrix(rows, cols); }

  void gram(const Matrix& F, Matrix& out) const;
  void multiply(const Matrix& F, const Matrix& S, Matrix& out) const;
  void column_sums(const Matrix& F, Matrix& out) const;
  void mu_update(Matrix& F, const Matrix& numerator, const Matrix& denominator, T floor) const;

  // The operand primitives by kind (core/operand_dispatch.hpp).
  void dense_product(const detail::ColumnMajorStorage<T>& S, bool transposed, const Matrix& F,
                     Matrix& out) const;
  void dense_ratio_product(const detail::ColumnMajorStorage<T>& S, bool transposed, const Matrix& W,
                           const Matrix& F, Matrix& out);
  double dense_loss(Loss loss, const detail::ColumnMajorStorage<T>& S, const Matrix& A,
                    const Matrix& B) const;
  template <class Index>
  void sparse_product(const detail::CsrArrays<T, Index>& A, const T* values, const Matrix& F,
                      Matrix& out);
  template <class Index>
  void sparse_ratio_product(const detail::CsrArrays<T, Index>& A, const Matrix& W, const Matrix& F,
                            Matrix& out);
  template <class Index>
  double sparse_loss(Loss loss, const detail::CsrArrays<T, Index>& X, const Matrix& W,
                     const Matrix& Ht) const;

 private:
  // Work space, kept between calls so that the iterations do not allocate.
  Matrix ratio_;                       ///< dense KL: X ⊘ WH in X's storage shape
  std::vector<T> ratio_values_;        ///< CSR KL: the ratio at the stored entries
  RowMajorMatrix<T> rows_a_, rows_b_;  ///< CSR: factor panels as rows (contiguous k-vectors)
  RowMajorMatrix<T> rows_out_;         ///< CSR: the product as rows
};

}  // namespace cunmf::cpu
