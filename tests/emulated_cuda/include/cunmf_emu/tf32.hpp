// TF32 rounding of the emulated device, shared by cuBLAS's CUBLAS_TF32_TENSOR_OP_MATH
// (src/cublas.cpp) and nvcuda::wmma's __float_to_tf32 (wmma.hpp): one definition of what a tensor
// core's TF32 input is.
#pragma once

#include <cstdint>
#include <cstring>

namespace cunmf_emu {

/// Rounds a float to TF32 (8-bit exponent, 10-bit mantissa) to nearest, ties away from zero, as
/// the conversion to tensor-core inputs (PTX cvt.rna.tf32.f32, which __float_to_tf32 executes)
/// does; the 13 dropped mantissa bits are zero in the result. Infinities and NaNs pass unchanged.
inline float round_to_tf32(float x) {
  std::uint32_t bits;
  std::memcpy(&bits, &x, sizeof(bits));
  if ((bits & 0x7F800000u) != 0x7F800000u) {
    bits += 0x1000u;  // half of the 13 dropped bits; a carry into the exponent is correct
    bits &= 0xFFFFE000u;
  }
  std::memcpy(&x, &bits, sizeof(x));
  return x;
}

/// Whether x is a TF32 value: its 13 low mantissa bits are zero (infinities and NaNs count).
inline bool is_tf32(float x) {
  std::uint32_t bits;
  std::memcpy(&bits, &x, sizeof(bits));
  return (bits & 0x7F800000u) == 0x7F800000u || (bits & 0x1FFFu) == 0;
}

}  // namespace cunmf_emu
