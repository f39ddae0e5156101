// Validation, transposition and factor orientation for sparse inputs (see sparse_problem.hpp).
#include "sparse_problem.hpp"

#include <cmath>
#include <sstream>

#include "cunmf/errors.hpp"
#include "problem.hpp"

namespace cunmf::detail {

namespace {

[[noreturn]] void invalid_csr(const char* what, const std::string& problem) {
  throw InvalidArgument(std::string("cunmf: ") + what + " (CSR): " + problem);
}

}  // namespace

template <class T, class Index>
void validate_csr(CsrView<const T, Index> X, const char* what) {
  std::ostringstream s;
  if (X.rows < 0 || X.cols < 0 || X.nnz < 0) {
    s << "negative shape " << X.rows << " x " << X.cols << " with " << X.nnz << " non-zeros";
    invalid_csr(what, s.str());
  }
  if (X.row_ptr == nullptr || (X.nnz > 0 && (X.col_idx == nullptr || X.values == nullptr))) {
    invalid_csr(what, "null array pointer");
  }
  if (X.row_ptr[0] != 0 || X.row_ptr[X.rows] != X.nnz) {
    s << "row_ptr must start at 0 and end at nnz = " << X.nnz << ", got " << X.row_ptr[0]
      << " and " << X.row_ptr[X.rows];
    invalid_csr(what, s.str());
  }
  for (std::int64_t i = 0; i < X.rows; ++i) {
    const std::int64_t begin = X.row_ptr[i], end = X.row_ptr[i + 1];
    if (end < begin) {
      s << "row_ptr decreases at row " << i;
      invalid_csr(what, s.str());
    }
    for (std::int64_t e = begin; e < end; ++e) {
      const std::int64_t j = X.col_idx[e];
      if (j < 0 || j >= X.cols) {
        s << "row " << i << ", entry " << e << ": column index " << j << " out of range [0, "
          << X.cols << ")";
        invalid_csr(what, s.str());
      }
      if (e > begin && j <= X.col_idx[e - 1]) {
        s << "row " << i << ", entry " << e << ": column " << j
          << (j == X.col_idx[e - 1] ? " is duplicated" : " is out of order")
          << " (columns must be strictly increasing within a row)";
        invalid_csr(what, s.str());
      }
      const T v = X.values[e];
      if (!(v >= T(0)) || !std::isfinite(v)) {
        s << what << "(" << i << ", " << j << ") = " << v << ": entries must be finite and >= 0";
        throw InvalidArgument("cunmf: " + s.str());
      }
    }
  }
}

template <class T, class Index>
CsrMatrix<T, Index> transpose(CsrView<const T, Index> X) {
  CsrMatrix<T, Index> t;
  t.rows = X.cols;
  t.cols = X.rows;
  t.row_ptr.assign(static_cast<std::size_t>(X.cols + 1), 0);
  t.col_idx.resize(static_cast<std::size_t>(X.nnz));
  t.values.resize(static_cast<std::size_t>(X.nnz));
  for (std::int64_t e = 0; e < X.nnz; ++e) ++t.row_ptr[static_cast<std::size_t>(X.col_idx[e]) + 1];
  for (std::int64_t j = 0; j < X.cols; ++j) t.row_ptr[j + 1] += t.row_ptr[j];
  // Rows of X in increasing order fill each row of Xᵀ in increasing column order.
  std::vector<Index> cursor(t.row_ptr.begin(), t.row_ptr.end() - 1);
  for (std::int64_t i = 0; i < X.rows; ++i) {
    for (std::int64_t e = X.row_ptr[i]; e < X.row_ptr[i + 1]; ++e) {
      const Index slot = cursor[static_cast<std::size_t>(X.col_idx[e])]++;
      t.col_idx[slot] = static_cast<Index>(i);
      t.values[slot] = X.values[e];
    }
  }
  return t;
}

template <class T, class Index>
double mean_of_entries(CsrView<const T, Index> X) {
  double sum = 0.0;
  for (std::int64_t e = 0; e < X.nnz; ++e) sum += static_cast<double>(X.values[e]);
  return sum / (static_cast<double>(X.rows) * static_cast<double>(X.cols));
}

template <class T>
SparseFactors<T> to_sparse_factors(DenseView<const T> W, DenseView<const T> H) {
  SparseFactors<T> f;
  f.w.resize(static_cast<std::size_t>(W.size()));
  f.h.resize(static_cast<std::size_t>(H.size()));
  for (std::int64_t i = 0; i < W.rows; ++i)
    for (std::int64_t r = 0; r < W.cols; ++r) f.w[i * W.cols + r] = W(i, r);
  for (std::int64_t j = 0; j < H.cols; ++j)
    for (std::int64_t r = 0; r < H.rows; ++r) f.h[j * H.rows + r] = H(r, j);
  return f;
}

template <class T>
SparseFactors<T> random_sparse_factors(double mean, std::int64_t m, std::int64_t n, std::int64_t k,
                                       std::uint64_t seed) {
  DenseMatrix<T> W, H;
  random_user_factors(mean, m, n, k, seed, W, H);
  return to_sparse_factors(W.view(), H.view());
}

template <class T>
void sparse_factors_to_user(std::int64_t m, std::int64_t n, std::int64_t k, SparseFactors<T>&& f,
                            Result<T>& result) {
  result.W = DenseMatrix<T>(m, k);
  std::copy(f.w.begin(), f.w.end(), result.W.data());
  result.H = DenseMatrix<T>(k, n);
  for (std::int64_t j = 0; j < n; ++j)
    for (std::int64_t r = 0; r < k; ++r) result.H(r, j) = f.h[j * k + r];
}

#define CUNMF_INSTANTIATE_SPARSE_PROBLEM(T, Index)                                   \
  template void validate_csr<T, Index>(CsrView<const T, Index>, const char*);        \
  template CsrMatrix<T, Index> transpose<T, Index>(CsrView<const T, Index>);         \
  template double mean_of_entries<T, Index>(CsrView<const T, Index>);
CUNMF_INSTANTIATE_SPARSE_PROBLEM(float, std::int32_t)
CUNMF_INSTANTIATE_SPARSE_PROBLEM(float, std::int64_t)
CUNMF_INSTANTIATE_SPARSE_PROBLEM(double, std::int32_t)
CUNMF_INSTANTIATE_SPARSE_PROBLEM(double, std::int64_t)
#undef CUNMF_INSTANTIATE_SPARSE_PROBLEM

#define CUNMF_INSTANTIATE_SPARSE_FACTORS(T)                                                     \
  template SparseFactors<T> to_sparse_factors<T>(DenseView<const T>, DenseView<const T>);       \
  template SparseFactors<T> random_sparse_factors<T>(double, std::int64_t, std::int64_t,        \
                                                     std::int64_t, std::uint64_t);              \
  template void sparse_factors_to_user<T>(std::int64_t, std::int64_t, std::int64_t,             \
                                          SparseFactors<T>&&, Result<T>&);
CUNMF_INSTANTIATE_SPARSE_FACTORS(float)
CUNMF_INSTANTIATE_SPARSE_FACTORS(double)
#undef CUNMF_INSTANTIATE_SPARSE_FACTORS

}  // namespace cunmf::detail
