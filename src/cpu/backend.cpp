// The CPU backend's primitives that do not depend on the operand: Gram and small products, column
// sums, the element-wise update, the coordinate-descent sweep, the projected Gram solve, and the
// panel arithmetic of projected gradient (axpby, projected step and gradient, dot).
#include "backend.hpp"

#include <algorithm>
#include <limits>

#include "../../kernels/elementwise.cuh"
#include "../../kernels/projected_solve.cuh"

namespace cunmf::cpu {

template <class T>
void Backend<T>::gram(const Matrix& F, Matrix& out) {
  // FᵀF = Σ over blocks of kGramRows rows of their own Gram matrices, computed in parallel and
  // added in block order: the blocks, hence the result, do not depend on the number of threads.
  const Eigen::Index rows = F.rows();
  const Eigen::Index k = F.cols();
  const Eigen::Index blocks = (rows + kGramRows - 1) / kGramRows;
  if (blocks <= 1 || static_cast<double>(rows) * static_cast<double>(k * k) <= kMinParallelWork) {
    out.noalias() = F.transpose() * F;
    return;
  }
  gram_parts_.resize(k, k * blocks);
#pragma omp parallel for schedule(dynamic, 1)
  for (Eigen::Index b = 0; b < blocks; ++b) {
    const auto part = F.middleRows(b * kGramRows, std::min(kGramRows, rows - b * kGramRows));
    gram_parts_.middleCols(b * k, k).noalias() = part.transpose() * part;
  }
  out = gram_parts_.leftCols(k);
  for (Eigen::Index b = 1; b < blocks; ++b) out += gram_parts_.middleCols(b * k, k);
}

template <class T>
void Backend<T>::multiply(const Matrix& F, const Matrix& S, Matrix& out) const {
  product_into(out, F, S);
}

template <class T>
void Backend<T>::column_sums(const Matrix& F, Matrix& out) const {
  out.noalias() = F.colwise().sum();
}

template <class T>
void Backend<T>::mu_update(Matrix& F, const Matrix& numerator, const Matrix& denominator,
                           detail::Penalty<T> penalty, T floor, T gamma) const {
  const Eigen::Index rows = F.rows();
  const Eigen::Index k = F.cols();
  const bool parallel = static_cast<double>(F.size()) > kMinParallelWork;
  if (denominator.rows() == rows) {  // F's shape: one pass over the contiguous entries
    T* f = F.data();
    const T* num = numerator.data();
    const T* den = denominator.data();
    const Eigen::Index count = F.size();
#pragma omp parallel for simd schedule(static) if (parallel)
    for (Eigen::Index i = 0; i < count; ++i)
      f[i] = detail::mu_step(f[i], num[i], den[i], penalty, floor, gamma);
    return;
  }
  // 1 × k: one denominator per column, the same for every row.
  const T* den = denominator.data();
#pragma omp parallel for schedule(static) if (parallel)
  for (Eigen::Index i = 0; i < rows; ++i) {
    T* f = F.data() + i * k;
    const T* num = numerator.data() + i * k;
#pragma omp simd
    for (Eigen::Index r = 0; r < k; ++r)
      f[r] = detail::mu_step(f[r], num[r], den[r], penalty, floor, gamma);
  }
}

template <class T>
void Backend<T>::add_penalty(Matrix& gram, Matrix& numerator, detail::Penalty<T> penalty) const {
  if (penalty.l1 == T(0) && penalty.l2 == T(0)) return;
  gram.diagonal().array() += penalty.l2;
  numerator.array() -= penalty.l1;
}

template <class T>
void Backend<T>::projected_gram_solve(const Matrix& G, Matrix& N) {
  ridged_gram_ = G;
  ridged_gram_.diagonal().array() += detail::gram_ridge(G.trace());
  const Eigen::LLT<cpu::Matrix<T>>& cholesky = cholesky_.compute(ridged_gram_);
  if (cholesky.info() != Eigen::Success) {  // G not finite: NaN, for the next loss check
    N.setConstant(std::numeric_limits<T>::quiet_NaN());
    return;
  }
  // N is row-major, so its storage is Nᵀ column-major: G symmetric makes N G⁻¹ = (G⁻¹ Nᵀ)ᵀ, solved
  // in place for blocks of rows (Nᵀ's columns) that the threads take one at a time; each row's
  // solve is the same whichever thread runs it, so the results do not depend on the threads.
  Eigen::Map<cpu::Matrix<T>> Nt(N.data(), N.cols(), N.rows());
  const Eigen::Index rows = N.rows();
  const Eigen::Index chunks = (rows + kProductChunk - 1) / kProductChunk;
  const bool parallel =
      static_cast<double>(N.size()) * static_cast<double>(N.cols()) > kMinParallelWork;
#pragma omp parallel for schedule(dynamic, 1) if (parallel)
  for (Eigen::Index chunk = 0; chunk < chunks; ++chunk) {
    const Eigen::Index begin = chunk * kProductChunk;
    auto block = Nt.middleCols(begin, std::min(kProductChunk, rows - begin));
    cholesky.solveInPlace(block);
    block = block.unaryExpr([](T x) { return detail::nonnegative_part(x); });
  }
}

template <class T>
void Backend<T>::hals_update(Matrix& F, const Matrix& numerator, const Matrix& gram) const {
  // Rows are independent given the Gram matrix: groups of kHalsLanes rows, copied into a small
  // lane-major tile and swept together (the same bits as one by one, several times faster), each
  // group one task, so the result does not depend on the threads. The last rows one at a time.
  constexpr int kHalsLanes = 8;
  const Eigen::Index rows = F.rows();
  const Eigen::Index k = F.cols();
  const Eigen::Index groups = rows / kHalsLanes;
  const bool parallel = static_cast<double>(rows) * static_cast<double>(k * k) > kMinParallelWork;
#pragma omp parallel if (parallel)
  {
    // Row-major k × kHalsLanes tiles: entry r of lane l at [r · kHalsLanes + l].
    Panel<T> f_tile(k, kHalsLanes), n_tile(k, kHalsLanes);
#pragma omp for schedule(static)
    for (Eigen::Index group = 0; group < groups; ++group) {
      const Eigen::Index first = group * kHalsLanes;
      f_tile = F.middleRows(first, kHalsLanes).transpose();
      n_tile = numerator.middleRows(first, kHalsLanes).transpose();
      detail::hals_rows_sweep<kHalsLanes>(f_tile.data(), kHalsLanes, n_tile.data(), kHalsLanes,
                                          gram.data(), k);
      F.middleRows(first, kHalsLanes) = f_tile.transpose();
    }
  }
  for (Eigen::Index i = groups * kHalsLanes; i < rows; ++i) {
    detail::hals_row_sweep(F.data() + i * k, 1, numerator.data() + i * k, 1, gram.data(), k);
  }
}

template <class T>
void Backend<T>::axpby(T a, const Matrix& X, T b, const Matrix& Y, Matrix& out) const {
  // Element-wise, so `out` may be X or Y.
  out = a * X + b * Y;
}

template <class T>
void Backend<T>::projected_step(const Matrix& F, const Matrix& gradient, T alpha,
                                Matrix& out) const {
  out = F.binaryExpr(gradient, [alpha](T f, T g) { return detail::projected_step(f, g, alpha); });
}

template <class T>
void Backend<T>::projected_gradient(const Matrix& F, const Matrix& gradient, Matrix& out) const {
  out = F.binaryExpr(gradient, [](T f, T g) { return detail::projected_gradient(f, g); });
}

template <class T>
double Backend<T>::dot(const Matrix& A, const Matrix& B) const {
  // One thread in lane_sum's fixed order, each product in double: the same bits on every run, and
  // in double so that the Armijo test of projected gradient, a small difference of such sums,
  // keeps its digits for float factors. The panels are k columns wide, so this is cheap next to
  // the products with X (a plain chain of additions was not: pgd takes ~200 of these a step).
  const T* a = A.data();
  const T* b = B.data();
  return lane_sum(A.size(), [a, b](Eigen::Index i) {
    return static_cast<double>(a[i]) * static_cast<double>(b[i]);
  });
}

template class Backend<float>;
template class Backend<double>;

}  // namespace cunmf::cpu
