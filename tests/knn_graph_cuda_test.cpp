// cunmf::knn_graph on the CUDA backend (cuda/knn_graph.hpp, kernels/knn_select.cu) against the
// CPU's graph: on integer-valued samples every dot product is exact in double on both backends, so
// the graphs are equal bit for bit — ties (many, with small integers) broken alike, towards the
// lower index — dense (both layouts: the two GEMM forms; float's widened copy) and CSR (both index
// types, never densified; an empty sample); on real-valued samples equal up to rounding. The
// search cut into several blocks of samples and several selection passes finds the same lists.
// The device-resident entry points check X on the device and refuse what the host refuses.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "cuda/knn_graph.hpp"
#include "cuda_test_support.hpp"
#include "cunmf/cuda/device_buffer.hpp"
#include "cunmf/cuda/graph.hpp"
#include "cunmf/cunmf.hpp"
#include "sparse_support.hpp"
#include "test_support.hpp"

namespace cunmf::test {
namespace {

const GraphWeight kWeightings[] = {GraphWeight::Binary, GraphWeight::Heat, GraphWeight::Cosine};

std::string describe(GraphWeight weighting, std::int64_t neighbours) {
  return "weighting " + std::to_string(static_cast<int>(weighting)) + ", neighbours " +
         std::to_string(neighbours);
}

/// A rows × cols row-major matrix of integers in [0, levels), from `seed`; column `zero_col`
/// (when in range) all zero.
template <class T>
DenseMatrix<T> integer_matrix(std::int64_t rows, std::int64_t cols, int levels, std::uint64_t seed,
                              std::int64_t zero_col = -1) {
  std::mt19937_64 engine(seed);
  DenseMatrix<T> A(rows, cols);
  for (std::int64_t i = 0; i < rows; ++i)
    for (std::int64_t j = 0; j < cols; ++j)
      A(i, j) =
          j == zero_col ? T(0) : static_cast<T>(engine() % static_cast<std::uint64_t>(levels));
  return A;
}

void expect_same_graph(const CsrMatrix<double, std::int64_t>& actual,
                       const CsrMatrix<double, std::int64_t>& expected, double tolerance) {
  ASSERT_EQ(actual.rows, expected.rows);
  ASSERT_EQ(actual.row_ptr, expected.row_ptr);
  ASSERT_EQ(actual.col_idx, expected.col_idx);
  for (std::size_t e = 0; e < expected.values.size(); ++e) {
    if (tolerance == 0.0) {
      EXPECT_EQ(actual.values[e], expected.values[e]) << "entry " << e;
    } else {
      EXPECT_NEAR(actual.values[e], expected.values[e], tolerance) << "entry " << e;
    }
  }
}

template <class T>
class KnnGraphCudaTest : public ::testing::Test {};
using Precisions = ::testing::Types<float, double>;
TYPED_TEST_SUITE(KnnGraphCudaTest, Precisions);

TYPED_TEST(KnnGraphCudaTest, DenseEqualsCpuBitForBitOnIntegerSamples) {
  CUNMF_SKIP_WITHOUT_DEVICE();
  using T = TypeParam;
  // 9 features × 37 samples with 3 levels: many equal distances; sample 5 is zero (no cosine).
  const DenseMatrix<T> data = integer_matrix<T>(9, 37, 3, 201, 5);
  for (const Layout layout : {Layout::RowMajor, Layout::ColMajor}) {
    const auto X = with_layout(data.view(), layout);
    for (const GraphWeight weighting : kWeightings)
      for (const std::int64_t neighbours : {1, 6, 36}) {
        SCOPED_TRACE(describe(weighting, neighbours));
        expect_same_graph(knn_graph(X.view(), neighbours, weighting, Backend::Cuda),
                          knn_graph(X.view(), neighbours, weighting, Backend::Cpu), 0.0);
      }
  }
}

TYPED_TEST(KnnGraphCudaTest, DenseEqualsCpuUpToRounding) {
  CUNMF_SKIP_WITHOUT_DEVICE();
  using T = TypeParam;
  const DenseMatrix<T> data = random_matrix<T>(13, 29, 202);
  for (const Layout layout : {Layout::RowMajor, Layout::ColMajor}) {
    const auto X = with_layout(data.view(), layout);
    for (const GraphWeight weighting : kWeightings) {
      SCOPED_TRACE(describe(weighting, 4));
      // The weights are exp or ratios of dot products of O(1) values: rounding in the last bits.
      expect_same_graph(knn_graph(X.view(), 4, weighting, Backend::Cuda),
                        knn_graph(X.view(), 4, weighting, Backend::Cpu), 1e-12);
    }
  }
}

TYPED_TEST(KnnGraphCudaTest, CsrEqualsCpuBitForBit) {
  CUNMF_SKIP_WITHOUT_DEVICE();
  using T = TypeParam;
  // Integer values (levels 0..3, about half zero) with sample 4 empty; and real values, whose CSR
  // dot products the kernel sums in the CPU's order.
  const DenseMatrix<T> integers = integer_matrix<T>(17, 31, 4, 203, 4);
  const auto I32 = csr_from_dense<T, std::int32_t>(integers);
  const auto I64 = csr_from_dense<T, std::int64_t>(integers);
  const auto R32 = random_csr<T, std::int32_t>(19, 27, 0.3, 204, -1, 6);
  const auto R64 = random_csr<T, std::int64_t>(19, 27, 0.3, 204, -1, 6);
  for (const GraphWeight weighting : kWeightings)
    for (const std::int64_t neighbours : {1, 5, 26}) {
      SCOPED_TRACE(describe(weighting, neighbours));
      const auto expected = knn_graph(I32.view(), neighbours, weighting, Backend::Cpu);
      expect_same_graph(knn_graph(I32.view(), neighbours, weighting, Backend::Cuda), expected, 0.0);
      expect_same_graph(knn_graph(I64.view(), neighbours, weighting, Backend::Cuda), expected, 0.0);
      const auto real = knn_graph(R32.view(), neighbours, weighting, Backend::Cpu);
      expect_same_graph(knn_graph(R32.view(), neighbours, weighting, Backend::Cuda), real, 1e-12);
      expect_same_graph(knn_graph(R64.view(), neighbours, weighting, Backend::Cuda), real, 1e-12);
    }
}

// Blocks of 4 samples (the last one short) and passes of 3 neighbours: the pass after a list ran
// out (cosine with a zero sample leaves each sample 35 candidates, not 36) and the zero sample's
// empty lists included.
TYPED_TEST(KnnGraphCudaTest, BlocksAndPassesFindTheSameLists) {
  CUNMF_SKIP_WITHOUT_DEVICE();
  using T = TypeParam;
  const DenseMatrix<T> data = integer_matrix<T>(6, 37, 3, 205, 11);
  const auto sparse = csr_from_dense<T, std::int32_t>(data);
  const cuda::Context ctx;
  cuda::DeviceBuffer<T> x(static_cast<std::size_t>(data.size()));
  x.copy_from_host(data.data(), ctx);
  const auto dense =
      detail::Operand<T>::dense(x.data(), data.rows(), data.cols(), Layout::RowMajor);
  for (const bool cosine : {false, true})
    for (const std::int64_t neighbours : {1, 7, 36}) {
      SCOPED_TRACE(describe(cosine ? GraphWeight::Cosine : GraphWeight::Binary, neighbours));
      const auto whole = cuda_backend::nearest_on_device(ctx, dense, neighbours, cosine);
      const auto cut = cuda_backend::nearest_on_device(ctx, dense, neighbours, cosine, {4, 3});
      EXPECT_EQ(cut.to, whole.to);
      EXPECT_EQ(cut.measure, whole.measure);
      const auto weighting = cosine ? GraphWeight::Cosine : GraphWeight::Heat;
      expect_same_graph(detail::graph_from_neighbours(cut, weighting),
                        knn_graph(sparse.view(), neighbours, weighting, Backend::Cpu), 0.0);
    }
}

template <class T, class Index>
void check_device_resident_inputs() {
  const DenseMatrix<T> data = integer_matrix<T>(8, 21, 3, 206);
  const auto csr = csr_from_dense<T, Index>(data);
  const cuda::Context ctx;
  cuda::DeviceBuffer<T> x(static_cast<std::size_t>(data.size()));
  x.copy_from_host(data.data(), ctx);
  const cuda::DeviceDenseView<const T> dense{x.data(), data.rows(), data.cols(), Layout::RowMajor};
  cuda::DeviceBuffer<Index> row_ptr(csr.row_ptr.size()), col_idx(csr.col_idx.size());
  cuda::DeviceBuffer<T> values(csr.values.size());
  row_ptr.copy_from_host(csr.row_ptr.data(), ctx);
  col_idx.copy_from_host(csr.col_idx.data(), ctx);
  values.copy_from_host(csr.values.data(), ctx);
  const cuda::DeviceCsrView<const T, Index> sparse{
      csr.rows,       csr.cols,       static_cast<std::int64_t>(csr.values.size()),
      row_ptr.data(), col_idx.data(), values.data()};
  const auto expected = knn_graph(data.view(), 3, GraphWeight::Heat, Backend::Cpu);
  expect_same_graph(cuda::knn_graph(ctx, dense, 3, GraphWeight::Heat), expected, 0.0);
  expect_same_graph(cuda::knn_graph(ctx, sparse, 3, GraphWeight::Heat), expected, 0.0);

  // The checks, each an InvalidArgument saying what is wrong: neighbours out of range; a null
  // pointer, a negative shape or a null CSR array (before anything is read); a negative entry
  // (named); a CSR whose columns are not increasing.
  EXPECT_THROW(cuda::knn_graph(ctx, dense, 21), InvalidArgument);
  EXPECT_THROW(cuda::knn_graph(ctx, sparse, 0), InvalidArgument);
  const cuda::DeviceDenseView<const T> no_data{nullptr, data.rows(), data.cols(), Layout::RowMajor};
  EXPECT_TRUE(throws_with_message<InvalidArgument>([&] { cuda::knn_graph(ctx, no_data, 3); },
                                                   {"X has a null data pointer"}));
  for (const int which : {0, 1, 2}) {
    auto shape = sparse;  // rows, cols or nnz negative
    (which == 0 ? shape.rows : which == 1 ? shape.cols : shape.nnz) = -1;
    EXPECT_TRUE(throws_with_message<InvalidArgument>([&] { cuda::knn_graph(ctx, shape, 3); },
                                                     {"X (CSR): negative shape"}));
    auto pointers = sparse;  // row_ptr, col_idx or values null
    if (which == 0) pointers.row_ptr = nullptr;
    if (which == 1) pointers.col_idx = nullptr;
    if (which == 2) pointers.values = nullptr;
    EXPECT_TRUE(throws_with_message<InvalidArgument>([&] { cuda::knn_graph(ctx, pointers, 3); },
                                                     {"X (CSR): null array pointer"}));
  }
  const T negative = T(-2);
  cuda::copy_host_to_device(x.data() + 3 * 21 + 4, &negative, sizeof(T), ctx);
  EXPECT_TRUE(
      throws_with_message<InvalidArgument>([&] { cuda::knn_graph(ctx, dense, 3); }, {"(3, 4)"}));
  std::vector<Index> swapped = csr.col_idx;
  std::swap(swapped[0], swapped[1]);
  col_idx.copy_from_host(swapped.data(), ctx);
  EXPECT_THROW(cuda::knn_graph(ctx, sparse, 3), InvalidArgument);
}

TYPED_TEST(KnnGraphCudaTest, DeviceResidentInputs) {
  CUNMF_SKIP_WITHOUT_DEVICE();
  check_device_resident_inputs<TypeParam, std::int32_t>();
  check_device_resident_inputs<TypeParam, std::int64_t>();
}

// Samples without features (X has no rows) are all at distance 0: each one's neighbours are the
// lowest other indices, as on the CPU.
TYPED_TEST(KnnGraphCudaTest, SamplesWithoutFeaturesAreAllNeighbours) {
  CUNMF_SKIP_WITHOUT_DEVICE();
  using T = TypeParam;
  const DenseMatrix<T> none(0, 6);
  const cuda::Context ctx;
  cuda::DeviceBuffer<T> storage(1);  // a valid pointer to no entries
  const cuda::DeviceDenseView<const T> dense{storage.data(), 0, 6, Layout::ColMajor};
  for (const GraphWeight weighting : {GraphWeight::Binary, GraphWeight::Heat}) {
    SCOPED_TRACE(describe(weighting, 2));
    const auto expected = knn_graph(none.view(), 2, weighting, Backend::Cpu);
    expect_same_graph(cuda::knn_graph(ctx, dense, 2, weighting), expected, 0.0);
  }
}

}  // namespace
}  // namespace cunmf::test
