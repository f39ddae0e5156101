// The argument checks of the public entry points (see validation.hpp).
#include "validation.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "concat.hpp"
#include "divergence.hpp"
#include "expects.hpp"

namespace cunmf::detail {

void validate_options(const Options& options, std::int64_t m, std::int64_t n, bool fixed_w) {
  CUNMF_EXPECTS(m > 0 && n > 0,
                concat("X is empty (", m, " x ", n, "); it needs at least one row and one column"));
  CUNMF_EXPECTS(options.rank >= 1 && (fixed_w || options.rank <= std::min(m, n)),
                concat("rank ", options.rank, " is out of range: it must be between 1 and ",
                       "min(m, n) = ", std::min(m, n), " for X of ", m, " x ", n));
  CUNMF_EXPECTS(options.max_iter >= 0, concat("max_iter must be >= 0, got ", options.max_iter));
  CUNMF_EXPECTS(options.check_every >= 1,
                concat("check_every must be >= 1, got ", options.check_every));
  CUNMF_EXPECTS(options.tol >= 0.0 && std::isfinite(options.tol),
                concat("tol must be finite and >= 0, got ", options.tol));
  CUNMF_EXPECTS(options.tensor_cores == TensorCoreMode::Off ||
                    options.tensor_cores == TensorCoreMode::Tf32 ||
                    options.tensor_cores == TensorCoreMode::Tf32x3,
                concat("unknown tensor_cores mode ", static_cast<int>(options.tensor_cores)));
  CUNMF_EXPECTS(!(options.allow_tf32 && options.tensor_cores == TensorCoreMode::Tf32x3),
                "allow_tf32 (TF32 products, ~1e-3) contradicts tensor_cores = Tf32x3 (fp32-level "
                "3xTF32): set one of them");
  CUNMF_EXPECTS(options.solver == Solver::MultiplicativeUpdate ||
                    options.solver == Solver::CoordinateDescent ||
                    options.solver == Solver::AlternatingLeastSquares ||
                    options.solver == Solver::ProjectedGradient ||
                    options.solver == Solver::AnlsBpp,
                concat("unknown solver ", static_cast<int>(options.solver)));
  CUNMF_EXPECTS(options.loss == Loss::Frobenius || options.loss == Loss::KullbackLeibler ||
                    options.loss == Loss::Beta || options.loss == Loss::ItakuraSaito,
                concat("unknown loss ", static_cast<int>(options.loss)));
  CUNMF_EXPECTS(options.loss != Loss::Beta || std::isfinite(options.beta),
                concat("beta must be finite for the beta-divergence loss, got ", options.beta));
  CUNMF_EXPECTS(options.alpha_W >= 0.0 && std::isfinite(options.alpha_W),
                concat("alpha_W must be finite and >= 0, got ", options.alpha_W));
  CUNMF_EXPECTS(!options.alpha_H || (*options.alpha_H >= 0.0 && std::isfinite(*options.alpha_H)),
                concat("alpha_H must be finite and >= 0, got ", options.alpha_H.value_or(0.0)));
  CUNMF_EXPECTS(options.l1_ratio >= 0.0 && options.l1_ratio <= 1.0,
                concat("l1_ratio must be between 0 and 1, got ", options.l1_ratio));
  CUNMF_EXPECTS(options.nsnmf_theta >= 0.0 && options.nsnmf_theta <= 1.0,
                concat("nsnmf_theta must be between 0 and 1, got ", options.nsnmf_theta));
  CUNMF_EXPECTS(options.checkpoint.every >= 0,
                concat("checkpoint.every must be >= 0, got ", options.checkpoint.every));
  CUNMF_EXPECTS(options.checkpoint.path.empty() == (options.checkpoint.every == 0),
                "checkpoint.path and checkpoint.every go together: set both (a file and every "
                "how many iterations to write it) or neither");
  const Divergence divergence = divergence_of(options);
  CUNMF_EXPECTS(divergence.kind != Loss::Beta || options.solver == Solver::MultiplicativeUpdate,
                concat("the beta-divergence with beta = ", divergence.beta,
                       (options.loss == Loss::ItakuraSaito ? " (Itakura-Saito)" : ""),
                       " is supported only by the multiplicative-update (mu) solver, as in "
                       "scikit-learn; beta = 2 (Frobenius) and beta = 1 (Kullback-Leibler) have "
                       "other solvers"));
  CUNMF_EXPECTS(divergence.kind != Loss::KullbackLeibler ||
                    options.solver == Solver::MultiplicativeUpdate ||
                    options.solver == Solver::CoordinateDescent,
                "the Kullback-Leibler loss is supported only by the multiplicative-update (mu) and "
                "coordinate-descent (cd) solvers; the alternating least squares (als), projected "
                "gradient (pgd) and block principal pivoting (anls-bpp) solvers minimize the "
                "Frobenius loss");
  validate_graph(options, n);
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

void throw_csr_issue(const char* what, const CsrIssueAt& issue, std::int64_t cols,
                     std::int64_t nnz) {
  const std::string where = concat("row ", issue.row, ", entry ", issue.entry, ": column ");
  std::string problem;
  switch (issue.kind) {
    case CsrIssue::RowPtrEnds:
      problem = concat("row_ptr must start at 0 and end at nnz = ", nnz, ", got ",
                       issue.row_ptr_first, " and ", issue.row_ptr_last);
      break;
    case CsrIssue::RowPtrDecreases:
      problem = concat("row_ptr decreases at row ", issue.row);
      break;
    case CsrIssue::ColumnOutOfRange:
      problem = concat(where, "index ", issue.column, " out of range [0, ", cols, ")");
      break;
    case CsrIssue::ColumnDuplicated:
    case CsrIssue::ColumnOutOfOrder:
      problem =
          concat(where, issue.column,
                 issue.kind == CsrIssue::ColumnDuplicated ? " is duplicated" : " is out of order",
                 " (columns must be strictly increasing within a row)");
      break;
    case CsrIssue::InvalidValue:
      throw InvalidArgument(concat("cunmf: ", what, "(", issue.row, ", ", issue.column,
                                   ") = ", issue.value, ": entries must be finite and >= 0"));
  }
  throw InvalidArgument(concat("cunmf: ", what, " (CSR): ", problem));
}

template <class T, class Index>
void validate_csr(CsrView<const T, Index> X, const char* what) {
  CUNMF_EXPECTS(X.rows >= 0 && X.cols >= 0 && X.nnz >= 0,
                concat(what, " (CSR): negative shape ", X.rows, " x ", X.cols, " with ", X.nnz,
                       " non-zeros"));
  CUNMF_EXPECTS(
      X.row_ptr != nullptr && (X.nnz == 0 || (X.col_idx != nullptr && X.values != nullptr)),
      concat(what, " (CSR): null array pointer"));
  CsrIssueAt issue{CsrIssue::RowPtrEnds};
  issue.row_ptr_first = X.row_ptr[0];
  issue.row_ptr_last = X.row_ptr[X.rows];
  const auto fail = [&](CsrIssue kind, std::int64_t row, std::int64_t entry) {
    issue.kind = kind;
    issue.row = row;
    issue.entry = entry;
    if (entry >= 0) issue.column = X.col_idx[entry];
    if (kind == CsrIssue::InvalidValue) issue.value = static_cast<double>(X.values[entry]);
    throw_csr_issue(what, issue, X.cols, X.nnz);
  };
  if (X.row_ptr[0] != 0 || X.row_ptr[X.rows] != X.nnz) fail(CsrIssue::RowPtrEnds, -1, -1);
  // Entries are read only below the first decrease d of row_ptr (and below nnz), so no offset can
  // send a read past the arrays; a problem among them comes before the decrease.
  std::int64_t first_decrease = X.rows;
  for (std::int64_t i = 0; i < X.rows && first_decrease == X.rows; ++i) {
    if (X.row_ptr[i + 1] < X.row_ptr[i]) first_decrease = i;
  }
  const std::int64_t limit = std::min<std::int64_t>(X.row_ptr[first_decrease], X.nnz);
  for (std::int64_t i = 0; i < first_decrease; ++i) {
    const std::int64_t begin = X.row_ptr[i];
    const std::int64_t end = std::min<std::int64_t>(X.row_ptr[i + 1], limit);
    for (std::int64_t e = begin; e < end; ++e) {
      const std::int64_t j = X.col_idx[e];
      if (j < 0 || j >= X.cols) fail(CsrIssue::ColumnOutOfRange, i, e);
      if (e > begin && j == X.col_idx[e - 1]) fail(CsrIssue::ColumnDuplicated, i, e);
      if (e > begin && j < X.col_idx[e - 1]) fail(CsrIssue::ColumnOutOfOrder, i, e);
      const T v = X.values[e];
      if (!(v >= T(0)) || !std::isfinite(v)) fail(CsrIssue::InvalidValue, i, e);
    }
  }
  if (first_decrease < X.rows) fail(CsrIssue::RowPtrDecreases, first_decrease, -1);
}

bool needs_positive_entries(const Options& options) {
  const Divergence d = divergence_of(options);
  return d.kind == Loss::Beta && d.beta <= 0.0;
}

void throw_zero_outside_domain(const Options& options, const std::string& where) {
  throw InvalidArgument(concat("cunmf: X has a zero ", where,
                               ": the beta-divergence with beta = ", divergence_of(options).beta,
                               (options.loss == Loss::ItakuraSaito ? " (Itakura-Saito)" : ""),
                               " is undefined where x = 0; add a small positive value to X, or use "
                               "beta > 0"));
}

std::string dense_position(std::int64_t index, std::int64_t rows, std::int64_t cols,
                           Layout layout) {
  const bool row_major = layout == Layout::RowMajor;
  const std::int64_t row = row_major ? index / cols : index % rows;
  const std::int64_t col = row_major ? index % cols : index / rows;
  return concat("at (row ", row, ", column ", col, ")");
}

std::string unstored_entries(std::int64_t nnz, std::int64_t rows, std::int64_t cols) {
  if (static_cast<double>(nnz) >= static_cast<double>(rows) * static_cast<double>(cols)) return "";
  return concat("(the CSR matrix stores ", nnz, " of its ", rows, " x ", cols,
                " entries; the others are zeros)");
}

template <class T>
void validate_divergence_domain(DenseView<const T> X, const Options& options) {
  if (!needs_positive_entries(options)) return;
  const std::int64_t count = X.size();
  for (std::int64_t idx = 0; idx < count; ++idx) {
    if (X.data[idx] == T(0)) {
      throw_zero_outside_domain(options, dense_position(idx, X.rows, X.cols, X.layout));
    }
  }
}

template <class T, class Index>
void validate_divergence_domain(CsrView<const T, Index> X, const Options& options) {
  if (!needs_positive_entries(options)) return;
  const std::string unstored = unstored_entries(X.nnz, X.rows, X.cols);
  if (!unstored.empty()) throw_zero_outside_domain(options, unstored);
  for (std::int64_t e = 0; e < X.nnz; ++e) {
    if (X.values[e] == T(0)) {
      throw_zero_outside_domain(options,
                                concat("stored at CSR entry ", e, " (column ", X.col_idx[e], ")"));
    }
  }
}

template void validate_divergence_domain<float>(DenseView<const float>, const Options&);
template void validate_divergence_domain<double>(DenseView<const double>, const Options&);
template void validate_divergence_domain<float, std::int32_t>(CsrView<const float, std::int32_t>,
                                                              const Options&);
template void validate_divergence_domain<float, std::int64_t>(CsrView<const float, std::int64_t>,
                                                              const Options&);
template void validate_divergence_domain<double, std::int32_t>(CsrView<const double, std::int32_t>,
                                                               const Options&);
template void validate_divergence_domain<double, std::int64_t>(CsrView<const double, std::int64_t>,
                                                               const Options&);
template void validate_nonnegative<float>(DenseView<const float>, const char*);
template void validate_nonnegative<double>(DenseView<const double>, const char*);
template void validate_csr<float, std::int32_t>(CsrView<const float, std::int32_t>, const char*);
template void validate_csr<float, std::int64_t>(CsrView<const float, std::int64_t>, const char*);
template void validate_csr<double, std::int32_t>(CsrView<const double, std::int32_t>, const char*);
template void validate_csr<double, std::int64_t>(CsrView<const double, std::int64_t>, const char*);

}  // namespace cunmf::detail
