// Kernels that evaluate W·H only at the non-zeros of a CSR pattern (see sparse_terms.cuh). One
// warp per row: its lanes take the row's entries in turn, each forming one k-term dot product of
// two factor rows (strided in the column-major panels).
#include "elementwise.cuh"
#include "grid.cuh"
#include "launch.cuh"
#include "losses.cuh"
#include "reduce.cuh"
#include "sparse_terms.cuh"

namespace cunmf::detail {

namespace {

/// Σ_r a[r·lda]·b[r·ldb] in Accumulator precision: row p of A dotted with row q of B, for a
/// pointing at A(p, 0) and b at B(q, 0) of column-major panels.
template <class Accumulator, class T>
__device__ __forceinline__ Accumulator dot(const T* __restrict__ a, std::int64_t lda,
                                           const T* __restrict__ b, std::int64_t ldb,
                                           std::int64_t k) {
  Accumulator sum = 0;
  for (std::int64_t r = 0; r < k; ++r) {
    sum += static_cast<Accumulator>(a[r * lda]) * static_cast<Accumulator>(b[r * ldb]);
  }
  return sum;
}

template <class T>
struct KlRatioWeight {
  __device__ T operator()(T x, T wh) const { return kl_ratio(x, wh); }
};
template <class T>
struct BetaNumeratorWeight {
  BetaWeights<T> weights;
  __device__ T operator()(T x, T wh) const { return weights.numerator(x, wh); }
};

/// Calls visit(p, e) for the stored entries e of the rows p this thread takes: warp w of the grid
/// handles rows w, w + warps, ...; lane l the entries l, l + 32, ... of a row.
template <class Index, class Visit>
__device__ __forceinline__ void for_each_warp_entry(const Index* __restrict__ row_ptr,
                                                    std::int64_t rows, Visit visit) {
  const std::int64_t thread = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const std::int64_t warps = static_cast<std::int64_t>(gridDim.x) * blockDim.x / kWarpSize;
  const int lane = threadIdx.x % kWarpSize;
  for (std::int64_t p = thread / kWarpSize; p < rows; p += warps) {
    for (std::int64_t e = row_ptr[p] + lane; e < row_ptr[p + 1]; e += kWarpSize) visit(p, e);
  }
}

/// ratio[e] ← weight(x[e], wh at e) at the stored entries (for_each_warp_entry).
template <class T, class Index, class Weight>
__global__ void csr_weights_kernel(const Index* __restrict__ row_ptr,
                                   const Index* __restrict__ col_idx, const T* __restrict__ x,
                                   std::int64_t rows, const T* __restrict__ A, std::int64_t lda,
                                   const T* __restrict__ B, std::int64_t ldb, std::int64_t k,
                                   T* __restrict__ ratio, Weight weight) {
  for_each_warp_entry(row_ptr, rows, [&](std::int64_t p, std::int64_t e) {
    ratio[e] = weight(x[e], dot<T>(A + p, lda, B + static_cast<std::int64_t>(col_idx[e]), ldb, k));
  });
}

template <class T>
struct CrossProductTerm {
  __device__ double operator()(T x, double wh) const { return static_cast<double>(x) * wh; }
};
template <class T>
struct SparseKlTerm {
  // Σ wh of the full divergence is taken over all entries separately, as (1ᵀW)(H1).
  __device__ double operator()(T x, double wh) const {
    return kl_term_without_wh(static_cast<double>(x), wh);
  }
};

template <class T>
struct SparseBetaTerm {
  double beta;
  __device__ double operator()(T x, double wh) const {
    return beta_term_without_power(static_cast<double>(x), wh, beta);
  }
};

/// Σ term(x, wh) over the stored entries this thread takes (for_each_warp_entry), wh in double;
/// block b writes its sum to partials[b].
template <class T, class Index, class Term>
__global__ void csr_terms_kernel(const Index* __restrict__ row_ptr,
                                 const Index* __restrict__ col_idx, const T* __restrict__ x,
                                 std::int64_t rows, const T* __restrict__ A, std::int64_t lda,
                                 const T* __restrict__ B, std::int64_t ldb, std::int64_t k,
                                 double* __restrict__ partials, Term term) {
  double sum = 0.0;
  for_each_warp_entry(row_ptr, rows, [&](std::int64_t p, std::int64_t e) {
    sum += term(x[e], dot<double>(A + p, lda, B + static_cast<std::int64_t>(col_idx[e]), ldb, k));
  });
  sum = block_sum(sum);
  if (threadIdx.x == 0) partials[blockIdx.x] = sum;
}

/// Each thread converts the entries i ≡ thread index (mod grid size).
template <class T>
__global__ void convert_to_double_kernel(const T* __restrict__ in, double* __restrict__ out,
                                         std::int64_t count) {
  const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count;
       i += step) {
    out[i] = static_cast<double>(in[i]);
  }
}

template <class T, class Index, class Term>
void accumulate_terms(Term term, const Index* row_ptr, const Index* col_idx, const T* x,
                      std::int64_t rows, const T* A, std::int64_t lda, const T* B, std::int64_t ldb,
                      std::int64_t k, double* partials, double* accumulator, cudaStream_t stream) {
  const unsigned blocks = grid_blocks(rows * kWarpSize, kLossPartials);
  launch(csr_terms_kernel<T, Index, Term>, blocks, kBlockThreads, 0, stream, row_ptr, col_idx, x,
         rows, A, lda, B, ldb, k, partials, term);
  add_partials(partials, static_cast<int>(blocks), accumulator, stream);
}

}  // namespace

template <class T, class Index>
void csr_kl_ratio(const Index* row_ptr, const Index* col_idx, const T* x, std::int64_t rows,
                  const T* A, std::int64_t lda, const T* B, std::int64_t ldb, std::int64_t k,
                  T* ratio, cudaStream_t stream) {
  if (rows <= 0) return;
  launch(csr_weights_kernel<T, Index, KlRatioWeight<T>>, grid_blocks(rows * kWarpSize),
         kBlockThreads, 0, stream, row_ptr, col_idx, x, rows, A, lda, B, ldb, k, ratio,
         KlRatioWeight<T>{});
}

template <class T, class Index>
void csr_beta_numerator(const Index* row_ptr, const Index* col_idx, const T* x, std::int64_t rows,
                        const T* A, std::int64_t lda, const T* B, std::int64_t ldb, std::int64_t k,
                        T beta, T* weight, cudaStream_t stream) {
  if (rows <= 0) return;
  launch(csr_weights_kernel<T, Index, BetaNumeratorWeight<T>>, grid_blocks(rows * kWarpSize),
         kBlockThreads, 0, stream, row_ptr, col_idx, x, rows, A, lda, B, ldb, k, weight,
         BetaNumeratorWeight<T>{BetaWeights<T>(beta)});
}

template <class T, class Index>
void accumulate_csr_terms(SparseTerm term, const Index* row_ptr, const Index* col_idx, const T* x,
                          std::int64_t rows, const T* A, std::int64_t lda, const T* B,
                          std::int64_t ldb, std::int64_t k, double* partials, double* accumulator,
                          cudaStream_t stream, double beta) {
  if (rows <= 0) return;
  if (term == SparseTerm::CrossProduct) {
    accumulate_terms(CrossProductTerm<T>{}, row_ptr, col_idx, x, rows, A, lda, B, ldb, k, partials,
                     accumulator, stream);
  } else if (term == SparseTerm::Beta) {
    accumulate_terms(SparseBetaTerm<T>{beta}, row_ptr, col_idx, x, rows, A, lda, B, ldb, k,
                     partials, accumulator, stream);
  } else {
    accumulate_terms(SparseKlTerm<T>{}, row_ptr, col_idx, x, rows, A, lda, B, ldb, k, partials,
                     accumulator, stream);
  }
}

template <class T>
void convert_to_double(const T* in, double* out, std::int64_t count, cudaStream_t stream) {
  if (count <= 0) return;
  launch(convert_to_double_kernel<T>, grid_blocks(count), kBlockThreads, 0, stream, in, out, count);
}

#define CUNMF_INSTANTIATE_SPARSE_TERMS(T, Index)                                              \
  template void csr_kl_ratio<T, Index>(const Index*, const Index*, const T*, std::int64_t,    \
                                       const T*, std::int64_t, const T*, std::int64_t,        \
                                       std::int64_t, T*, cudaStream_t);                       \
  template void csr_beta_numerator<T, Index>(const Index*, const Index*, const T*, std::int64_t, \
                                             const T*, std::int64_t, const T*, std::int64_t,    \
                                             std::int64_t, T, T*, cudaStream_t);                \
  template void accumulate_csr_terms<T, Index>(                                               \
      SparseTerm, const Index*, const Index*, const T*, std::int64_t, const T*, std::int64_t, \
      const T*, std::int64_t, std::int64_t, double*, double*, cudaStream_t, double);
CUNMF_INSTANTIATE_SPARSE_TERMS(float, std::int32_t)
CUNMF_INSTANTIATE_SPARSE_TERMS(float, std::int64_t)
CUNMF_INSTANTIATE_SPARSE_TERMS(double, std::int32_t)
CUNMF_INSTANTIATE_SPARSE_TERMS(double, std::int64_t)
#undef CUNMF_INSTANTIATE_SPARSE_TERMS
template void convert_to_double<float>(const float*, double*, std::int64_t, cudaStream_t);
template void convert_to_double<double>(const double*, double*, std::int64_t, cudaStream_t);

}  // namespace cunmf::detail
