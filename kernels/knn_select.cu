// The device's k-nearest-neighbour kernels (see knn_select.cuh).
#include <cmath>

#include "cuda_check.cuh"
#include "grid.cuh"
#include "knn_rules.cuh"
#include "knn_select.cuh"
#include "launch.cuh"
#include "reduce.cuh"
#include "shared_memory.cuh"

namespace cunmf::detail {

namespace {

/// Each thread j (grid-stride over the samples) sums its sample's squares in feature order.
__global__ void dense_squared_norms_kernel(const double* __restrict__ v, std::int64_t samples,
                                           std::int64_t features, std::int64_t sample_stride,
                                           std::int64_t feature_stride,
                                           double* __restrict__ norms) {
  const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t j = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       j < samples; j += step) {
    double sum = 0.0;
    for (std::int64_t t = 0; t < features; ++t) {
      const double x = v[j * sample_stride + t * feature_stride];
      sum += x * x;
    }
    norms[j] = sum;
  }
}

/// Each thread j (grid-stride over the samples) sums the squares of row j of Xᵀ in stored order.
template <class T, class Index>
__global__ void csr_squared_norms_kernel(const Index* __restrict__ t_row_ptr,
                                         const T* __restrict__ t_values, std::int64_t samples,
                                         double* __restrict__ norms) {
  const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t j = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       j < samples; j += step) {
    double sum = 0.0;
    for (Index e = t_row_ptr[j]; e < t_row_ptr[j + 1]; ++e) {
      const double x = static_cast<double>(t_values[e]);
      sum += x * x;
    }
    norms[j] = sum;
  }
}

/// Warp w (grid-stride over the block's samples) accumulates sample begin + q's dot products into
/// dots[q·n ..]: for each of its features f in order, lane l adds the entries l, l + 32, ... of
/// row f of X. The barrier between features keeps two lanes from adding to one entry at once.
template <class T, class Index>
__global__ void csr_dots_kernel(const Index* __restrict__ row_ptr,
                                const Index* __restrict__ col_idx, const T* __restrict__ values,
                                const Index* __restrict__ t_row_ptr,
                                const Index* __restrict__ t_col_idx,
                                const T* __restrict__ t_values, std::int64_t n, std::int64_t begin,
                                std::int64_t count, double* __restrict__ dots) {
  const std::int64_t thread = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const std::int64_t warps = static_cast<std::int64_t>(gridDim.x) * blockDim.x / kWarpSize;
  const int lane = threadIdx.x % kWarpSize;
  for (std::int64_t q = thread / kWarpSize; q < count; q += warps) {
    double* row = dots + q * n;
    for (Index e = t_row_ptr[begin + q]; e < t_row_ptr[begin + q + 1]; ++e) {
      const std::int64_t f = static_cast<std::int64_t>(t_col_idx[e]);
      const double x_fi = static_cast<double>(t_values[e]);
      for (Index d = row_ptr[f] + lane; d < row_ptr[f + 1]; d += kWarpSize) {
        row[col_idx[d]] += x_fi * static_cast<double>(values[d]);
      }
      __syncwarp();
    }
  }
}

struct KnnKeysTag {};
struct KnnIndicesTag {};

/// Block q (one warp) selects sample i = begin + q's next `take` neighbours. Each lane keeps the
/// best `take` of its candidates j ≡ lane (mod 32), sorted, in its own column of shared memory
/// (entry t of lane l at t·32 + l: no lane reads another's, so no barrier); then `take` times the
/// warp finds the best of the lanes' heads by a butterfly of shuffles (an exact minimum, so every
/// lane agrees on it), lane 0 writes it and its owner advances.
__global__ void select_round_kernel(const double* __restrict__ dots, std::int64_t n,
                                    std::int64_t begin, const double* __restrict__ norms,
                                    bool cosine, std::int64_t neighbours, std::int64_t round_begin,
                                    int take, std::int64_t* __restrict__ to,
                                    double* __restrict__ measure) {
  double* keys = shared_array<double, kWarpSize * kKnnRoundCapacity, KnnKeysTag>();
  std::int64_t* indices = shared_array<std::int64_t, kWarpSize * kKnnRoundCapacity, KnnIndicesTag>();
  const int lane = threadIdx.x;
  const std::int64_t q = blockIdx.x;
  const std::int64_t i = begin + q;
  const double norm_i = norms[i];
  if (cosine && norm_i == 0.0) return;  // a zero sample has no cosine (the whole warp returns)
  std::int64_t* to_i = to + i * neighbours + round_begin;
  double* measure_i = measure + i * neighbours + round_begin;
  double after_key = 0.0;
  std::int64_t after_index = -1;
  if (round_begin > 0) {
    after_index = to_i[-1];
    if (after_index < 0) return;  // the previous pass ran out of candidates (the whole warp)
    after_key = cosine ? -measure_i[-1] : measure_i[-1];  // knn_measure inverted exactly
  }
  const double* row = dots + q * n;
  int length = 0;
  for (std::int64_t j = lane; j < n; j += kWarpSize) {
    if (j == i) continue;
    const double norm_j = norms[j];
    if (cosine && norm_j == 0.0) continue;
    const double key = knn_key(row[j], norm_i, norm_j, cosine);
    if (round_begin > 0 && !knn_before(after_key, after_index, key, j)) continue;
    const int last = (take - 1) * kWarpSize + lane;
    if (length == take && !knn_before(key, j, keys[last], indices[last])) continue;
    int t = length < take ? length : take - 1;  // the slot freed (a full list drops its last)
    for (; t > 0; --t) {
      const int before = (t - 1) * kWarpSize + lane;
      if (!knn_before(key, j, keys[before], indices[before])) break;
      keys[t * kWarpSize + lane] = keys[before];
      indices[t * kWarpSize + lane] = indices[before];
    }
    keys[t * kWarpSize + lane] = key;
    indices[t * kWarpSize + lane] = j;
    if (length < take) ++length;
  }
  int head = 0;
  for (int t = 0; t < take; ++t) {
    int valid = head < length ? 1 : 0;
    double key = valid ? keys[head * kWarpSize + lane] : 0.0;
    std::int64_t index = valid ? indices[head * kWarpSize + lane] : -1;
    for (int offset = kWarpSize / 2; offset > 0; offset /= 2) {
      const int other_valid = __shfl_xor_sync(0xffffffffu, valid, offset);
      const double other_key = __shfl_xor_sync(0xffffffffu, key, offset);
      const std::int64_t other_index = __shfl_xor_sync(0xffffffffu, index, offset);
      if (other_valid && (!valid || knn_before(other_key, other_index, key, index))) {
        valid = 1;
        key = other_key;
        index = other_index;
      }
    }
    if (!valid) break;  // every lane's list is spent (the same in every lane)
    if (head < length && indices[head * kWarpSize + lane] == index) ++head;
    if (lane == 0) {
      to_i[t] = index;
      measure_i[t] = knn_measure(key, cosine);
    }
  }
}

}  // namespace

void knn_dense_squared_norms(const double* v, std::int64_t samples, std::int64_t features,
                             std::int64_t sample_stride, std::int64_t feature_stride,
                             double* norms, cudaStream_t stream) {
  if (samples <= 0) return;
  launch(dense_squared_norms_kernel, grid_blocks(samples), kBlockThreads, 0, stream, v, samples,
         features, sample_stride, feature_stride, norms);
}

template <class T, class Index>
void knn_csr_squared_norms(const Index* t_row_ptr, const T* t_values, std::int64_t samples,
                           double* norms, cudaStream_t stream) {
  if (samples <= 0) return;
  launch(csr_squared_norms_kernel<T, Index>, grid_blocks(samples), kBlockThreads, 0, stream,
         t_row_ptr, t_values, samples, norms);
}

template <class T, class Index>
void knn_csr_dots(const Index* row_ptr, const Index* col_idx, const T* values,
                  const Index* t_row_ptr, const Index* t_col_idx, const T* t_values,
                  std::int64_t n, std::int64_t begin, std::int64_t count, double* dots,
                  cudaStream_t stream) {
  if (count <= 0 || n <= 0) return;
  CUNMF_CUDA_CHECK(cudaMemsetAsync(dots, 0, static_cast<std::size_t>(count * n) * sizeof(double),
                                   stream));
  launch(csr_dots_kernel<T, Index>, grid_blocks(count * kWarpSize), kBlockThreads, 0, stream,
         row_ptr, col_idx, values, t_row_ptr, t_col_idx, t_values, n, begin, count, dots);
}

void knn_select_round(const double* dots, std::int64_t n, std::int64_t begin, std::int64_t count,
                      const double* norms, bool cosine, std::int64_t neighbours,
                      std::int64_t round_begin, int round_size, std::int64_t* to, double* measure,
                      cudaStream_t stream) {
  const std::int64_t remaining = neighbours - round_begin;
  if (count <= 0 || remaining <= 0) return;
  const int take = static_cast<int>(remaining < round_size ? remaining : round_size);
  launch(select_round_kernel, dim3(static_cast<unsigned>(count)), dim3(kWarpSize), 0, stream, dots,
         n, begin, norms, cosine, neighbours, round_begin, take, to, measure);
}

#define CUNMF_INSTANTIATE_KNN(T, Index)                                                          \
  template void knn_csr_squared_norms<T, Index>(const Index*, const T*, std::int64_t, double*,   \
                                                cudaStream_t);                                   \
  template void knn_csr_dots<T, Index>(const Index*, const Index*, const T*, const Index*,       \
                                       const Index*, const T*, std::int64_t, std::int64_t,       \
                                       std::int64_t, double*, cudaStream_t);
CUNMF_INSTANTIATE_KNN(float, std::int32_t)
CUNMF_INSTANTIATE_KNN(float, std::int64_t)
CUNMF_INSTANTIATE_KNN(double, std::int32_t)
CUNMF_INSTANTIATE_KNN(double, std::int64_t)
#undef CUNMF_INSTANTIATE_KNN

}  // namespace cunmf::detail
