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

/// Which side of S the parallel blocks of for_each_tile cut.
enum class BlocksOf { Columns, Rows };

/// For every block of columns (or rows) of S, in parallel, and inside it every block of rows (or
/// columns) in order, calls visit(i0, height, j0, width, tile) with tile (height × width,
/// column-major) = A.middleRows(i0, height) · B.middleRows(j0, width)ᵀ: the part of A·Bᵀ at rows
/// i0 … i0 + height − 1 and columns j0 … j0 + width − 1. A is M × k and B is N × k.
template <class T, class Visit>
void for_each_tile(const Panel<T>& A, const Panel<T>& B, BlocksOf blocks_of, Visit visit) {
  const bool of_columns = blocks_of == BlocksOf::Columns;
  const Eigen::Index outer_length = of_columns ? B.rows() : A.rows();
  const Eigen::Index inner_length = of_columns ? A.rows() : B.rows();
  const Eigen::Index outer = std::min(outer_length, product_chunk(outer_length));
  const Eigen::Index inner =
      std::min(inner_length, std::max<Eigen::Index>(1, kTileEntries / outer));
  const Eigen::Index blocks = (outer_length + outer - 1) / outer;
  const bool parallel =
      static_cast<double>(outer_length) * static_cast<double>(inner_length) > kMinParallelWork;
#pragma omp parallel if (parallel)
  {
    Matrix<T> tile(of_columns ? inner : outer, of_columns ? outer : inner);
#pragma omp for schedule(dynamic, 1)
    for (Eigen::Index block = 0; block < blocks; ++block) {
      const Eigen::Index o0 = block * outer;
      const Eigen::Index o = std::min(outer, outer_length - o0);
      for (Eigen::Index n0 = 0; n0 < inner_length; n0 += inner) {
        const Eigen::Index n = std::min(inner, inner_length - n0);
        const Eigen::Index i0 = of_columns ? n0 : o0, height = of_columns ? n : o;
        const Eigen::Index j0 = of_columns ? o0 : n0, width = of_columns ? o : n;
        auto part = tile.topLeftCorner(height, width);
        part.noalias() = A.middleRows(i0, height) * B.middleRows(j0, width).transpose();
        visit(i0, height, j0, width, part);
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
  for_each_tile<T>(A, B, BlocksOf::Columns, [&](Eigen::Index i0, Eigen::Index h, Eigen::Index j0,
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
