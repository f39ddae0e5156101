// The loss a run minimizes, as the solvers and backends see it: Options::loss and Options::beta
// normalized once, so that every β-divergence with a path of its own takes it (Févotte & Idier,
// Neural Computation 2011; scikit-learn's NMF(beta_loss=...)):
//   β = 2: the Frobenius loss ½‖X − WH‖²_F (Loss::Frobenius),
//   β = 1: the generalized Kullback–Leibler divergence (Loss::KullbackLeibler),
//   any other β: d_β(X | WH) = Σ (x^β + (β − 1)(wh)^β − β·x·(wh)^(β−1)) / (β(β − 1)), with the
//   limit β = 0 the Itakura–Saito divergence Σ x/wh − log(x/wh) − 1 (Loss::ItakuraSaito).
#pragma once

#include "cunmf/options.hpp"

namespace cunmf::detail {

/// A normalized loss: kind is Frobenius, KullbackLeibler or Beta, and beta its β (2, 1, or the
/// β of a Beta, never 1 or 2).
struct Divergence {
  Loss kind = Loss::Frobenius;
  double beta = 2.0;
};

/// The divergence that options.loss and options.beta name (validated before).
inline Divergence divergence_of(const Options& options) {
  switch (options.loss) {
    case Loss::Frobenius:
      return {Loss::Frobenius, 2.0};
    case Loss::KullbackLeibler:
      return {Loss::KullbackLeibler, 1.0};
    case Loss::ItakuraSaito:
      return {Loss::Beta, 0.0};
    case Loss::Beta:
      break;
  }
  if (options.beta == 2.0) return {Loss::Frobenius, 2.0};
  if (options.beta == 1.0) return {Loss::KullbackLeibler, 1.0};
  return {Loss::Beta, options.beta};
}

/// The options with their loss normalized: Loss::Beta with β = 2 or 1 becomes Frobenius or KL,
/// Loss::ItakuraSaito becomes Beta with β = 0. Everything after the argument checks sees these.
inline Options with_divergence(const Options& options) {
  Options normalized = options;
  const Divergence d = divergence_of(options);
  normalized.loss = d.kind;
  normalized.beta = d.beta;
  return normalized;
}

/// The exponent γ(β) of the β-divergence's multiplicative update, F ← F ⊙ (N ⊘ D)^γ: with it the
/// update is Févotte & Idier's majorization-minimization step, under which the divergence never
/// increases — 1/(2 − β) for β < 1, 1 for 1 ≤ β ≤ 2, 1/(β − 1) for β > 2 (scikit-learn's _gamma).
inline double mu_exponent(double beta) {
  if (beta < 1.0) return 1.0 / (2.0 - beta);
  if (beta > 2.0) return 1.0 / (beta - 1.0);
  return 1.0;
}

}  // namespace cunmf::detail
