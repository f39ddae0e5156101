// The CPU reference of the multiplicative updates (DESIGN.md, "The math"): Eigen products for the
// numerators and denominators (the large ones through product_into), element-wise updates as Eigen
// array expressions, losses from residual.hpp. The factors are updated in place in the caller's
// ColMajorFactors.
#include "mu.hpp"

#include "product.hpp"  // first: it configures Eigen

#include <cstdint>

#include "residual.hpp"

namespace cunmf::cpu {

namespace {

/// Replaces each entry of the vector `d` that is exactly 0 by kEpsilon (see nonzero()).
template <class Derived>
void replace_zeros(Eigen::DenseBase<Derived>& d) {
  using T = typename Derived::Scalar;
  d = d.unaryExpr([](T v) { return nonzero(v); });
}

/// a ← a ⊙ numerator ⊘ denominator entry by entry, a denominator of exactly 0 counting as
/// kEpsilon: the multiplicative update of a factor whose denominator is a full matrix.
template <class T>
void mu_update(Eigen::Map<Matrix<T>>& a, const Matrix<T>& numerator, const Matrix<T>& denominator) {
  T* values = a.data();
  const T* num = numerator.data();
  const T* den = denominator.data();
  const Eigen::Index count = a.size();
#pragma omp simd
  for (Eigen::Index idx = 0; idx < count; ++idx) values[idx] *= num[idx] / nonzero(den[idx]);
}

/// ratio ← X ⊘ ratio entry by entry, where `ratio` holds W·H on entry; a W·H entry of exactly 0
/// counts as kEpsilon. A plain loop: Eigen 3.4 does not vectorize select(), and this pass over
/// the M × N matrix is as costly as a product, so it runs in parallel and vectorized.
template <class T>
void divide_into(const T* x, T* ratio, std::int64_t count) {
  const bool parallel = static_cast<double>(count) > kMinParallelWork;
#pragma omp parallel for simd schedule(dynamic, 16384) if (parallel)
  for (std::int64_t idx = 0; idx < count; ++idx) ratio[idx] = x[idx] / nonzero(ratio[idx]);
}

/// The MU steps on Eigen maps of X and of the caller's factor vectors.
template <class T>
class EigenMuSteps final : public detail::MuSteps {
 public:
  EigenMuSteps(const detail::ColMajorProblem<T>& p, detail::ColMajorFactors<T>& f, Loss loss)
      : x_(p.x, p.M, p.N),
        w_(f.w.data(), p.M, p.k),
        h_(f.h.data(), p.k, p.N),
        loss_(loss),
        numerator_w_(p.M, p.k),
        denominator_w_(p.M, p.k),
        numerator_h_(p.k, p.N),
        denominator_h_(p.k, p.N),
        gram_(p.k, p.k) {
    if (loss == Loss::KullbackLeibler) ratio_.resize(p.M, p.N);
  }

  void update_h() override {
    if (loss_ == Loss::Frobenius) {
      // H ← H ⊙ (WᵀX) ⊘ (WᵀW H)
      product_into(numerator_h_, w_.transpose(), x_);
      gram_.noalias() = w_.transpose() * w_;
      product_into(denominator_h_, gram_, h_);
      mu_update(h_, numerator_h_, denominator_h_);
    } else {
      // H ← H ⊙ (Wᵀ(X ⊘ WH)) ⊘ (Wᵀ1): the denominator of H(r, j) is Σ_i W(i, r).
      form_kl_ratio();
      product_into(numerator_h_, w_.transpose(), ratio_);
      Vector w_sums = w_.colwise().sum().transpose();
      replace_zeros(w_sums);
      h_.array() *= numerator_h_.array().colwise() / w_sums.array();
    }
  }

  void update_w() override {
    if (loss_ == Loss::Frobenius) {
      // W ← W ⊙ (XHᵀ) ⊘ (W HHᵀ)
      product_into(numerator_w_, x_, h_.transpose());
      gram_.noalias() = h_ * h_.transpose();
      product_into(denominator_w_, w_, gram_);
      mu_update(w_, numerator_w_, denominator_w_);
    } else {
      // W ← W ⊙ ((X ⊘ WH)Hᵀ) ⊘ (1Hᵀ): the denominator of W(i, r) is Σ_j H(r, j).
      form_kl_ratio();
      product_into(numerator_w_, ratio_, h_.transpose());
      RowVector h_sums = h_.rowwise().sum().transpose();
      replace_zeros(h_sums);
      w_.array() *= numerator_w_.array().rowwise() / h_sums.array();
    }
  }

  double loss() override {
    if (loss_ == Loss::Frobenius) return 0.5 * squared_residual<T>(x_, w_, h_);
    return kl_divergence<T>(x_, w_, h_);
  }

 private:
  using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;
  using RowVector = Eigen::Matrix<T, 1, Eigen::Dynamic>;

  /// ratio_ ← X ⊘ WH for the current factors.
  void form_kl_ratio() {
    product_into(ratio_, w_, h_);
    divide_into(x_.data(), ratio_.data(), static_cast<std::int64_t>(ratio_.size()));
  }

  Eigen::Map<const Matrix<T>> x_;  ///< M × N
  Eigen::Map<Matrix<T>> w_;        ///< M × k, the caller's f.w
  Eigen::Map<Matrix<T>> h_;        ///< k × N, the caller's f.h
  Loss loss_;
  // Work buffers, allocated once so that the loop does not allocate.
  Matrix<T> numerator_w_, denominator_w_;  ///< M × k
  Matrix<T> numerator_h_, denominator_h_;  ///< k × N
  Matrix<T> gram_;                         ///< k × k
  Matrix<T> ratio_;                        ///< M × N, KL only
};

}  // namespace

template <class T>
detail::LoopOutcome run_mu(const detail::ColMajorProblem<T>& p, detail::ColMajorFactors<T>& f,
                           const Options& options) {
  EigenMuSteps<T> steps(p, f, options.loss);
  // The user's H goes first; in the transposed orientation the backend's W is the user's H.
  return detail::run_iterations(steps, options, /*h_first=*/!p.transposed);
}

template detail::LoopOutcome run_mu<float>(const detail::ColMajorProblem<float>&,
                                           detail::ColMajorFactors<float>&, const Options&);
template detail::LoopOutcome run_mu<double>(const detail::ColMajorProblem<double>&,
                                            detail::ColMajorFactors<double>&, const Options&);

}  // namespace cunmf::cpu
