// The CPU backend's dense product op(X)·F (the `product` primitive of every Frobenius solver)
// against a plain triple loop in double. Up to rank 24 it reads X where it is
// (src/cpu/dense_primitives.cpp, small_rank_products.hpp): rows of op(X) contiguous by blocks of
// 32 rows; rows strided by blocks of 64 of X's columns summed into 8 runs' partials. Above rank 24,
// below 2^18 multiply-adds, or where the partials would outweigh X, Eigen's product. Shapes around
// those sizes, both storage orders, float and double, and 1, 2 and 3 threads (the bits must not
// move).
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "core/operand.hpp"
#include "cpu/backend.hpp"
#include "test_support.hpp"

namespace cunmf {
namespace {

template <class T>
using Panel = typename cpu::Backend<T>::Matrix;

/// A (rows × cols) · F in double, A(i, j) = X(i, j) or X(j, i) of the row-major X.
template <class T>
Panel<double> plain_product(const DenseMatrix<T>& X, bool transpose, const Panel<T>& F) {
  const std::int64_t rows = transpose ? X.cols() : X.rows();
  const std::int64_t cols = transpose ? X.rows() : X.cols();
  Panel<double> out = Panel<double>::Zero(rows, F.cols());
  for (std::int64_t i = 0; i < rows; ++i)
    for (std::int64_t j = 0; j < cols; ++j) {
      const double a = transpose ? double(X(j, i)) : double(X(i, j));
      for (std::int64_t r = 0; r < F.cols(); ++r) out(i, r) += a * double(F(j, r));
    }
  return out;
}

template <class T>
Panel<T> random_panel(std::int64_t rows, std::int64_t k, std::uint64_t seed) {
  const DenseMatrix<T> values = test::random_matrix<T>(rows, k, seed);
  Panel<T> panel(rows, k);
  for (std::int64_t i = 0; i < rows; ++i)
    for (std::int64_t r = 0; r < k; ++r) panel(i, r) = values(i, r);
  return panel;
}

template <class T>
class DenseProduct : public ::testing::Test {};
using Precisions = ::testing::Types<float, double>;
TYPED_TEST_SUITE(DenseProduct, Precisions);

TYPED_TEST(DenseProduct, MatchesAPlainProductAtEveryShapeAndThreadCount) {
  using T = TypeParam;
  // 2 × 30000 read transposed from a row-major X: the strided rows' partials (8 · 30000 · k
  // values) would outweigh X, so Eigen's product takes it.
  const std::int64_t sizes[][2] = {{1, 1},     {3, 70},     {33, 5},   {65, 129},
                                   {130, 600}, {600, 1030}, {2, 30000}};
  const int saved = omp_get_max_threads();
  for (const auto& [m, n] : sizes) {
    const DenseMatrix<T> X = test::random_matrix<T>(m, n, 11);  // row-major
    // The operand X (its storage is Xᵀ, column-major: rows of X contiguous) and Xᵀ (rows of Xᵀ
    // strided in that storage), then the same from a column-major copy, where the roles swap.
    DenseMatrix<T> Xc(m, n);
    for (std::int64_t i = 0; i < m; ++i)
      for (std::int64_t j = 0; j < n; ++j) Xc.data()[i + j * m] = X(i, j);
    for (const std::int64_t k : {1, 5, 20, 24, 25}) {
      for (const bool transpose : {false, true}) {
        for (const Layout layout : {Layout::RowMajor, Layout::ColMajor}) {
          const T* data = layout == Layout::RowMajor ? X.data() : Xc.data();
          const auto x = detail::Operand<T>::dense(data, m, n, layout);
          const auto A = transpose ? x.transposed() : x;
          const Panel<T> F = random_panel<T>(A.cols(), k, 12);
          const Panel<double> expected = plain_product(X, transpose, F);
          const std::string what = std::to_string(m) + " × " + std::to_string(n) +
                                   (transpose ? " transposed" : "") +
                                   (layout == Layout::RowMajor ? ", row-major" : ", column-major") +
                                   ", k = " + std::to_string(k);
          Panel<T> first;
          for (const int threads : {1, 2, 3}) {
            omp_set_num_threads(threads);
            cpu::Backend<T> backend;
            Panel<T> out(A.rows(), k);
            backend.product(A, F, out);
            // Sums of n terms, each a product of values in [0, 1]: the rounding of the sum is
            // below n·ε of its magnitude; 1e-5 (float) and 1e-12 (double) of the norm allow it.
            const double error =
                (out.template cast<double>() - expected).norm() / std::max(1e-300, expected.norm());
            EXPECT_LT(error, sizeof(T) == 4 ? 1e-5 : 1e-12) << what;
            if (threads == 1) {
              first = out;
            } else {
              EXPECT_TRUE(out == first) << what << ": " << threads << " threads moved the bits";
            }
          }
        }
      }
    }
  }
  omp_set_num_threads(saved);
}

}  // namespace
}  // namespace cunmf
