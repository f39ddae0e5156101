// The two products of the dense fused MU pass (fused_half_step.cpp) at small rank, read in place:
// N = A_b · G and Pᵀ += F_bᵀ · A_b for a block A_b of h rows of A. Eigen's GEMM copies (packs) A_b
// for each of them, and at k ≈ 20 that copying took a third of a dense MU Frobenius iteration
// (bench/results/2026-12-07-cpu-2core-issue17): here four rows (or four columns) of A_b are read
// where they are, and their products with k-vectors are kept in registers, kSmallRankWidth values
// each (k padded with zeros).
#pragma once

#include "product.hpp"

namespace cunmf::cpu {

/// The widest rank these products take: three packets of eight doubles (AVX-512), or six of four.
inline constexpr Eigen::Index kSmallRankWidth = 24;

/// A block of rows of A = op(S), S column-major: A(i, j) = data[i * row_step + j * col_step].
template <class T>
struct StridedRows {
  const T* data;
  Eigen::Index row_step, col_step;
  T operator()(Eigen::Index i, Eigen::Index j) const { return data[i * row_step + j * col_step]; }
};

/// A row-major panel's rows copied to kSmallRankWidth values each, zero beyond its k columns, so
/// that every row reads as one fixed-size vector.
template <class T>
void pad_rows(const T* panel, Eigen::Index rows, Eigen::Index k, Panel<T>& padded) {
  padded.setZero(rows, kSmallRankWidth);
  for (Eigen::Index i = 0; i < rows; ++i)
    for (Eigen::Index r = 0; r < k; ++r) padded(i, r) = panel[i * k + r];
}

/// n (h × k, row-major) ← A_b · G, A_b = rows 0 … h − 1 of `a` (cols columns), for G given padded
/// (cols × kSmallRankWidth, pad_rows). Row i of n is Σ_j A(i, j) · G_j in increasing j.
template <class T>
void rows_times_padded(const StridedRows<T>& a, Eigen::Index h, Eigen::Index cols,
                       const Panel<T>& g_padded, Eigen::Index k, Panel<T>& n) {
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

/// pt (k × cols, column-major: Pᵀ) += F_bᵀ · A_b, for the block's rows of F given padded (h ×
/// kSmallRankWidth, pad_rows). Column j of pt gains Σ_i A(i, j) · F_i in increasing i.
template <class T, class Part>
void add_padded_times_rows(const StridedRows<T>& a, Eigen::Index h, Eigen::Index cols,
                           const Panel<T>& f_padded, Eigen::Index k, Part& pt) {
  using Vector = Eigen::Array<T, kSmallRankWidth, 1>;
  Eigen::Index j = 0;
  for (; j + 4 <= cols; j += 4) {
    Vector c0 = Vector::Zero(), c1 = Vector::Zero(), c2 = Vector::Zero(), c3 = Vector::Zero();
    for (Eigen::Index i = 0; i < h; ++i) {
      const Vector f = Eigen::Map<const Vector>(f_padded.data() + i * kSmallRankWidth);
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
      c += a(i, j) * Eigen::Map<const Vector>(f_padded.data() + i * kSmallRankWidth);
    pt.col(j) += c.head(k).matrix();
  }
}

}  // namespace cunmf::cpu
