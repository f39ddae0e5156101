// Tensor cores for kernels: nvcuda::wmma's TF32 m16n16k8 fragments and the TF32 conversions, from
// CUDA's <mma.h> under nvcc, or from the emulated device's subset (tests/emulated_cuda/include/
// cunmf_emu/wmma.hpp, the same names and documented semantics) in the emulated build. This is the
// one guard of the GPU-only tensor-core code: a kernel's tensor-core body sits under
// `#if CUNMF_TF32_MMA`, which is 0 only in nvcc's device passes for architectures below sm_80
// (none of the default CMAKE_CUDA_ARCHITECTURES), where the body is a __trap() instead and the
// launcher never launches it (tf32_mma_supported() is false there).
#pragma once

#if defined(CUNMF_CUDA_EMULATION)
#include "cunmf_emu/wmma.hpp"
#define CUNMF_TF32_MMA 1
#else
#include <mma.h>
// <mma.h> declares TF32 fragments in the host pass and for sm_80 and later (its own macro for
// that, __CUDA_AMPERE_MMA__, is undefined again at its end).
#if !defined(__CUDA_ARCH__) || __CUDA_ARCH__ >= 800
#define CUNMF_TF32_MMA 1
#else
#define CUNMF_TF32_MMA 0
#endif
#endif

namespace cunmf::detail {

#if CUNMF_TF32_MMA
/// The TF32 value nearest x, ties away from zero (__float_to_tf32), as a float whose 13 low
/// mantissa bits are cleared explicitly, so that x − tf32_high(x) is exact whatever the
/// conversion leaves in those bits.
__device__ __forceinline__ float tf32_high(float x) {
  return __uint_as_float(__float_as_uint(nvcuda::wmma::__float_to_tf32(x)) & 0xFFFFE000u);
}

/// The TF32 rounding of what tf32_high leaves (x = high + low to about 2^-22 relative): the second
/// term of the 3xTF32 split.
__device__ __forceinline__ float tf32_low(float x, float high) {
  return nvcuda::wmma::__float_to_tf32(x - high);
}
#endif

}  // namespace cunmf::detail
