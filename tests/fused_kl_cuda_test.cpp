// The fused dense KL product (kernels/fused_kl.cuh) against a textbook evaluation in double of
// (A ⊘ max(W Fᵀ, ε)) · F: awkward shapes (1, odd, one past the 32-row and 32-column tiles, the
// largest rank each precision takes), A read as S and as Sᵀ with a padded leading dimension, zeros
// in X (the x = 0 quotient) and a zero row of W (the clamped W Fᵀ = 0); and the same bits on every
// run. The CUDA backend's dense KL takes this kernel up to rank 32 (every KL test of the
// suite with such ranks runs it against the CPU backend too). Likewise the fused sparse product
// (kernels/fused_sparse_kl.cuh), for both index types, empty rows and columns, ranks 1 to 256.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "../kernels/elementwise.cuh"
#include "../kernels/fused_kl.cuh"
#include "../kernels/fused_sparse_kl.cuh"
#include "cuda_test_support.hpp"
#include "cunmf/cuda/device_buffer.hpp"
#include "cunmf/cuda/factorize.hpp"
#include "fused_kl_support.hpp"
#if defined(CUNMF_CUDA_EMULATION)
#include "cunmf_emu/runtime_hooks.hpp"
#endif
#include "sparse_support.hpp"

namespace cunmf::test {
namespace {

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

// Tolerance: every entry is a sum of non-negative terms (no cancellation), so its relative error
// is at most about (k + cols)·u: (256 + 70)·2^-24 ≈ 2e-5 in float, 4e-14 in double; 3e-5 and
// 1e-12 bound them, while a wrong tile edge, a skipped column or a lane with a wrong dot product
// moves an entry by O(1/cols) at least. The second run also sums the KL divergence (FusedKlLoss):
// the product keeps its bits, and the loss, a sum of terms ≥ 0 each off by about (k + 4)·u
// relative (W Fᵀ's rounding, then the float term's; loss_terms.cuh), matches the oracle's to the
// same tolerances, where a skipped tile or entry moves it by 1/(rows·cols) or more.
TYPED_TEST(FusedKlTest, MatchesTextbookProduct) {
  CUNMF_SKIP_WITHOUT_DEVICE();
  using T = TypeParam;
  const double tolerance = sizeof(T) == 4 ? 3e-5 : 1e-12;
  const std::int64_t largest = sizeof(T) == 4 ? 128 : 79;
  const FusedCase cases[] = {{1, 1, 1},   {1, 7, 3},    {5, 1, 2},        {33, 31, 4},
                             {64, 65, 7}, {37, 70, 32}, {40, 33, largest}};
  const cuda::Context ctx;
  std::uint64_t seed = 300;
  for (const FusedCase& c : cases)
    for (const bool transposed : {false, true}) {
      SCOPED_TRACE(describe(c, transposed));
      const DenseOperands<T> host(c, transposed, seed);
      const DeviceOperands<T> device(host, ctx);
      const auto& expected = host.expected;
      cuda::DeviceBuffer<T> out(expected.size()), again(expected.size());
      cuda::DeviceBuffer<double> partials(
          static_cast<std::size_t>(detail::fused_kl_loss_partials(c.rows)));
      const std::vector<double> zero{0.0};  // the copy is queued: it must outlive it
      auto loss = to_device(zero, ctx);
      detail::fused_kl_ratio_product(device.S.data(), host.ld, transposed, c.rows, c.cols,
                                     device.W.data(), device.F.data(), c.k, out.data(),
                                     ctx.stream());
      detail::fused_kl_ratio_product(device.S.data(), host.ld, transposed, c.rows, c.cols,
                                     device.W.data(), device.F.data(), c.k, again.data(),
                                     ctx.stream(), {partials.data(), loss.data()});
      const auto actual = to_host(out, ctx);
      EXPECT_LE(largest_relative_error(actual, expected), tolerance);
      EXPECT_EQ(to_host(again, ctx), actual) << "not the same bits on a second run";
      const double expected_loss =
          dense_kl_oracle(host.S, host.ld, transposed, c.rows, c.cols, host.W, host.F, c.k);
      EXPECT_NEAR(to_host(loss, ctx)[0], expected_loss, tolerance * expected_loss);
    }
}

template <class T, class Index>
void check_sparse_case(std::int64_t rows, std::int64_t cols, std::int64_t k, std::uint64_t seed) {
  SCOPED_TRACE(std::to_string(rows) + " x " + std::to_string(cols) + ", k " + std::to_string(k) +
               ", index bytes " + std::to_string(sizeof(Index)));
  const cuda::Context ctx;
  // Row 2 and column 3 empty; W's row 0 zero (the clamped quotient).
  const auto A = random_csr<T, Index>(rows, cols, 0.3, seed, 2, 3);
  auto W = uniform_values<T>(static_cast<std::size_t>(rows * k), seed + 1, 0.0);
  const auto F = uniform_values<T>(static_cast<std::size_t>(cols * k), seed + 2, 0.0);
  for (std::int64_t s = 0; s < k; ++s) W[s * rows] = T(0);
  std::vector<double> expected(static_cast<std::size_t>(rows * k), 0.0);
  for (std::int64_t p = 0; p < rows; ++p)
    for (Index e = A.row_ptr[p]; e < A.row_ptr[p + 1]; ++e) {
      const std::int64_t q = A.col_idx[e];
      double wh = 0.0;
      for (std::int64_t s = 0; s < k; ++s)
        wh += static_cast<double>(W[p + s * rows]) * static_cast<double>(F[q + s * cols]);
      const double ratio = static_cast<double>(A.values[e]) / std::max(wh, detail::kEpsilon);
      for (std::int64_t r = 0; r < k; ++r)
        expected[p + r * rows] += ratio * static_cast<double>(F[q + r * cols]);
    }
  const auto row_ptr = to_device(A.row_ptr, ctx);
  const auto col_idx = to_device(A.col_idx, ctx);
  const auto values = to_device(A.values, ctx);
  const auto dW = to_device(W, ctx);
  const auto dF = to_device(F, ctx);
  cuda::DeviceBuffer<T> out(expected.size()), again(expected.size());
  for (cuda::DeviceBuffer<T>* target : {&out, &again}) {
    detail::fused_csr_kl_ratio_product(row_ptr.data(), col_idx.data(), values.data(), rows,
                                       dW.data(), rows, dF.data(), cols, k, target->data(),
                                       ctx.stream());
  }
  const auto actual = to_host(out, ctx);
  EXPECT_LE(largest_relative_error(actual, expected), sizeof(T) == 4 ? 3e-5 : 1e-12);
  EXPECT_EQ(to_host(again, ctx), actual) << "not the same bits on a second run";
}

TYPED_TEST(FusedKlTest, SparseMatchesTextbookProduct) {
  CUNMF_SKIP_WITHOUT_DEVICE();
  using T = TypeParam;
  std::uint64_t seed = 400;
  for (const std::int64_t k : {1, 5, 33, 64, 256}) {
    check_sparse_case<T, std::int32_t>(37, 29, k, seed += 3);
    check_sparse_case<T, std::int64_t>(9, 70, k, seed += 3);
  }
}

#if defined(CUNMF_CUDA_EMULATION)
// A dense KL factorization holds nothing m × n but X: its peak device memory (the emulated
// device's allocation registry) stays within X plus a few times the factors, (m + n)·k values —
// the unfused path's quotient buffer alone would be X's size again, 15·(m + n)·k values here.
// Measured: X + 3.4 (double) to 3.7 (float) times (m + n)·k values (the factors, the numerator
// and denominator panels, the loss tile, fixed scratch); 8 leaves room.
TYPED_TEST(FusedKlTest, DenseKlNeedsNoBufferOfXsSize) {
  CUNMF_SKIP_WITHOUT_DEVICE();
  using T = TypeParam;
  const std::int64_t m = 300, n = 200, k = 8;
  const auto host = random_matrix<T>(m, n, 31);
  const cuda::Context ctx;
  cuda::DeviceBuffer<T> x(static_cast<std::size_t>(m * n));
  x.copy_from_host(host.data(), ctx);
  Options options;
  options.rank = k;
  options.loss = Loss::KullbackLeibler;
  options.max_iter = 10;
  options.check_every = 5;
  ctx.synchronize();
  cunmf_emu::reset_peak_device_bytes();
  const auto result = cuda::factorize(
      ctx, cuda::DeviceDenseView<const T>{x.data(), m, n, Layout::RowMajor}, options);
  const double x_bytes = static_cast<double>(m * n * sizeof(T));
  const double factor_bytes = static_cast<double>((m + n) * k * sizeof(T));
  const double extra = static_cast<double>(cunmf_emu::peak_device_bytes()) - x_bytes;
  std::printf("peak device memory: X + %.1f (m + n) k values\n", extra / factor_bytes);
  EXPECT_LE(extra, 8.0 * factor_bytes);
  EXPECT_EQ(result.iterations, 10);
}
#endif

}  // namespace
}  // namespace cunmf::test
