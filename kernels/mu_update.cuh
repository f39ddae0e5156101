// Launchers of the fused multiplicative-update kernels.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "elementwise.cuh"

namespace cunmf::detail {

/// factor[i] ← mu_step(factor[i], numerator[i], denominator[i], penalty, floor, gamma) for
/// i < count (elementwise.cuh: the penalty's gradient joins the denominator, a zero denominator
/// becomes ε, the quotient is raised to γ, results below `floor` become 0), in one pass. Queued on
/// `stream`.
template <class T>
void mu_update(T* factor, const T* numerator, const T* denominator, Penalty<T> penalty, T floor,
               T gamma, std::int64_t count, cudaStream_t stream);

/// The same for a column-major factor of `rows` rows whose denominator is one value per column:
/// entry i uses per_column[i / rows]. Queued on `stream`.
template <class T>
void mu_update_per_column(T* factor, const T* numerator, const T* per_column, Penalty<T> penalty,
                          T floor, T gamma, std::int64_t rows, std::int64_t count,
                          cudaStream_t stream);

}  // namespace cunmf::detail
