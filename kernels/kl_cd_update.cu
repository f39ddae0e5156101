// The KL coordinate-descent sweep kernels: rows of F are independent given G, so one kernel
// updates every row, one thread per row keeping the Gauss–Seidel order over the columns of its
// row and summing g and h over the row's entries in order (kl_cd_row_sweep, shared with the CPU
// backend). One thread per row is the simple, deterministic choice; a warp per row (a fixed-order
// warp_sum of g and h) would spread long rows over more threads and is the next step if
// profiling asks for it.
#include "elementwise.cuh"
#include "grid.cuh"
#include "kl_cd_update.cuh"
#include "launch.cuh"

namespace cunmf::detail {

namespace {

/// Each thread sweeps the rows i ≡ thread index (mod grid size) of a dense A = op(S). Its W·H
/// values live in column i of a rows-leading work array, so neighbouring threads (rows) touch
/// neighbouring addresses, as do their reads of F(i, r) and, for A = S, of S(i, j).
template <class T>
__global__ void dense_kl_cd_kernel(const T* __restrict__ S, std::int64_t lds, bool transposed,
                                   std::int64_t rows, std::int64_t cols, T* __restrict__ F,
                                   const T* __restrict__ G, const T* __restrict__ g_sums,
                                   Penalty<T> penalty, std::int64_t k, T* __restrict__ values) {
  const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < rows;
       i += step) {
    const DenseRowEntries<T> row{transposed ? S + i * lds : S + i, transposed ? 1 : lds, cols};
    kl_cd_row_sweep(F + i, rows, G, 1, cols, g_sums, penalty, k, row, values + i, rows);
  }
}

/// Each thread sweeps the rows p ≡ thread index (mod grid size) of a CSR A; its W·H values live in
/// the row's own segment of the nnz-entry work array.
template <class T, class Index>
__global__ void csr_kl_cd_kernel(const Index* __restrict__ row_ptr,
                                 const Index* __restrict__ col_idx, const T* __restrict__ x,
                                 std::int64_t rows, std::int64_t cols, T* __restrict__ F,
                                 const T* __restrict__ G, const T* __restrict__ g_sums,
                                 Penalty<T> penalty, std::int64_t k, T* __restrict__ values) {
  const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t p = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; p < rows;
       p += step) {
    const std::int64_t begin = row_ptr[p];
    const CsrRowEntries<T, Index> row{col_idx + begin, x + begin, row_ptr[p + 1] - begin};
    kl_cd_row_sweep(F + p, rows, G, 1, cols, g_sums, penalty, k, row, values + begin, 1);
  }
}

}  // namespace

template <class T>
void dense_kl_cd_update(const T* S, std::int64_t lds, bool transposed, std::int64_t rows,
                        std::int64_t cols, T* F, const T* G, const T* g_sums, Penalty<T> penalty,
                        std::int64_t k, T* values, cudaStream_t stream) {
  if (rows <= 0 || k <= 0) return;
  launch(dense_kl_cd_kernel<T>, grid_blocks(rows), kBlockThreads, 0, stream, S, lds, transposed,
         rows, cols, F, G, g_sums, penalty, k, values);
}

template <class T, class Index>
void csr_kl_cd_update(const Index* row_ptr, const Index* col_idx, const T* x, std::int64_t rows,
                      std::int64_t cols, T* F, const T* G, const T* g_sums, Penalty<T> penalty,
                      std::int64_t k, T* values, cudaStream_t stream) {
  if (rows <= 0 || k <= 0) return;
  launch(csr_kl_cd_kernel<T, Index>, grid_blocks(rows), kBlockThreads, 0, stream, row_ptr, col_idx,
         x, rows, cols, F, G, g_sums, penalty, k, values);
}

template void dense_kl_cd_update<float>(const float*, std::int64_t, bool, std::int64_t,
                                        std::int64_t, float*, const float*, const float*,
                                        Penalty<float>, std::int64_t, float*, cudaStream_t);
template void dense_kl_cd_update<double>(const double*, std::int64_t, bool, std::int64_t,
                                         std::int64_t, double*, const double*, const double*,
                                         Penalty<double>, std::int64_t, double*, cudaStream_t);
#define CUNMF_INSTANTIATE_CSR_KL_CD_UPDATE(T, Index)                                              \
  template void csr_kl_cd_update<T, Index>(const Index*, const Index*, const T*, std::int64_t,    \
                                           std::int64_t, T*, const T*, const T*, Penalty<T>,        \
                                           std::int64_t, T*, cudaStream_t);
CUNMF_INSTANTIATE_CSR_KL_CD_UPDATE(float, std::int32_t)
CUNMF_INSTANTIATE_CSR_KL_CD_UPDATE(float, std::int64_t)
CUNMF_INSTANTIATE_CSR_KL_CD_UPDATE(double, std::int32_t)
CUNMF_INSTANTIATE_CSR_KL_CD_UPDATE(double, std::int64_t)
#undef CUNMF_INSTANTIATE_CSR_KL_CD_UPDATE

}  // namespace cunmf::detail
