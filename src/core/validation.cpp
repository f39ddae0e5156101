// The argument checks of the public entry points (see validation.hpp).
#include "validation.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "expects.hpp"

namespace cunmf::detail {

namespace {

template <class... Parts>
std::string concat(const Parts&... parts) {
  std::ostringstream s;
  (s << ... << parts);
  return s.str();
}

}  // namespace

void validate_options(const Options& options, std::int64_t m, std::int64_t n) {
  CUNMF_EXPECTS(m > 0 && n > 0,
                concat("X is empty (", m, " x ", n, "); it needs at least one row and one column"));
  CUNMF_EXPECTS(options.rank >= 1 && options.rank <= std::min(m, n),
                concat("rank ", options.rank, " is out of range: it must be between 1 and ",
                       "min(m, n) = ", std::min(m, n), " for X of ", m, " x ", n));
  CUNMF_EXPECTS(options.max_iter >= 0, concat("max_iter must be >= 0, got ", options.max_iter));
  CUNMF_EXPECTS(options.check_every >= 1,
                concat("check_every must be >= 1, got ", options.check_every));
  CUNMF_EXPECTS(options.tol >= 0.0 && std::isfinite(options.tol),
                concat("tol must be finite and >= 0, got ", options.tol));
  CUNMF_EXPECTS(options.solver == Solver::MultiplicativeUpdate,
                concat("unknown solver ", static_cast<int>(options.solver)));
  CUNMF_EXPECTS(options.loss == Loss::Frobenius || options.loss == Loss::KullbackLeibler,
                concat("unknown loss ", static_cast<int>(options.loss)));
}

void validate_shape(std::int64_t actual_rows, std::int64_t actual_cols, std::int64_t rows,
                    std::int64_t cols, const char* what) {
  CUNMF_EXPECTS(
      actual_rows == rows && actual_cols == cols,
      concat(what, " is ", actual_rows, " x ", actual_cols, " but must be ", rows, " x ", cols));
}

void throw_invalid_entry(const char* what, double value, std::int64_t index, std::int64_t rows,
                         std::int64_t cols, Layout layout) {
  const std::int64_t row = layout == Layout::RowMajor ? index / cols : index % rows;
  const std::int64_t col = layout == Layout::RowMajor ? index % cols : index / rows;
  throw InvalidArgument(concat("cunmf: ", what, "(", row, ", ", col, ") = ", value,
                               ": entries must be finite and >= 0",
                               std::isnan(value)   ? " (NaN)"
                               : std::isinf(value) ? " (Inf)"
                                                   : " (negative)"));
}

template <class T>
void validate_nonnegative(DenseView<const T> A, const char* what) {
  CUNMF_EXPECTS(A.data != nullptr || A.size() == 0, concat(what, " has a null data pointer"));
  // Scan in storage order: the first offender of the scan is reported.
  const std::int64_t count = A.size();
  for (std::int64_t idx = 0; idx < count; ++idx) {
    const T v = A.data[idx];
    if (v >= T(0) && std::isfinite(v)) continue;
    throw_invalid_entry(what, static_cast<double>(v), idx, A.rows, A.cols, A.layout);
  }
}

template <class T, class Index>
void validate_csr(CsrView<const T, Index> X, const char* what) {
  const auto fail = [what](const std::string& problem) {
    throw InvalidArgument(concat("cunmf: ", what, " (CSR): ", problem));
  };
  if (X.rows < 0 || X.cols < 0 || X.nnz < 0) {
    fail(concat("negative shape ", X.rows, " x ", X.cols, " with ", X.nnz, " non-zeros"));
  }
  if (X.row_ptr == nullptr || (X.nnz > 0 && (X.col_idx == nullptr || X.values == nullptr))) {
    fail("null array pointer");
  }
  if (X.row_ptr[0] != 0 || X.row_ptr[X.rows] != X.nnz) {
    fail(concat("row_ptr must start at 0 and end at nnz = ", X.nnz, ", got ", X.row_ptr[0], " and ",
                X.row_ptr[X.rows]));
  }
  // row_ptr first: non-decreasing from 0 to nnz, no offset is beyond nnz, so no entry is read
  // out of bounds (the device check in kernels/validate_csr.cu reads in the same order).
  for (std::int64_t i = 0; i < X.rows; ++i) {
    if (X.row_ptr[i + 1] < X.row_ptr[i]) fail(concat("row_ptr decreases at row ", i));
  }
  for (std::int64_t i = 0; i < X.rows; ++i) {
    const std::int64_t begin = X.row_ptr[i], end = X.row_ptr[i + 1];
    for (std::int64_t e = begin; e < end; ++e) {
      const std::int64_t j = X.col_idx[e];
      if (j < 0 || j >= X.cols) {
        fail(concat("row ", i, ", entry ", e, ": column index ", j, " out of range [0, ", X.cols,
                    ")"));
      }
      if (e > begin && j <= X.col_idx[e - 1]) {
        fail(concat("row ", i, ", entry ", e, ": column ", j,
                    j == X.col_idx[e - 1] ? " is duplicated" : " is out of order",
                    " (columns must be strictly increasing within a row)"));
      }
      const T v = X.values[e];
      CUNMF_EXPECTS(v >= T(0) && std::isfinite(v),
                    concat(what, "(", i, ", ", j, ") = ", v, ": entries must be finite and >= 0"));
    }
  }
}

template void validate_nonnegative<float>(DenseView<const float>, const char*);
template void validate_nonnegative<double>(DenseView<const double>, const char*);
template void validate_csr<float, std::int32_t>(CsrView<const float, std::int32_t>, const char*);
template void validate_csr<float, std::int64_t>(CsrView<const float, std::int64_t>, const char*);
template void validate_csr<double, std::int32_t>(CsrView<const double, std::int32_t>, const char*);
template void validate_csr<double, std::int64_t>(CsrView<const double, std::int64_t>, const char*);

}  // namespace cunmf::detail
