// Checks and copies of device-resident inputs (see device_placement.hpp).
#include "device_placement.hpp"

#include <limits>
#include <string>

#include "../../kernels/validate.cuh"
#include "../../kernels/validate_csr.cuh"
#include "../core/expects.hpp"
#include "../core/validation.hpp"
#include "blas.hpp"
#include "context_impl.hpp"
#include "cunmf/errors.hpp"

namespace cunmf::cuda_backend {

using cuda::Context;
using cuda::DeviceBuffer;
using cuda::DeviceDenseView;

template <class T>
std::int64_t first_invalid_on_device(const Context& ctx, const T* values, std::int64_t count,
                                     bool positive) {
  DeviceBuffer<unsigned long long> first(1);
  CUNMF_CUDA_CHECK(cudaMemsetAsync(first.data(), 0xFF, sizeof(unsigned long long), ctx.stream()));
  cunmf::detail::find_first_invalid(values, count, first.data(), ctx.stream(), positive);
  unsigned long long index = 0;
  first.copy_to_host(&index, ctx);
  return index == std::numeric_limits<unsigned long long>::max() ? -1
                                                                 : static_cast<std::int64_t>(index);
}

template <class T>
void validate_on_device(const Context& ctx, DeviceDenseView<const T> A, const char* what) {
  if (A.data == nullptr)
    throw InvalidArgument(std::string("cunmf: ") + what + " has a null data pointer");
  const std::int64_t index = first_invalid_on_device(ctx, A.data, A.size(), false);
  if (index < 0) return;
  T value{};
  cuda::copy_device_to_host(&value, A.data + index, sizeof(T), ctx);
  cunmf::detail::throw_invalid_entry(what, static_cast<double>(value),
                                     static_cast<std::int64_t>(index), A.rows, A.cols, A.layout);
}

template <class T, class Index>
void validate_on_device(const Context& ctx, cuda::DeviceCsrView<const T, Index> A,
                        const char* what) {
  CUNMF_EXPECTS(A.rows >= 0 && A.cols >= 0 && A.nnz >= 0,
                std::string(what) + " (CSR): negative shape " + std::to_string(A.rows) + " x " +
                    std::to_string(A.cols) + " with " + std::to_string(A.nnz) + " non-zeros");
  CUNMF_EXPECTS(
      A.row_ptr != nullptr && (A.nnz == 0 || (A.col_idx != nullptr && A.values != nullptr)),
      std::string(what) + " (CSR): null array pointer");
  DeviceBuffer<cunmf::detail::CsrProblem> result(1);
  cunmf::detail::find_first_csr_problem(A.row_ptr, A.col_idx, A.values, A.rows, A.cols, A.nnz,
                                        result.data(), ctx.stream());
  const cunmf::detail::CsrProblem p = cunmf::detail::read_csr_problem(result.data(), ctx.stream());
  if (p.kind == cunmf::detail::CsrProblemKind::None) return;
  cunmf::detail::CsrIssueAt issue{static_cast<cunmf::detail::CsrIssue>(p.kind)};
  issue.row = p.row;
  issue.entry = p.entry;
  issue.column = p.column;
  issue.value = p.value;
  issue.row_ptr_first = p.row_ptr_first;
  issue.row_ptr_last = p.row_ptr_last;
  cunmf::detail::throw_csr_issue(what, issue, A.cols, A.nnz);
}

/// Copies `source` into `target`, a column-major R×C matrix. `source` is either that matrix
/// (R×C) or its transpose (C×R), in either layout; a transposing copy happens only when the
/// storage orders differ.
template <class T>
void place(const Context& ctx, DeviceDenseView<const T> source, bool source_is_transpose,
           std::int64_t R, std::int64_t C, T* target) {
  const bool same_storage = source_is_transpose == (source.layout == Layout::RowMajor);
  if (same_storage) {
    CUNMF_CUDA_CHECK(cudaMemcpyAsync(target, source.data, sizeof(T) * R * C,
                                     cudaMemcpyDeviceToDevice, ctx.stream()));
  } else {
    // The storage is a column-major C×R matrix; the target is its transpose.
    transpose_copy(blas_handle(ctx, false), R, C, source.data, C, target);
  }
}

template std::int64_t first_invalid_on_device<float>(const Context&, const float*, std::int64_t,
                                                     bool);
template std::int64_t first_invalid_on_device<double>(const Context&, const double*, std::int64_t,
                                                      bool);
template void validate_on_device<float>(const Context&, DeviceDenseView<const float>, const char*);
template void validate_on_device<double>(const Context&, DeviceDenseView<const double>,
                                         const char*);
#define CUNMF_INSTANTIATE_CSR_CHECK(T, Index)                                                     \
  template void validate_on_device<T, Index>(const Context&, cuda::DeviceCsrView<const T, Index>, \
                                             const char*);
CUNMF_INSTANTIATE_CSR_CHECK(float, std::int32_t)
CUNMF_INSTANTIATE_CSR_CHECK(float, std::int64_t)
CUNMF_INSTANTIATE_CSR_CHECK(double, std::int32_t)
CUNMF_INSTANTIATE_CSR_CHECK(double, std::int64_t)
#undef CUNMF_INSTANTIATE_CSR_CHECK
template void place<float>(const Context&, DeviceDenseView<const float>, bool, std::int64_t,
                           std::int64_t, float*);
template void place<double>(const Context&, DeviceDenseView<const double>, bool, std::int64_t,
                            std::int64_t, double*);

}  // namespace cunmf::cuda_backend
