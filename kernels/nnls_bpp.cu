// The block principal pivoting kernel of nnls_bpp (Kim & Park, SIAM J. Sci. Comput. 2011): one
// thread per row of the factor, each doing its row's pivoting steps with the Cholesky
// factorization of its passive block in its own slice of a global work space.
#include <cmath>
#include <limits>

#include "bpp_rules.cuh"
#include "grid.cuh"
#include "launch.cuh"
#include "nnls_bpp.cuh"
#include "projected_solve.cuh"

namespace cunmf::detail {

namespace {

/// One row's block principal pivoting. G is the ridged Gram (k × k, column-major, shared by all
/// rows); n and f are the row's entries at strides n_stride and f_stride; the work space is the
/// row's slice of the interleaved scratch (entry e at e · stride): L (k × k, entry (a, b) at
/// a · k + b), x (k), z (k) in `work`, and marks (k: bit 0 passive, bit 1 infeasible) and the
/// passive list (k) in `index`. Each step solves (G)_PP z = n_P by Cholesky, sets x = z on P and 0
/// elsewhere, marks the infeasible entries (bpp_infeasible) and, unless none are or the steps are
/// spent, exchanges them (bpp_exchange_all). At the end f ← max(x, 0).
template <class T>
__device__ void bpp_row(const T* __restrict__ G, std::int64_t k, const T* __restrict__ n,
                        std::int64_t n_stride, T* __restrict__ f, std::int64_t f_stride,
                        T* __restrict__ work, int* __restrict__ index, std::int64_t stride) {
  T* L = work;
  T* x = work + k * k * stride;
  T* z = x + k * stride;
  int* marks = index;
  int* list = index + k * stride;
  for (std::int64_t r = 0; r < k; ++r) marks[r * stride] = f[r * f_stride] > T(0) ? 1 : 0;
  BppPivotState state = bpp_initial_state(k);
  const std::int64_t max_steps = bpp_max_steps(k);
  for (std::int64_t step = 0;; ++step) {
    std::int64_t q = 0;
    for (std::int64_t r = 0; r < k; ++r) {
      if (marks[r * stride] & 1) list[q++ * stride] = static_cast<int>(r);
    }
    // Cholesky G_PP = L Lᵀ, column by column (L(a, b) for a ≥ b).
    for (std::int64_t b = 0; b < q; ++b) {
      const std::int64_t sb = list[b * stride];
      T d = G[sb * (k + 1)];
      for (std::int64_t c = 0; c < b; ++c) d -= L[(b * k + c) * stride] * L[(b * k + c) * stride];
      if (!(d > T(0))) {  // G not finite: NaN, for the next loss check
        for (std::int64_t r = 0; r < k; ++r) f[r * f_stride] = std::numeric_limits<T>::quiet_NaN();
        return;
      }
      d = std::sqrt(d);
      L[(b * k + b) * stride] = d;
      for (std::int64_t a = b + 1; a < q; ++a) {
        T v = G[list[a * stride] + sb * k];
        for (std::int64_t c = 0; c < b; ++c) v -= L[(a * k + c) * stride] * L[(b * k + c) * stride];
        L[(a * k + b) * stride] = v / d;
      }
    }
    // L z = n_P, then Lᵀ z = z.
    for (std::int64_t a = 0; a < q; ++a) {
      T v = n[list[a * stride] * n_stride];
      for (std::int64_t c = 0; c < a; ++c) v -= L[(a * k + c) * stride] * z[c * stride];
      z[a * stride] = v / L[(a * k + a) * stride];
    }
    for (std::int64_t a = q - 1; a >= 0; --a) {
      T v = z[a * stride];
      for (std::int64_t c = a + 1; c < q; ++c) v -= L[(c * k + a) * stride] * z[c * stride];
      z[a * stride] = v / L[(a * k + a) * stride];
    }
    for (std::int64_t r = 0; r < k; ++r) x[r * stride] = T(0);
    for (std::int64_t a = 0; a < q; ++a) x[list[a * stride] * stride] = z[a * stride];
    // Mark the infeasible entries: y = G x − n over the passive terms, its rounding scale.
    std::int64_t infeasible = 0;
    for (std::int64_t r = 0; r < k; ++r) {
      const T nr = n[r * n_stride];
      T y = -nr;
      T scale = nr < T(0) ? -nr : nr;
      for (std::int64_t a = 0; a < q; ++a) {
        const std::int64_t s = list[a * stride];
        const T term = G[r + s * k] * x[s * stride];
        y += term;
        scale += term < T(0) ? -term : term;
      }
      const int mark = marks[r * stride];
      const bool bad = bpp_infeasible<T>((mark & 1) != 0, x[r * stride], y, scale, k);
      marks[r * stride] = (mark & 1) | (bad ? 2 : 0);
      infeasible += bad;
    }
    if (infeasible == 0 || step == max_steps) break;
    if (bpp_exchange_all(state, infeasible)) {
      for (std::int64_t r = 0; r < k; ++r) {
        const int mark = marks[r * stride];
        marks[r * stride] = (mark >> 1) ? (mark & 1) ^ 1 : mark;
      }
    } else {  // the backup rule: only the last infeasible entry
      std::int64_t r = k - 1;
      while (!(marks[r * stride] & 2)) --r;
      marks[r * stride] ^= 1;
      for (std::int64_t s = 0; s < k; ++s) marks[s * stride] &= 1;
    }
  }
  for (std::int64_t r = 0; r < k; ++r) f[r * f_stride] = nonnegative_part(x[r * stride]);
}

/// Each thread solves the rows first + t for t ≡ thread index (mod grid size), t < count, in the
/// slice t of the work space; neighbouring threads hold neighbouring rows, so every access to F,
/// N and the interleaved work space is coalesced across the warp (while their passive sets agree).
template <class T>
__global__ void nnls_bpp_kernel(const T* __restrict__ gram, const T* __restrict__ numerator,
                                T* __restrict__ factor, std::int64_t rows, std::int64_t first,
                                std::int64_t count, std::int64_t k, T* __restrict__ scratch,
                                int* __restrict__ index_scratch) {
  const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t t = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; t < count;
       t += step) {
    bpp_row(gram, k, numerator + first + t, rows, factor + first + t, rows, scratch + t,
            index_scratch + t, count);
  }
}

}  // namespace

template <class T>
void nnls_bpp_rows(const T* gram, const T* numerator, T* factor, std::int64_t rows,
                   std::int64_t first, std::int64_t count, std::int64_t k, T* scratch,
                   int* index_scratch, cudaStream_t stream) {
  if (count <= 0 || k <= 0) return;
  launch(nnls_bpp_kernel<T>, grid_blocks(count), kBlockThreads, 0, stream, gram, numerator, factor,
         rows, first, count, k, scratch, index_scratch);
}

#define CUNMF_INSTANTIATE_NNLS_BPP(T)                                                    \
  template void nnls_bpp_rows<T>(const T*, const T*, T*, std::int64_t, std::int64_t,   \
                                 std::int64_t, std::int64_t, T*, int*, cudaStream_t);
CUNMF_INSTANTIATE_NNLS_BPP(float)
CUNMF_INSTANTIATE_NNLS_BPP(double)
#undef CUNMF_INSTANTIATE_NNLS_BPP

}  // namespace cunmf::detail
