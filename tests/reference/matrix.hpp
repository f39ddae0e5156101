// The textbook oracle's matrix type (tests/reference/): a tiny row-major matrix of doubles, the
// conversions from the library's input views, and the two products the oracle's updates need,
// with naive loops. It shares no code with src/ and includes only the public headers that define
// its input types.
#pragma once

#include <cstdint>
#include <vector>

#include "cunmf/matrix.hpp"
#include "cunmf/sparse.hpp"

namespace cunmf::reference {

/// A dense rows × cols matrix of doubles, row-major.
struct Matrix {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::vector<double> data;

  Matrix() = default;
  Matrix(std::int64_t r, std::int64_t c) : rows(r), cols(c), data(std::size_t(r * c), 0.0) {}
  double& operator()(std::int64_t i, std::int64_t j) { return data[std::size_t(i * cols + j)]; }
  double operator()(std::int64_t i, std::int64_t j) const {
    return data[std::size_t(i * cols + j)];
  }
};

/// A double copy of a dense view (either layout).
template <class T>
Matrix to_matrix(DenseView<const T> a) {
  Matrix out(a.rows, a.cols);
  for (std::int64_t i = 0; i < a.rows; ++i)
    for (std::int64_t j = 0; j < a.cols; ++j) out(i, j) = static_cast<double>(a(i, j));
  return out;
}

/// The dense double copy of a CSR matrix (entries not stored are 0).
template <class T, class Index>
Matrix densify(CsrView<const T, Index> a) {
  Matrix out(a.rows, a.cols);
  for (std::int64_t i = 0; i < a.rows; ++i)
    for (std::int64_t e = a.row_ptr[i]; e < a.row_ptr[i + 1]; ++e)
      out(i, std::int64_t(a.col_idx[e])) = static_cast<double>(a.values[e]);
  return out;
}

/// A · B.
inline Matrix multiply(const Matrix& a, const Matrix& b) {
  Matrix c(a.rows, b.cols);
  for (std::int64_t i = 0; i < a.rows; ++i)
    for (std::int64_t j = 0; j < b.cols; ++j) {
      double sum = 0.0;
      for (std::int64_t r = 0; r < a.cols; ++r) sum += a(i, r) * b(r, j);
      c(i, j) = sum;
    }
  return c;
}

/// Aᵀ.
inline Matrix transpose(const Matrix& a) {
  Matrix t(a.cols, a.rows);
  for (std::int64_t i = 0; i < a.rows; ++i)
    for (std::int64_t j = 0; j < a.cols; ++j) t(j, i) = a(i, j);
  return t;
}

}  // namespace cunmf::reference
