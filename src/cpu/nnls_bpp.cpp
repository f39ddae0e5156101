// The CPU backend's nnls_bpp (core/primitives.hpp): every row of F becomes the exact non-negative
// least-squares solution by block principal pivoting (Kim & Park, SIAM J. Sci. Comput. 2011), the
// rows that share a passive set solved together through one Cholesky factorization of that
// principal block of the Gram matrix — their Algorithm 2's column grouping.
#include "backend.hpp"  // first: it configures Eigen

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <vector>

#include "../../kernels/bpp_rules.cuh"
#include "../../kernels/projected_solve.cuh"

namespace cunmf::cpu {

namespace {

/// Rows pivoted together (one task; their passive sets grouped among themselves): an eighth of
/// the rows, within [64, 2048]. It depends on the number of rows only, so the groups, hence the
/// results, do not depend on the threads.
Eigen::Index bpp_block_rows(Eigen::Index rows) {
  return std::clamp<Eigen::Index>((rows + 7) / 8, 64, 2048);
}

/// Block principal pivoting for `count` consecutive rows of N and F (row-major, k wide), with one
/// thread's work space. Each pivoting step solves the pending rows grouped by passive set (sorted,
/// so the groups do not depend on the rows' order), then checks them and pivots the infeasible.
template <class T>
class BppBlock {
 public:
  explicit BppBlock(const Matrix<T>& gram) : gram_(gram), k_(gram.rows()) {}

  void solve(const T* numerator, T* factor, Eigen::Index count) {
    n_ = numerator;
    x_ = factor;  // the solution is built in place: F's row is read only for its passive set
    passive_.assign(static_cast<std::size_t>(count * k_), 0);
    for (Eigen::Index e = 0; e < count * k_; ++e) passive_[e] = factor[e] > T(0);
    flags_.resize(static_cast<std::size_t>(count * k_));
    counts_.resize(static_cast<std::size_t>(count));
    states_.assign(static_cast<std::size_t>(count), detail::bpp_initial_state(k_));
    pending_.resize(static_cast<std::size_t>(count));
    std::iota(pending_.begin(), pending_.end(), Eigen::Index{0});
    solve_pending();
    check_pending();
    for (std::int64_t step = 0; !pending_.empty() && step < detail::bpp_max_steps(k_); ++step) {
      pivot_pending();
      solve_pending();
      check_pending();
    }
    // Rows still infeasible after the safeguard's steps (an ill-conditioned Gram): projected.
    for (const Eigen::Index i : pending_) {
      for (Eigen::Index r = 0; r < k_; ++r) {
        x_[i * k_ + r] = detail::nonnegative_part(x_[i * k_ + r]);
      }
    }
  }

 private:
  const unsigned char* passive(Eigen::Index i) const { return passive_.data() + i * k_; }

  /// x ← the solution on each pending row's passive set (0 elsewhere), rows grouped by set.
  void solve_pending() {
    std::sort(pending_.begin(), pending_.end(), [this](Eigen::Index a, Eigen::Index b) {
      const int order = std::memcmp(passive(a), passive(b), static_cast<std::size_t>(k_));
      return order != 0 ? order < 0 : a < b;
    });
    for (std::size_t first = 0; first < pending_.size();) {
      std::size_t last = first + 1;
      while (last < pending_.size() &&
             std::memcmp(passive(pending_[first]), passive(pending_[last]),
                         static_cast<std::size_t>(k_)) == 0) {
        ++last;
      }
      solve_group(first, last);
      first = last;
    }
  }

  /// The rows pending_[first, last), which share one passive set P: (G + δI)_PP X_P = N_P by one
  /// Cholesky factorization.
  void solve_group(std::size_t first, std::size_t last) {
    const unsigned char* set = passive(pending_[first]);
    indices_.clear();
    for (Eigen::Index r = 0; r < k_; ++r) {
      if (set[r]) indices_.push_back(r);
    }
    const auto q = static_cast<Eigen::Index>(indices_.size());
    const auto g = static_cast<Eigen::Index>(last - first);
    block_.resize(q, q);
    for (Eigen::Index b = 0; b < q; ++b) {
      for (Eigen::Index a = 0; a < q; ++a) block_(a, b) = gram_(indices_[a], indices_[b]);
    }
    rhs_.resize(q, g);
    for (Eigen::Index c = 0; c < g; ++c) {
      const T* n = n_ + pending_[first + c] * k_;
      for (Eigen::Index a = 0; a < q; ++a) rhs_(a, c) = n[indices_[a]];
    }
    if (q > 0) cholesky_.compute(block_).solveInPlace(rhs_);
    for (Eigen::Index c = 0; c < g; ++c) {
      T* x = x_ + pending_[first + c] * k_;
      std::fill(x, x + k_, T(0));
      for (Eigen::Index a = 0; a < q; ++a) x[indices_[a]] = rhs_(a, c);
    }
  }

  /// Keeps in pending_ the rows that are still infeasible, marking their infeasible entries.
  void check_pending() {
    std::size_t kept = 0;
    for (const Eigen::Index i : pending_) {
      const T* x = x_ + i * k_;
      const T* n = n_ + i * k_;
      const unsigned char* set = passive(i);
      std::int64_t count = 0;
      for (Eigen::Index r = 0; r < k_; ++r) {
        T y = -n[r];
        T scale = std::abs(n[r]);
        for (Eigen::Index s = 0; s < k_; ++s) {
          const T term = gram_(s, r) * x[s];  // G symmetric: down a stored column
          y += term;
          scale += std::abs(term);
        }
        const bool bad = detail::bpp_infeasible<T>(set[r] != 0, x[r], y, scale, k_);
        count += bad;
        flags(i)[r] = bad;
      }
      if (count > 0) {
        pending_[kept++] = i;
        counts_[i] = count;
      }
    }
    pending_.resize(kept);
  }

  /// Kim & Park's exchange for each pending row: all its infeasible entries change sets, or only
  /// the last one (the backup rule).
  void pivot_pending() {
    for (const Eigen::Index i : pending_) {
      unsigned char* set = passive_.data() + i * k_;
      const unsigned char* bad = flags(i);
      if (detail::bpp_exchange_all(states_[static_cast<std::size_t>(i)], counts_[i])) {
        for (Eigen::Index r = 0; r < k_; ++r) set[r] ^= bad[r];
      } else {
        Eigen::Index r = k_ - 1;
        while (!bad[r]) --r;
        set[r] ^= 1;
      }
    }
  }

  unsigned char* flags(Eigen::Index i) { return flags_.data() + i * k_; }

  const Matrix<T>& gram_;  ///< G + δI
  const Eigen::Index k_;
  const T* n_ = nullptr;
  T* x_ = nullptr;
  std::vector<unsigned char> passive_;  ///< row i's passive set: passive_[i·k + r] = r ∈ P
  std::vector<unsigned char> flags_;    ///< row i's infeasible entries, as the last check found
  std::vector<std::int64_t> counts_;    ///< row i's number of infeasible entries
  std::vector<detail::BppPivotState> states_;
  std::vector<Eigen::Index> pending_;  ///< the rows not yet feasible
  std::vector<Eigen::Index> indices_;  ///< a group's passive set, as indices
  Matrix<T> block_, rhs_;
  Eigen::LLT<Matrix<T>> cholesky_;
};

}  // namespace

template <class T>
void Backend<T>::nnls_bpp(const Matrix& G, const Matrix& numerator, Matrix& F) {
  bpp_gram_ = G;
  bpp_gram_.diagonal().array() += detail::gram_ridge(G.trace());
  if (!bpp_gram_.allFinite()) {  // NaN, for the next loss check
    F.setConstant(std::numeric_limits<T>::quiet_NaN());
    return;
  }
  const Eigen::Index rows = F.rows();
  const Eigen::Index k = F.cols();
  const Eigen::Index block_rows = bpp_block_rows(rows);
  const Eigen::Index blocks = (rows + block_rows - 1) / block_rows;
  const bool parallel =
      blocks > 1 && static_cast<double>(rows) * static_cast<double>(k * k) > kMinParallelWork;
#pragma omp parallel if (parallel)
  {
    BppBlock<T> block(bpp_gram_);
#pragma omp for schedule(dynamic, 1)
    for (Eigen::Index b = 0; b < blocks; ++b) {
      const Eigen::Index first = b * block_rows;
      const Eigen::Index count = std::min(block_rows, rows - first);
      block.solve(numerator.data() + first * k, F.data() + first * k, count);
    }
  }
}

template void Backend<float>::nnls_bpp(const Matrix&, const Matrix&, Matrix&);
template void Backend<double>::nnls_bpp(const Matrix&, const Matrix&, Matrix&);

}  // namespace cunmf::cpu
