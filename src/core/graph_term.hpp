// Graph regularization (Cai, He, Han & Huang, IEEE TPAMI 2011; Options::graph, graph_lambda),
// written once for every backend: the term (λ/2)·tr(H L Hᵀ), L = D − A, of the objective and the
// parts of its gradient that the multiplicative update needs. In the solvers' orientation H is
// stored as F = Hᵀ (n × k), so the term is (λ/2)·tr(Fᵀ L F) and its gradient λ(D F − A F): the
// paper's Frobenius rule puts λ A F in the numerator and λ D F in the denominator. A and the
// diagonal D stay sparse in the backend's memory (D as a diagonal CSR, so that both products are
// the backend's sparse product and nothing new is needed on the device). The paper's KL rule is a
// sparse linear solve per component instead, by conjugate gradients over the same products.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "../../kernels/elementwise.cuh"
#include "cunmf/options.hpp"
#include "operand.hpp"

namespace cunmf::detail {

/// The graph's matrices on the host in precision T: the affinity A and the degrees D (n × n
/// diagonal, as CSR), and λ in the units of the problem solved: the objective's, and the update
/// rule's (they differ for KL under rescaling, below).
template <class T>
struct HostGraph {
  CsrMatrix<T, std::int64_t> affinity;
  CsrMatrix<T, std::int64_t> degree;
  double objective_lambda = 0.0;
  double rule_lambda = 0.0;
};

/// The graph of `options` for the run, or nothing when graph_lambda is 0 (the plain iterates).
/// X is solved scaled by 2^p (core/scaling.hpp): the loss scales by 2^(c·p) (c = 2 Frobenius, 1
/// KL) and H by 2^(p/2), so tr(H L Hᵀ) by 2^p and λ by 2^((c − 1)p) keeps the scaled objective
/// exactly 2^(c·p) times the objective (a power of two: exact). The Frobenius rule is the
/// gradient of that objective, so it takes the same λ; the paper's KL rule is not (it stems from
/// the paper's own KL regularizer, linear in H), and gives the scaled iterates 2^(p/2) times the
/// unscaled ones only with λ·2^(p/2) (p is even): so its rule and its objective have their own λ.
template <class T>
std::optional<HostGraph<T>> graph_of(const Options& options, int p) {
  if (options.graph_lambda == 0.0) return std::nullopt;
  const CsrMatrix<double, std::int64_t>& A = options.graph;
  HostGraph<T> g;
  g.affinity.rows = g.affinity.cols = A.rows;
  g.affinity.row_ptr = A.row_ptr;
  g.affinity.col_idx = A.col_idx;
  g.affinity.values.assign(A.values.begin(), A.values.end());
  const std::int64_t n = A.rows;
  g.degree.rows = g.degree.cols = n;
  g.degree.row_ptr.resize(static_cast<std::size_t>(n + 1));
  g.degree.col_idx.resize(static_cast<std::size_t>(n));
  g.degree.values.resize(static_cast<std::size_t>(n));
  for (std::int64_t j = 0; j < n; ++j) {
    double degree = 0.0;  // in double, rounded once to T
    for (std::int64_t e = A.row_ptr[j]; e < A.row_ptr[j + 1]; ++e) degree += A.values[e];
    g.degree.row_ptr[j] = j;
    g.degree.col_idx[j] = j;
    g.degree.values[j] = static_cast<T>(degree);
  }
  g.degree.row_ptr[n] = n;
  const int c = options.loss == Loss::Frobenius ? 2 : 1;
  g.objective_lambda = std::ldexp(options.graph_lambda, (c - 1) * p);
  g.rule_lambda = c == 2 ? g.objective_lambda : std::ldexp(options.graph_lambda, p / 2);
  return g;
}

/// The graph term on a backend: A and D in its memory, products with them, the term's value, and
/// the paper's KL update of H.
template <class Backend>
class GraphTerm {
 public:
  using T = typename Backend::Scalar;
  using Matrix = typename Backend::Matrix;

  /// `host` must outlive the term (the device copies may still be queued); k is the rank.
  GraphTerm(Backend& backend, const HostGraph<T>& host, std::int64_t k)
      : backend_(backend),
        objective_lambda_(host.objective_lambda),
        rule_lambda_(static_cast<T>(host.rule_lambda)),
        affinity_(backend.csr_from_host(host.affinity.view())),
        degree_(backend.csr_from_host(host.degree.view())),
        affinity_op_(Operand<T, std::int64_t>::sparse(affinity_.arrays(), affinity_.arrays())),
        degree_op_(Operand<T, std::int64_t>::sparse(degree_.arrays(), degree_.arrays())),
        work_(backend.matrix(host.affinity.rows, k)) {}

  /// The Frobenius rule's parts: numerator ← numerator + λ A F and denominator ← denominator +
  /// λ D F (all n × k), the negative and positive parts of the term's gradient λ L F.
  void add_gradient_parts(const Matrix& F, Matrix& numerator, Matrix& denominator) {
    backend_.product(affinity_op_, F, work_);
    backend_.axpby(T(1), numerator, rule_lambda_, work_, numerator);
    backend_.product(degree_op_, F, work_);
    backend_.axpby(T(1), denominator, rule_lambda_, work_, denominator);
  }

  /// The paper's KL rule (Cai et al. 2011, eq. 26; our F = Hᵀ is its V): every column f_r of F
  /// (n × k) becomes the solution of (s_r I + λL) f_r = f_r ⊙ n_r, where N (n × k) is the plain
  /// KL numerator (Xᵀ ⊘ F Wᵀ) W and s = 1ᵀW (1 × k) the plain denominator. s_r I + λL is a
  /// non-singular M-matrix (for s_r > 0), whose inverse is entrywise non-negative: the solution is
  /// ≥ 0, and what rounding leaves below 0 is set to 0. The k systems are solved together by
  /// conjugate gradients on the n × k panel, whose operator F ↦ F diag(s) + λ L F is symmetric
  /// positive definite (block-diagonal over the columns), warm-started from F, to a residual of
  /// kCgTolerance relative to the right-hand side: sparse products with A and D and panel
  /// operations only. Each CG step reads two dot products on the host (the step lengths).
  void kl_update(Matrix& F, const Matrix& numerator, const Matrix& column_sums) {
    if (!cg_) cg_.emplace(backend_, F.rows(), F.cols());
    Cg& cg = *cg_;
    // S = diag(s) for the panel product F·S.
    backend_.to_column_major(column_sums, cg.sums.data());
    std::fill(cg.diagonal.begin(), cg.diagonal.end(), T(0));
    const std::int64_t k = F.cols();
    for (std::int64_t r = 0; r < k; ++r)
      cg.diagonal[static_cast<std::size_t>(r * (k + 1))] = cg.sums[r];
    cg.S = backend_.from_column_major(cg.diagonal.data(), k, k);
    // B = F ⊙ N: F ⊙ N ⊘ 1 by the element-wise update, which divides by exactly 1.
    backend_.axpby(T(1), F, T(0), F, cg.B);
    backend_.mu_update(cg.B, numerator, cg.ones, Penalty<T>{}, T(0), T(1));
    const double b_norm = backend_.dot(cg.B, cg.B);
    // x = F; r = B − M x; p = r.
    backend_.axpby(T(1), F, T(0), F, cg.x);
    apply_operator(cg.x, cg.S, cg.q);
    backend_.axpby(T(1), cg.B, T(-1), cg.q, cg.r);
    backend_.axpby(T(1), cg.r, T(0), cg.r, cg.p);
    double rr = backend_.dot(cg.r, cg.r);
    const double target = kCgTolerance<T> * kCgTolerance<T> * b_norm;
    const std::int64_t max_steps = std::min<std::int64_t>(F.rows() * k, kCgMaxSteps);
    for (std::int64_t step = 0; step < max_steps && rr > target; ++step) {
      apply_operator(cg.p, cg.S, cg.q);
      const double pq = backend_.dot(cg.p, cg.q);
      if (!(pq > 0.0)) break;  // p = 0 or a breakdown: x is as good as it gets
      const T alpha = static_cast<T>(rr / pq);
      backend_.axpby(T(1), cg.x, alpha, cg.p, cg.x);
      backend_.axpby(T(1), cg.r, -alpha, cg.q, cg.r);
      const double rr_next = backend_.dot(cg.r, cg.r);
      backend_.axpby(T(1), cg.r, static_cast<T>(rr_next / rr), cg.p, cg.p);
      rr = rr_next;
    }
    // F ← max(x, 0).
    backend_.projected_step(cg.x, cg.r, T(0), F);
  }

  /// (λ/2)·tr(Fᵀ L F) = (λ/2)(⟨F, D F⟩ − ⟨F, A F⟩), in double.
  double value(const Matrix& F) {
    backend_.product(degree_op_, F, work_);
    const double diagonal = backend_.dot(F, work_);
    backend_.product(affinity_op_, F, work_);
    const double off_diagonal = backend_.dot(F, work_);
    return 0.5 * objective_lambda_ * (diagonal - off_diagonal);
  }

 private:
  /// CG's relative residual: near the working precision's rounding of the right-hand side.
  template <class U>
  static constexpr double kCgTolerance = sizeof(U) == 4 ? 1e-6 : 1e-13;
  /// A bound on CG's steps (it converges in far fewer: the operator is well conditioned when λ
  /// is comparable to s).
  static constexpr std::int64_t kCgMaxSteps = 1000;

  /// out ← F S + λ (D F − A F) (S = diag(s)); out differs from F and work_.
  void apply_operator(const Matrix& F, const Matrix& S, Matrix& out) {
    backend_.multiply(F, S, out);
    backend_.product(degree_op_, F, work_);
    backend_.axpby(T(1), out, rule_lambda_, work_, out);
    backend_.product(affinity_op_, F, work_);
    backend_.axpby(T(1), out, -rule_lambda_, work_, out);
  }

  /// The KL rule's work space (n × k panels, S and its host values, a 1 × k row of ones).
  struct Cg {
    Cg(Backend& backend, std::int64_t n, std::int64_t k)
        : sums(static_cast<std::size_t>(k)),
          diagonal(static_cast<std::size_t>(k * k)),
          ones_host(static_cast<std::size_t>(k), T(1)),
          S(backend.matrix(k, k)),
          ones(backend.from_column_major(ones_host.data(), 1, k)),
          B(backend.matrix(n, k)),
          x(backend.matrix(n, k)),
          r(backend.matrix(n, k)),
          p(backend.matrix(n, k)),
          q(backend.matrix(n, k)) {}
    std::vector<T> sums, diagonal, ones_host;
    Matrix S, ones, B, x, r, p, q;
  };

  using Csr = decltype(std::declval<Backend&>().csr_from_host(
      std::declval<CsrView<const T, std::int64_t>>()));

  Backend& backend_;
  double objective_lambda_;
  T rule_lambda_;
  Csr affinity_, degree_;
  Operand<T, std::int64_t> affinity_op_, degree_op_;
  Matrix work_;  ///< n × k
  std::optional<Cg> cg_;
};

}  // namespace cunmf::detail
