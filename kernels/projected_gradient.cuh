// Launchers of the element-wise kernels of projected gradient (Lin 2007): the projected step and
// the projected gradient, over a whole factor panel.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace cunmf::detail {

/// out[i] ← max(factor[i] − α·gradient[i], 0) for i < count (projected_step, elementwise.cuh).
/// `out` must not alias the inputs. Queued on `stream`.
template <class T>
void projected_step(const T* factor, const T* gradient, T alpha, T* out, std::int64_t count,
                    cudaStream_t stream);

/// out[i] ← gradient[i] where factor[i] > 0 or gradient[i] < 0, else 0, for i < count
/// (projected_gradient, elementwise.cuh). `out` may be `gradient`. Queued on `stream`.
template <class T>
void projected_gradient(const T* factor, const T* gradient, T* out, std::int64_t count,
                        cudaStream_t stream);

}  // namespace cunmf::detail
