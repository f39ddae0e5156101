// Checks and copies of device-resident inputs shared by the device-resident entry points: the
// checks of a dense matrix (non-negative, finite) and of a CSR one (structure and values), and the
// placement of an initial factor in the layout the solver works in.
#pragma once

#include <cstdint>

#include "cunmf/cuda/context.hpp"
#include "cunmf/cuda/device_matrix.hpp"

namespace cunmf::cuda_backend {

/// The smallest index i < count with values[i] (device memory) not finite or < 0 (with
/// `positive`, ≤ 0), or −1 when there is none. Waits for it.
template <class T>
std::int64_t first_invalid_on_device(const cuda::Context& ctx, const T* values, std::int64_t count,
                                     bool positive);

/// Throws InvalidArgument naming the first entry of A (device memory) that is negative, NaN or
/// Inf; `what` names the matrix.
template <class T>
void validate_on_device(const cuda::Context& ctx, cuda::DeviceDenseView<const T> A,
                        const char* what);

/// Throws InvalidArgument naming the first problem of the CSR matrix A (device memory): its
/// structure and its values, checked on the device (nothing of A crosses to the host), with the
/// host check's message; `what` names the matrix.
template <class T, class Index>
void validate_on_device(const cuda::Context& ctx, cuda::DeviceCsrView<const T, Index> A,
                        const char* what);

/// Copies `source` into `target`, a column-major R×C matrix in device memory. `source` is either
/// that matrix (R×C) or its transpose (C×R), in either layout; a transposing copy happens only
/// when the storage orders differ. Queued on ctx's stream.
template <class T>
void place(const cuda::Context& ctx, cuda::DeviceDenseView<const T> source,
           bool source_is_transpose, std::int64_t R, std::int64_t C, T* target);

}  // namespace cunmf::cuda_backend
