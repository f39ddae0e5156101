// NNDSVD initialization (Init::Nndsvd, Nndsvda, Nndsvdar) through cunmf::factorize with
// max_iter = 0 (which returns the initial factors): on a matrix with a clear spectral gap it equals
// NNDSVD from the exact SVD (tests/reference/nndsvd_reference.hpp) to 1e-6, for a row-major,
// column-major and CSR X; the "a" and "ar" variants fill its zeros as scikit-learn does.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

#include "cuda_test_support.hpp"
#include "cunmf/cunmf.hpp"
#include "reference/nndsvd_reference.hpp"
#include "sparse_support.hpp"
#include "test_support.hpp"

namespace cunmf {
namespace {

constexpr std::int64_t kRank = 5;

/// Rank 5 plus 1e-4 relative noise: σ₅ is far above σ₆, so the leading singular triplets are
/// well defined and the randomized SVD converges to them.
DenseMatrix<double> gapped_matrix() { return test::planted_matrix<double>(61, 47, kRank, 1e-4, 7); }

Options init_only(Init init) {
  Options o;
  o.rank = kRank;
  o.init = init;
  o.backend = Backend::Cpu;
  o.max_iter = 0;
  return o;
}

/// X with every entry stored, as CSR.
CsrMatrix<double, std::int32_t> all_entries(const DenseMatrix<double>& X) {
  CsrMatrix<double, std::int32_t> A;
  A.rows = X.rows();
  A.cols = X.cols();
  A.row_ptr.push_back(0);
  for (std::int64_t i = 0; i < X.rows(); ++i) {
    for (std::int64_t j = 0; j < X.cols(); ++j) {
      A.col_idx.push_back(static_cast<std::int32_t>(j));
      A.values.push_back(X(i, j));
    }
    A.row_ptr.push_back(static_cast<std::int32_t>(A.values.size()));
  }
  return A;
}

TEST(Nndsvd, EqualsNndsvdOfTheExactSvd) {
  const DenseMatrix<double> X = gapped_matrix();
  const auto [W, H] = reference::nndsvd(X, kRank);
  const Options o = init_only(Init::Nndsvd);
  const auto col_major = test::with_layout(X.view(), Layout::ColMajor);
  const Result<double> results[] = {factorize(X.view(), o), factorize(col_major.view(), o),
                                     factorize(all_entries(X).view(), o)};
  for (const Result<double>& r : results) {
    EXPECT_LT(test::relative_difference(r.W, W), 1e-6);
    EXPECT_LT(test::relative_difference(r.H, H), 1e-6);
  }
  // float X: the same factors to float's precision.
  const Result<float> f = factorize(test::cast<float>(X).view(), o);
  EXPECT_LT(test::relative_difference(f.W, W), 1e-4);
  EXPECT_LT(test::relative_difference(f.H, H), 1e-4);
}

TEST(Nndsvd, VariantsFillTheZerosAsScikitLearnDoes) {
  const DenseMatrix<double> X = test::random_matrix<double>(40, 30, 8);
  double mean = 0.0;
  for (std::int64_t idx = 0; idx < X.size(); ++idx) mean += X.data()[idx] / X.size();
  const Result<double> plain = factorize(X.view(), init_only(Init::Nndsvd));
  const Result<double> a = factorize(X.view(), init_only(Init::Nndsvda));
  const Result<double> ar = factorize(X.view(), init_only(Init::Nndsvdar));
  int zeros = 0;
  const auto check = [&](const DenseMatrix<double>& p, const DenseMatrix<double>& pa,
                         const DenseMatrix<double>& par) {
    for (std::int64_t idx = 0; idx < p.size(); ++idx) {
      const double v = p.data()[idx];
      if (v != 0.0) {
        EXPECT_GE(v, 1e-6);
        EXPECT_EQ(pa.data()[idx], v);
        EXPECT_EQ(par.data()[idx], v);
        continue;
      }
      ++zeros;
      EXPECT_DOUBLE_EQ(pa.data()[idx], mean);
      // |mean · z| / 100 with z standard normal: positive, and below 0.07·mean for |z| < 7.
      EXPECT_GT(par.data()[idx], 0.0);
      EXPECT_LT(par.data()[idx], 0.07 * mean);
    }
  };
  check(plain.W, a.W, ar.W);
  check(plain.H, a.H, ar.H);
  EXPECT_GT(zeros, 0);  // a random X's later singular vectors have both signs
}

TEST(Nndsvd, StartsCloserThanTheRandomInitAndRunsFromThere) {
  const DenseMatrix<double> X = gapped_matrix();
  Options o = init_only(Init::Nndsvd);
  o.max_iter = 50;
  const Result<double> nndsvd = factorize(X.view(), o);
  o.init = Init::Random;
  const Result<double> random = factorize(X.view(), o);
  EXPECT_LT(nndsvd.loss_history.front(), 0.1 * random.loss_history.front());
  EXPECT_LT(nndsvd.loss_history.back(), random.loss_history.back());
  EXPECT_TRUE(test::all_finite_nonnegative(nndsvd.W.view()));
}

TEST(Nndsvd, SameSeedGivesTheSameBits) {
  const auto X = test::random_csr<double, std::int64_t>(50, 40, 0.2, 9);
  const Result<double> a = factorize(X.view(), init_only(Init::Nndsvdar));
  const Result<double> b = factorize(X.view(), init_only(Init::Nndsvdar));
  EXPECT_TRUE(test::bitwise_equal(a.W, b.W));
  EXPECT_TRUE(test::bitwise_equal(a.H, b.H));
}

}  // namespace
}  // namespace cunmf
