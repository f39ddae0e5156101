// The device-side CSR check (see validate_csr.cuh): a pass over the row pointer, then, only where
// the row pointer makes them meaningful, a pass over the entries. Integer atomicMin on the
// smallest offending row and entry gives the same answer in any thread order.
#include <limits>

#include "cuda_check.cuh"
#include "grid.cuh"
#include "launch.cuh"
#include "sorted_search.cuh"
#include "validate_csr.cuh"

namespace cunmf::detail {

namespace {

constexpr unsigned long long kNoProblem = std::numeric_limits<unsigned long long>::max();
/// An entry problem is recorded as entry · kKindSlots + kind, so the smallest key is the smallest
/// entry (and an entry has one problem: the first of range, order, value).
constexpr unsigned long long kKindSlots = 8;

/// One thread: records the row pointer's ends and resets the result and the working state.
template <class Index>
__global__ void begin_csr_check_kernel(const Index* __restrict__ row_ptr, std::int64_t rows,
                                       CsrProblem* result) {
  result->kind = CsrProblemKind::None;
  result->padding = 0;
  result->row = -1;
  result->entry = -1;
  result->column = -1;
  result->value = 0.0;
  result->row_ptr_first = static_cast<std::int64_t>(row_ptr[0]);
  result->row_ptr_last = static_cast<std::int64_t>(row_ptr[rows]);
  result->first_decrease = kNoProblem;
  result->first_entry_key = kNoProblem;
}

/// Each thread checks the rows i ≡ thread index (mod grid size) and lowers
/// result->first_decrease to the smallest i it sees with row_ptr[i + 1] < row_ptr[i].
template <class Index>
__global__ void find_row_ptr_decrease_kernel(const Index* __restrict__ row_ptr, std::int64_t rows,
                                             CsrProblem* result) {
  const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < rows;
       i += step) {
    if (row_ptr[i + 1] < row_ptr[i]) {
      atomicMin(&result->first_decrease, static_cast<unsigned long long>(i));
      return;  // later rows of this thread have larger indices
    }
  }
}

/// The entries that may be read: none unless row_ptr[0] == 0 and row_ptr[rows] == nnz; otherwise
/// those of the rows before the first decrease d (or rows), whose row pointers are then
/// non-decreasing from 0. `*last_row` ← d.
template <class Index>
__device__ inline std::int64_t checked_entries(const Index* row_ptr, std::int64_t rows,
                                               std::int64_t nnz, const CsrProblem* result,
                                               std::int64_t* last_row) {
  if (result->row_ptr_first != 0 || result->row_ptr_last != nnz) return 0;
  const unsigned long long decrease = result->first_decrease;
  *last_row = decrease == kNoProblem ? rows : static_cast<std::int64_t>(decrease);
  const std::int64_t end = static_cast<std::int64_t>(row_ptr[*last_row]);
  return end < nnz ? end : nnz;  // row_ptr[d] may exceed nnz before a decrease
}

/// Each thread checks the entries e ≡ thread index (mod grid size) below checked_entries: its row
/// i (a binary search in row_ptr[0..d]), then column range, order against entry e − 1 (when in the
/// same row) and value, and lowers result->first_entry_key to e · kKindSlots + kind for the first
/// problem of the smallest such e it sees.
template <class T, class Index>
__global__ void find_entry_problem_kernel(const Index* __restrict__ row_ptr,
                                          const Index* __restrict__ col_idx,
                                          const T* __restrict__ values, std::int64_t rows,
                                          std::int64_t cols, std::int64_t nnz, CsrProblem* result) {
  std::int64_t last_row = 0;
  const std::int64_t end = checked_entries(row_ptr, rows, nnz, result, &last_row);
  const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t e = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < end;
       e += step) {
    const std::int64_t i = first_greater(row_ptr, last_row + 1, e) - 1;
    const std::int64_t j = static_cast<std::int64_t>(col_idx[e]);
    CsrProblemKind kind = CsrProblemKind::None;
    if (j < 0 || j >= cols) {
      kind = CsrProblemKind::ColumnOutOfRange;
    } else if (e > static_cast<std::int64_t>(row_ptr[i]) &&
               j <= static_cast<std::int64_t>(col_idx[e - 1])) {
      kind = j == static_cast<std::int64_t>(col_idx[e - 1]) ? CsrProblemKind::ColumnDuplicated
                                                            : CsrProblemKind::ColumnOutOfOrder;
    } else {
      const T v = values[e];
      // NaN fails both comparisons; +Inf fails the second.
      if (!(v >= T(0) && v <= std::numeric_limits<T>::max())) kind = CsrProblemKind::InvalidValue;
    }
    if (kind != CsrProblemKind::None) {
      atomicMin(&result->first_entry_key,
                static_cast<unsigned long long>(e) * kKindSlots + static_cast<unsigned>(kind));
      return;  // later entries of this thread have larger indices
    }
  }
}

/// One thread: turns the working state into the reported problem (see CsrProblem).
template <class T, class Index>
__global__ void end_csr_check_kernel(const Index* __restrict__ row_ptr,
                                     const Index* __restrict__ col_idx,
                                     const T* __restrict__ values, std::int64_t rows,
                                     std::int64_t nnz, CsrProblem* result) {
  if (result->row_ptr_first != 0 || result->row_ptr_last != nnz) {
    result->kind = CsrProblemKind::RowPtrEnds;
  } else if (result->first_entry_key != kNoProblem) {
    const std::int64_t e = static_cast<std::int64_t>(result->first_entry_key / kKindSlots);
    const auto kind = static_cast<CsrProblemKind>(result->first_entry_key % kKindSlots);
    std::int64_t last_row = 0;
    checked_entries(row_ptr, rows, nnz, result, &last_row);
    result->kind = kind;
    result->row = first_greater(row_ptr, last_row + 1, e) - 1;
    result->entry = e;
    result->column = static_cast<std::int64_t>(col_idx[e]);
    if (kind == CsrProblemKind::InvalidValue) result->value = static_cast<double>(values[e]);
  } else if (result->first_decrease != kNoProblem) {
    result->kind = CsrProblemKind::RowPtrDecreases;
    result->row = static_cast<std::int64_t>(result->first_decrease);
  }
}

}  // namespace

template <class T, class Index>
void find_first_csr_problem(const Index* row_ptr, const Index* col_idx, const T* values,
                            std::int64_t rows, std::int64_t cols, std::int64_t nnz,
                            CsrProblem* result, cudaStream_t stream) {
  // The two single-thread launches always run: even with no rows the ends of row_ptr are checked.
  launch(begin_csr_check_kernel<Index>, 1, 1, 0, stream, row_ptr, rows, result);
  if (rows > 0) {
    launch(find_row_ptr_decrease_kernel<Index>, grid_blocks(rows), kBlockThreads, 0, stream,
           row_ptr, rows, result);
  }
  if (nnz > 0) {
    launch(find_entry_problem_kernel<T, Index>, grid_blocks(nnz), kBlockThreads, 0, stream, row_ptr,
           col_idx, values, rows, cols, nnz, result);
  }
  launch(end_csr_check_kernel<T, Index>, 1, 1, 0, stream, row_ptr, col_idx, values, rows, nnz,
         result);
}

CsrProblem read_csr_problem(const CsrProblem* device_result, cudaStream_t stream) {
  CsrProblem host{};
  CUNMF_CUDA_CHECK(
      cudaMemcpyAsync(&host, device_result, sizeof(CsrProblem), cudaMemcpyDeviceToHost, stream));
  CUNMF_CUDA_CHECK(cudaStreamSynchronize(stream));
  return host;
}

#define CUNMF_INSTANTIATE_FIND_FIRST_CSR_PROBLEM(T, Index)                                 \
  template void find_first_csr_problem<T, Index>(const Index*, const Index*, const T*,     \
                                                 std::int64_t, std::int64_t, std::int64_t, \
                                                 CsrProblem*, cudaStream_t);
CUNMF_INSTANTIATE_FIND_FIRST_CSR_PROBLEM(float, std::int32_t)
CUNMF_INSTANTIATE_FIND_FIRST_CSR_PROBLEM(float, std::int64_t)
CUNMF_INSTANTIATE_FIND_FIRST_CSR_PROBLEM(double, std::int32_t)
CUNMF_INSTANTIATE_FIND_FIRST_CSR_PROBLEM(double, std::int64_t)
#undef CUNMF_INSTANTIATE_FIND_FIRST_CSR_PROBLEM

}  // namespace cunmf::detail
