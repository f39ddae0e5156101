// Tests of the emulated nvcuda::wmma subset (include/cunmf_emu/wmma.hpp): __float_to_tf32 rounds
// as cvt.rna.tf32.f32 (to nearest, ties away from zero), mma_sync computes D = A·B + C for every
// layout of A, B, C and D with leading dimensions honoured, in every thread order, and each misuse
// the CUDA documentation rules out is a fault: a lane missing, lanes disagreeing, a misaligned
// pointer, a bad leading dimension, an input not converted to TF32.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "cunmf_emu/wmma.hpp"
#include "emu_test_support.hpp"

// Not an anonymous namespace: kernels need external linkage for fault messages to name them.
namespace emu_wmma_test {

namespace wmma = nvcuda::wmma;
using cunmf_emu::launch_kernel;
using emu_test::contains;
using emu_test::DeviceArray;
using emu_test::take_fault;

constexpr int kM = 16, kN = 16, kK = 8;

float from_bits(std::uint32_t bits) {
  float x;
  std::memcpy(&x, &bits, sizeof(x));
  return x;
}

TEST(Wmma, FloatToTf32RoundsToNearestWithTiesAwayFromZero) {
  const float one = 1.0f;
  EXPECT_EQ(one, wmma::__float_to_tf32(one));
  // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10: away from zero gives the odd neighbour (ties
  // to even would give 1), and just below the tie rounds down.
  EXPECT_EQ(1.0f + 0x1p-10f, wmma::__float_to_tf32(1.0f + 0x1p-11f));
  EXPECT_EQ(-(1.0f + 0x1p-10f), wmma::__float_to_tf32(-(1.0f + 0x1p-11f)));
  EXPECT_EQ(1.0f, wmma::__float_to_tf32(1.0f + 0x1p-11f - 0x1p-23f));
  EXPECT_EQ(0x1p-126f, wmma::__float_to_tf32(0x1p-126f + 0x1p-138f));  // a normal's low bits
  EXPECT_EQ(std::numeric_limits<float>::infinity(),
            wmma::__float_to_tf32(std::numeric_limits<float>::max()));  // carries into infinity
  EXPECT_TRUE(std::isnan(wmma::__float_to_tf32(std::nanf(""))));
  for (const std::uint32_t bits : {0x3F812345u, 0xC2ABCDEFu, 0x00001FFFu}) {
    std::uint32_t rounded;
    const float r = wmma::__float_to_tf32(from_bits(bits));
    std::memcpy(&rounded, &r, sizeof(r));
    EXPECT_EQ(0u, rounded & 0x1FFFu) << std::hex << bits;  // the 13 dropped bits are zero
  }
}

/// D (16 × 16) = tf32(A)·tf32(B) + C by one warp, each operand in the layout its template and
/// argument name, with the given leading dimensions.
template <class LayoutA, class LayoutB>
__global__ void multiply_kernel(const float* A, unsigned lda, const float* B, unsigned ldb,
                                const float* C, unsigned ldc, wmma::layout_t c_layout, float* D,
                                unsigned ldd, wmma::layout_t d_layout) {
  wmma::fragment<wmma::matrix_a, 16, 16, 8, wmma::precision::tf32, LayoutA> a;
  wmma::fragment<wmma::matrix_b, 16, 16, 8, wmma::precision::tf32, LayoutB> b;
  wmma::fragment<wmma::accumulator, 16, 16, 8, float> c;
  wmma::load_matrix_sync(a, A, lda);
  wmma::load_matrix_sync(b, B, ldb);
  wmma::load_matrix_sync(c, C, ldc, c_layout);
  for (float& x : a.x) x = wmma::__float_to_tf32(x);
  for (float& x : b.x) x = wmma::__float_to_tf32(x);
  wmma::mma_sync(c, a, b, c);
  wmma::store_matrix_sync(D, c, ldd, d_layout);
}

/// The index of entry (r, c) of a matrix stored with leading dimension ld.
std::size_t at(bool row_major, int r, int c, unsigned ld) {
  return row_major ? static_cast<std::size_t>(r) * ld + c : r + static_cast<std::size_t>(c) * ld;
}

std::vector<float> values(std::size_t n, std::uint32_t seed) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    seed = seed * 1664525u + 1013904223u;
    v[i] = static_cast<float>(seed >> 8) * 0x1p-24f - 0.25f;  // full 24-bit mantissas
  }
  return v;
}

template <class LayoutA, class LayoutB>
void check_product(bool c_row_major, bool d_row_major) {
  constexpr bool a_row = std::is_same_v<LayoutA, wmma::row_major>;
  constexpr bool b_row = std::is_same_v<LayoutB, wmma::row_major>;
  // Leading dimensions beyond the matrix, so a wrong stride reads the padding.
  const unsigned lda = a_row ? 12 : 20, ldb = b_row ? 20 : 12, ldc = 20, ldd = 24;
  const auto A = values(lda * 16, 1), B = values(ldb * 16, 2), C = values(ldc * 16, 3);
  DeviceArray<float> dA(A), dB(B), dC(C), dD(ldd * 16);
  ASSERT_EQ(cudaSuccess,
            launch_kernel(multiply_kernel<LayoutA, LayoutB>, dim3(1), dim3(32), 0, nullptr,
                          dA.get(), lda, dB.get(), ldb, dC.get(), ldc,
                          c_row_major ? wmma::mem_row_major : wmma::mem_col_major, dD.get(), ldd,
                          d_row_major ? wmma::mem_row_major : wmma::mem_col_major));
  const auto D = dD.download();
  for (int i = 0; i < kM; ++i)
    for (int j = 0; j < kN; ++j) {
      float expected = C[at(c_row_major, i, j, ldc)];
      for (int k = 0; k < kK; ++k) {
        expected += cunmf_emu::round_to_tf32(A[at(a_row, i, k, lda)]) *
                    cunmf_emu::round_to_tf32(B[at(b_row, k, j, ldb)]);
      }
      ASSERT_EQ(expected, D[at(d_row_major, i, j, ldd)]) << "entry (" << i << ", " << j << ")";
    }
}

TEST(Wmma, ProductMatchesPlainLoopsForEveryLayoutInEveryOrder) {
  for (const char* order : {"forward", "reverse", "shuffle:7"}) {
    SCOPED_TRACE(order);
    emu_test::OrderScope scope(order);
    check_product<wmma::row_major, wmma::col_major>(false, true);
    check_product<wmma::col_major, wmma::row_major>(true, false);
    check_product<wmma::row_major, wmma::row_major>(true, true);
    check_product<wmma::col_major, wmma::col_major>(false, false);
  }
}

/// Loads matrix_a from `p` (leading dimension ldm) in the lanes below `lanes`, the others from
/// p + 32 when `disagree`; converts to TF32 unless `raw`; multiplies.
__global__ void misuse_kernel(const float* p, unsigned ldm, unsigned lanes, bool disagree,
                              bool raw) {
  if (threadIdx.x >= lanes && !disagree) return;
  wmma::fragment<wmma::matrix_a, 16, 16, 8, wmma::precision::tf32, wmma::row_major> a;
  wmma::fragment<wmma::matrix_b, 16, 16, 8, wmma::precision::tf32, wmma::col_major> b;
  wmma::fragment<wmma::accumulator, 16, 16, 8, float> c;
  wmma::load_matrix_sync(a, threadIdx.x >= lanes ? p + 32 : p, ldm);
  wmma::fill_fragment(b, 1.0f);
  wmma::fill_fragment(c, 0.0f);
  if (!raw)
    for (float& x : a.x) x = wmma::__float_to_tf32(x);
  wmma::mma_sync(c, a, b, c);
}

std::string misuse(unsigned threads, std::size_t offset, unsigned ldm, unsigned lanes,
                   bool disagree, bool raw) {
  {
    DeviceArray<float> p(values(1024, 9));
    EXPECT_EQ(cudaSuccess, launch_kernel(misuse_kernel, dim3(1), dim3(threads), 0, nullptr,
                                         p.get() + offset, ldm, lanes, disagree, raw));
    EXPECT_EQ(cudaErrorLaunchFailure, cudaDeviceSynchronize());
  }
  return take_fault();
}

TEST(Wmma, MisuseIsAFault) {
  // Half the warp returns before the load.
  std::string m = misuse(32, 0, 8, 16, false, false);
  EXPECT_TRUE(m.find("which have returned") != std::string::npos ||
              m.find("returned while lanes") != std::string::npos)
      << m;
  // A block of 48 threads: its second warp has 16 lanes, and a wmma operation needs 32.
  EXPECT_TRUE(contains(misuse(48, 0, 8, 48, false, false), "which do not exist"));
  EXPECT_TRUE(contains(misuse(32, 0, 8, 16, true, false),
                       "lane 16 passed another pointer, leading dimension, layout or fragment"));
  EXPECT_TRUE(contains(misuse(32, 1, 8, 32, false, false), "is not 256-bit (32-byte) aligned"));
  m = misuse(32, 0, 10, 32, false, false);
  EXPECT_TRUE(contains(m, "wmma::load_matrix_sync"));
  EXPECT_TRUE(contains(m, "the leading dimension 10 is not a multiple of 4 floats"));
  m = misuse(32, 0, 8, 32, false, true);
  EXPECT_TRUE(contains(m, "wmma::mma_sync"));
  EXPECT_TRUE(contains(m, "of matrix_a is"));
  EXPECT_TRUE(contains(m, "not a TF32 value: convert fragment elements with __float_to_tf32"));
}

}  // namespace emu_wmma_test
