// The L1/L2 penalty weights of a run (Options::alpha_W, alpha_H, l1_ratio), written once for every
// solver and backend: scikit-learn's scaling by the matrix size, and the exact rescaling of an
// extreme X (core/scaling.hpp).
#pragma once

#include <cmath>
#include <cstdint>

#include "../../kernels/elementwise.cuh"
#include "cunmf/options.hpp"

namespace cunmf::detail {

/// The weights of W's and H's penalties: the objective gains
/// w.l1·‖W‖₁ + ½·w.l2·‖W‖²_F + h.l1·‖H‖₁ + ½·h.l2·‖H‖²_F.
struct Penalties {
  Penalty<double> w;
  Penalty<double> h;
  bool any() const { return w.l1 != 0.0 || w.l2 != 0.0 || h.l1 != 0.0 || h.l2 != 0.0; }
};

/// The weights for X of m × n (scikit-learn ≥ 1.2: W's scale with n, H's with m; alpha_H unset is
/// alpha_W), in the units of the problem solved, X scaled by 2^p. The loss of X scaled by 2^p is
/// 2^(c·p) times the loss of X (c = 2 Frobenius, 1 KL) and the factors scale by 2^(p/2), so the
/// weights scale by 2^((c − ½)p) (L1) and 2^((c − 1)p) (L2): the scaled objective is then exactly
/// 2^(c·p) times the objective, and (p even) every factor is a power of two, exact in floating
/// point.
inline Penalties penalties_of(const Options& options, std::int64_t m, std::int64_t n, int p) {
  const double alpha_w = options.alpha_W;
  const double alpha_h = options.alpha_H.value_or(options.alpha_W);
  const double rho = options.l1_ratio;
  const int c = options.loss == Loss::Frobenius ? 2 : 1;
  const double l1_scale = std::ldexp(1.0, c * p - p / 2);
  const double l2_scale = std::ldexp(1.0, (c - 1) * p);
  const auto weights = [&](double alpha, std::int64_t size) {
    const double scaled = static_cast<double>(size) * alpha;
    return Penalty<double>{scaled * rho * l1_scale, scaled * (1.0 - rho) * l2_scale};
  };
  return {weights(alpha_w, n), weights(alpha_h, m)};
}

/// The weights in the working precision of the updates.
template <class T>
Penalty<T> in_precision(Penalty<double> p) {
  return {static_cast<T>(p.l1), static_cast<T>(p.l2)};
}

}  // namespace cunmf::detail
