// Passes over a dense S (M × N, column-major) together with the product A·Bᵀ of the same shape,
// formed one cache-sized tile at a time and never whole: the dense KL numerator and the dense
// losses. Memory stays O(tile) per thread however large X is, and X is read once per pass, where
// forming A·Bᵀ whole wrote and read back as many bytes as X holds, twice (issue 17: the KL
// half-step moved five times X's bytes, and its buffer doubled the memory a run needs).
//
// The work is cut into blocks along one side of S (the rows, or the columns), taken one at a time
// by the OpenMP threads; inside a block, the tiles along the other side are visited in order by
// the thread that owns the block. So a block's rows of a result are written by one thread, sums
// over a block run in a fixed order, and the blocks do not depend on the number of threads:
// neither do the results.
#pragma once

#include "product.hpp"  // first: it configures Eigen

#include <algorithm>
#include <cstdint>
#include <vector>

namespace cunmf::cpu {

/// Entries of A·Bᵀ per tile: 32 Ki values (256 KiB in double) stay in a core's L2 cache beside
/// the slice of X they pair with.
inline constexpr Eigen::Index kTileEntries = Eigen::Index(1) << 15;

/// For every block of columns [j0, j0 + width) of S (in parallel) and, inside it, every block of
/// rows [i0, i0 + height) in order, calls visit(i0, height, j0, width, tile) with tile (height ×
/// width, column-major) = A.middleRows(i0, height) · B.middleRows(j0, width)ᵀ. A is M × k and B is
/// N × k.
template <class T, class Visit>
void for_each_tile_by_columns(const Panel<T>& A, const Panel<T>& B, Visit visit) {
  const Eigen::Index M = A.rows();
  const Eigen::Index N = B.rows();
  const Eigen::Index width = std::min(N, product_chunk(N));
  const Eigen::Index height = std::min(M, std::max<Eigen::Index>(1, kTileEntries / width));
  const Eigen::Index blocks = (N + width - 1) / width;
  const bool parallel = static_cast<double>(M) * static_cast<double>(N) > kMinParallelWork;
#pragma omp parallel if (parallel)
  {
    Matrix<T> tile(height, width);
#pragma omp for schedule(dynamic, 1)
    for (Eigen::Index block = 0; block < blocks; ++block) {
      const Eigen::Index j0 = block * width;
      const Eigen::Index w = std::min(width, N - j0);
      for (Eigen::Index i0 = 0; i0 < M; i0 += height) {
        const Eigen::Index h = std::min(height, M - i0);
        auto part = tile.topLeftCorner(h, w);
        part.noalias() = A.middleRows(i0, h) * B.middleRows(j0, w).transpose();
        visit(i0, h, j0, w, part);
      }
    }
  }
}

/// The same with the roles of the sides exchanged: for every block of rows [i0, i0 + height) (in
/// parallel) and, inside it, every block of columns [j0, j0 + width) in order.
template <class T, class Visit>
void for_each_tile_by_rows(const Panel<T>& A, const Panel<T>& B, Visit visit) {
  const Eigen::Index M = A.rows();
  const Eigen::Index N = B.rows();
  const Eigen::Index height = std::min(M, product_chunk(M));
  const Eigen::Index width = std::min(N, std::max<Eigen::Index>(1, kTileEntries / height));
  const Eigen::Index blocks = (M + height - 1) / height;
  const bool parallel = static_cast<double>(M) * static_cast<double>(N) > kMinParallelWork;
#pragma omp parallel if (parallel)
  {
    Matrix<T> tile(height, width);
#pragma omp for schedule(dynamic, 1)
    for (Eigen::Index block = 0; block < blocks; ++block) {
      const Eigen::Index i0 = block * height;
      const Eigen::Index h = std::min(height, M - i0);
      for (Eigen::Index j0 = 0; j0 < N; j0 += width) {
        const Eigen::Index w = std::min(width, N - j0);
        auto part = tile.topLeftCorner(h, w);
        part.noalias() = A.middleRows(i0, h) * B.middleRows(j0, w).transpose();
        visit(i0, h, j0, w, part);
      }
    }
  }
}

/// Σ over the entries of S of f(x, wh), in double, as Σ over the columns j of column_sum(x, wh,
/// count) over the parts of column j that the tiles hold (x into S, wh into A·Bᵀ). Each column
/// sums its parts in row order into its own slot, and the slots are added in column order.
template <class T, class ColumnSum>
double sum_over_product(ConstMatrixRef<T> S, const Panel<T>& A, const Panel<T>& B,
                        ColumnSum column_sum) {
  std::vector<double> column_sums(static_cast<std::size_t>(S.cols()), 0.0);
  for_each_tile_by_columns<T>(A, B, [&](Eigen::Index i0, Eigen::Index h, Eigen::Index j0,
                                        Eigen::Index w, const auto& wh) {
    for (Eigen::Index j = 0; j < w; ++j) {
      column_sums[static_cast<std::size_t>(j0 + j)] +=
          column_sum(S.col(j0 + j).data() + i0, wh.col(j).data(), h);
    }
  });
  double total = 0.0;
  for (const double s : column_sums) total += s;
  return total;
}

}  // namespace cunmf::cpu
