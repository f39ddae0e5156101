// The fused dense KL product on TF32 tensor cores (kernels/fused_kl_tf32.cuh), plain TF32 and
// 3xTF32, against the textbook evaluation in double of (A ⊘ max(W Fᵀ, ε)) · F: awkward shapes
// (1, odd, one past the 16-wide fragments and the 32-wide tiles: 17, 33, 65), ranks 1, 8, 16, 17,
// 32 and the largest it takes, A = S and A = Sᵀ with a padded leading dimension, zeros in X and a
// zero row of W (the clamped W Fᵀ); the same bits on a second run; 3xTF32 strictly more accurate
// than TF32 on the same input. And whole KL factorizations with the tensor cores on: the loss
// never increases and the factors stay near the fp32 run's.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "../kernels/fused_kl.cuh"
#include "../kernels/fused_kl_tf32.cuh"
#include "cuda_test_support.hpp"
#include "cunmf/errors.hpp"
#include "cunmf/factorize.hpp"
#include "fused_kl_support.hpp"

namespace cunmf::test {
namespace {

// Every case, with the rank the tensor-core fragments and tiles find most awkward.
constexpr FusedCase kCases[] = {{1, 1, 1},    {1, 7, 3},   {5, 1, 2},    {17, 33, 8},  {33, 31, 16},
                                {64, 65, 17}, {65, 17, 1}, {37, 70, 32}, {40, 33, 128}};

constexpr double kTf32Unit = 0x1p-11;  // TF32's unit roundoff: 10 mantissa bits, to nearest
// Per addition of an fp32 sum; twice fp32's 2^-24, as a tensor core's accumulation may truncate.
constexpr double kSumUnit = 0x1p-23;

// TF32 tolerance. Every entry is a sum of non-negative terms, so relative errors do not grow by
// cancellation. W Fᵀ multiplies TF32 roundings of both operands (≤ 2u relative, u = 2^-11) and sums
// k products (≤ k·2^-23); the quotient inherits that error, is rounded to TF32 again and multiplied
// by F rounded to TF32 (2u more), and cols products are summed: 4u + (k + cols)·2^-23 to first
// order, 2e-3 at most here; 4.1u leaves room for the second-order terms (≈ 10u²).
double tf32_tolerance(const FusedCase& c) {
  return 4.1 * kTf32Unit + static_cast<double>(c.k + c.cols) * kSumUnit;
}

// 3xTF32 tolerance. a = hi + lo + e with |lo| ≤ u|a| and |e| ≤ u²|a| (lo is itself rounded to
// TF32), so hi·hi + hi·lo + lo·hi misses lo·lo and the e terms: ≤ 3u² = 12·2^-24 relative per
// product, twice (W Fᵀ, then the quotient times F), plus the fp32 division and the two sums:
// (k + cols)·2^-23 + 26·2^-24 — fp32-level (about the CUDA-core kernel's (k + cols)·2^-24).
double tf32x3_tolerance(const FusedCase& c) {
  return static_cast<double>(c.k + c.cols) * kSumUnit + 26.0 * 0x1p-24;
}

TEST(FusedKlTf32Test, RanksItTakes) {
  EXPECT_TRUE(detail::fused_kl_tf32_fits(1));
  EXPECT_TRUE(detail::fused_kl_tf32_fits(detail::kFusedKlTf32MaxRank));
  EXPECT_FALSE(detail::fused_kl_tf32_fits(detail::kFusedKlTf32MaxRank + 1));
  EXPECT_FALSE(detail::fused_kl_tf32_fits(0));
}

TEST(FusedKlTf32Test, MatchesTextbookProductAndThreeTermsBeatOne) {
  CUNMF_SKIP_WITHOUT_DEVICE();
  ASSERT_TRUE(detail::tf32_mma_supported()) << "needs compute capability 8.0 or later";
  const cuda::Context ctx;
  std::uint64_t seed = 700;
  double worst_fp32 = 0.0, worst_tf32 = 0.0, worst_tf32x3 = 0.0;
  for (const FusedCase& c : kCases)
    for (const bool transposed : {false, true}) {
      SCOPED_TRACE(describe(c, transposed));
      const DenseOperands<float> host(c, transposed, seed);
      const DeviceOperands<float> device(host, ctx);
      const auto& expected = host.expected;
      const auto run = [&](int mode) {  // 0: fp32 CUDA cores, 1: TF32, 2: 3xTF32
        cuda::DeviceBuffer<float> out(expected.size());
        if (mode == 0) {
          detail::fused_kl_ratio_product(device.S.data(), host.ld, transposed, c.rows, c.cols,
                                         device.W.data(), device.F.data(), c.k, out.data(),
                                         ctx.stream());
        } else {
          detail::fused_kl_ratio_product_tf32(device.S.data(), host.ld, transposed, c.rows, c.cols,
                                              device.W.data(), device.F.data(), c.k, mode == 2,
                                              out.data(), ctx.stream());
        }
        return to_host(out, ctx);
      };
      const auto fp32 = run(0), tf32 = run(1), tf32x3 = run(2);
      const double fp32_error = largest_relative_error(fp32, expected);
      const double tf32_error = largest_relative_error(tf32, expected);
      const double tf32x3_error = largest_relative_error(tf32x3, expected);
      EXPECT_LE(tf32_error, tf32_tolerance(c));
      EXPECT_LE(tf32x3_error, tf32x3_tolerance(c));
      if (tf32_error > 0.0) {
        EXPECT_LT(tf32x3_error, tf32_error);
      }
      EXPECT_EQ(run(1), tf32) << "TF32: not the same bits on a second run";
      EXPECT_EQ(run(2), tf32x3) << "3xTF32: not the same bits on a second run";
      worst_fp32 = std::max(worst_fp32, fp32_error);
      worst_tf32 = std::max(worst_tf32, tf32_error);
      worst_tf32x3 = std::max(worst_tf32x3, tf32x3_error);
    }
  std::printf(
      "largest entrywise relative error against double: fp32 %.3g, TF32 %.3g, 3xTF32 %.3g\n",
      worst_fp32, worst_tf32, worst_tf32x3);
  EXPECT_LT(worst_tf32x3, worst_tf32 / 100.0);  // three terms buy most of fp32's accuracy back
}

void expect_never_increases(const std::vector<double>& history) {
  for (std::size_t i = 1; i < history.size(); ++i) {
    EXPECT_LE(history[i], history[i - 1]) << "check " << i;
  }
}

// KL MU from one start, with the fused product in fp32, TF32 and 3xTF32 (ranks 8 and 32: the
// fused kernel on every path). MU KL never increases the loss in exact arithmetic; the products'
// TF32 errors (~1e-3) are far below the loss's decrease per check here, so the history must
// never increase. The factors stay near the fp32 run's: within 1e-2 for TF32 (20 iterations of
// ~1e-3 relative steps) and 1e-4 for 3xTF32 (fp32-level products; the runs differ only by
// rounding).
TEST(FusedKlTf32Test, KlFactorizationOnTensorCoresConvergesNearTheFp32Run) {
  CUNMF_SKIP_WITHOUT_DEVICE();
  for (const std::int64_t k : {8, 32}) {
    SCOPED_TRACE("rank " + std::to_string(k));
    const auto X = random_matrix<float>(90, 70, 12);
    Options o;
    o.rank = k;
    o.loss = Loss::KullbackLeibler;
    o.backend = Backend::Cuda;
    o.max_iter = 20;
    o.tol = 0.0;
    o.check_every = 2;
    o.seed = 5;
    const auto fp32 = cunmf::factorize(X.view(), o);
    o.allow_tf32 = true;
    const auto tf32 = cunmf::factorize(X.view(), o);
    o.allow_tf32 = false;
    o.tensor_cores = TensorCoreMode::Tf32x3;
    const auto tf32x3 = cunmf::factorize(X.view(), o);
    for (const auto* r : {&fp32, &tf32, &tf32x3}) {
      EXPECT_TRUE(all_finite_nonnegative(r->W.view()));
      expect_never_increases(r->loss_history);
      EXPECT_LT(r->loss_history.back(), 0.9 * r->loss_history.front());
    }
    const double tf32_w = relative_difference(tf32.W, fp32.W);
    const double tf32x3_w = relative_difference(tf32x3.W, fp32.W);
    std::printf("rank %lld: W differs from the fp32 run's by %.3g (TF32), %.3g (3xTF32)\n",
                static_cast<long long>(k), tf32_w, tf32x3_w);
    EXPECT_GT(tf32_w, 0.0);  // the tensor cores did run
    EXPECT_LT(tf32_w, 1e-2);
    EXPECT_LT(relative_difference(tf32.H, fp32.H), 1e-2);
    EXPECT_LT(tf32x3_w, 1e-4);
    EXPECT_LT(relative_difference(tf32x3.H, fp32.H), 1e-4);
    EXPECT_LT(tf32x3_w, tf32_w);
  }
}

TEST(FusedKlTf32Test, AllowTf32AndThreeTermsTogetherAreRejected) {
  const auto X = random_matrix<float>(10, 8, 1);
  Options o;
  o.rank = 2;
  o.loss = Loss::KullbackLeibler;
  o.backend = Backend::Cpu;
  o.allow_tf32 = true;
  o.tensor_cores = TensorCoreMode::Tf32x3;
  EXPECT_THROW(cunmf::factorize(X.view(), o), InvalidArgument);
  o.allow_tf32 = false;
  EXPECT_NO_THROW(cunmf::factorize(X.view(), o));  // the CPU backend ignores tensor cores
  EXPECT_EQ(TensorCoreMode::Tf32x3, tensor_core_mode(o));
  o.tensor_cores = TensorCoreMode::Off;
  o.allow_tf32 = true;
  EXPECT_EQ(TensorCoreMode::Tf32, tensor_core_mode(o));
}

}  // namespace
}  // namespace cunmf::test
