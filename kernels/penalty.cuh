// Launcher of the kernel that adds the L1/L2 penalty to a least-squares subproblem.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "elementwise.cuh"

namespace cunmf::detail {

/// gram (k × k) ← gram + l2·I and numerator (rows × k, column-major) ← numerator − l1: the
/// subproblem min over F ≥ 0 of ½ tr(F G Fᵀ) − tr(Nᵀ F) + l1·‖F‖₁ + ½·l2·‖F‖²_F becomes the plain
/// one (F ≥ 0 makes ‖F‖₁ linear). One pass, queued on `stream`.
template <class T>
void add_penalty(T* gram, T* numerator, Penalty<T> penalty, std::int64_t rows, std::int64_t k,
                 cudaStream_t stream);

}  // namespace cunmf::detail
