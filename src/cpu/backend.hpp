// The CPU backend: the primitives of core/primitives.hpp with Eigen and OpenMP, for dense and CSR
// operands in float and double. It knows nothing of the solvers that call it.
#pragma once

#include "product.hpp"  // first: it configures Eigen

#include <cstdint>
#include <vector>

#include "../core/operand.hpp"
#include "sparse_residual.hpp"
#include "cunmf/options.hpp"

namespace cunmf::cpu {

template <class T>
class Backend {
 public:
  using Scalar = T;
  using Matrix = cpu::Matrix<T>;  ///< column-major

  Matrix matrix(std::int64_t rows, std::int64_t cols) const { return Matrix(rows, cols); }

  template <class Index>
  void product(const detail::Operand<T, Index>& A, const Matrix& F, Matrix& out);
  void gram(const Matrix& F, Matrix& out) const;
  void multiply(const Matrix& F, const Matrix& S, Matrix& out) const;
  void column_sums(const Matrix& F, Matrix& out) const;
  template <class Index>
  void ratio_product(const detail::Operand<T, Index>& A, const Matrix& W, const Matrix& F,
                     Matrix& out);
  template <class Index>
  double loss(Loss loss, const detail::Operand<T, Index>& X, const Matrix& W,
              const Matrix& Ht) const;
  void mu_update(Matrix& F, const Matrix& numerator, const Matrix& denominator, T floor) const;

 private:
  void dense_product(const detail::ColumnMajorStorage<T>& S, bool transposed, const Matrix& F,
                     Matrix& out) const;
  void dense_ratio_product(const detail::ColumnMajorStorage<T>& S, bool transposed,
                           const Matrix& W, const Matrix& F, Matrix& out);
  template <class Index>
  void sparse_product(const detail::CsrArrays<T, Index>& A, const T* values, const Matrix& F,
                      Matrix& out);
  template <class Index>
  void sparse_ratio_product(const detail::CsrArrays<T, Index>& A, const Matrix& W,
                            const Matrix& F, Matrix& out);

  // Work space, kept between calls so that the iterations do not allocate.
  Matrix ratio_;                         ///< dense KL: X ⊘ WH in X's storage shape
  std::vector<T> ratio_values_;          ///< CSR KL: the ratio at the stored entries
  RowMajorMatrix<T> rows_a_, rows_b_;    ///< CSR: factor panels as rows (contiguous k-vectors)
  RowMajorMatrix<T> rows_out_;           ///< CSR: the product as rows
};

}  // namespace cunmf::cpu
