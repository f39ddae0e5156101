// The CPU backend's one-pass Frobenius MU half-step (src/cpu/fused_half_step.cpp) against the rule
// it fuses: OperandDispatch's composition of the backend's own primitives (product, multiply,
// mu_update, the transposed product, gram). Both compute the same sums in other orders, so they
// agree to the rounding of sums of `cols` (or k, or rows) terms, not bit for bit. Shapes around the
// pass's blocks of 64 rows and its 8 runs of blocks: 1, 63, 64, 65, 8·64 + 1 and more rows; dense X
// in both storage orders and CSR X with both index types, an empty row and an empty column; float
// and double; with and without L1/L2 penalties.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "core/host_factors.hpp"
#include "core/operand.hpp"
#include "cpu/backend.hpp"
#include "sparse_support.hpp"
#include "test_support.hpp"

namespace cunmf {
namespace {

template <class T>
using Panel = typename cpu::Backend<T>::Matrix;

template <class T>
Panel<T> random_panel(std::int64_t rows, std::int64_t k, std::uint64_t seed) {
  const DenseMatrix<T> values = test::random_matrix<T>(rows, k, seed, 0.05, 1.0);
  Panel<T> panel(rows, k);
  for (std::int64_t i = 0; i < rows; ++i)
    for (std::int64_t r = 0; r < k; ++r) panel(i, r) = values(i, r);
  return panel;
}

template <class T>
double relative(const Panel<T>& a, const Panel<T>& b) {
  const double scale = b.template cast<double>().norm();
  return (a.template cast<double>() - b.template cast<double>()).norm() / (scale > 0 ? scale : 1);
}

/// Runs the fused step and the composition from the same F on A ≈ F Gᵀ and compares F, P and Q.
template <class T, class Index>
void expect_fused_matches_rule(const detail::Operand<T, Index>& A, std::int64_t k,
                               detail::Penalty<T> penalty, const std::string& what) {
  cpu::Backend<T> backend;
  const Panel<T> G = random_panel<T>(A.cols(), k, 7);
  const Panel<T> F0 = random_panel<T>(A.rows(), k, 8);
  Panel<T> S(k, k);
  backend.gram(G, S);
  Panel<T> fused_F = F0, rule_F = F0;
  Panel<T> N(A.rows(), k), D(A.rows(), k);
  Panel<T> fused_P(A.cols(), k), rule_P(A.cols(), k), fused_Q(k, k), rule_Q(k, k);
  backend.mu_frobenius_step(A, G, S, fused_F, penalty, T(0), N, D, fused_P, fused_Q);
  auto& rule = static_cast<detail::OperandDispatch<cpu::Backend<T>, T>&>(backend);
  rule.mu_frobenius_step(A, G, S, rule_F, penalty, T(0), N, D, rule_P, rule_Q);
  // Sums of up to max(rows, cols) products in another order: a few units of rounding times the
  // length's square root, far below the 1e-3 (float) and 1e-11 (double) allowed here.
  const double tolerance = sizeof(T) == 4 ? 1e-4 : 1e-11;
  EXPECT_LT(relative<T>(fused_F, rule_F), tolerance) << what << ": F";
  EXPECT_LT(relative<T>(fused_P, rule_P), tolerance) << what << ": P = Aᵀ F";
  EXPECT_LT(relative<T>(fused_Q, rule_Q), tolerance) << what << ": Q = Fᵀ F";
  EXPECT_GE(fused_F.minCoeff(), T(0)) << what;
  // The update did something: F moved from F0 (the test would pass on a no-op otherwise).
  EXPECT_GT(relative<T>(fused_F, F0), 1e-3) << what;
}

template <class T>
class FusedHalfStep : public ::testing::Test {};
using Precisions = ::testing::Types<float, double>;
TYPED_TEST_SUITE(FusedHalfStep, Precisions);

const std::int64_t kRows[] = {1, 63, 64, 65, 8 * 64 + 1, 1300};
const std::int64_t kCols[] = {1, 7, 130};
// Ranks up to 24 take the dense pass's in-place small-rank products, below 24 with padded lanes
// (src/cpu/small_rank_products.hpp); 25 takes Eigen's.
const std::int64_t kRanks[] = {1, 5, 20, 24, 25};

TYPED_TEST(FusedHalfStep, DenseMatchesTheRuleInBothStorageOrders) {
  using T = TypeParam;
  for (const std::int64_t rows : kRows) {
    for (const std::int64_t cols : kCols) {
      const DenseMatrix<T> X = test::random_matrix<T>(rows, cols, 3);  // row-major
      // The same values read column-major: X's transpose, a cols × rows operand.
      const auto row_major = detail::Operand<T>::dense(X.data(), rows, cols, Layout::RowMajor);
      const auto col_major = detail::Operand<T>::dense(X.data(), cols, rows, Layout::ColMajor);
      for (const std::int64_t k : kRanks) {
        const std::string what =
            std::to_string(rows) + " × " + std::to_string(cols) + ", k = " + std::to_string(k);
        expect_fused_matches_rule<T>(row_major, k, {}, "row-major " + what);
        expect_fused_matches_rule<T>(col_major, k, {}, "column-major, transposed, " + what);
        expect_fused_matches_rule<T>(row_major.transposed(), k, {T(0.01), T(0.1)},
                                     "row-major read transposed, penalized, " + what);
      }
    }
  }
}

template <class T, class Index>
void check_sparse() {
  for (const std::int64_t rows : kRows) {
    for (const std::int64_t cols : kCols) {
      const auto X = test::random_csr<T, Index>(rows, cols, 0.3, 5, rows / 2, cols / 2);
      const auto Xt = detail::transpose<T, Index>(X.view());
      const auto A = detail::Operand<T, Index>::sparse(detail::arrays_of<T, Index>(X.view()),
                                                       detail::arrays_of<T, Index>(Xt.view()));
      for (const std::int64_t k : kRanks) {
        const std::string what = "CSR " + std::to_string(rows) + " × " + std::to_string(cols) +
                                 ", k = " + std::to_string(k);
        expect_fused_matches_rule<T, Index>(A, k, {}, what);
        expect_fused_matches_rule<T, Index>(A.transposed(), k, {T(0.01), T(0.1)},
                                            what + ", transposed, penalized");
      }
    }
  }
}

// A wide A with few rows for its rank: the pass's 8 partials of Aᵀ F (8 · 20000 · 64 values, 39 MiB
// in float) would outweigh A (200 · 20000 values), so the backend takes the rule itself: the same
// bits (the pass would add the 4 blocks' partials of Aᵀ F in another order than the rule's
// product).
TYPED_TEST(FusedHalfStep, WideOperandTakesTheRule) {
  using T = TypeParam;
  const std::int64_t rows = 200, cols = 20000, k = 64;
  const DenseMatrix<T> X = test::random_matrix<T>(rows, cols, 4);
  const auto A = detail::Operand<T>::dense(X.data(), rows, cols, Layout::RowMajor);
  cpu::Backend<T> backend;
  const Panel<T> G = random_panel<T>(cols, k, 7);
  const Panel<T> F0 = random_panel<T>(rows, k, 8);
  Panel<T> S(k, k);
  backend.gram(G, S);
  Panel<T> fused_F = F0, rule_F = F0, N(rows, k), D(rows, k);
  Panel<T> fused_P(cols, k), rule_P(cols, k), fused_Q(k, k), rule_Q(k, k);
  backend.mu_frobenius_step(A, G, S, fused_F, {}, T(0), N, D, fused_P, fused_Q);
  auto& rule = static_cast<detail::OperandDispatch<cpu::Backend<T>, T>&>(backend);
  rule.mu_frobenius_step(A, G, S, rule_F, {}, T(0), N, D, rule_P, rule_Q);
  EXPECT_TRUE(fused_F == rule_F);
  EXPECT_TRUE(fused_P == rule_P);
  EXPECT_TRUE(fused_Q == rule_Q);
}

TYPED_TEST(FusedHalfStep, CsrMatchesTheRule) {
  check_sparse<TypeParam, std::int32_t>();
  check_sparse<TypeParam, std::int64_t>();
}

// The CSR pass cuts A's columns into one slice per thread with equal numbers of entries: with all
// entries in one column (of 3), every slice but one has no entries, or no columns at all. 20000
// entries at k = 20 is enough work for the parallel pass.
TYPED_TEST(FusedHalfStep, CsrWithItsEntriesInOneColumn) {
  using T = TypeParam;
  const std::int64_t rows = 20000, cols = 3;
  DenseMatrix<T> D(rows, cols);
  for (std::int64_t i = 0; i < rows; ++i) D(i, 1) = T(1 + i % 7);
  const auto X = test::csr_from_dense<T, std::int32_t>(D);
  const auto Xt = detail::transpose<T, std::int32_t>(X.view());
  const auto A = detail::Operand<T, std::int32_t>::sparse(
      detail::arrays_of<T, std::int32_t>(X.view()), detail::arrays_of<T, std::int32_t>(Xt.view()));
  const int saved = omp_get_max_threads();
  for (const int threads : {1, 2, 3, 8}) {
    omp_set_num_threads(threads);
    expect_fused_matches_rule<T, std::int32_t>(A, 20, {}, std::to_string(threads) + " threads");
  }
  omp_set_num_threads(saved);
}

}  // namespace
}  // namespace cunmf
