// Test helpers for sparse inputs: random CSR matrices with empty rows and columns, their dense
// copies (densified only in tests), and the CSR form of a dense matrix.
#pragma once

#include <cstdint>
#include <random>

#include "cunmf/matrix.hpp"
#include "cunmf/sparse.hpp"

namespace cunmf::test {

/// A rows × cols CSR matrix with each entry present with probability `density`, values uniform
/// in (0, 1], from `seed`. Row `empty_row` and column `empty_col` (when in range) stay empty.
template <class T, class Index>
CsrMatrix<T, Index> random_csr(std::int64_t rows, std::int64_t cols, double density,
                               std::uint64_t seed, std::int64_t empty_row = -1,
                               std::int64_t empty_col = -1) {
  std::mt19937_64 engine(seed);
  auto uniform = [&] { return static_cast<double>(engine() >> 11) * 0x1p-53; };
  CsrMatrix<T, Index> a;
  a.rows = rows;
  a.cols = cols;
  a.row_ptr.push_back(0);
  for (std::int64_t i = 0; i < rows; ++i) {
    for (std::int64_t j = 0; j < cols; ++j) {
      if (uniform() >= density || i == empty_row || j == empty_col) continue;
      a.col_idx.push_back(static_cast<Index>(j));
      a.values.push_back(static_cast<T>(1.0 - uniform()));
    }
    a.row_ptr.push_back(static_cast<Index>(a.values.size()));
  }
  return a;
}

/// The dense row-major copy of a CSR matrix.
template <class T, class Index>
DenseMatrix<T> densify(const CsrMatrix<T, Index>& a) {
  DenseMatrix<T> d(a.rows, a.cols);
  for (std::int64_t i = 0; i < a.rows; ++i)
    for (std::int64_t e = a.row_ptr[i]; e < a.row_ptr[i + 1]; ++e) d(i, a.col_idx[e]) = a.values[e];
  return d;
}

/// The non-zeros of D in CSR form.
template <class T, class Index>
CsrMatrix<T, Index> csr_from_dense(const DenseMatrix<T>& D) {
  CsrMatrix<T, Index> A;
  A.rows = D.rows();
  A.cols = D.cols();
  A.row_ptr.push_back(0);
  for (std::int64_t i = 0; i < D.rows(); ++i) {
    for (std::int64_t j = 0; j < D.cols(); ++j) {
      if (D(i, j) != T(0)) {
        A.col_idx.push_back(static_cast<Index>(j));
        A.values.push_back(D(i, j));
      }
    }
    A.row_ptr.push_back(static_cast<Index>(A.col_idx.size()));
  }
  return A;
}

}  // namespace cunmf::test
