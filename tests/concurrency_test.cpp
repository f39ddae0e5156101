// Two factorizations running at the same time in two threads of one process give the same bits as
// the same two run one after the other (no shared mutable state between runs), dense and CSR. Built
// twice: cpu_concurrency_test (label cpu) and, with CUDA, cuda_concurrency_test (label gpu,
// CUNMF_CONCURRENCY_ON_CUDA defined: each run makes its own Context, stream and handles).
#include <gtest/gtest.h>

#include <thread>

#include "cuda_test_support.hpp"
#include "cunmf/cunmf.hpp"
#include "sparse_support.hpp"
#include "test_support.hpp"

namespace cunmf {
namespace {

#if defined(CUNMF_CONCURRENCY_ON_CUDA)
constexpr Backend kBackend = Backend::Cuda;
#else
constexpr Backend kBackend = Backend::Cpu;
#endif

Options options_for(Loss loss) {
  Options o;
  o.rank = 4;
  o.loss = loss;
  o.backend = kBackend;
  o.max_iter = 15;
  o.tol = 0.0;
  o.seed = 9;
  return o;
}

TEST(Concurrency, TwoThreadsGiveTheBitsOfTwoSequentialRuns) {
  if (kBackend == Backend::Cuda && !cuda_available()) GTEST_SKIP() << "no CUDA device";
  const DenseMatrix<float> dense = test::planted_matrix<float>(90, 70, 4, 0.05, 3);
  const auto sparse = test::random_csr<float, std::int32_t>(80, 60, 0.2, 4);
  auto run_dense = [&] { return factorize(dense.view(), options_for(Loss::KullbackLeibler)); };
  auto run_sparse = [&] { return factorize(sparse.view(), options_for(Loss::Frobenius)); };
  const Result<float> dense_alone = run_dense();
  const Result<float> sparse_alone = run_sparse();
  Result<float> dense_together, sparse_together;
  std::thread first([&] { dense_together = run_dense(); });
  std::thread second([&] { sparse_together = run_sparse(); });
  first.join();
  second.join();
  EXPECT_TRUE(test::bitwise_equal(dense_together.W, dense_alone.W));
  EXPECT_TRUE(test::bitwise_equal(dense_together.H, dense_alone.H));
  EXPECT_TRUE(test::bitwise_equal(sparse_together.W, sparse_alone.W));
  EXPECT_TRUE(test::bitwise_equal(sparse_together.H, sparse_alone.H));
  EXPECT_EQ(dense_together.loss_history, dense_alone.loss_history);
  EXPECT_EQ(sparse_together.loss_history, sparse_alone.loss_history);
}

}  // namespace
}  // namespace cunmf
