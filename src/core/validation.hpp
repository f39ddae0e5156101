// The argument checks of the public entry points, written once: options, shapes, dense and CSR
// entries. Each throws InvalidArgument with a message naming what is wrong and where.
#pragma once

#include <cstdint>

#include "cunmf/matrix.hpp"
#include "cunmf/options.hpp"
#include "cunmf/sparse.hpp"

namespace cunmf::detail {

/// Throws unless the options are usable for an m × n matrix (X not empty, 1 ≤ rank ≤ min(m, n),
/// max_iter ≥ 0, check_every ≥ 1, tol finite and ≥ 0, a known solver).
void validate_options(const Options& options, std::int64_t m, std::int64_t n);

/// Throws unless A is rows × cols; `what` names the matrix in the message.
void validate_shape(std::int64_t actual_rows, std::int64_t actual_cols, std::int64_t rows,
                    std::int64_t cols, const char* what);

/// Throws unless every entry of A is finite and ≥ 0; the message gives the first offending
/// (row, column) in A's own indexing.
template <class T>
void validate_nonnegative(DenseView<const T> A, const char* what);

/// Throws the InvalidArgument for entry `index` (in storage order) of a rows × cols matrix in
/// `layout`, whose value is `value`, naming its (row, column).
[[noreturn]] void throw_invalid_entry(const char* what, double value, std::int64_t index,
                                      std::int64_t rows, std::int64_t cols, Layout layout);

/// Throws unless X is a valid CSR matrix: row_ptr starts at 0, never decreases and ends at nnz;
/// column indices in [0, cols) and strictly increasing within each row; values finite and ≥ 0.
/// The message names the first offending row (and entry).
template <class T, class Index>
void validate_csr(CsrView<const T, Index> X, const char* what);

}  // namespace cunmf::detail
