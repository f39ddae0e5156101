// The CPU backend against the textbook oracle (the suite in reference_suite.hpp, label cpu), and
// the oracle itself checked on tiny cases computed by hand: one iteration of each loss, the ε
// rule of a zero denominator, KL's max(WH, ε), KL's threshold of H, the two losses, and one
// coordinate-descent iteration.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "reference/cd_reference.hpp"
#include "reference/mu_reference.hpp"
#include "reference_suite.hpp"

namespace cunmf::test {

using CpuCases = ::testing::Types<CpuFloat, CpuDouble>;
INSTANTIATE_TYPED_TEST_SUITE_P(Reference, ReferenceTest, CpuCases);

namespace {

using reference::Matrix;

Matrix matrix(std::int64_t rows, std::int64_t cols, std::vector<double> values) {
  Matrix a(rows, cols);
  a.data = std::move(values);
  return a;
}

// Each hand-computed value below goes through a few divisions in double: 1e-15 relative.
constexpr double kHand = 1e-15;

// X = [1 2; 3 4], W0 = [1; 1], H0 = [1 1], Frobenius, one iteration, W first:
//   X Hᵀ = [3; 7], H Hᵀ = 2, W (H Hᵀ) = [2; 2]          → W = [3/2; 7/2]
//   Wᵀ X = [1.5 + 10.5, 3 + 14] = [12 17], WᵀW = 14.5    → H = [24/29 34/29]
//   X − W H = [−7 7; 3 −3] / 29, ½‖·‖² = ½·116/841        → loss = 2/29
// (H first would give H = [2 3], W = [8/13; 18/13] instead.)
TEST(ReferenceOracle, FrobeniusOneIterationByHand) {
  const Matrix X = matrix(2, 2, {1, 2, 3, 4});
  const reference::Run r =
      reference::run(X, matrix(2, 1, {1, 1}), matrix(1, 2, {1, 1}), Loss::Frobenius, 1);
  EXPECT_NEAR(r.W(0, 0), 1.5, kHand);
  EXPECT_NEAR(r.W(1, 0), 3.5, kHand);
  EXPECT_NEAR(r.H(0, 0), 24.0 / 29.0, kHand);
  EXPECT_NEAR(r.H(0, 1), 34.0 / 29.0, kHand);
  EXPECT_NEAR(r.loss, 2.0 / 29.0, kHand);
}

// Coordinate descent, X = I₂, W0 = H0 = all ones (2 × 2), one iteration:
//   X Hᵀ = all ones, H Hᵀ = all twos.
//   W, column 0: w ← max(0, 1 + (1 − (2·1 + 2·1)) / 2) = max(0, −1/2) = 0 in both rows;
//      column 1 sees the new column 0: w ← 1 + (1 − (2·0 + 2·1)) / 2 = 1/2.   → W = [0 ½; 0 ½]
//   (updating both columns from the old W at once would give W = 0.)
//   H: WᵀW = [0 0; 0 ½], WᵀX = [0 0; ½ ½]. Row 0 has (WᵀW)₀₀ = 0: it does not enter the loss
//      and stays [1 1]; row 1: h ← 1 + (½ − (0·1 + ½·1)) / ½ = 1.             → H = all ones
//   X − W H = [½ −½; −½ ½], so the loss is ½·4·¼ = ½.
TEST(ReferenceOracle, CoordinateDescentOneIterationByHand) {
  const reference::Run r = reference::run_cd(matrix(2, 2, {1, 0, 0, 1}), matrix(2, 2, {1, 1, 1, 1}),
                                             matrix(2, 2, {1, 1, 1, 1}), 1);
  EXPECT_EQ(r.W.data, (std::vector<double>{0, 0.5, 0, 0.5}));
  EXPECT_EQ(r.H.data, (std::vector<double>{1, 1, 1, 1}));
  EXPECT_EQ(r.loss, 0.5);
}

// The same start as FrobeniusOneIterationByHand, KL, one iteration:
//   W H0 = 1 everywhere, R = X, R Hᵀ = [3; 7], Σ_j H(0, j) = 2        → W = [3/2; 7/2]
//   W H = [1.5 1.5; 3.5 3.5], R = [2/3 4/3; 6/7 8/7],
//   Wᵀ R = [1 + 3, 2 + 4] = [4 6], Σ_i W(i, 0) = 5                    → H = [4/5 6/5]
//   W H = [1.2 1.8; 2.8 4.2]: Σ wh = Σ x = 10, so the loss is Σ x log(x / wh)
//   = −log 1.2 + 2 log(10/9) + 3 log(15/14) + 4 log(20/21) ≈ 0.0402174323.
TEST(ReferenceOracle, KlOneIterationByHand) {
  const Matrix X = matrix(2, 2, {1, 2, 3, 4});
  const reference::Run r =
      reference::run(X, matrix(2, 1, {1, 1}), matrix(1, 2, {1, 1}), Loss::KullbackLeibler, 1);
  EXPECT_NEAR(r.W(0, 0), 1.5, kHand);
  EXPECT_NEAR(r.W(1, 0), 3.5, kHand);
  EXPECT_NEAR(r.H(0, 0), 0.8, kHand);
  EXPECT_NEAR(r.H(0, 1), 1.2, kHand);
  const double loss =
      -std::log(1.2) + 2 * std::log(10.0 / 9) + 3 * std::log(15.0 / 14) + 4 * std::log(20.0 / 21);
  EXPECT_NEAR(r.loss, loss, kHand);
  EXPECT_NEAR(r.loss, 0.0402174323, 1e-10);
}

// W0 = [1 0; 1 0] (second column zero), H0 = ones: the W update is as above (the second column
// stays 0), then the second row of H has the denominator (WᵀW H)(1, j) = 0 (Frobenius) or
// Σ_i W(i, 1) = 0 (KL), which counts as ε: H(1, j) = 1·0/ε = 0, not 0/0 = NaN.
TEST(ReferenceOracle, ZeroDenominatorCountsAsEpsilon) {
  const Matrix X = matrix(2, 2, {1, 2, 3, 4});
  for (const Loss loss : {Loss::Frobenius, Loss::KullbackLeibler}) {
    const reference::Run r =
        reference::run(X, matrix(2, 2, {1, 0, 1, 0}), matrix(2, 2, {1, 1, 1, 1}), loss, 1);
    EXPECT_NEAR(r.W(0, 0), 1.5, kHand);
    EXPECT_NEAR(r.W(1, 0), 3.5, kHand);
    EXPECT_EQ(r.W(0, 1), 0.0);
    EXPECT_EQ(r.W(1, 1), 0.0);
    EXPECT_NEAR(r.H(0, 0), loss == Loss::Frobenius ? 24.0 / 29.0 : 0.8, kHand);
    EXPECT_NEAR(r.H(0, 1), loss == Loss::Frobenius ? 34.0 / 29.0 : 1.2, kHand);
    EXPECT_EQ(r.H(1, 0), 0.0);
    EXPECT_EQ(r.H(1, 1), 0.0);
  }
}

// KL's ratio uses max(wh, ε): X = [1 1], W0 = [1], H0 = [1 1e-16], one iteration.
//   W: W H = [1 1e-16] → R = [1 1/ε], R Hᵀ = 1 + 1e-16/ε, Σ H = 1 + 1e-16 → W = (1 + 1e-16/ε)/(1 +
//   1e-16) H: W H = [W 1e-16·W], the second below ε → R = [1/W 1/ε], Wᵀ R = [1 W/ε], Σ W = W
//      → H = [1/W 1e-16/ε], and 1e-16/ε = 1e-16·2²³ = 8.388608e-10 ≥ the threshold.
// Without the clamp H(0, 1) would be 1/W.
TEST(ReferenceOracle, KlRatioClampsWhAtEpsilon) {
  ASSERT_EQ(reference::kEpsilon, std::ldexp(1.0, -23));
  const reference::Run r = reference::run(matrix(1, 2, {1, 1}), matrix(1, 1, {1}),
                                          matrix(1, 2, {1, 1e-16}), Loss::KullbackLeibler, 1);
  const double w = (1 + 1e-16 / reference::kEpsilon) / (1 + 1e-16);
  EXPECT_NEAR(r.W(0, 0), w, kHand);
  EXPECT_NEAR(r.H(0, 0), 1 / w, kHand);
  EXPECT_NEAR(r.H(0, 1), 8.388608e-10, 8.388608e-10 * kHand);
}

// KL thresholds H, Frobenius does not: X = [1 1e-20], W0 = [1], H0 = [1 1], one iteration.
//   Frobenius: X Hᵀ = 1 + 1e-20 = 1 (in double), H Hᵀ = 2 → W = 1/2; Wᵀ X = [1/2 1e-20/2],
//              WᵀW H = [1/4 1/4] → H = [2 2e-20].
//   KL: W H = [1 1], R = X, R Hᵀ = 1, Σ H = 2 → W = 1/2; W H = [1/2 1/2], R = [2 2e-20],
//       Wᵀ R = [1 1e-20], Σ W = 1/2 → H = [2 2e-20], and 2e-20 < 2.2e-16 becomes 0.
TEST(ReferenceOracle, KlThresholdsHOnly) {
  const Matrix X = matrix(1, 2, {1, 1e-20});
  const Matrix W0 = matrix(1, 1, {1});
  const Matrix H0 = matrix(1, 2, {1, 1});
  const reference::Run f = reference::run(X, W0, H0, Loss::Frobenius, 1);
  EXPECT_NEAR(f.W(0, 0), 0.5, kHand);
  EXPECT_NEAR(f.H(0, 0), 2.0, kHand);
  EXPECT_NEAR(f.H(0, 1), 2e-20, 2e-20 * kHand);
  const reference::Run k = reference::run(X, W0, H0, Loss::KullbackLeibler, 1);
  EXPECT_NEAR(k.W(0, 0), 0.5, kHand);
  EXPECT_NEAR(k.H(0, 0), 2.0, kHand);
  EXPECT_EQ(k.H(0, 1), 0.0);
}

// The losses: ½‖X − WH‖²; KL with x = 0 contributing wh, and wh below ε raised to ε in the log.
//   X = [0 1], W = [1], H = [0.5 2]: Frobenius ½(0.25 + 1) = 0.625; KL 0.5 + (log(1/2) − 1 + 2).
//   X = [1], W = [1], H = [0]: KL = log(1/ε) − 1 + 0 = 23 log 2 − 1.
TEST(ReferenceOracle, LossesByHand) {
  const Matrix X = matrix(1, 2, {0, 1});
  const Matrix W = matrix(1, 1, {1});
  const Matrix H = matrix(1, 2, {0.5, 2});
  EXPECT_NEAR(reference::frobenius_loss(X, W, H), 0.625, kHand);
  EXPECT_NEAR(reference::kl_loss(X, W, H), 1.5 - std::log(2.0), kHand);
  EXPECT_NEAR(reference::kl_loss(matrix(1, 1, {1}), W, matrix(1, 1, {0})), 23 * std::log(2.0) - 1,
              kHand);
}

// densify() places each stored value, and to_matrix() reads either layout.
TEST(ReferenceOracle, InputConversions) {
  CsrMatrix<float, std::int64_t> a{2, 3, {0, 2, 3}, {0, 2, 1}, {1.5f, 2.5f, 3.5f}};
  const Matrix d = reference::densify(a.view());
  EXPECT_EQ(d.data, (std::vector<double>{1.5, 0, 2.5, 0, 3.5, 0}));
  const double col_major[] = {1, 4, 2, 5, 3, 6};  // [1 2 3; 4 5 6]
  const Matrix m = reference::to_matrix(DenseView<const double>{col_major, 2, 3, Layout::ColMajor});
  EXPECT_EQ(m.data, (std::vector<double>{1, 2, 3, 4, 5, 6}));
}

}  // namespace
}  // namespace cunmf::test
