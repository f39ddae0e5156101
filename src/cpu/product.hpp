// Eigen types of the CPU path and its one matrix-product routine, parallel over the OpenMP threads.
// Include this before any other Eigen header: it turns Eigen's own GEMM threading off.
#pragma once

// The CPU path decides where threads are used (product_into and a few loops, each above a size
// threshold). Eigen's own GEMM would also start a thread team for products as small as 257 × 129
// × 5, and on a 2-core machine shared with other jobs every team start can wait a scheduler slice
// for the second core: the tests ran 100× slower. Every translation unit must see the same
// setting (the GEMM templates would otherwise differ between them), hence the check.
#ifndef EIGEN_DONT_PARALLELIZE
#ifdef EIGEN_CORE_H
#error "include cpu/product.hpp before any Eigen header"
#endif
#define EIGEN_DONT_PARALLELIZE
#endif

#include <Eigen/Core>
#include <algorithm>
#include <cstdint>

namespace cunmf::cpu {

/// A column-major dynamic matrix: the backend orientation (problem.hpp).
template <class T>
using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;

/// A factor panel of the CPU backend (W, m × k, or Hᵀ, n × k): row-major, so that the k-vector of
/// a row — what a stored entry of a CSR X multiplies — is contiguous.
template <class T>
using Panel = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// A read-only column-major matrix (owned or mapped) passed without copying.
template <class T>
using ConstMatrixRef = Eigen::Ref<const Matrix<T>>;

/// Work (multiply-adds, or entries of an element-wise pass) below which the CPU path stays on one
/// thread: starting a thread team costs microseconds, and far more when the machine is busy.
inline constexpr double kMinParallelWork = 1 << 18;

/// Rows or columns of a product computed as one task by product_into, at most.
inline constexpr Eigen::Index kProductChunk = 128;

/// The width of product_into's parts for a long side of `length`: kProductChunk, or narrower so
/// that there are at least 16 parts to share between the threads (784 columns in 128-wide parts
/// made 7, which two threads split 4 : 3), but not below 32, where the repacking of the other
/// operand for each part starts to cost more than the balance gains.
inline Eigen::Index product_chunk(Eigen::Index length) {
  return std::clamp<Eigen::Index>((length + 15) / 16, 32, kProductChunk);
}

/// Partial sums of lane_sum and lane_dot: one AVX-512 vector of doubles.
inline constexpr int kLanes = 8;

/// Σ term(i) for 0 ≤ i < count, in double, in an order the source fixes: kLanes interleaved
/// partial sums (entry i goes to lane i mod kLanes), added pairwise at the end. The compiler may
/// keep the lanes in one vector register but may not reorder the additions, so the result does
/// not depend on where the data lie in memory — a vectorized reduction (Eigen's sum(), an OpenMP
/// simd reduction) starts its vectors at the first aligned entry, so it adds a differently placed
/// copy of the same data in another order (tests/determinism_test.cpp).
template <class Term>
double lane_sum(Eigen::Index count, Term term) {
  double lanes[kLanes] = {};
  Eigen::Index i = 0;
  for (; i + kLanes <= count; i += kLanes) {
    for (int l = 0; l < kLanes; ++l) lanes[l] += term(i + l);
  }
  for (int l = 0; i + l < count; ++l) lanes[l] += term(i + l);
  return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) +
         ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
}

/// Σ a[r]·b[r] for 0 ≤ r < k in precision Acc, in lane_sum's fixed order: the per-entry dot
/// product of the sparse paths, vectorizable where a plain loop (a chain of dependent additions)
/// is not.
template <class Acc, class T>
Acc lane_dot(const T* a, const T* b, std::int64_t k) {
  Acc lanes[kLanes] = {};
  std::int64_t r = 0;
  for (; r + kLanes <= k; r += kLanes) {
    for (int l = 0; l < kLanes; ++l) lanes[l] += Acc(a[r + l]) * Acc(b[r + l]);
  }
  for (int l = 0; r + l < k; ++l) lanes[l] += Acc(a[r + l]) * Acc(b[r + l]);
  return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) +
         ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
}

/// dst ← lhs · rhs (dst already sized, not aliased with lhs or rhs). Small products are one
/// Eigen product. Larger ones cut the long side of dst (the columns of a wide k × N result, the
/// rows of a tall M × k one) into product_chunk-wide parts that the OpenMP threads take one at a
/// time, each computed by Eigen's single-threaded product. Why: for the skinny products of NMF
/// (k ≪ M, N), splitting the long side was measured faster than Eigen's own parallel GEMM, which
/// splits the short side and synchronizes inside the product; with chunks taken one at a time, a
/// thread that loses its core to another process delays one chunk rather than half the product;
/// and the chunks do not depend on the number of threads, so neither do the results (the factors
/// came out bit-identical with 1, 2, 3 and 5 threads).
template <class Dst, class Lhs, class Rhs>
void product_into(Dst&& dst, const Lhs& lhs, const Rhs& rhs) {
  const Eigen::Index rows = dst.rows();
  const Eigen::Index cols = dst.cols();
  const double work =
      static_cast<double>(rows) * static_cast<double>(cols) * static_cast<double>(lhs.cols());
  if (work <= kMinParallelWork) {
    dst.noalias() = lhs * rhs;
    return;
  }
  const bool split_columns = cols >= rows;
  const Eigen::Index length = split_columns ? cols : rows;
  const Eigen::Index part = product_chunk(length);
  const Eigen::Index chunks = (length + part - 1) / part;
#pragma omp parallel for schedule(dynamic, 1)
  for (Eigen::Index chunk = 0; chunk < chunks; ++chunk) {
    const Eigen::Index begin = chunk * part;
    const Eigen::Index width = std::min(part, length - begin);
    if (split_columns) {
      dst.middleCols(begin, width).noalias() = lhs * rhs.middleCols(begin, width);
    } else {
      dst.middleRows(begin, width).noalias() = lhs.middleRows(begin, width) * rhs;
    }
  }
}

}  // namespace cunmf::cpu
