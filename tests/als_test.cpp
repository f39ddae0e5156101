// Projected ALS on the CPU backend (label cpu): the suite of als_suite.hpp against the textbook
// oracle, the oracle itself on a case computed by hand, KL refused, and the same bits from the
// same input (with the row blocks of the solve split over the threads).
#include <gtest/gtest.h>

#include <string>

#include "als_suite.hpp"

namespace cunmf::test {

using CpuCases = ::testing::Types<CpuFloat, CpuDouble>;
INSTANTIATE_TYPED_TEST_SUITE_P(Als, AlsTest, CpuCases);

namespace {

// X = [1 2; 3 4], H0 = [1 1], k = 1, one iteration (the ridge, ~1e-15 relative in double, is
// inside the tolerance):
//   W = X Hᵀ / (H Hᵀ) = [3; 7] / 2 = [3/2; 7/2]
//   H = Wᵀ X / (WᵀW) = [12 17] / 14.5 = [24/29 34/29]
TEST(AlsOracle, OneIterationByHand) {
  const reference::RidgePrecision p = reference::ridge_precision<double>();
  reference::Matrix X(2, 2), W(2, 1), H(1, 2);
  X.data = {1, 2, 3, 4};
  H.data = {1, 1};
  reference::als_step(X, W, H, p);
  EXPECT_NEAR(W(0, 0), 1.5, 1e-14);
  EXPECT_NEAR(W(1, 0), 3.5, 1e-14);
  EXPECT_NEAR(H(0, 0), 24.0 / 29, 1e-14);
  EXPECT_NEAR(H(0, 1), 34.0 / 29, 1e-14);
}

// k = 2, a solution with a negative entry, projected: X = [1 0; 0 1; 1 1] (3 × 2), H = I, so
// W = X (HHᵀ)⁻¹ = X; then WᵀW = [2 1; 1 2], WᵀX = [2 1; 1 2], H = I again. With H0 = [1 1; 0 1]:
// HHᵀ = [2 1; 1 1], (HHᵀ)⁻¹ = [1 −1; −1 2], X Hᵀ = [1 0; 1 1; 2 1],
// W = X Hᵀ (HHᵀ)⁻¹ = [1 −1; 0 1; 1 0] → projected [1 0; 0 1; 1 0].
TEST(AlsOracle, ProjectsANegativeSolutionByHand) {
  reference::Matrix X(3, 2), H(2, 2);
  X.data = {1, 0, 0, 1, 1, 1};
  H.data = {1, 1, 0, 1};
  const reference::Matrix W = reference::projected_least_squares(
      X, reference::transpose(H), reference::ridge_precision<double>());
  const double expected[] = {1, 0, 0, 1, 1, 0};
  for (int idx = 0; idx < 6; ++idx) EXPECT_NEAR(W.data[std::size_t(idx)], expected[idx], 1e-14);
}

TEST(Als, KullbackLeiblerIsRefusedNamingTheSolversThatSupportIt) {
  const DenseMatrix<double> X = random_matrix<double>(6, 5, 1);
  Options o = als_options(Backend::Cpu, 2, 10, 1);
  o.loss = Loss::KullbackLeibler;
  try {
    (void)factorize(X.view(), o);
    FAIL() << "KL with als was accepted";
  } catch (const InvalidArgument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("Kullback-Leibler"), std::string::npos) << what;
    EXPECT_NE(what.find("mu"), std::string::npos) << what;
    EXPECT_NE(what.find("als"), std::string::npos) << what;
  }
}

// Large enough (5000 × 8 · 8 > the parallel threshold) that the solve's row blocks are spread
// over the threads: the same input and seed give the same bits, dense and CSR.
TEST(Als, SameInputGivesTheSameBits) {
  const DenseMatrix<double> X = planted_matrix<double>(5000, 30, 8, 0.05, 121);
  const auto X_csr = random_csr<double, std::int64_t>(5000, 30, 0.3, 122);
  Options o = als_options(Backend::Cpu, 8, 5, 5);
  o.seed = 9;
  EXPECT_TRUE(bitwise_equal(factorize(X.view(), o).W, factorize(X.view(), o).W));
  EXPECT_TRUE(bitwise_equal(factorize(X_csr.view(), o).H, factorize(X_csr.view(), o).H));
}

}  // namespace
}  // namespace cunmf::test
