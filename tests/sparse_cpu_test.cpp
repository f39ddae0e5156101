// CPU tests of sparse (CSR) inputs: the sparse path against the dense path on the same matrix,
// robustness to empty rows and columns, and validation of the CSR structure.
#include <gtest/gtest.h>

#include "cunmf/cunmf.hpp"
#include "sparse_support.hpp"
#include "test_support.hpp"

namespace {

using cunmf::Backend;
using cunmf::Loss;
using cunmf::test::densify;
using cunmf::test::random_csr;
using cunmf::test::relative_difference;

cunmf::Options options(Loss loss, std::int64_t k) {
  cunmf::Options o;
  o.rank = k;
  o.loss = loss;
  o.backend = Backend::Cpu;
  o.max_iter = 60;
  o.tol = 0.0;
  o.check_every = 10;
  o.seed = 9;
  return o;
}

template <class Index>
class SparseCpuTest : public ::testing::Test {};
using IndexTypes = ::testing::Types<std::int32_t, std::int64_t>;
TYPED_TEST_SUITE(SparseCpuTest, IndexTypes);

// Same iterates as the dense path in double: the two differ only in summation order, which moves
// the factors by a few ulps per iteration (well under 1e-12 relative after 60 iterations).
TYPED_TEST(SparseCpuTest, SameIteratesAsDensePath) {
  using Index = TypeParam;
  for (const Loss loss : {Loss::Frobenius, Loss::KullbackLeibler}) {
    SCOPED_TRACE(loss == Loss::Frobenius ? "Frobenius" : "KL");
    const auto X = random_csr<double, Index>(47, 31, 0.3, 5, 3, 7);
    const auto dense = densify(X);
    const auto o = options(loss, 4);
    const auto s = cunmf::factorize(X.view(), o);
    const auto d = cunmf::factorize(dense.view(), o);
    EXPECT_LT(relative_difference(s.W, d.W), 1e-12);
    EXPECT_LT(relative_difference(s.H, d.H), 1e-12);
    ASSERT_EQ(s.loss_history.size(), d.loss_history.size());
    for (std::size_t i = 0; i < s.loss_history.size(); ++i) {
      EXPECT_NEAR(s.loss_history[i], d.loss_history[i], 1e-10 * d.loss_history[i]);
    }
  }
}

TYPED_TEST(SparseCpuTest, EmptyRowsAndColumnsGiveNoNan) {
  using Index = TypeParam;
  for (const Loss loss : {Loss::Frobenius, Loss::KullbackLeibler}) {
    const auto X = random_csr<float, Index>(20, 15, 0.4, 8, 0, 14);
    const auto r = cunmf::factorize(X.view(), options(loss, 3));
    EXPECT_TRUE(cunmf::test::all_finite_nonnegative(r.W.view()));
    EXPECT_TRUE(cunmf::test::all_finite_nonnegative(r.H.view()));
    for (const double l : r.loss_history) EXPECT_TRUE(std::isfinite(l));
  }
}

// The Frobenius loss of the sparse path is an expansion; it must stay accurate when the fit is
// good: ‖X − WH‖/‖X‖ ≈ 1e-3 gives the loss to 1e-3 relative in float.
TEST(SparseCpu, LossAccurateWhenFitIsGood) {
  const std::int64_t m = 200, n = 150, k = 4;
  const auto W = cunmf::test::random_matrix<float>(m, k, 1);
  const auto H = cunmf::test::random_matrix<float>(k, n, 2);
  const auto dense = cunmf::test::planted_matrix(W, H, 1e-3, 3);
  cunmf::CsrMatrix<float, std::int32_t> X;
  X.rows = m;
  X.cols = n;
  X.row_ptr.push_back(0);
  for (std::int64_t i = 0; i < m; ++i) {
    for (std::int64_t j = 0; j < n; ++j) {
      X.col_idx.push_back(static_cast<std::int32_t>(j));
      X.values.push_back(dense(i, j));
    }
    X.row_ptr.push_back(static_cast<std::int32_t>(X.values.size()));
  }
  auto o = options(Loss::Frobenius, k);
  o.max_iter = 0;
  const auto r = cunmf::factorize(X.view(), o, W.view(), H.view());
  // The exact loss from plain double loops: ½ (relative error · ‖X‖)².
  double x_norm2 = 0.0;
  for (std::int64_t i = 0; i < dense.size(); ++i) x_norm2 += double(dense.data()[i]) * dense.data()[i];
  const double rel = cunmf::test::reconstruction_error(dense.view(), W.view(), H.view());
  const double exact = 0.5 * rel * rel * x_norm2;
  EXPECT_NEAR(r.loss_history[0], exact, 1e-3 * exact);
}

TEST(SparseCpu, RejectsMalformedCsr) {
  auto X = random_csr<double, std::int32_t>(6, 5, 0.6, 4);
  cunmf::Options o = options(Loss::Frobenius, 2);
  ASSERT_GE(X.row_ptr[2] - X.row_ptr[1], 2);
  auto bad = X;
  std::swap(bad.col_idx[X.row_ptr[1]], bad.col_idx[X.row_ptr[1] + 1]);  // unsorted row 1
  EXPECT_TRUE(cunmf::test::throws_with_message<cunmf::InvalidArgument>(
      [&] { (void)cunmf::factorize(bad.view(), o); }, {"row 1", "out of order"}));
  bad = X;
  bad.col_idx[X.row_ptr[1] + 1] = bad.col_idx[X.row_ptr[1]];  // duplicate in row 1
  EXPECT_TRUE(cunmf::test::throws_with_message<cunmf::InvalidArgument>(
      [&] { (void)cunmf::factorize(bad.view(), o); }, {"row 1", "duplicated"}));
  bad = X;
  bad.col_idx[0] = 5;  // out of range
  EXPECT_TRUE(cunmf::test::throws_with_message<cunmf::InvalidArgument>(
      [&] { (void)cunmf::factorize(bad.view(), o); }, {"out of range"}));
  bad = X;
  bad.values[0] = -1.0;
  EXPECT_TRUE(cunmf::test::throws_with_message<cunmf::InvalidArgument>(
      [&] { (void)cunmf::factorize(bad.view(), o); }, {"finite and >= 0"}));
  bad = X;
  bad.row_ptr.back() = 0;
  EXPECT_TRUE(cunmf::test::throws_with_message<cunmf::InvalidArgument>(
      [&] { (void)cunmf::factorize(bad.view(), o); }, {"row_ptr"}));
  // An offset beyond nnz followed by a decrease: the decrease is reported before any entry is
  // read through the bad offset (which would read past the arrays).
  cunmf::CsrMatrix<double, std::int32_t> lying{4, 7, {0, 7, 2, 5, 6}, {0, 1, 2, 3, 4, 5},
                                               {1, 1, 1, 1, 1, 1}};
  EXPECT_TRUE(cunmf::test::throws_with_message<cunmf::InvalidArgument>(
      [&] { (void)cunmf::factorize(lying.view(), o); }, {"row_ptr decreases at row 1"}));
}

}  // namespace

namespace {

// The sparse metrics agree with the dense ones on the densified matrix.
TEST(SparseCpu, MetricsMatchDenseMetrics) {
  const auto X = cunmf::test::random_csr<double, std::int64_t>(23, 17, 0.3, 12, 4, 9);
  const auto dense = cunmf::test::densify(X);
  const auto W = cunmf::test::random_matrix<double>(23, 3, 13);
  const auto H = cunmf::test::random_matrix<double>(3, 17, 14);
  EXPECT_NEAR(cunmf::relative_error(X.view(), W, H), cunmf::relative_error(dense.view(), W, H), 1e-12);
  EXPECT_NEAR(cunmf::frobenius_loss(X.view(), W, H), cunmf::frobenius_loss(dense.view(), W, H), 1e-10);
  EXPECT_NEAR(cunmf::kl_divergence(X.view(), W, H), cunmf::kl_divergence(dense.view(), W, H), 1e-10);
  EXPECT_NEAR(cunmf::explained_variance(X.view(), W, H),
              cunmf::explained_variance(dense.view(), W, H), 1e-10);
  EXPECT_THROW((void)cunmf::relative_error(X.view(), H, W), cunmf::InvalidArgument);
  const cunmf::FitQuality quality = cunmf::fit_quality(X.view(), W, H);
  EXPECT_EQ(quality.relative_error, cunmf::relative_error(X.view(), W, H));
  EXPECT_EQ(quality.explained_variance, cunmf::explained_variance(X.view(), W, H));
  EXPECT_THROW((void)cunmf::fit_quality(X.view(), H, W), cunmf::InvalidArgument);
}

}  // namespace
