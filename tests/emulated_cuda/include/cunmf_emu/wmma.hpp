// The emulated nvcuda::wmma subset: what CUDA's <mma.h> declares for TF32 tensor cores (sm_80 and
// later) in the m16n16k8 shape, which the project's kernels include (through
// kernels/tensor_core.cuh) instead of <mma.h> in the emulated build.
//
// Semantics (CUDA C++ Programming Guide, "Warp Matrix Functions" and "Alternate Floating Point"):
// load_matrix_sync, store_matrix_sync and mma_sync are warp-collective: all 32 lanes of the warp
// call them with the same pointer, leading dimension and layout (a fault otherwise, as for the
// other warp operations), the pointer 256-bit aligned and the leading dimension a multiple of 4
// floats (16 bytes). TF32 inputs must be converted by the kernel (__float_to_tf32, round to
// nearest with ties away from zero, as PTX cvt.rna.tf32.f32): an mma_sync operand element that is
// not a TF32 value is a fault here, where a GPU would silently drop its low bits. Products of two
// TF32 values are exact in fp32; mma_sync adds them to C in fp32, k = 0 .. 7 in order (a GPU's
// order and internal rounding inside one mma_sync are unspecified: compare GPU results with a
// tolerance, never with the emulator's bits). fill_fragment is per lane, not collective.
//
// The mapping of matrix elements to the lanes of a fragment is unspecified by CUDA; here element e
// of lane l holds entry p = l + 32·e of the fragment's matrix in row-major order. Kernels may not
// depend on it: they may only apply the same operation to every element (as the TF32 conversion
// and the 3xTF32 split do).
#pragma once

#include <string>
#include <type_traits>

#include "cunmf_emu/tf32.hpp"

namespace cunmf_emu::wmma_detail {

/// One lane's operand of a load or store: its fragment's elements and the memory tile.
struct MatrixTransfer {
  float* fragment;
  const float* load_from;  // null for a store
  float* store_to;         // null for a load
  unsigned ldm;
  bool row_major;
  int rows, cols;
};

/// One lane's operands of mma_sync: D = A·B + C on fragments of 16 × 8, 8 × 16 and 16 × 16.
struct MatrixProduct {
  float* d;
  const float* a;
  const float* b;
  const float* c;
};

// The work of the warp, once every lane has arrived (src/wmma.cpp); an empty answer or why the
// operation is misused.
std::string load_fragments(const void* const* operands);
std::string store_fragments(const void* const* operands);
std::string multiply_fragments(const void* const* operands);

}  // namespace cunmf_emu::wmma_detail

namespace nvcuda::wmma {

struct row_major;
struct col_major;
struct matrix_a;
struct matrix_b;
struct accumulator;
namespace precision {
struct tf32;
}  // namespace precision

enum layout_t { mem_row_major, mem_col_major };

/// Rounds `in` to TF32 (10-bit mantissa) to nearest, ties away from zero; the result is a float
/// whose 13 low mantissa bits are zero.
inline float __float_to_tf32(float in) { return ::cunmf_emu::round_to_tf32(in); }

/// A warp's share of a 16 × 8 (matrix_a), 8 × 16 (matrix_b) or 16 × 16 (accumulator) matrix:
/// `num_elements` floats per lane, mapped as the header comment says.
template <class Use, int m, int n, int k, class T, class Layout = void>
class fragment {
  static_assert(m == 16 && n == 16 && k == 8,
                "the emulated nvcuda::wmma has the m16n16k8 (TF32) shape only");
  static_assert(std::is_same_v<Use, accumulator>
                    ? std::is_same_v<T, float> && std::is_void_v<Layout>
                    : std::is_same_v<T, precision::tf32> &&
                          (std::is_same_v<Layout, row_major> || std::is_same_v<Layout, col_major>),
                "emulated: matrix_a/matrix_b of precision::tf32 with a layout, accumulators of "
                "float without one");

 public:
  using element_type = float;
  static constexpr int kRows = std::is_same_v<Use, matrix_b> ? k : m;
  static constexpr int kCols = std::is_same_v<Use, matrix_a> ? k : n;
  enum { num_elements = kRows * kCols / 32 };
  float x[num_elements];
};

template <class Use, int m, int n, int k, class T, class Layout>
void fill_fragment(fragment<Use, m, n, k, T, Layout>& f, float value) {
  for (float& element : f.x) element = value;
}

/// Loads a matrix_a or matrix_b fragment from `p` (leading dimension `ldm`, in the fragment's
/// layout). The elements are loaded as they are: convert them with __float_to_tf32.
template <class Use, class Layout>
void load_matrix_sync(fragment<Use, 16, 16, 8, precision::tf32, Layout>& f, const float* p,
                      unsigned ldm, const char* file = __builtin_FILE(),
                      int line = __builtin_LINE()) {
  using Fragment = fragment<Use, 16, 16, 8, precision::tf32, Layout>;
  ::cunmf_emu::wmma_detail::MatrixTransfer t{
      f.x, p, nullptr, ldm, std::is_same_v<Layout, row_major>, Fragment::kRows, Fragment::kCols};
  ::cunmf_emu::detail::warp_matrix_operation(::cunmf_emu::detail::WarpOp::matrix_load, 0xffffffffu,
                                             &t, &::cunmf_emu::wmma_detail::load_fragments, file,
                                             line);
}

/// Loads an accumulator fragment from `p` in `layout`.
inline void load_matrix_sync(fragment<accumulator, 16, 16, 8, float>& f, const float* p,
                             unsigned ldm, layout_t layout, const char* file = __builtin_FILE(),
                             int line = __builtin_LINE()) {
  ::cunmf_emu::wmma_detail::MatrixTransfer t{f.x, p, nullptr, ldm, layout == mem_row_major, 16, 16};
  ::cunmf_emu::detail::warp_matrix_operation(::cunmf_emu::detail::WarpOp::matrix_load, 0xffffffffu,
                                             &t, &::cunmf_emu::wmma_detail::load_fragments, file,
                                             line);
}

/// Stores an accumulator fragment to `p` in `layout`.
inline void store_matrix_sync(float* p, const fragment<accumulator, 16, 16, 8, float>& f,
                              unsigned ldm, layout_t layout, const char* file = __builtin_FILE(),
                              int line = __builtin_LINE()) {
  ::cunmf_emu::wmma_detail::MatrixTransfer t{const_cast<float*>(f.x), nullptr, p, ldm,
                                             layout == mem_row_major, 16,      16};
  ::cunmf_emu::detail::warp_matrix_operation(::cunmf_emu::detail::WarpOp::matrix_store, 0xffffffffu,
                                             &t, &::cunmf_emu::wmma_detail::store_fragments, file,
                                             line);
}

/// d = a·b + c (d may be c).
template <class LayoutA, class LayoutB>
void mma_sync(fragment<accumulator, 16, 16, 8, float>& d,
              const fragment<matrix_a, 16, 16, 8, precision::tf32, LayoutA>& a,
              const fragment<matrix_b, 16, 16, 8, precision::tf32, LayoutB>& b,
              const fragment<accumulator, 16, 16, 8, float>& c, const char* file = __builtin_FILE(),
              int line = __builtin_LINE()) {
  ::cunmf_emu::wmma_detail::MatrixProduct operands{d.x, a.x, b.x, c.x};
  ::cunmf_emu::detail::warp_matrix_operation(
      ::cunmf_emu::detail::WarpOp::matrix_mma, 0xffffffffu, &operands,
      &::cunmf_emu::wmma_detail::multiply_fragments, file, line);
}

}  // namespace nvcuda::wmma
