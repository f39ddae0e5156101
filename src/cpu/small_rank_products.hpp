// The two products of the dense fused MU pass (fused_half_step.cpp) at small rank, read in place:
// N = A_b · G and Pᵀ += F_bᵀ · A_b for a block A_b of h rows of A. Eigen's GEMM copies (packs) A_b
// for each of them, and at k ≈ 20 that copying took a third of a dense MU Frobenius iteration
// (bench/results/2026-12-07-cpu-2core-issue17): here four rows (or four columns) of A_b are read
// where they are, and their products with k-vectors are kept in registers, kSmallRankWidth values
// each (k padded with zeros).
#pragma once

#include <algorithm>

#include "../core/operand.hpp"
#include "product.hpp"

namespace cunmf::cpu {

/// The widest rank these products take: three packets of eight doubles (AVX-512), or six of four.
inline constexpr Eigen::Index kSmallRankWidth = 24;

/// A block of rows of A = op(S), S column-major: A(i, j) = data[i * row_step + j * col_step].
template <class T>
struct StridedRows {
  const T* data;
  Eigen::Index row_step, col_step;
  const T& operator()(Eigen::Index i, Eigen::Index j) const {
    return data[i * row_step + j * col_step];
  }
};

/// Row i0 onwards of A = op(S) for the column-major storage S: row i of A is column i of S when
/// transposed (contiguous), else row i of S (a strided run).
template <class T>
StridedRows<T> rows_of_operand(const detail::ColumnMajorStorage<T>& s, bool transposed,
                               Eigen::Index i0) {
  return transposed ? StridedRows<T>{s.data + i0 * s.rows, s.rows, 1}
                    : StridedRows<T>{s.data + i0, 1, s.rows};
}

/// Runs of blocks with partials of their own, for sums over blocks of rows (fused_half_step.cpp,
/// dense_primitives.cpp): up to this many threads share such a sum. Each run sums its blocks in
/// order into its partial, a thread at a time takes a run, and the partials are added in run
/// order (add_runs), so the sum does not depend on the number of threads.
inline constexpr Eigen::Index kRuns = 8;

/// Bytes the runs' partials may take whatever the size of the operand they sum over.
inline constexpr double kPartialsBudget = 32.0 * (1 << 20);

/// The first block of run r of `runs` over `blocks` blocks.
inline Eigen::Index first_block_of_run(Eigen::Index r, Eigen::Index blocks, Eigen::Index runs) {
  return r * blocks / runs;
}

/// out[e] ← Σ_r parts[r · size + e] for e < size, the runs' partials added in run order.
template <class T>
void add_runs(const T* parts, Eigen::Index runs, Eigen::Index size, T* out) {
  const Eigen::Index chunk = 4096;
  const Eigen::Index chunks = (size + chunk - 1) / chunk;
  const bool parallel = static_cast<double>(size * runs) > kMinParallelWork;
#pragma omp parallel for schedule(static) if (parallel)
  for (Eigen::Index c = 0; c < chunks; ++c) {
    const Eigen::Index begin = c * chunk;
    const Eigen::Index end = std::min(size, begin + chunk);
#pragma omp simd
    for (Eigen::Index e = begin; e < end; ++e) out[e] = parts[e];
    for (Eigen::Index r = 1; r < runs; ++r) {
      const T* part = parts + r * size;
#pragma omp simd
      for (Eigen::Index e = begin; e < end; ++e) out[e] += part[e];
    }
  }
}

/// A row-major panel's rows copied to kSmallRankWidth values each, zero beyond its k columns, so
/// that every row reads as one fixed-size vector.
template <class T>
void pad_rows(const T* panel, Eigen::Index rows, Eigen::Index k, Panel<T>& padded) {
  padded.setZero(rows, kSmallRankWidth);
  for (Eigen::Index i = 0; i < rows; ++i)
    for (Eigen::Index r = 0; r < k; ++r) padded(i, r) = panel[i * k + r];
}

/// n (h × k, row-major: a Panel or a block of rows of one) ← A_b · G, A_b = rows 0 … h − 1 of `a`
/// (cols columns), for G given padded (cols × kSmallRankWidth, pad_rows). Row i of n is
/// Σ_j A(i, j) · G_j in increasing j.
template <class T, class Out>
void rows_times_padded(const StridedRows<T>& a, Eigen::Index h, Eigen::Index cols,
                       const Panel<T>& g_padded, Eigen::Index k, Out&& n) {
  using Vector = Eigen::Array<T, kSmallRankWidth, 1>;
  Eigen::Index i = 0;
  for (; i + 4 <= h; i += 4) {
    Vector c0 = Vector::Zero(), c1 = Vector::Zero(), c2 = Vector::Zero(), c3 = Vector::Zero();
    for (Eigen::Index j = 0; j < cols; ++j) {
      const Vector g = Eigen::Map<const Vector>(g_padded.data() + j * kSmallRankWidth);
      c0 += a(i, j) * g;
      c1 += a(i + 1, j) * g;
      c2 += a(i + 2, j) * g;
      c3 += a(i + 3, j) * g;
    }
    n.row(i).head(k) = c0.head(k).matrix().transpose();
    n.row(i + 1).head(k) = c1.head(k).matrix().transpose();
    n.row(i + 2).head(k) = c2.head(k).matrix().transpose();
    n.row(i + 3).head(k) = c3.head(k).matrix().transpose();
  }
  for (; i < h; ++i) {
    Vector c = Vector::Zero();
    for (Eigen::Index j = 0; j < cols; ++j)
      c += a(i, j) * Eigen::Map<const Vector>(g_padded.data() + j * kSmallRankWidth);
    n.row(i).head(k) = c.head(k).matrix().transpose();
  }
}

/// How many columns ahead add_padded_times_rows asks for the block's rows, with `prefetch`: where
/// the block is not in cache yet (a product of its own; in the fused pass it is), its strided rows
/// come from memory without the hardware prefetchers' help (dense cd: 18.6 → 15.3 ms an
/// iteration).
inline constexpr Eigen::Index kPrefetchColumns = 32;

/// pt (k × cols, column-major: Pᵀ) += F_bᵀ · A_b, for the block's rows of F given padded (h rows
/// of kSmallRankWidth values from f_padded, pad_rows). Column j of pt gains Σ_i A(i, j) · F_i in
/// increasing i.
template <class T, class Part>
void add_padded_times_rows(const StridedRows<T>& a, Eigen::Index h, Eigen::Index cols,
                           const T* f_padded, Eigen::Index k, Part&& pt, bool prefetch = false) {
  using Vector = Eigen::Array<T, kSmallRankWidth, 1>;
  Eigen::Index j = 0;
  for (; j + 4 <= cols; j += 4) {
    Vector c0 = Vector::Zero(), c1 = Vector::Zero(), c2 = Vector::Zero(), c3 = Vector::Zero();
    const bool ahead = prefetch && j + kPrefetchColumns < cols;
    for (Eigen::Index i = 0; i < h; ++i) {
      if (ahead) __builtin_prefetch(&a(i, j + kPrefetchColumns));
      const Vector f = Eigen::Map<const Vector>(f_padded + i * kSmallRankWidth);
      c0 += a(i, j) * f;
      c1 += a(i, j + 1) * f;
      c2 += a(i, j + 2) * f;
      c3 += a(i, j + 3) * f;
    }
    pt.col(j) += c0.head(k).matrix();
    pt.col(j + 1) += c1.head(k).matrix();
    pt.col(j + 2) += c2.head(k).matrix();
    pt.col(j + 3) += c3.head(k).matrix();
  }
  for (; j < cols; ++j) {
    Vector c = Vector::Zero();
    for (Eigen::Index i = 0; i < h; ++i)
      c += a(i, j) * Eigen::Map<const Vector>(f_padded + i * kSmallRankWidth);
    pt.col(j) += c.head(k).matrix();
  }
}

}  // namespace cunmf::cpu
