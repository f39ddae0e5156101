// Launcher of the device-side CSR check: the first problem of a CSR matrix in device memory, in
// the order detail::validate_csr (src/core/validation.cpp) reports them on the host, as a small
// result struct that the host copies back and turns into a message.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>
#include <type_traits>

namespace cunmf::detail {

/// What is wrong with a CSR matrix (the first problem found; see CsrProblem).
enum class CsrProblemKind : std::int32_t {
  None = 0,              ///< the matrix is valid
  RowPtrEnds = 1,        ///< row_ptr[0] != 0 or row_ptr[rows] != nnz
  RowPtrDecreases = 2,   ///< row_ptr[row + 1] < row_ptr[row]
  ColumnOutOfRange = 3,  ///< col_idx[entry] outside [0, cols)
  ColumnDuplicated = 4,  ///< col_idx[entry] == col_idx[entry - 1] within the row
  ColumnOutOfOrder = 5,  ///< col_idx[entry] < col_idx[entry - 1] within the row
  InvalidValue = 6,      ///< values[entry] negative, NaN or ±Inf
};

/// The result of find_first_csr_problem, written to device memory; copy it to the host (one
/// struct, e.g. read_csr_problem) after the check has run. Fields by `kind`:
/// - always: row_ptr_first = row_ptr[0], row_ptr_last = row_ptr[rows];
/// - None, RowPtrEnds: row = entry = column = -1, value = 0;
/// - RowPtrDecreases: row = the smallest i with row_ptr[i + 1] < row_ptr[i]; entry = column = -1,
///   value = 0;
/// - ColumnOutOfRange, ColumnDuplicated, ColumnOutOfOrder, InvalidValue: entry = the entry e
///   (an index into col_idx and values), row = the row i with row_ptr[i] <= e < row_ptr[i + 1],
///   column = col_idx[e]; value = values[e] (exact, as a double) for InvalidValue, 0 otherwise.
/// The problem is the one the host check meets first, scanning rows in order and, in each row,
/// first the row pointer, then each entry's column range, column order and value:
/// RowPtrEnds before anything else; an entry problem in a row before a row_ptr decrease at a
/// later row; within an entry, range before order before value.
/// padding is always 0 (every byte of the struct is written); first_decrease and first_entry_key
/// are the check's working state, not part of the result.
struct CsrProblem {
  CsrProblemKind kind;
  std::int32_t padding;
  std::int64_t row;
  std::int64_t entry;
  std::int64_t column;
  double value;
  std::int64_t row_ptr_first;
  std::int64_t row_ptr_last;
  unsigned long long first_decrease;
  unsigned long long first_entry_key;
};
static_assert(std::is_trivially_copyable_v<CsrProblem> && sizeof(CsrProblem) == 72,
              "CsrProblem is copied to the host as bytes");

/// Checks the CSR matrix (row_ptr: rows + 1 entries, col_idx and values: nnz entries, all in
/// device memory; Index = int32 or int64, T = float or double) and writes the first problem to
/// *result (device memory, one CsrProblem, written whole: it needs no initialization). Reads only
/// row_ptr[0..rows] and, once row_ptr[0] == 0 and row_ptr[rows] == nnz, the entries below
/// min(row_ptr[d], nnz) for the first decrease d (or d = rows): never out of bounds, whatever
/// row_ptr holds. The answer does not depend on the thread order (integer atomicMin). Queued on
/// `stream` (four small launches); throws CudaError when a launch is rejected.
template <class T, class Index>
void find_first_csr_problem(const Index* row_ptr, const Index* col_idx, const T* values,
                            std::int64_t rows, std::int64_t cols, std::int64_t nnz,
                            CsrProblem* result, cudaStream_t stream);

/// Copies *device_result to the host after the work queued on `stream` before it, and returns it.
/// Waits for `stream`; throws CudaError when the copy or earlier work failed.
CsrProblem read_csr_problem(const CsrProblem* device_result, cudaStream_t stream);

}  // namespace cunmf::detail
