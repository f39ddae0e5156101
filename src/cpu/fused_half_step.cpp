// The CPU backend's Frobenius MU half-step in one pass over A (core/primitives.hpp,
// mu_frobenius_step). F's update is row by row once N = A·G is known for the row, so the pass
// takes A a block of rows at a time: the block's rows of N, of D = F·S and of the updated F are
// formed while they are in cache, and the same block of A, still in cache, adds its share of
// Q = Fᵀ F and, for a dense A, of P = Aᵀ F (from the updated rows). Unfused, an iteration read a
// dense X twice (once per half-step) and sent N and D through memory; measured in
// bench/README.md. For a CSR A, P is a second walk over A's entries by slices of its columns
// (scatter_transposed_product), which measured faster than its share in the pass.
//
// P and Q are sums over all of A's rows. So that they do not depend on the number of threads, the
// blocks are split into kRuns fixed runs of consecutive blocks; each run sums its blocks in
// order into a partial of its own, a thread at a time takes a run, and the partials are added in
// run order at the end.
#include "backend.hpp"

#include <omp.h>

#include <algorithm>
#include <cstddef>
#include <type_traits>
#include <utility>
#include <vector>

#include "../../kernels/elementwise.cuh"
#include "row_products.hpp"
#include "small_rank_products.hpp"

namespace cunmf::cpu {

namespace {

/// Rows of A per block: a 64 × 784 block of a double X (400 KiB) stays in a core's L2 cache
/// between its two products.
constexpr Eigen::Index kBlockRows = 64;

/// The block's rows of F, rows i0 … i0 + h − 1 of the row-major F, as small_rank_products.hpp
/// reads them.
template <class T>
StridedRows<T> rows_of(const Panel<T>& F, Eigen::Index i0) {
  return {F.data() + i0 * F.cols(), F.cols(), 1};
}

/// F's rows i0 … i0 + h − 1 (contiguous: F is row-major) ← the MU Frobenius rule given their rows
/// of N (h × k, row-major) and S = GᵀG, given padded (pad_rows) when k ≤ kSmallRankWidth and
/// empty otherwise; `d` is a thread's h × k scratch.
template <class T>
void update_rows(Panel<T>& F, Eigen::Index i0, Eigen::Index h, const Panel<T>& n, const Panel<T>& S,
                 const Panel<T>& s_padded, Panel<T>& d, detail::Penalty<T> penalty, T floor) {
  auto f = F.middleRows(i0, h);
  if (s_padded.size() > 0) {
    rows_times_padded(rows_of(F, i0), h, F.cols(), s_padded, F.cols(), d);
  } else {
    d.topRows(h).noalias() = f * S;
  }
  T* fv = f.data();
  const T* nv = n.data();
  const T* dv = d.data();
  const Eigen::Index count = h * F.cols();
#pragma omp simd
  for (Eigen::Index e = 0; e < count; ++e) {
    fv[e] = detail::mu_step(fv[e], nv[e], dv[e], penalty, floor, T(1));
  }
}

/// P ← Σ_g part g, Q ← Σ_g q part g, in run order; the parts of P are `length` rows of `width`
/// contiguous values each (P's storage), side by side in `parts`; Q's parts in `q_parts`.
template <class T>
void add_parts(const T* parts, Eigen::Index groups, Eigen::Index length, Eigen::Index width, T* P,
               const cpu::Matrix<T>& q_parts, Panel<T>& Q) {
  add_runs(parts, groups, length * width, P);
  const Eigen::Index k = Q.cols();
  Q = q_parts.leftCols(k);
  for (Eigen::Index g = 1; g < groups; ++g) Q += q_parts.middleCols(g * k, k);
}

/// The pass both operand kinds share, over `rows` rows of A with `cols` columns: for every block,
/// block_product(i0, h, n) forms the block's rows of N = A·G in n (h × k), the rows of F are
/// updated, and add_share(i0, h, pt, f_padded) adds the block's share of Aᵀ F (from the updated
/// rows) to the run's partial pt (k × cols, column-major: Pᵀ, P's own storage); Fᵀ F by blocks
/// likewise. With add_share = nullptr the pass leaves P to the caller and keeps no partials of it.
/// At k ≤ kSmallRankWidth the block's k × k products (F_b S and F_bᵀ F_b) read F_b in place as well
/// (small_rank_products.hpp: Eigen's GEMM packed S and F_b for every 64-row block), and f_padded
/// holds the block's updated rows padded; otherwise it is empty.
template <class T, class BlockProduct, class AddShare>
void fused_pass(Eigen::Index rows, Eigen::Index cols, Panel<T>& F, const Panel<T>& S,
                detail::Penalty<T> penalty, T floor, bool parallel, cpu::Matrix<T>& parts,
                cpu::Matrix<T>& q_parts, Panel<T>& P, Panel<T>& Q, BlockProduct block_product,
                AddShare add_share) {
  const Eigen::Index k = F.cols();
  const Eigen::Index blocks = (rows + kBlockRows - 1) / kBlockRows;
  const Eigen::Index groups = std::max<Eigen::Index>(1, std::min(blocks, kRuns));
  constexpr bool shares = !std::is_same_v<AddShare, std::nullptr_t>;
  if (shares) parts.resize(k, cols * groups);
  q_parts.resize(k, k * groups);
  const bool small_rank = k <= kSmallRankWidth;
  Panel<T> s_padded;
  if (small_rank) pad_rows(S.data(), k, k, s_padded);
#pragma omp parallel if (parallel)
  {
    Panel<T> n(kBlockRows, k), d(kBlockRows, k), f_padded;
#pragma omp for schedule(dynamic, 1)
    for (Eigen::Index g = 0; g < groups; ++g) {
      auto pt = parts.middleCols(g * cols, cols);
      auto q = q_parts.middleCols(g * k, k);
      if (shares) pt.setZero();
      q.setZero();
      for (Eigen::Index b = first_block_of_run(g, blocks, groups);
           b < first_block_of_run(g + 1, blocks, groups); ++b) {
        const Eigen::Index i0 = b * kBlockRows;
        const Eigen::Index h = std::min(kBlockRows, rows - i0);
        block_product(i0, h, n);
        update_rows(F, i0, h, n, S, s_padded, d, penalty, floor);
        if (small_rank) pad_rows(F.data() + i0 * k, h, k, f_padded);
        if constexpr (shares) add_share(i0, h, pt, std::as_const(f_padded));
        if (small_rank) {
          add_padded_times_rows(rows_of(F, i0), h, k, f_padded.data(), k, q);
        } else {
          q.noalias() += F.middleRows(i0, h).transpose() * F.middleRows(i0, h);
        }
      }
    }
  }
  add_parts(parts.data(), groups, shares ? cols : 0, k, P.data(), q_parts, Q);
}

/// P (A.cols × k, row-major) ← Aᵀ F for a CSR A, by scattering each stored entry's multiple of
/// its row of F into P's row for its column. A's columns are cut into one slice per thread with
/// about equal numbers of entries (column_starts: Aᵀ's CSR row starts); a thread walks all of A's
/// rows but takes only the entries of its slice, so its rows of P (half of P on two threads) stay
/// in its own cache, and no partials are zeroed and added. Each row of P is summed by one thread
/// in the order of A's rows, so the result does not depend on the threads. Measured on 60000 ×
/// 10417 (1.2M entries, k = 20; bench/results/2026-12-07-cpu-2core-sparse-slices): against
/// per-run partials of P scattered within the fused pass, and against a gather over Aᵀ's CSR
/// (rows of F from all over F), both slower.
template <class T, class Index>
void scatter_transposed_product(const detail::CsrArrays<T, Index>& a, const Index* column_starts,
                                const Panel<T>& F, Panel<T>& P, bool parallel) {
  const Eigen::Index k = F.cols();
  const int slices = parallel ? std::max(1, omp_get_max_threads()) : 1;
  std::vector<Index> bounds(static_cast<std::size_t>(slices) + 1);
  for (int t = 0; t < slices; ++t) {
    const std::int64_t entries_before = a.nnz * t / slices;
    bounds[t] = static_cast<Index>(
        std::lower_bound(column_starts, column_starts + a.cols, entries_before) - column_starts);
  }
  bounds[slices] = static_cast<Index>(a.cols);
#pragma omp parallel for schedule(static, 1) num_threads(slices) if (parallel)
  for (int t = 0; t < slices; ++t) {
    const Index first = bounds[t], last = bounds[t + 1];
    std::fill(P.data() + first * k, P.data() + last * k, T(0));
    if (first == last) continue;
    for (Eigen::Index i = 0; i < a.rows; ++i) {
      const Index* const row_end = a.col_idx + a.row_ptr[i + 1];
      const Index* c = std::lower_bound(a.col_idx + a.row_ptr[i], row_end, first);
      const T* f = F.data() + i * k;
      for (; c != row_end && *c < last; ++c) {
        T* p = P.data() + static_cast<Eigen::Index>(*c) * k;
        const T v = a.values[c - a.col_idx];
#pragma omp simd
        for (Eigen::Index r = 0; r < k; ++r) p[r] += v * f[r];
      }
    }
  }
}

}  // namespace

template <class T>
void Backend<T>::dense_mu_frobenius_step(const detail::ColumnMajorStorage<T>& s, bool transposed,
                                         const Matrix& G, const Matrix& S, Matrix& F,
                                         detail::Penalty<T> penalty, T floor, Matrix& P,
                                         Matrix& Q) {
  // A = op(S): row i of A is row i of S (a strided run) or column i of S (contiguous) when
  // transposed. The parts of P are kept as k × cols column-major (Pᵀ), P's own storage.
  const Eigen::Map<const cpu::Matrix<T>> storage(s.data, s.rows, s.cols);
  const Eigen::Index rows = transposed ? s.cols : s.rows;
  const Eigen::Index cols = transposed ? s.rows : s.cols;
  const Eigen::Index k = F.cols();
  const bool parallel =
      static_cast<double>(rows) * static_cast<double>(cols) * static_cast<double>(k) >
      kMinParallelWork;
  if (k <= kSmallRankWidth) {
    // The block of A read where it is (small_rank_products.hpp).
    Panel<T> g_padded;
    pad_rows(G.data(), cols, k, g_padded);
    const auto block = [&](Eigen::Index i0) { return rows_of_operand(s, transposed, i0); };
    fused_pass(
        rows, cols, F, S, penalty, floor, parallel, fused_parts_, fused_q_parts_, P, Q,
        [&](Eigen::Index i0, Eigen::Index h, Panel<T>& n) {
          rows_times_padded(block(i0), h, cols, g_padded, k, n);
        },
        [&](Eigen::Index i0, Eigen::Index h, auto& pt, const Panel<T>& f_padded) {
          add_padded_times_rows(block(i0), h, cols, f_padded.data(), k, pt);
        });
    return;
  }
  if (transposed) {
    fused_pass(
        rows, cols, F, S, penalty, floor, parallel, fused_parts_, fused_q_parts_, P, Q,
        [&](Eigen::Index i0, Eigen::Index h, Panel<T>& n) {
          // the block's rows are h columns of S
          n.topRows(h).noalias() = storage.middleCols(i0, h).transpose() * G;
        },
        [&](Eigen::Index i0, Eigen::Index h, auto& pt, const Panel<T>&) {
          pt.transpose().noalias() += storage.middleCols(i0, h) * F.middleRows(i0, h);
        });
  } else {
    fused_pass(
        rows, cols, F, S, penalty, floor, parallel, fused_parts_, fused_q_parts_, P, Q,
        [&](Eigen::Index i0, Eigen::Index h, Panel<T>& n) {
          n.topRows(h).noalias() = storage.middleRows(i0, h) * G;
        },
        [&](Eigen::Index i0, Eigen::Index h, auto& pt, const Panel<T>&) {
          pt.noalias() += F.middleRows(i0, h).transpose() * storage.middleRows(i0, h);
        });
  }
}

template <class T>
template <class Index>
void Backend<T>::sparse_mu_frobenius_step(const detail::CsrArrays<T, Index>& a,
                                          const Index* column_starts, const Matrix& G,
                                          const Matrix& S, Matrix& F, detail::Penalty<T> penalty,
                                          T floor, Matrix& P, Matrix& Q) {
  const Eigen::Index k = F.cols();
  const bool parallel = static_cast<double>(a.nnz) * static_cast<double>(k) > kMinParallelWork;
  fused_pass(
      a.rows, a.cols, F, S, penalty, floor, parallel, fused_parts_, fused_q_parts_, P, Q,
      [&](Eigen::Index i0, Eigen::Index h, Panel<T>& n) {
        for (Eigen::Index i = 0; i < h; ++i) {
          add_row_products(n.row(i).data(), k, G.data(), a.col_idx, a.row_ptr[i0 + i],
                           a.row_ptr[i0 + i + 1], false,
                           [&a](std::int64_t e, const T*) { return a.values[e]; });
        }
      },
      nullptr);
  scatter_transposed_product(a, column_starts, F, P, parallel);
}

template <class T>
template <class Index>
void Backend<T>::mu_frobenius_step(const detail::Operand<T, Index>& A, const Matrix& G,
                                   const Matrix& S, Matrix& F, detail::Penalty<T> penalty, T floor,
                                   Matrix& N, Matrix& D, Matrix& P, Matrix& Q) {
  if (A.is_sparse()) {
    // Aᵀ's CSR row starts count A's entries by column (scatter_transposed_product).
    sparse_mu_frobenius_step(A.csr(), A.transposed().csr().row_ptr, G, S, F, penalty, floor, P, Q);
    return;
  }
  // The runs' partials of P take kRuns · A.cols · k values. Where that is more than half of A's
  // own bytes and more than kPartialsBudget (a wide A with a small rank: few rows per column), the
  // pass would grow a run's memory beyond what the data justify; the rule, whose products are
  // parallel without partials, takes that case.
  const double partials = double(kRuns) * double(A.cols()) * double(F.cols()) * sizeof(T);
  const double data = double(A.rows()) * double(A.cols()) * sizeof(T);
  if (partials > std::max(data / 2, kPartialsBudget)) {
    detail::OperandDispatch<Backend<T>, T>::mu_frobenius_step(A, G, S, F, penalty, floor, N, D, P,
                                                              Q);
    return;
  }
  dense_mu_frobenius_step(A.storage(), A.reads_transposed(), G, S, F, penalty, floor, P, Q);
}

#define CUNMF_INSTANTIATE_CPU_FUSED_HALF_STEP(T, Index)                                            \
  template void Backend<T>::mu_frobenius_step<Index>(                                              \
      const detail::Operand<T, Index>&, const Matrix&, const Matrix&, Matrix&, detail::Penalty<T>, \
      T, Matrix&, Matrix&, Matrix&, Matrix&);
CUNMF_INSTANTIATE_CPU_FUSED_HALF_STEP(float, std::int32_t)
CUNMF_INSTANTIATE_CPU_FUSED_HALF_STEP(float, std::int64_t)
CUNMF_INSTANTIATE_CPU_FUSED_HALF_STEP(double, std::int32_t)
CUNMF_INSTANTIATE_CPU_FUSED_HALF_STEP(double, std::int64_t)
#undef CUNMF_INSTANTIATE_CPU_FUSED_HALF_STEP

}  // namespace cunmf::cpu
