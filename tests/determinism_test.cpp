// The CPU backend gives the same bits whatever the alignment of the caller's X and whatever the
// number of OpenMP threads. Both matter once the CPU path is built with wide vectors (AVX2,
// AVX-512: CUNMF_CPU_ARCH, native by default): a vectorized sum that starts at the first aligned
// entry adds a differently placed X in a different order, and a sum split across threads adds in
// an order that depends on how many there are.
#include <gtest/gtest.h>
#include <omp.h>

#include <cstring>
#include <vector>

#include "cunmf/cunmf.hpp"
#include "sparse_support.hpp"
#include "test_support.hpp"

namespace cunmf {
namespace {

struct Case {
  Solver solver;
  Loss loss;
};
const Case kCases[] = {{Solver::MultiplicativeUpdate, Loss::Frobenius},
                       {Solver::MultiplicativeUpdate, Loss::KullbackLeibler},
                       {Solver::CoordinateDescent, Loss::Frobenius},
                       {Solver::AlternatingLeastSquares, Loss::Frobenius},
                       {Solver::ProjectedGradient, Loss::Frobenius},
                       {Solver::AnlsBpp, Loss::Frobenius}};

Options options_for(const Case& c) {
  Options o;
  o.rank = 5;
  o.solver = c.solver;
  o.loss = c.loss;
  o.backend = Backend::Cpu;
  o.max_iter = 12;
  o.check_every = 4;
  o.tol = 0.0;
  o.seed = 21;
  return o;
}

/// A copy of `data` starting `offset` values past a 64-byte boundary.
template <class T>
struct Shifted {
  Shifted(const T* data, std::size_t count, std::size_t offset)
      : storage(count + 64 / sizeof(T) + offset) {
    const auto address = reinterpret_cast<std::uintptr_t>(storage.data());
    const std::size_t to_boundary = ((64 - address % 64) % 64) / sizeof(T);
    begin = storage.data() + to_boundary + offset;
    std::memcpy(begin, data, count * sizeof(T));
  }
  std::vector<T> storage;
  T* begin;
};

template <class T>
void expect_same_bits(const Result<T>& a, const Result<T>& b, const std::string& what) {
  EXPECT_TRUE(test::bitwise_equal(a.W, b.W)) << what;
  EXPECT_TRUE(test::bitwise_equal(a.H, b.H)) << what;
  EXPECT_EQ(a.loss_history, b.loss_history) << what;
}

template <class T>
void check_dense_alignment(Layout layout) {
  // Large enough that the products and losses take their blocked and parallel paths.
  const DenseMatrix<T> X = test::planted_matrix<T>(613, 389, 5, 0.05, 8);
  for (const Case& c : kCases) {
    const Options options = options_for(c);
    Result<T> first;
    for (std::size_t offset = 0; offset < 64 / sizeof(T); offset += (sizeof(T) == 4 ? 3 : 1)) {
      const Shifted<T> copy(X.data(), static_cast<std::size_t>(X.size()), offset);
      // Read as `layout`: a column-major view of the row-major data is X's transpose, which is
      // as good a matrix as X for this purpose.
      const DenseView<const T> view{copy.begin, layout == Layout::RowMajor ? X.rows() : X.cols(),
                                    layout == Layout::RowMajor ? X.cols() : X.rows(), layout};
      Result<T> r = factorize(view, options);
      if (offset == 0) {
        first = std::move(r);
      } else {
        expect_same_bits(first, r, "offset " + std::to_string(offset) + " values, solver " +
                                       std::to_string(static_cast<int>(c.solver)));
      }
    }
  }
}

TEST(Determinism, DenseResultsDoNotDependOnTheAlignmentOfX) {
  check_dense_alignment<double>(Layout::RowMajor);
  check_dense_alignment<double>(Layout::ColMajor);
  check_dense_alignment<float>(Layout::RowMajor);
  check_dense_alignment<float>(Layout::ColMajor);
}

template <class T>
void check_sparse_alignment() {
  const auto X = test::random_csr<T, std::int32_t>(700, 450, 0.05, 5);
  for (const Case& c : kCases) {
    Result<T> first;
    for (std::size_t offset = 0; offset < 64 / sizeof(T); offset += (sizeof(T) == 4 ? 5 : 3)) {
      const Shifted<T> values(X.values.data(), X.values.size(), offset);
      const CsrView<const T, std::int32_t> view{X.rows,         X.cols,         X.nnz(),
                                                X.row_ptr.data(), X.col_idx.data(), values.begin};
      Result<T> r = factorize(view, options_for(c));
      if (offset == 0) {
        first = std::move(r);
      } else {
        expect_same_bits(first, r, "CSR values at offset " + std::to_string(offset));
      }
    }
  }
}

TEST(Determinism, SparseResultsDoNotDependOnTheAlignmentOfTheValues) {
  check_sparse_alignment<double>();
  check_sparse_alignment<float>();
}

/// Restores the OpenMP thread count when the test ends, whatever happens.
class ThreadCount {
 public:
  ThreadCount() : saved_(omp_get_max_threads()) {}
  ~ThreadCount() { omp_set_num_threads(saved_); }

 private:
  int saved_;
};

TEST(Determinism, ResultsDoNotDependOnTheNumberOfThreads) {
  ThreadCount restore;
  const DenseMatrix<double> dense = test::planted_matrix<double>(1200, 530, 5, 0.05, 3);
  // 12000 rows: enough for the blocked, parallel Gram matrix of Backend::gram.
  const auto sparse = test::random_csr<double, std::int64_t>(12000, 400, 0.02, 4);
  for (const Case& c : kCases) {
    omp_set_num_threads(1);
    const Result<double> dense_one = factorize(dense.view(), options_for(c));
    const Result<double> sparse_one = factorize(sparse.view(), options_for(c));
    for (const int threads : {2, 3, 5}) {
      omp_set_num_threads(threads);
      const std::string what = std::to_string(threads) + " threads";
      expect_same_bits(dense_one, factorize(dense.view(), options_for(c)), "dense, " + what);
      expect_same_bits(sparse_one, factorize(sparse.view(), options_for(c)), "CSR, " + what);
    }
  }
}

}  // namespace
}  // namespace cunmf
