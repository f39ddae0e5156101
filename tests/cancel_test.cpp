// Options::should_stop: the solver loop polls it after every iteration and throws Cancelled when
// it returns true, for every solver, dense and CSR X; a hook that never stops changes nothing.
// CPU only: the CUDA backend runs the same loop (src/core/solver_loop.cpp).
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "cunmf/cunmf.hpp"
#include "sparse_support.hpp"
#include "test_support.hpp"

namespace cunmf {
namespace {

Options cancel_options(Solver solver) {
  Options o;
  o.rank = 3;
  o.solver = solver;
  o.backend = Backend::Cpu;
  o.max_iter = 50;
  o.tol = 0.0;
  o.check_every = 10;
  o.seed = 3;
  return o;
}

template <class T>
class CancelTest : public ::testing::Test {};
using Precisions = ::testing::Types<float, double>;
TYPED_TEST_SUITE(CancelTest, Precisions);

// The hook returns true at its 7th call: the run stops after iteration 7 (the message says so),
// having polled exactly 7 times, for each solver.
TYPED_TEST(CancelTest, StopsAfterTheIterationWhoseHookReturnsTrue) {
  using T = TypeParam;
  const DenseMatrix<T> X = test::random_matrix<T>(23, 17, 11);
  for (Solver solver : {Solver::MultiplicativeUpdate, Solver::CoordinateDescent,
                        Solver::AlternatingLeastSquares, Solver::ProjectedGradient}) {
    Options o = cancel_options(solver);
    int polls = 0;
    o.should_stop = [&polls] { return ++polls == 7; };
    try {
      (void)factorize(X.view(), o);
      FAIL() << "no Cancelled thrown";
    } catch (const Cancelled& e) {
      EXPECT_EQ(std::string(e.what()), "cunmf: cancelled after iteration 7");
    }
    EXPECT_EQ(polls, 7);
  }
}

// CSR X, and the scaled path (an X above 2^40 is factorized as a rescaled copy, with its own
// copy of the options): the hook is honoured there too.
TYPED_TEST(CancelTest, StopsSparseAndScaledRuns) {
  using T = TypeParam;
  const auto A = test::random_csr<T, std::int32_t>(31, 19, 0.4, 5);
  Options o = cancel_options(Solver::MultiplicativeUpdate);
  int polls = 0;
  o.should_stop = [&polls] { return ++polls == 3; };
  EXPECT_THROW((void)factorize(A.view(), o), Cancelled);
  EXPECT_EQ(polls, 3);

  DenseMatrix<T> big = test::random_matrix<T>(12, 9, 2);
  for (std::int64_t i = 0; i < big.size(); ++i) big.data()[i] *= T(0x1p50);
  polls = 0;
  EXPECT_THROW((void)factorize(big.view(), o), Cancelled);
  EXPECT_EQ(polls, 3);
}

// A hook that never returns true is polled after every iteration but the last and leaves the
// result bit for bit equal to a run without one.
TYPED_TEST(CancelTest, HookThatNeverStopsChangesNothing) {
  using T = TypeParam;
  const DenseMatrix<T> X = test::random_matrix<T>(23, 17, 11);
  Options o = cancel_options(Solver::CoordinateDescent);
  const Result<T> plain = factorize(X.view(), o);
  int polls = 0;
  o.should_stop = [&polls] {
    ++polls;
    return false;
  };
  const Result<T> hooked = factorize(X.view(), o);
  EXPECT_EQ(polls, o.max_iter - 1);
  ASSERT_EQ(plain.W.size(), hooked.W.size());
  for (std::int64_t i = 0; i < plain.W.size(); ++i)
    EXPECT_EQ(plain.W.data()[i], hooked.W.data()[i]);
  for (std::int64_t i = 0; i < plain.H.size(); ++i)
    EXPECT_EQ(plain.H.data()[i], hooked.H.data()[i]);
  EXPECT_EQ(plain.loss_history, hooked.loss_history);
}

// An exception thrown by the hook itself (how a binding can abort) passes through unchanged.
TYPED_TEST(CancelTest, ExceptionFromTheHookPropagates) {
  using T = TypeParam;
  const DenseMatrix<T> X = test::random_matrix<T>(10, 8, 4);
  Options o = cancel_options(Solver::MultiplicativeUpdate);
  o.should_stop = []() -> bool { throw std::logic_error("from the hook"); };
  EXPECT_THROW((void)factorize(X.view(), o), std::logic_error);
}

}  // namespace
}  // namespace cunmf
