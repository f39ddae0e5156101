// The float loss terms and the compensated sum of kernels/loss_terms.cuh, which the CUDA backend's
// dense loss runs for a float run, checked on the host (they are host-device functions) against
// the double terms of elementwise.cuh evaluated from the same float inputs.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>

#include "../kernels/elementwise.cuh"
#include "../kernels/loss_terms.cuh"

namespace {

using cunmf::detail::CompensatedSum;
using cunmf::detail::kl_term;
using cunmf::detail::kl_term_in;
using cunmf::detail::squared_residual;
using cunmf::detail::squared_residual_in;

constexpr double kFloatEps = 5.9604644775390625e-08;  // 2⁻²⁴, float's unit roundoff

// A million float terms of mixed sizes: the compensated sum is within a few roundings of the exact
// sum (kept here in long double), where a plain float sum drifts by about 1e-4 relative (checked
// below, so that the test would fail with the compensation removed).
TEST(CompensatedSum, MillionFloatTermsWithinFewRoundings) {
  std::mt19937_64 random(7);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  CompensatedSum<float> compensated;
  float plain = 0.0f;
  long double exact = 0.0L;
  for (int i = 0; i < 1000000; ++i) {
    const float value = uniform(random) * (i % 3 == 0 ? 1000.0f : 1.0f);
    compensated.add(value);
    plain += value;
    exact += value;
  }
  const double relative = std::abs(compensated.total() - static_cast<double>(exact)) / exact;
  EXPECT_LE(relative, 4 * kFloatEps);
  EXPECT_GT(std::abs(plain - static_cast<double>(exact)) / exact, 100 * kFloatEps);
}

// A value larger than the running sum (Neumaier's case, where Kahan's compensation loses it).
TEST(CompensatedSum, ValueLargerThanTheSum) {
  CompensatedSum<float> sum;
  for (const float value : {1.0f, 1e8f, 1.0f, -1e8f}) sum.add(value);
  EXPECT_EQ(sum.total(), 2.0);
}

// An infinite term leaves the sum infinite (the loss check reports "infinite", not NaN); NaN
// stays NaN.
TEST(CompensatedSum, InfinityAndNanPassThrough) {
  CompensatedSum<float> infinite, nan;
  for (const float value : {1.0f, INFINITY, 2.0f}) infinite.add(value);
  for (const float value : {1.0f, NAN, 2.0f}) nan.add(value);
  EXPECT_EQ(infinite.total(), INFINITY);
  EXPECT_TRUE(std::isnan(nan.total()));
}

// (x − wh)² in float is good to a few roundings relative, the fit good or bad.
TEST(LossTermsInFloat, SquaredResidualToRounding) {
  for (const float wh : {1.0f, 1.0001f, 0.999f, 3.0f, 0.0f, 1e-30f}) {
    const double exact = squared_residual(1.0f, wh);
    EXPECT_LE(std::abs(squared_residual_in(1.0f, wh) - exact), 3 * kFloatEps * exact) << wh;
  }
}

// The KL term near a good fit, wh = x(1 + d): the exact term is about x·d²/2, and the float one is
// within 8ε·x·|d| of it (8ε/|d| relative: 5e-4 at d = 1e-3), where x·log(x / wh) − x + wh taken in
// float is off by about ε·x (5 % of the term at d = 1e-3; at d = 1e-4, the last check, more than
// half of it).
TEST(LossTermsInFloat, KlNearAGoodFitHasNoCancellation) {
  for (const float x : {1.0f, 3.7f, 1234.5f, 2e-3f}) {
    for (const double d : {1e-5, -1e-5, 1e-3, -1e-3, 0.05, -0.05, 0.4, -0.4, 0.99, -0.49}) {
      const float wh = static_cast<float>(x * (1.0 + d));
      const double exact = kl_term(x, wh);
      const double actual_d = (static_cast<double>(wh) - x) / x;
      const double bound = 8 * kFloatEps * x * std::abs(actual_d) + 4 * kFloatEps * exact;
      EXPECT_NEAR(kl_term_in(x, wh), exact, bound) << "x " << x << ", d " << d;
    }
  }
  const float x = 1.0f, wh = 1.0001f;
  const float naive = x * logf(x / wh) - x + wh;
  EXPECT_GT(std::abs(naive - kl_term(x, wh)), 0.5 * kl_term(x, wh));
  EXPECT_NEAR(kl_term_in(x, wh), kl_term(x, wh), 1e-3 * kl_term(x, wh));
}

// Away from a fit, at x = 0, below ε and at extreme ratios the float term is kl_term to a few
// roundings relative (kl_term clamps wh at ε in the logarithm only:
// x·log(x / max(wh, ε)) − x + wh).
TEST(LossTermsInFloat, KlAwayFromAFitAndAtTheEdges) {
  const float cases[][2] = {{1.0f, 3.0f},   {3.0f, 1.0f},    {0.0f, 2.5f},    {0.0f, 0.0f},
                            {2.0f, 0.0f},   {2.0f, 1e-9f},   {1e-40f, 1.0f},  {1e30f, 1e-3f},
                            {1e-3f, 1e30f}, {5e-8f, 1e-10f}, {1.0f, 1.9999f}, {1.0f, 0.5001f}};
  for (const auto& [x, wh] : cases) {
    const double exact = kl_term(x, wh);
    EXPECT_NEAR(kl_term_in(x, wh), exact, 8 * kFloatEps * std::abs(exact) + 1e-44)
        << "x " << x << ", wh " << wh;
  }
}

}  // namespace
