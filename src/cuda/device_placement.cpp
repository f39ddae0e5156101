// Checks and copies of device-resident inputs (see device_placement.hpp).
#include "device_placement.hpp"

#include <limits>
#include <string>

#include "../../kernels/validate.cuh"
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
template void place<float>(const Context&, DeviceDenseView<const float>, bool, std::int64_t,
                           std::int64_t, float*);
template void place<double>(const Context&, DeviceDenseView<const double>, bool, std::int64_t,
                            std::int64_t, double*);

}  // namespace cunmf::cuda_backend
