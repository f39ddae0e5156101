// Every bad argument of cunmf::factorize throws the right exception type, with a message that names
// the problem, before any work is done; Backend::Cuda without a device throws DeviceUnavailable.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "cunmf/cunmf.hpp"
#include "test_support.hpp"

namespace cunmf {
namespace {

using test::throws_with_message;
using test::with_layout;

Options valid_options(std::int64_t rank = 2) {
  Options o;
  o.rank = rank;
  o.backend = Backend::Cpu;
  o.max_iter = 5;
  return o;
}

template <class T>
class ValidationTest : public ::testing::Test {};

using Precisions = ::testing::Types<float, double>;
TYPED_TEST_SUITE(ValidationTest, Precisions);

TYPED_TEST(ValidationTest, BadEntriesOfXNameTheirPosition) {
  using T = TypeParam;
  struct Case {
    T value;
    const char* kind;
  };
  const Case cases[] = {{T(-1), "negative"},
                        {std::numeric_limits<T>::quiet_NaN(), "NaN"},
                        {std::numeric_limits<T>::infinity(), "Inf"},
                        {-std::numeric_limits<T>::infinity(), "Inf"}};
  for (const Case& c : cases)
    for (const Layout layout : {Layout::RowMajor, Layout::ColMajor}) {
      SCOPED_TRACE(std::string(c.kind) +
                   (layout == Layout::RowMajor ? " row-major" : " col-major"));
      DenseMatrix<T> X = test::random_matrix<T>(4, 5, 1);
      X(2, 3) = c.value;
      const auto Xl = with_layout(X.view(), layout);
      EXPECT_TRUE(throws_with_message<InvalidArgument>(
          [&] { factorize(Xl.view(), valid_options()); }, {"X(2, 3)", c.kind}));
    }
}

TYPED_TEST(ValidationTest, TheFirstOffendingEntryIsNamed) {
  using T = TypeParam;
  // Row-major: (1, 4) comes before (3, 0) in storage and in reading order.
  DenseMatrix<T> X = test::random_matrix<T>(4, 5, 1);
  X(3, 0) = T(-2);
  X(1, 4) = std::numeric_limits<T>::quiet_NaN();
  EXPECT_TRUE(throws_with_message<InvalidArgument>([&] { factorize(X.view(), valid_options()); },
                                                   {"X(1, 4)", "NaN"}));
}

TYPED_TEST(ValidationTest, BadEntriesOfW0AndH0) {
  using T = TypeParam;
  const DenseMatrix<T> X = test::random_matrix<T>(4, 5, 1);
  const DenseMatrix<T> W0 = test::random_matrix<T>(4, 2, 2);
  const DenseMatrix<T> H0 = test::random_matrix<T>(2, 5, 3);
  for (const T bad :
       {T(-0.5), std::numeric_limits<T>::quiet_NaN(), std::numeric_limits<T>::infinity()}) {
    DenseMatrix<T> W = W0, H = H0;
    W(3, 1) = bad;
    EXPECT_TRUE(throws_with_message<InvalidArgument>(
        [&] { factorize(X.view(), valid_options(), W.view(), H0.view()); }, {"W0(3, 1)"}));
    H(1, 4) = bad;
    EXPECT_TRUE(throws_with_message<InvalidArgument>(
        [&] { factorize(X.view(), valid_options(), W0.view(), H.view()); }, {"H0(1, 4)"}));
  }
}

TYPED_TEST(ValidationTest, W0AndH0ShapeMismatch) {
  using T = TypeParam;
  const DenseMatrix<T> X = test::random_matrix<T>(4, 5, 1);
  const DenseMatrix<T> W0 = test::random_matrix<T>(4, 2, 2);
  const DenseMatrix<T> H0 = test::random_matrix<T>(2, 5, 3);
  const DenseMatrix<T> W_rows = test::random_matrix<T>(3, 2, 2);
  const DenseMatrix<T> W_rank = test::random_matrix<T>(4, 3, 2);
  const DenseMatrix<T> H_cols = test::random_matrix<T>(2, 6, 3);
  const DenseMatrix<T> H_rank = test::random_matrix<T>(1, 5, 3);
  const Options o = valid_options(2);
  EXPECT_TRUE(throws_with_message<InvalidArgument>(
      [&] { factorize(X.view(), o, W_rows.view(), H0.view()); }, {"W0 is 3 x 2", "4 x 2"}));
  EXPECT_TRUE(throws_with_message<InvalidArgument>(
      [&] { factorize(X.view(), o, W_rank.view(), H0.view()); }, {"W0 is 4 x 3", "4 x 2"}));
  EXPECT_TRUE(throws_with_message<InvalidArgument>(
      [&] { factorize(X.view(), o, W0.view(), H_cols.view()); }, {"H0 is 2 x 6", "2 x 5"}));
  EXPECT_TRUE(throws_with_message<InvalidArgument>(
      [&] { factorize(X.view(), o, W0.view(), H_rank.view()); }, {"H0 is 1 x 5", "2 x 5"}));
}

TYPED_TEST(ValidationTest, RankOutOfRange) {
  using T = TypeParam;
  const DenseMatrix<T> X = test::random_matrix<T>(4, 5, 1);
  for (const std::int64_t rank : {std::int64_t{0}, std::int64_t{-1}, std::int64_t{5}}) {
    EXPECT_TRUE(
        throws_with_message<InvalidArgument>([&] { factorize(X.view(), valid_options(rank)); },
                                             {"rank " + std::to_string(rank), "min(m, n) = 4"}));
  }
  // rank = min(m, n) is allowed.
  EXPECT_NO_THROW(factorize(X.view(), valid_options(4)));
}

TYPED_TEST(ValidationTest, EmptyX) {
  using T = TypeParam;
  const std::vector<T> storage(4, T(1));
  for (const auto& [rows, cols] : {std::pair<std::int64_t, std::int64_t>{0, 4}, {4, 0}, {0, 0}}) {
    const DenseView<const T> X{storage.data(), rows, cols, Layout::RowMajor};
    EXPECT_TRUE(throws_with_message<InvalidArgument>(
        [&] { factorize(X, valid_options(1)); },
        {"X is empty (" + std::to_string(rows) + " x " + std::to_string(cols) + ")"}));
  }
}

TYPED_TEST(ValidationTest, BadStoppingOptions) {
  using T = TypeParam;
  const DenseMatrix<T> X = test::random_matrix<T>(4, 5, 1);
  Options o = valid_options();
  o.check_every = 0;
  EXPECT_TRUE(throws_with_message<InvalidArgument>([&] { factorize(X.view(), o); },
                                                   {"check_every", "got 0"}));
  o = valid_options();
  o.max_iter = -1;
  EXPECT_TRUE(throws_with_message<InvalidArgument>([&] { factorize(X.view(), o); },
                                                   {"max_iter", "got -1"}));
  for (const double tol : {-0.1, std::nan(""), std::numeric_limits<double>::infinity()}) {
    o = valid_options();
    o.tol = tol;
    EXPECT_TRUE(throws_with_message<InvalidArgument>([&] { factorize(X.view(), o); }, {"tol"}));
  }
}

// KL is supported by mu and cd; with als it is refused, naming the solvers that support KL; an
// enum value out of range is an unknown solver. Dense and CSR.
TYPED_TEST(ValidationTest, SolverAndLossMustMatch) {
  using T = TypeParam;
  const DenseMatrix<T> X = test::random_matrix<T>(4, 5, 1);
  const CsrMatrix<T, std::int32_t> X_csr{1, 2, {0, 1}, {1}, {T(1)}};
  Options o = valid_options(1);
  o.loss = Loss::KullbackLeibler;
  o.max_iter = 2;
  for (const Solver solver : {Solver::MultiplicativeUpdate, Solver::CoordinateDescent}) {
    o.solver = solver;
    EXPECT_NO_THROW(factorize(X.view(), o));
    EXPECT_NO_THROW(factorize(X_csr.view(), o));
  }
  o.solver = Solver::AlternatingLeastSquares;
  EXPECT_TRUE(throws_with_message<InvalidArgument>([&] { factorize(X.view(), o); },
                                                   {"alternating least squares", "(mu)", "(cd)"}));
  EXPECT_TRUE(throws_with_message<InvalidArgument>([&] { factorize(X_csr.view(), o); },
                                                   {"alternating least squares", "(mu)", "(cd)"}));
  o.solver = Solver::ProjectedGradient;
  EXPECT_TRUE(throws_with_message<InvalidArgument>([&] { factorize(X.view(), o); },
                                                   {"projected gradient (pgd)", "(mu)", "(cd)"}));
  o.solver = Solver::AnlsBpp;
  EXPECT_TRUE(throws_with_message<InvalidArgument>(
      [&] { factorize(X_csr.view(), o); },
      {"block principal pivoting (anls-bpp)", "(mu)", "(cd)"}));
  o.solver = static_cast<Solver>(7);
  o.loss = Loss::Frobenius;
  EXPECT_TRUE(
      throws_with_message<InvalidArgument>([&] { factorize(X.view(), o); }, {"unknown solver 7"}));
}

// Validation comes before any work: with max_iter at its largest, a run would not finish, so the
// exception arriving at all shows that nothing was iterated; the offending entry is the last one
// that the scan reaches. The caller's matrices are untouched.
TYPED_TEST(ValidationTest, ThrowsBeforeAnyWork) {
  using T = TypeParam;
  DenseMatrix<T> X = test::random_matrix<T>(200, 150, 1);
  X(199, 149) = T(-1);
  const DenseMatrix<T> X_before = X;
  Options o = valid_options(10);
  o.max_iter = std::numeric_limits<int>::max();
  o.tol = 0.0;
  EXPECT_THROW(factorize(X.view(), o), InvalidArgument);

  X(199, 149) = T(1);
  DenseMatrix<T> W0 = test::random_matrix<T>(200, 10, 2);
  DenseMatrix<T> H0 = test::random_matrix<T>(10, 150, 3);
  H0(9, 149) = std::numeric_limits<T>::quiet_NaN();
  const DenseMatrix<T> W0_before = W0;
  EXPECT_THROW(factorize(X.view(), o, W0.view(), H0.view()), InvalidArgument);
  EXPECT_TRUE(test::bitwise_equal(W0, W0_before));
  X(199, 149) = T(-1);
  EXPECT_TRUE(test::bitwise_equal(X, X_before));
}

TEST(Backend, CudaWithoutDeviceThrowsDeviceUnavailable) {
  if (cuda_available()) {
    GTEST_SKIP() << "a CUDA device is available (" << cuda_device_description()
                 << "), so Backend::Cuda does not fail";
  }
  const DenseMatrix<float> X = test::random_matrix<float>(4, 5, 1);
  Options o = valid_options();
  o.backend = Backend::Cuda;
  EXPECT_TRUE(
      throws_with_message<DeviceUnavailable>([&] { factorize(X.view(), o); }, {"Backend::Cuda"}));
  // Bad arguments are still reported as such first.
  o.rank = 0;
  EXPECT_THROW(factorize(X.view(), o), InvalidArgument);
}

TEST(Backend, AutoWithoutDeviceRunsOnTheCpu) {
  if (cuda_available()) {
    GTEST_SKIP() << "a CUDA device is available (" << cuda_device_description()
                 << "), so Backend::Auto picks it";
  }
  const DenseMatrix<double> X = test::random_matrix<double>(4, 5, 1);
  Options o = valid_options();
  o.backend = Backend::Auto;
  EXPECT_EQ(factorize(X.view(), o).backend, Backend::Cpu);
}

TEST(Errors, EveryExceptionIsACunmfError) {
  const DenseMatrix<double> X = test::random_matrix<double>(4, 5, 1);
  EXPECT_THROW(factorize(X.view(), valid_options(0)), Error);
}

}  // namespace
}  // namespace cunmf
