// The k-nearest-neighbour graph on the device (cunmf/cuda/graph.hpp, knn_graph.hpp): the samples'
// squared norms once, then per block of samples their dot products with every sample (a GEMM, or
// the CSR kernel) and the selection passes; the lists come back to the host once.
#include "knn_graph.hpp"

#include <algorithm>
#include <type_traits>
#include <vector>

#include "../../kernels/sparse_terms.cuh"
#include "blas.hpp"
#include "context_impl.hpp"
#include "cuda_check.hpp"
#include "cunmf/cuda/device_buffer.hpp"
#include "cunmf/cuda/graph.hpp"
#include "device_csr.hpp"
#include "device_placement.hpp"
#include "problem_limits.hpp"

namespace cunmf::cuda_backend {

namespace {

using cuda::Context;
using cuda::DeviceBuffer;

/// The most dot products one block holds (128 MiB of doubles).
constexpr std::int64_t kDotsPerBlock = std::int64_t{1} << 24;

/// The dense samples' storage in double: X's own for double, a widened copy (kept in `widened`)
/// for float.
template <class T>
const double* storage_in_double(const Context& ctx, const detail::ColumnMajorStorage<T>& s,
                                DeviceBuffer<double>& widened) {
  if constexpr (std::is_same_v<T, double>) {
    return s.data;
  } else {
    widened = DeviceBuffer<double>(static_cast<std::size_t>(s.rows * s.cols));
    detail::convert_to_double(s.data, widened.data(), s.rows * s.cols, ctx.stream());
    return widened.data();
  }
}

}  // namespace

template <class T, class Index>
detail::NeighbourLists nearest_on_device(const Context& ctx, const detail::Operand<T, Index>& X,
                                         std::int64_t neighbours, bool cosine, KnnTiling tiling) {
  const std::int64_t n = X.cols(), features = X.rows();
  const std::int64_t block = std::clamp<std::int64_t>(
      tiling.block_samples > 0 ? tiling.block_samples
                               : kDotsPerBlock / std::max<std::int64_t>(n, 1),
      1, n);
  const int round_size = std::clamp(tiling.round_size, 1, detail::kKnnRoundCapacity);
  DeviceBuffer<double> norms(static_cast<std::size_t>(n));
  DeviceBuffer<double> dots(static_cast<std::size_t>(block * n));
  DeviceBuffer<std::int64_t> to(static_cast<std::size_t>(n * neighbours));
  DeviceBuffer<double> measure(static_cast<std::size_t>(n * neighbours));
  CUNMF_CUDA_CHECK(
      cudaMemsetAsync(to.data(), 0xFF, to.size() * sizeof(std::int64_t), ctx.stream()));  // −1
  CUNMF_CUDA_CHECK(
      cudaMemsetAsync(measure.data(), 0, measure.size() * sizeof(double), ctx.stream()));

  DeviceBuffer<double> widened;
  const double* S = nullptr;  // dense: the column-major storage, X itself or Xᵀ
  std::int64_t ld = 0;
  if (X.is_sparse()) {
    const auto& xt = X.csr_of_transpose();
    detail::knn_csr_squared_norms(xt.row_ptr, xt.values, n, norms.data(), ctx.stream());
  } else {
    S = storage_in_double(ctx, X.storage(), widened);
    ld = X.storage().rows;
    // Sample j is column j of S, or row j when S is Xᵀ.
    if (X.reads_transposed()) {
      detail::knn_dense_squared_norms(S, n, features, 1, ld, norms.data(), ctx.stream());
    } else {
      detail::knn_dense_squared_norms(S, n, features, ld, 1, norms.data(), ctx.stream());
    }
  }

  for (std::int64_t begin = 0; begin < n; begin += block) {
    const std::int64_t count = std::min(block, n - begin);
    if (X.is_sparse()) {
      const auto& x = X.csr();
      const auto& xt = X.csr_of_transpose();
      detail::knn_csr_dots(x.row_ptr, x.col_idx, x.values, xt.row_ptr, xt.col_idx, xt.values, n,
                           begin, count, dots.data(), ctx.stream());
    } else if (features == 0) {
      CUNMF_CUDA_CHECK(cudaMemsetAsync(dots.data(), 0, sizeof(double) * count * n, ctx.stream()));
    } else if (X.reads_transposed()) {
      // S is n × features: the block is S · S[begin .. begin + count, :]ᵀ.
      gemm(blas_handle(ctx, false), CUBLAS_OP_N, CUBLAS_OP_T, n, count, features, 1.0, S, ld,
           S + begin, ld, 0.0, dots.data(), n);
    } else {
      // S is features × n: the block is Sᵀ · S[:, begin .. begin + count].
      gemm(blas_handle(ctx, false), CUBLAS_OP_T, CUBLAS_OP_N, n, count, features, 1.0, S, ld,
           S + begin * ld, ld, 0.0, dots.data(), n);
    }
    for (std::int64_t round_begin = 0; round_begin < neighbours; round_begin += round_size) {
      detail::knn_select_round(dots.data(), n, begin, count, norms.data(), cosine, neighbours,
                               round_begin, round_size, to.data(), measure.data(), ctx.stream());
    }
  }
  detail::NeighbourLists lists{n, neighbours, std::vector<std::int64_t>(to.size()),
                               std::vector<double>(measure.size())};
  to.copy_to_host(lists.to.data(), ctx);
  measure.copy_to_host(lists.measure.data(), ctx);
  return lists;
}

}  // namespace cunmf::cuda_backend

namespace cunmf {

namespace {

template <class T, class Index>
CsrMatrix<double, std::int64_t> graph_on_device(const cuda::Context& ctx,
                                                const detail::Operand<T, Index>& X,
                                                std::int64_t neighbours, GraphWeight weighting) {
  return detail::graph_from_neighbours(
      cuda_backend::nearest_on_device(ctx, X, neighbours, weighting == GraphWeight::Cosine),
      weighting);
}

template <class T>
CsrMatrix<double, std::int64_t> dense_graph(const cuda::Context& ctx,
                                            cuda::DeviceDenseView<const T> X,
                                            std::int64_t neighbours, GraphWeight weighting) {
  detail::check_neighbours(neighbours, X.cols);
  cuda_backend::check_blas_dimensions(X.rows, X.cols);  // before X is read
  cuda_backend::validate_on_device(ctx, X, "X");
  return graph_on_device(ctx, detail::Operand<T>::dense(X.data, X.rows, X.cols, X.layout),
                         neighbours, weighting);
}

template <class T, class Index>
CsrMatrix<double, std::int64_t> sparse_graph(const cuda::Context& ctx,
                                             detail::CsrArrays<T, Index> x, std::int64_t neighbours,
                                             GraphWeight weighting) {
  const auto xt = cuda_backend::transpose_on_device(ctx, x);
  return graph_on_device(ctx, detail::Operand<T, Index>::sparse(x, xt.arrays()), neighbours,
                         weighting);
}

}  // namespace

namespace cuda {

CsrMatrix<double, std::int64_t> knn_graph(const Context& ctx, DeviceDenseView<const float> X,
                                          std::int64_t neighbours, GraphWeight weighting) {
  return dense_graph(ctx, X, neighbours, weighting);
}
CsrMatrix<double, std::int64_t> knn_graph(const Context& ctx, DeviceDenseView<const double> X,
                                          std::int64_t neighbours, GraphWeight weighting) {
  return dense_graph(ctx, X, neighbours, weighting);
}

template <class T, class Index>
CsrMatrix<double, std::int64_t> knn_graph(const Context& ctx, DeviceCsrView<const T, Index> X,
                                          std::int64_t neighbours, GraphWeight weighting) {
  cuda_backend::validate_on_device(ctx, X, "X");
  detail::check_neighbours(neighbours, X.cols);
  return sparse_graph(
      ctx, detail::CsrArrays<T, Index>{X.rows, X.cols, X.nnz, X.row_ptr, X.col_idx, X.values},
      neighbours, weighting);
}

}  // namespace cuda

namespace detail {

template <class T>
CsrMatrix<double, std::int64_t> knn_graph_on_cuda(DenseView<const T> X, std::int64_t neighbours,
                                                  GraphWeight weighting, int device) {
  cuda_backend::check_blas_dimensions(X.rows, X.cols);
  const cuda::Context ctx(device);
  cuda::DeviceBuffer<T> x(static_cast<std::size_t>(X.size()));
  x.copy_from_host(X.data, ctx);
  return graph_on_device(ctx, Operand<T>::dense(x.data(), X.rows, X.cols, X.layout), neighbours,
                         weighting);
}

template <class T, class Index>
CsrMatrix<double, std::int64_t> knn_graph_on_cuda(CsrView<const T, Index> X,
                                                  std::int64_t neighbours, GraphWeight weighting,
                                                  int device) {
  const cuda::Context ctx(device);
  const auto x = cuda_backend::upload(ctx, X);
  return sparse_graph(ctx, x.arrays(), neighbours, weighting);
}

template CsrMatrix<double, std::int64_t> knn_graph_on_cuda<float>(DenseView<const float>,
                                                                  std::int64_t, GraphWeight, int);
template CsrMatrix<double, std::int64_t> knn_graph_on_cuda<double>(DenseView<const double>,
                                                                   std::int64_t, GraphWeight, int);

}  // namespace detail

#define CUNMF_INSTANTIATE_KNN_ON_DEVICE(T, Index)                                            \
  template detail::NeighbourLists cuda_backend::nearest_on_device<T, Index>(                 \
      const cuda::Context&, const detail::Operand<T, Index>&, std::int64_t, bool,            \
      cuda_backend::KnnTiling);                                                              \
  template CsrMatrix<double, std::int64_t> cuda::knn_graph<T, Index>(                        \
      const cuda::Context&, cuda::DeviceCsrView<const T, Index>, std::int64_t, GraphWeight); \
  template CsrMatrix<double, std::int64_t> detail::knn_graph_on_cuda<T, Index>(              \
      CsrView<const T, Index>, std::int64_t, GraphWeight, int);
CUNMF_INSTANTIATE_KNN_ON_DEVICE(float, std::int32_t)
CUNMF_INSTANTIATE_KNN_ON_DEVICE(float, std::int64_t)
CUNMF_INSTANTIATE_KNN_ON_DEVICE(double, std::int32_t)
CUNMF_INSTANTIATE_KNN_ON_DEVICE(double, std::int64_t)
#undef CUNMF_INSTANTIATE_KNN_ON_DEVICE

}  // namespace cunmf
