// The CPU backend's primitives for a dense operand: Eigen products on the column-major storage S
// of X, read as S or as Sᵀ without a copy (core/operand.hpp), and the KL coordinate-descent sweep
// over it.
#include "backend.hpp"

#include <algorithm>
#include <vector>

#include "../../kernels/elementwise.cuh"
#include "fixed_powers.hpp"
#include "product_tiles.hpp"
#include "residual.hpp"
#include "small_rank_products.hpp"

namespace cunmf::cpu {

namespace {

/// ratio[i] ← x[i] / max(ratio[i], ε) for i < count, where `ratio` holds W·H on entry: one
/// column (or part of one) of a tile, vectorized; each entry on its own, so in any order.
template <class T>
void divide_into(const T* x, T* ratio, Eigen::Index count) {
#pragma omp simd
  for (Eigen::Index i = 0; i < count; ++i) ratio[i] = detail::kl_ratio(x[i], ratio[i]);
}

/// Rows of out per task of small_rank_transposed_product: 784 rows (Xᵀ of a Fashion-MNIST-sized
/// X) still make 25 tasks for the threads.
constexpr Eigen::Index kSmallRankBlockRows = 32;

/// out ← Sᵀ · F for k ≤ kSmallRankWidth, S read where it is: four rows of Sᵀ (columns of S,
/// contiguous) against the padded rows of F held in registers (small_rank_products.hpp). Eigen's
/// GEMM packs S for every product, which at k ≈ 20 costs as much as the arithmetic (perf, dense
/// cd: 49 % of its iteration in packing). Each task owns kSmallRankBlockRows rows of out, each
/// summed in column order, so the result does not depend on the threads. F (k columns) is given
/// padded (pad_rows).
template <class T>
void small_rank_transposed_product(const detail::ColumnMajorStorage<T>& s, const Panel<T>& f_padded,
                                   Eigen::Index k, Panel<T>& out) {
  const Eigen::Index rows = s.cols;
  const Eigen::Index cols = s.rows;
  const Eigen::Index blocks = (rows + kSmallRankBlockRows - 1) / kSmallRankBlockRows;
#pragma omp parallel for schedule(dynamic, 1)
  for (Eigen::Index b = 0; b < blocks; ++b) {
    const Eigen::Index i0 = b * kSmallRankBlockRows;
    const Eigen::Index h = std::min(kSmallRankBlockRows, rows - i0);
    rows_times_padded(rows_of_operand(s, true, i0), h, cols, f_padded, k, out.middleRows(i0, h));
  }
}

/// out ← S · F for k ≤ kSmallRankWidth: S·F = Σ_j S_j F_j over S's columns (X's rows when S = Xᵀ),
/// taken kBlockCols contiguous columns at a time, each block adding its share to the run's
/// partial (add_padded_times_rows, four rows of out at a time in registers; kRuns runs, added in
/// order: the result does not depend on the threads). Reading four strided rows of S down the
/// whole of S instead (rows_times_padded) touched each cache line of S twice, far apart: 26
/// against Eigen's 19.6 ms a dense cd iteration. F (k columns) is given padded (pad_rows); `parts`
/// is work space.
template <class T>
void small_rank_product(const detail::ColumnMajorStorage<T>& s, const Panel<T>& f_padded,
                        Eigen::Index k, Panel<T>& out, cpu::Matrix<T>& parts) {
  constexpr Eigen::Index kBlockCols = 64;
  const Eigen::Index rows = s.rows;
  const Eigen::Index cols = s.cols;
  const Eigen::Index blocks = (cols + kBlockCols - 1) / kBlockCols;
  const Eigen::Index runs = std::max<Eigen::Index>(1, std::min(blocks, kRuns));
  parts.resize(k, rows * runs);  // run r's partial: the k × rows outᵀ, out's own storage
#pragma omp parallel for schedule(dynamic, 1)
  for (Eigen::Index r = 0; r < runs; ++r) {
    auto part = parts.middleCols(r * rows, rows);
    part.setZero();
    for (Eigen::Index b = first_block_of_run(r, blocks, runs);
         b < first_block_of_run(r + 1, blocks, runs); ++b) {
      const Eigen::Index j0 = b * kBlockCols;
      const Eigen::Index h = std::min(kBlockCols, cols - j0);
      // Columns j0 … j0 + h − 1 of S are rows of Sᵀ, each contiguous.
      add_padded_times_rows(StridedRows<T>{s.data + j0 * s.rows, s.rows, 1}, h, rows,
                            f_padded.data() + j0 * kSmallRankWidth, k, part, true);
    }
  }
  add_runs(parts.data(), runs, rows * k, out.data());
}

}  // namespace

template <class T>
void Backend<T>::dense_product(const detail::ColumnMajorStorage<T>& s, bool transposed,
                               const Matrix& F, Matrix& out) {
  // Small products stay one Eigen product, as in product_into (product.hpp): there packing costs
  // little, and the float solvers' tolerances on tiny ill-conditioned cases (projected ALS at
  // k = min(m, n), tests/als_suite.hpp) were measured with its order of the sums.
  const Eigen::Index k = F.cols();
  const double work = double(s.rows) * double(s.cols) * double(k);
  // For S·F the runs' partials take kRuns · rows · k values: where that outweighs S (few columns
  // for its rows), Eigen's product, which needs none, takes it (as in fused_half_step.cpp).
  const double partials = double(kRuns) * double(s.rows) * double(k) * sizeof(T);
  const double data = double(s.rows) * double(s.cols) * sizeof(T);
  if (k <= kSmallRankWidth && work > kMinParallelWork &&
      (transposed || partials <= std::max(data / 2, kPartialsBudget))) {
    Panel<T> f_padded;
    pad_rows(F.data(), F.rows(), k, f_padded);
    if (transposed) {
      small_rank_transposed_product(s, f_padded, k, out);
    } else {
      small_rank_product(s, f_padded, k, out, product_work_);
    }
    return;
  }
  // Both forms keep S a column-major operand that Eigen packs in contiguous runs (a row-major
  // view of the large matrix packs several times slower; measured on 10000 × 784, k = 20).
  const Eigen::Map<const cpu::Matrix<T>> S(s.data, s.rows, s.cols);
  if (transposed) {
    // out = Sᵀ F: the row-major out is, in memory, the column-major k × rows matrix Fᵀ S.
    Eigen::Map<cpu::Matrix<T>> out_t(out.data(), out.cols(), out.rows());
    product_into(out_t, F.transpose(), S);
  } else {
    product_work_.resize(out.rows(), out.cols());
    product_into(product_work_, S, F);
    out = product_work_;
  }
}

namespace {

/// out ← (op(S) ⊙ ψ(W Fᵀ)) · F, one tile of W Fᵀ at a time (product_tiles.hpp): a tile becomes
/// ψ of itself in place, weigh(x, tile column, count), while it is in cache, and is multiplied into
/// the rows of out that its block owns. No m × n buffer, and X is read once. With `second`, a copy
/// of each tile first becomes ψ₂ of itself, weigh_second(tile column, count), and second ←
/// ψ₂(W Fᵀ) · F from the same tiles (the β-divergence's denominator beside its numerator: W Fᵀ
/// formed once for both).
template <class T, class Weigh, class WeighSecond>
void weighted_products(const detail::ColumnMajorStorage<T>& s, bool transposed, const Panel<T>& W,
                       const Panel<T>& F, Panel<T>& out, Weigh weigh, Panel<T>* second,
                       WeighSecond weigh_second) {
  const Eigen::Map<const cpu::Matrix<T>> S(s.data, s.rows, s.cols);
  // The tile is of W Fᵀ by blocks of S's rows (A = S), or of F Wᵀ, the transpose, by blocks of
  // S's columns (A = Sᵀ); either way the block's rows of the result are the tile's share.
  const auto add = [&](Panel<T>& target, const auto& tile, Eigen::Index i0, Eigen::Index h,
                       Eigen::Index j0, Eigen::Index w) {
    if (transposed) {
      auto rows = target.middleRows(j0, w);
      if (i0 == 0) {
        rows.noalias() = tile.transpose() * F.middleRows(i0, h);
      } else {
        rows.noalias() += tile.transpose() * F.middleRows(i0, h);
      }
    } else {
      auto rows = target.middleRows(i0, h);
      if (j0 == 0) {
        rows.noalias() = tile * F.middleRows(j0, w);
      } else {
        rows.noalias() += tile * F.middleRows(j0, w);
      }
    }
  };
  const auto visit = [&](Eigen::Index i0, Eigen::Index h, Eigen::Index j0, Eigen::Index w,
                         auto& r) {
    if (second != nullptr) {
      thread_local cpu::Matrix<T> copy;  // one per thread, kept: the iterations do not allocate
      copy = r;
      for (Eigen::Index j = 0; j < w; ++j) weigh_second(copy.col(j).data(), h);
      add(*second, copy, i0, h, j0, w);
    }
    for (Eigen::Index j = 0; j < w; ++j) weigh(S.col(j0 + j).data() + i0, r.col(j).data(), h);
    add(out, r, i0, h, j0, w);
  };
  if (transposed) {
    for_each_tile<T>(F, W, BlocksOf::Columns, visit);
  } else {
    for_each_tile<T>(W, F, BlocksOf::Rows, visit);
  }
}

/// weighted_products with one product.
template <class T, class Weigh>
void weighted_product(const detail::ColumnMajorStorage<T>& s, bool transposed, const Panel<T>& W,
                      const Panel<T>& F, Panel<T>& out, Weigh weigh) {
  weighted_products<T>(s, transposed, W, F, out, weigh, nullptr, [](T*, Eigen::Index) {});
}

}  // namespace

template <class T>
void Backend<T>::dense_ratio_product(const detail::ColumnMajorStorage<T>& s, bool transposed,
                                     const Matrix& W, const Matrix& F, Matrix& out) {
  weighted_product<T>(s, transposed, W, F, out, divide_into<T>);
}

template <class T>
void Backend<T>::dense_beta_terms(const detail::ColumnMajorStorage<T>& s, bool transposed,
                                  const Matrix& W, const Matrix& F, T beta, Matrix& numerator,
                                  Matrix& denominator) {
  const detail::BetaWeights<T> weights(beta);
  weighted_products<T>(
      s, transposed, W, F, numerator,
      [weights](const T* x, T* r, Eigen::Index count) { numerator_weights(weights, x, r, count); },
      &denominator,
      [weights](T* r, Eigen::Index count) { denominator_weights(weights, r, count); });
}

template <class T>
void Backend<T>::beta_denominator(const Matrix& W, const Matrix& F, T beta, Matrix& out) const {
  // out ← ψ'(W Fᵀ) · F by blocks of W's rows, as weighted_product without X.
  const detail::BetaWeights<T> weights(beta);
  for_each_tile<T>(W, F, BlocksOf::Rows,
                   [&](Eigen::Index i0, Eigen::Index h, Eigen::Index j0, Eigen::Index w, auto& r) {
                     for (Eigen::Index j = 0; j < w; ++j) {
                       denominator_weights(weights, r.col(j).data(), h);
                     }
                     auto rows = out.middleRows(i0, h);
                     if (j0 == 0) {
                       rows.noalias() = r * F.middleRows(j0, w);
                     } else {
                       rows.noalias() += r * F.middleRows(j0, w);
                     }
                   });
}

template <class T>
double Backend<T>::dense_loss(detail::Divergence loss, const detail::ColumnMajorStorage<T>& s,
                              const Matrix& A, const Matrix& B) const {
  const Eigen::Map<const cpu::Matrix<T>> S(s.data, s.rows, s.cols);
  if (loss.kind == Loss::Frobenius) return 0.5 * squared_residual<T>(S, A, B);
  if (loss.kind == Loss::KullbackLeibler) return kl_divergence<T>(S, A, B);
  return beta_divergence<T>(S, A, B, loss.beta);
}

template <class T>
void Backend<T>::dense_kl_cd_update(const detail::ColumnMajorStorage<T>& s, bool transposed,
                                    Matrix& F, const Matrix& G, const Matrix& sums,
                                    detail::Penalty<T> penalty) const {
  // A = op(S): row i of A is column i of S (contiguous) when A = Sᵀ, row i of S (stride s.rows)
  // when A = S. Rows are independent: groups of kKlCdLanes rows are copied into lane-major tiles
  // (entry e of row l at [e · kKlCdLanes + l]) and swept together by kl_cd_rows_sweep (the same
  // bits as one row at a time, several times faster: one row's sums are chains of dependent
  // additions and divisions), each group one task, so the result does not depend on the threads;
  // the last rows one at a time. Each thread keeps its tiles and the rows' W·H values as scratch,
  // so nothing of X's size is formed.
  constexpr int kKlCdLanes = 8;
  const std::int64_t rows = transposed ? s.cols : s.rows;
  const std::int64_t cols = transposed ? s.rows : s.cols;
  const std::int64_t k = F.cols();
  const std::int64_t groups = rows / kKlCdLanes;
  const auto entry = [&](std::int64_t i, std::int64_t j) {  // A(i, j)
    return transposed ? s.data[j + i * s.rows] : s.data[i + j * s.rows];
  };
  const bool parallel =
      static_cast<double>(rows) * static_cast<double>(cols) * static_cast<double>(k) >
      kMinParallelWork;
#pragma omp parallel if (parallel)
  {
    const std::size_t tile = static_cast<std::size_t>(cols) * kKlCdLanes;
    std::vector<T> x(tile), v(tile), f(static_cast<std::size_t>(k) * kKlCdLanes);
#pragma omp for schedule(static)
    for (std::int64_t group = 0; group < groups; ++group) {
      const std::int64_t first = group * kKlCdLanes;
      for (std::int64_t j = 0; j < cols; ++j)
        for (int lane = 0; lane < kKlCdLanes; ++lane)
          x[j * kKlCdLanes + lane] = entry(first + lane, j);
      for (std::int64_t t = 0; t < k; ++t)
        for (int lane = 0; lane < kKlCdLanes; ++lane) f[t * kKlCdLanes + lane] = F(first + lane, t);
      detail::kl_cd_rows_sweep<kKlCdLanes>(f.data(), G.data(), k, 1, sums.data(), penalty, k,
                                           x.data(), cols, v.data());
      for (std::int64_t t = 0; t < k; ++t)
        for (int lane = 0; lane < kKlCdLanes; ++lane) F(first + lane, t) = f[t * kKlCdLanes + lane];
    }
#pragma omp for schedule(static)
    for (std::int64_t i = groups * kKlCdLanes; i < rows; ++i) {
      for (std::int64_t j = 0; j < cols; ++j) x[j] = entry(i, j);
      const detail::DenseRowEntries<T> row{x.data(), 1, cols};
      detail::kl_cd_row_sweep(F.data() + i * k, 1, G.data(), k, 1, sums.data(), penalty, k, row,
                              v.data(), 1);
    }
  }
}

#define CUNMF_INSTANTIATE_CPU_DENSE_PRIMITIVES(T)                                                  \
  template void Backend<T>::dense_product(const detail::ColumnMajorStorage<T>&, bool,              \
                                          const Matrix&, Matrix&);                                 \
  template void Backend<T>::dense_ratio_product(const detail::ColumnMajorStorage<T>&, bool,        \
                                                const Matrix&, const Matrix&, Matrix&);            \
  template void Backend<T>::dense_beta_terms(const detail::ColumnMajorStorage<T>&, bool,           \
                                             const Matrix&, const Matrix&, T, Matrix&, Matrix&);   \
  template void Backend<T>::beta_denominator(const Matrix&, const Matrix&, T, Matrix&) const;      \
  template double Backend<T>::dense_loss(detail::Divergence, const detail::ColumnMajorStorage<T>&, \
                                         const Matrix&, const Matrix&) const;                      \
  template void Backend<T>::dense_kl_cd_update(const detail::ColumnMajorStorage<T>&, bool,         \
                                               Matrix&, const Matrix&, const Matrix&,              \
                                               detail::Penalty<T>) const;
CUNMF_INSTANTIATE_CPU_DENSE_PRIMITIVES(float)
CUNMF_INSTANTIATE_CPU_DENSE_PRIMITIVES(double)
#undef CUNMF_INSTANTIATE_CPU_DENSE_PRIMITIVES

}  // namespace cunmf::cpu
