// The fused dense KL product (kernels/fused_kl.cuh) against a textbook evaluation in double of
// (A ⊘ max(W Fᵀ, ε)) · F: awkward shapes (1, odd, one past the 32-row and 32-column tiles, the
// largest rank each precision takes), A read as S and as Sᵀ with a padded leading dimension, zeros
// in X (the x = 0 quotient) and a zero row of W (the clamped W Fᵀ = 0); and the same bits on every
// run. The CUDA backend's dense KL takes this kernel up to rank 32 (every KL test of the
// suite with such ranks runs it against the CPU backend too).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "../kernels/elementwise.cuh"
#include "../kernels/fused_kl.cuh"
#include "cuda_test_support.hpp"
#include "cunmf/cuda/device_buffer.hpp"

namespace cunmf::test {
namespace {

struct Case {
  std::int64_t rows, cols, k;
};

template <class T>
std::vector<T> uniform_values(std::size_t count, std::uint64_t seed, double zero_fraction) {
  std::mt19937_64 engine(seed);
  std::vector<T> v(count);
  for (T& x : v) {
    const double u = static_cast<double>(engine() >> 11) * 0x1p-53;
    const double w = static_cast<double>(engine() >> 11) * 0x1p-53;
    x = u < zero_fraction ? T(0) : static_cast<T>(0.05 + w);
  }
  return v;
}

template <class T>
std::vector<T> to_host(const cuda::DeviceBuffer<T>& d, const cuda::Context& ctx) {
  std::vector<T> h(d.size());
  d.copy_to_host(h.data(), ctx);
  return h;
}

template <class T>
cuda::DeviceBuffer<T> to_device(const std::vector<T>& h, const cuda::Context& ctx) {
  cuda::DeviceBuffer<T> d(h.size());
  d.copy_from_host(h.data(), ctx);
  return d;
}

template <class T>
class FusedKlTest : public ::testing::Test {};
using Precisions = ::testing::Types<float, double>;
TYPED_TEST_SUITE(FusedKlTest, Precisions);

TYPED_TEST(FusedKlTest, RanksItTakes) {
  using T = TypeParam;
  const std::int64_t largest = sizeof(T) == 4 ? 128 : 79;
  EXPECT_TRUE(detail::fused_kl_fits(1, sizeof(T)));
  EXPECT_TRUE(detail::fused_kl_fits(largest, sizeof(T)));
  EXPECT_FALSE(detail::fused_kl_fits(largest + 1, sizeof(T)));
  EXPECT_FALSE(detail::fused_kl_fits(0, sizeof(T)));
}

// Tolerance: float sums up to 70 quotient·F terms and k-term products in fp32 (≈ 70 · 6e-8
// relative at worst), double the same in fp64; 2e-5 and 1e-12 bound them with margin, while a
// wrong tile edge or a skipped column moves the result by O(1/cols) at least.
TYPED_TEST(FusedKlTest, MatchesTextbookProduct) {
  CUNMF_SKIP_WITHOUT_DEVICE();
  using T = TypeParam;
  const double tolerance = sizeof(T) == 4 ? 2e-5 : 1e-12;
  const std::int64_t largest = sizeof(T) == 4 ? 128 : 79;
  const Case cases[] = {{1, 1, 1},   {1, 7, 3},    {5, 1, 2},        {33, 31, 4},
                        {64, 65, 7}, {37, 70, 32}, {40, 33, largest}};
  const cuda::Context ctx;
  std::uint64_t seed = 300;
  for (const Case& c : cases)
    for (const bool transposed : {false, true}) {
      SCOPED_TRACE(std::to_string(c.rows) + " x " + std::to_string(c.cols) + ", k " +
                   std::to_string(c.k) + (transposed ? ", A = S^T" : ", A = S"));
      // S holds A (rows × cols) or Aᵀ, column-major with two rows of padding.
      const std::int64_t s_rows = transposed ? c.cols : c.rows;
      const std::int64_t s_cols = transposed ? c.rows : c.cols;
      const std::int64_t ld = s_rows + 2;
      const auto S = uniform_values<T>(static_cast<std::size_t>(ld * s_cols), ++seed, 0.3);
      auto W = uniform_values<T>(static_cast<std::size_t>(c.rows * c.k), ++seed, 0.0);
      const auto F = uniform_values<T>(static_cast<std::size_t>(c.cols * c.k), ++seed, 0.0);
      for (std::int64_t s = 0; s < c.k; ++s) W[(c.rows - 1) + s * c.rows] = T(0);  // W Fᵀ = 0
      const auto A = [&](std::int64_t i, std::int64_t j) {
        return static_cast<double>(transposed ? S[j + i * ld] : S[i + j * ld]);
      };
      std::vector<double> expected(static_cast<std::size_t>(c.rows * c.k), 0.0);
      for (std::int64_t i = 0; i < c.rows; ++i)
        for (std::int64_t j = 0; j < c.cols; ++j) {
          double wh = 0.0;
          for (std::int64_t s = 0; s < c.k; ++s)
            wh += static_cast<double>(W[i + s * c.rows]) * static_cast<double>(F[j + s * c.cols]);
          const double q = A(i, j) / std::max(wh, detail::kEpsilon);
          for (std::int64_t r = 0; r < c.k; ++r)
            expected[i + r * c.rows] += q * static_cast<double>(F[j + r * c.cols]);
        }
      const auto dS = to_device(S, ctx);
      const auto dW = to_device(W, ctx);
      const auto dF = to_device(F, ctx);
      cuda::DeviceBuffer<T> out(expected.size()), again(expected.size());
      detail::fused_kl_ratio_product(dS.data(), ld, transposed, c.rows, c.cols, dW.data(),
                                     dF.data(), c.k, out.data(), ctx.stream());
      detail::fused_kl_ratio_product(dS.data(), ld, transposed, c.rows, c.cols, dW.data(),
                                     dF.data(), c.k, again.data(), ctx.stream());
      const auto actual = to_host(out, ctx);
      double error = 0.0, norm = 0.0;
      for (std::size_t e = 0; e < expected.size(); ++e) {
        error += std::pow(static_cast<double>(actual[e]) - expected[e], 2);
        norm += expected[e] * expected[e];
      }
      EXPECT_LE(std::sqrt(error), tolerance * std::sqrt(norm));
      EXPECT_EQ(to_host(again, ctx), actual) << "not the same bits on a second run";
    }
}

}  // namespace
}  // namespace cunmf::test
