// The argument checks of the public entry points, written once: options, shapes, dense and CSR
// entries. Each throws InvalidArgument with a message naming what is wrong and where.
#pragma once

#include <cstdint>
#include <string>

#include "cunmf/matrix.hpp"
#include "cunmf/options.hpp"
#include "cunmf/sparse.hpp"

namespace cunmf::detail {

/// Throws unless the options are usable for an m × n matrix (X not empty, 1 ≤ rank ≤ min(m, n),
/// max_iter ≥ 0, check_every ≥ 1, tol finite and ≥ 0, a known solver and a loss it supports,
/// penalties in range). With `fixed_w` (transform: W is given and held), any rank ≥ 1 is usable.
void validate_options(const Options& options, std::int64_t m, std::int64_t n, bool fixed_w = false);

/// Throws unless graph regularization's options fit X of n columns: graph_lambda finite and ≥ 0,
/// > 0 only with a graph and the mu solver; a graph, when given, n × n, a valid CSR with finite
/// non-negative entries, exactly symmetric. (graph_validation.cpp)
void validate_graph(const Options& options, std::int64_t n);

/// Throws unless A is rows × cols; `what` names the matrix in the message.
void validate_shape(std::int64_t actual_rows, std::int64_t actual_cols, std::int64_t rows,
                    std::int64_t cols, const char* what);

/// Throws unless every entry of A is finite and ≥ 0; the message gives the first offending
/// (row, column) in A's own indexing.
template <class T>
void validate_nonnegative(DenseView<const T> A, const char* what);

/// Throws unless X is in the domain of options' loss: for the β-divergence with β ≤ 0
/// (Itakura–Saito included) every entry must be positive — a dense zero is named by its (row,
/// column); a CSR X must store every entry, none of them zero. Entries are checked ≥ 0 before.
template <class T>
void validate_divergence_domain(DenseView<const T> X, const Options& options);
template <class T, class Index>
void validate_divergence_domain(CsrView<const T, Index> X, const Options& options);

/// Whether options' loss needs X positive everywhere (the β-divergence with β ≤ 0).
bool needs_positive_entries(const Options& options);
/// Throws the InvalidArgument for a zero of X (at `where`) that options' loss cannot take.
[[noreturn]] void throw_zero_outside_domain(const Options& options, const std::string& where);
/// "at (row r, column c)" for entry `index` (in storage order) of a rows × cols matrix.
std::string dense_position(std::int64_t index, std::int64_t rows, std::int64_t cols, Layout layout);
/// What a CSR matrix of nnz stored entries leaves unstored ("" when it stores all rows × cols).
std::string unstored_entries(std::int64_t nnz, std::int64_t rows, std::int64_t cols);

/// Throws the InvalidArgument for entry `index` (in storage order) of a rows × cols matrix in
/// `layout`, whose value is `value`, naming its (row, column).
[[noreturn]] void throw_invalid_entry(const char* what, double value, std::int64_t index,
                                      std::int64_t rows, std::int64_t cols, Layout layout);

/// What can be wrong with a CSR matrix (numbered as the device check's CsrProblemKind,
/// kernels/validate_csr.cuh).
enum class CsrIssue {
  RowPtrEnds = 1,        ///< row_ptr[0] != 0 or row_ptr[rows] != nnz
  RowPtrDecreases = 2,   ///< row_ptr[row + 1] < row_ptr[row]
  ColumnOutOfRange = 3,  ///< col_idx[entry] outside [0, cols)
  ColumnDuplicated = 4,  ///< col_idx[entry] == col_idx[entry - 1] within the row
  ColumnOutOfOrder = 5,  ///< col_idx[entry] < col_idx[entry - 1] within the row
  InvalidValue = 6,      ///< values[entry] negative, NaN or Inf
};

/// The first problem of a CSR matrix and where it is (row, entry and column as they apply).
struct CsrIssueAt {
  CsrIssue kind;
  std::int64_t row = -1, entry = -1, column = -1;
  double value = 0.0;
  std::int64_t row_ptr_first = 0, row_ptr_last = 0;
};

/// Throws the InvalidArgument that describes `issue` of the CSR matrix `what` (cols columns, nnz
/// stored entries): the one message for the host and the device checks.
[[noreturn]] void throw_csr_issue(const char* what, const CsrIssueAt& issue, std::int64_t cols,
                                  std::int64_t nnz);

/// Throws unless X is a valid CSR matrix: row_ptr starts at 0, never decreases and ends at nnz;
/// column indices in [0, cols) and strictly increasing within each row; values finite and ≥ 0.
/// The message names the first offending row (and entry), in the order of the device check:
/// rows in order, up to the first decrease of row_ptr; no entry is read out of bounds.
template <class T, class Index>
void validate_csr(CsrView<const T, Index> X, const char* what);

}  // namespace cunmf::detail
