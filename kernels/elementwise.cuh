// The element-wise rules of the multiplicative updates, the coordinate-descent row sweeps (HALS and
// KL), the projected-gradient step and the losses: the one definition shared
// by the kernels and the CPU backend (DESIGN.md rule 6). They follow scikit-learn's NMF, so that
// from the same start our iterates equal its iterates.
#pragma once

#include <cmath>
#include <cstdint>

#if defined(__CUDACC__) || defined(CUNMF_CUDA_EMULATION)
#define CUNMF_HOST_DEVICE __host__ __device__
#else
#define CUNMF_HOST_DEVICE
#endif

namespace cunmf::detail {

/// ε: float32 machine epsilon, scikit-learn's EPSILON for every precision (so backends agree).
inline constexpr double kEpsilon = 1.1920928955078125e-07;

/// The floor of scikit-learn's small-value rule for β ≤ 1: after an update, entries below float64
/// machine epsilon are set to 0. A zero is a fixed point of MU anyway, and values that would
/// otherwise decay through the subnormals make CPU arithmetic many times slower.
inline constexpr double kSmallValueFloor = 2.220446049250313e-16;

/// An update denominator: exactly 0 becomes ε; anything positive, however small, is kept.
template <class T>
CUNMF_HOST_DEVICE inline T nonzero_denominator(T d) {
  return d == T(0) ? T(kEpsilon) : d;
}

/// W·H where it divides: values below ε are raised to ε (scikit-learn's WH[WH < EPSILON]).
template <class T>
CUNMF_HOST_DEVICE inline T clamped_product(T wh) {
  return wh < T(kEpsilon) ? T(kEpsilon) : wh;
}

/// The L1 and L2 penalty weights of one factor F: l1·‖F‖₁ + ½·l2·‖F‖²_F is added to the objective
/// (scikit-learn's l1_reg and l2_reg; core/penalties.hpp computes them from the options). Both
/// are ≥ 0; zero weights leave every rule below bit for bit as it is without them.
template <class T>
struct Penalty {
  T l1 = 0;
  T l2 = 0;
};

/// base^exponent in T, on the host and on the device.
template <class T>
CUNMF_HOST_DEVICE inline T power(T base, T exponent) {
#if defined(__CUDA_ARCH__)
  return pow(base, exponent);
#else
  return std::pow(base, exponent);
#endif
}

/// One multiplicative update of a factor entry: f · (numerator / denominator')^γ, then 0 if the
/// result is below `floor` (floor = 0 keeps every value). denominator' is the loss's denominator
/// plus the penalty's gradient, (denominator + l1) + l2·f in scikit-learn's order, with an exact 0
/// as ε. γ is the β-divergence's exponent (mu_exponent in core/divergence.hpp); γ = 1 (Frobenius,
/// KL) raises nothing, so those iterates keep their bits.
template <class T>
CUNMF_HOST_DEVICE inline T mu_step(T f, T numerator, T denominator, Penalty<T> penalty, T floor,
                                   T gamma) {
  const T penalized = (denominator + penalty.l1) + penalty.l2 * f;
  const T ratio = numerator / nonzero_denominator(penalized);
  const T updated = f * (gamma == T(1) ? ratio : power(ratio, gamma));
  return updated < floor ? T(0) : updated;
}

/// One coordinate-descent (HALS) sweep of `Lanes` rows of a factor F for A ≈ F Bᵀ, each row on
/// its own: for t = 0, …, k − 1 in this order (Gauss–Seidel: later coordinates see the earlier
/// ones' new values), the exact minimizer over f[t] ≥ 0 of the Frobenius loss with the rest fixed,
///   f[t] ← max(f[t] − (Σ_r G(t, r)·f[r] − n[t]) / G(t, t), 0),
/// skipped when G(t, t) = 0 (column t of B is zero: the loss does not depend on f[t]). n is the
/// row of N = A·B and G = BᵀB. The gradient starts at −n[t] and adds the terms in the order of r,
/// as scikit-learn's _update_cdnmf_fast does, so that our iterates are its iterates. Entry r of
/// row `lane` is f[r·f_stride + lane] (and n[r·n_stride + lane]); with Lanes = 1 the strides step
/// along a row of a row-major or a column-major panel. Several lanes give the same bits as one at
/// a time, and let the CPU keep one vector of independent gradients where a single row's sum is a
/// chain of dependent additions. G is read as gram[t·k + r], which is G(t, r) row-major or G(r, t)
/// column-major: G is symmetric.
template <int Lanes, class T>
CUNMF_HOST_DEVICE inline void hals_rows_sweep(T* f, std::int64_t f_stride, const T* n,
                                              std::int64_t n_stride, const T* gram, std::int64_t k) {
  for (std::int64_t t = 0; t < k; ++t) {
    const T* gram_row = gram + t * k;
    T gradient[Lanes];
    for (int lane = 0; lane < Lanes; ++lane) gradient[lane] = -n[t * n_stride + lane];
    for (std::int64_t r = 0; r < k; ++r) {
      const T g = gram_row[r];
      for (int lane = 0; lane < Lanes; ++lane) gradient[lane] += g * f[r * f_stride + lane];
    }
    const T hessian = gram_row[t];
    if (hessian == T(0)) continue;
    for (int lane = 0; lane < Lanes; ++lane) {
      const T updated = f[t * f_stride + lane] - gradient[lane] / hessian;
      f[t * f_stride + lane] = updated > T(0) ? updated : T(0);
    }
  }
}

/// hals_rows_sweep of one row.
template <class T>
CUNMF_HOST_DEVICE inline void hals_row_sweep(T* f, std::int64_t f_stride, const T* n,
                                             std::int64_t n_stride, const T* gram, std::int64_t k) {
  hals_rows_sweep<1>(f, f_stride, n, n_stride, gram, k);
}

/// One entry of a projected-gradient step (Lin 2007): max(f − α·g, 0), the projection onto ≥ 0
/// of a step along the negative gradient g.
template <class T>
CUNMF_HOST_DEVICE inline T projected_step(T f, T g, T alpha) {
  const T stepped = f - alpha * g;
  return stepped > T(0) ? stepped : T(0);
}

/// One entry of the projected gradient ∇ᴾ of a bound-constrained (f ≥ 0) problem: g where f > 0,
/// min(g, 0) where f = 0 (a positive g at the bound cannot be followed, so it does not count
/// against optimality). ∇ᴾ = 0 is the KKT condition; its norm is Lin's stopping quantity.
template <class T>
CUNMF_HOST_DEVICE inline T projected_gradient(T f, T g) {
  return (f > T(0) || g < T(0)) ? g : T(0);
}

/// The entries of one row of a dense operand: x[e·stride] for e < count, column e; zeros included
/// (kl_cd_row_sweep skips them).
template <class T>
struct DenseRowEntries {
  const T* x;
  std::int64_t stride;
  std::int64_t count;
  CUNMF_HOST_DEVICE std::int64_t column(std::int64_t e) const { return e; }
  CUNMF_HOST_DEVICE T value(std::int64_t e) const { return x[e * stride]; }
};

/// The stored entries of one CSR row: values x[e] in columns col[e], e < count.
template <class T, class Index>
struct CsrRowEntries {
  const Index* col;
  const T* x;
  std::int64_t count;
  CUNMF_HOST_DEVICE std::int64_t column(std::int64_t e) const { return col[e]; }
  CUNMF_HOST_DEVICE T value(std::int64_t e) const { return x[e]; }
};

/// One coordinate-descent sweep of one row f of F for the generalized KL divergence of A ≈ F Gᵀ
/// (Hsieh & Dhillon, KDD 2011, without variable selection): for t = 0, …, k − 1 in this order, one
/// projected Newton step on f[t] with the rest fixed. With v_j = (F Gᵀ)_ij, the row's part of the
/// divergence is Σ_j v_j − a_ij log v_j + const, so
///   g = Σ_all j G(j, t) − Σ_{a_ij > 0} a_ij G(j, t) / v_j,
///   h = Σ_{a_ij > 0} a_ij G(j, t)² / v_j²:
/// an entry a_ij = 0 adds only G(j, t) to g, which is g_sums[t] = Σ_j G(j, t) for all of them at
/// once, so v is needed (and formed) only where a_ij > 0 — for CSR the stored entries, nothing
/// rows × cols. f[t] ← max(f[t] − g / h, 0), then v_j += (change)·G(j, t) keeps v exact (up to
/// rounding) for the next coordinate. When h = 0 (no a_ij > 0 meets a non-zero G(j, t)) the
/// divergence is linear in f[t] with slope g ≥ 0, minimized by f[t] = 0 when g > 0 (when g = 0,
/// f[t] does not enter it and is left as it is). The quotients use max(v_j, ε) (clamped_product,
/// the ε of the KL ratio and loss): v_j is ≥ 0 in exact arithmetic but may round to 0 or below
/// after a step to f[t] = 0, and a_ij / 0 would be infinite. The row's penalty adds
/// l1 + l2·f[t] to g and l2 to h (zero weights change no bit).
/// f[r·f_stride] is f[r]; G(j, r) is g[j·g_row_stride + r·g_col_stride]; v[e·v_stride] is the work
/// value of entry e (its old contents are ignored). Sums run over the entries in order: the same
/// input gives the same bits whoever runs the row.
template <class T, class Entries>
CUNMF_HOST_DEVICE inline void kl_cd_row_sweep(T* f, std::int64_t f_stride, const T* g,
                                              std::int64_t g_row_stride, std::int64_t g_col_stride,
                                              const T* g_sums, Penalty<T> penalty,
                                              std::int64_t k, const Entries& entries, T* v,
                                              std::int64_t v_stride) {
  const std::int64_t count = entries.count;
  for (std::int64_t e = 0; e < count; ++e) {
    if (!(entries.value(e) > T(0))) continue;
    const T* g_row = g + entries.column(e) * g_row_stride;
    T sum = 0;
    for (std::int64_t r = 0; r < k; ++r) sum += f[r * f_stride] * g_row[r * g_col_stride];
    v[e * v_stride] = sum;
  }
  for (std::int64_t t = 0; t < k; ++t) {
    const T* g_col = g + t * g_col_stride;
    const T old = f[t * f_stride];
    T gradient = (g_sums[t] + penalty.l1) + penalty.l2 * old;
    T hessian = penalty.l2;
    for (std::int64_t e = 0; e < count; ++e) {
      const T x = entries.value(e);
      if (!(x > T(0))) continue;
      const T gjt = g_col[entries.column(e) * g_row_stride];
      const T wh = clamped_product(v[e * v_stride]);
      const T ratio = x / wh;
      gradient -= gjt * ratio;
      hessian += ratio * gjt * gjt / wh;
    }
    T updated = old;
    if (hessian > T(0)) {
      updated = old - gradient / hessian;
      updated = updated > T(0) ? updated : T(0);
    } else if (gradient > T(0)) {
      updated = T(0);
    }
    if (updated == old) continue;
    f[t * f_stride] = updated;
    const T step = updated - old;
    for (std::int64_t e = 0; e < count; ++e) {
      if (!(entries.value(e) > T(0))) continue;
      v[e * v_stride] += step * g_col[entries.column(e) * g_row_stride];
    }
  }
}

/// kl_cd_row_sweep of `Lanes` dense rows at once, each lane one row: the same arithmetic in the
/// same order for every row, so the same bits as one row at a time, with the lanes' independent
/// sums in one vector where a single row's sums are chains of dependent additions (the CPU's
/// dense path). Entry e of lane l: x[e·Lanes + l]; f[r·Lanes + l] is F(row l, r); v is work space
/// of count·Lanes values. Zeros of x are not skipped, as kl_cd_row_sweep does, but give the same
/// bits: their ratio is exactly 0, so they add exact zeros to g and h, and their work values are
/// never read where they matter.
template <int Lanes, class T>
CUNMF_HOST_DEVICE inline void kl_cd_rows_sweep(T* f, const T* g, std::int64_t g_row_stride,
                                               std::int64_t g_col_stride, const T* g_sums,
                                               Penalty<T> penalty, std::int64_t k, const T* x,
                                               std::int64_t count, T* v) {
  for (std::int64_t e = 0; e < count; ++e) {
    const T* g_row = g + e * g_row_stride;
    T sum[Lanes] = {};
    for (std::int64_t r = 0; r < k; ++r) {
      const T gr = g_row[r * g_col_stride];
      for (int lane = 0; lane < Lanes; ++lane) sum[lane] += f[r * Lanes + lane] * gr;
    }
    for (int lane = 0; lane < Lanes; ++lane) v[e * Lanes + lane] = sum[lane];
  }
  for (std::int64_t t = 0; t < k; ++t) {
    const T* g_col = g + t * g_col_stride;
    T gradient[Lanes], hessian[Lanes];
    for (int lane = 0; lane < Lanes; ++lane) {
      gradient[lane] = (g_sums[t] + penalty.l1) + penalty.l2 * f[t * Lanes + lane];
      hessian[lane] = penalty.l2;
    }
    for (std::int64_t e = 0; e < count; ++e) {
      const T gjt = g_col[e * g_row_stride];
      for (int lane = 0; lane < Lanes; ++lane) {
        const T wh = clamped_product(v[e * Lanes + lane]);
        const T ratio = x[e * Lanes + lane] / wh;
        gradient[lane] -= gjt * ratio;
        hessian[lane] += ratio * gjt * gjt / wh;
      }
    }
    T step[Lanes];
    for (int lane = 0; lane < Lanes; ++lane) {
      const T old = f[t * Lanes + lane];
      T updated = old;
      if (hessian[lane] > T(0)) {
        updated = old - gradient[lane] / hessian[lane];
        updated = updated > T(0) ? updated : T(0);
      } else if (gradient[lane] > T(0)) {
        updated = T(0);
      }
      f[t * Lanes + lane] = updated;
      step[lane] = updated - old;
    }
    for (std::int64_t e = 0; e < count; ++e) {
      const T gjt = g_col[e * g_row_stride];
      for (int lane = 0; lane < Lanes; ++lane) v[e * Lanes + lane] += step[lane] * gjt;
    }
  }
}

/// The KL ratio x / wh at one entry.
template <class T>
CUNMF_HOST_DEVICE inline T kl_ratio(T x, T wh) {
  return x / clamped_product(wh);
}

/// √v in T, on the host and on the device.
template <class T>
CUNMF_HOST_DEVICE inline T square_root(T v) {
#if defined(__CUDA_ARCH__)
  return sqrt(v);
#else
  return std::sqrt(v);
#endif
}

/// v^e for an exponent e fixed by the caller: where e is a multiple of ½ with |e| ≤ 4 — the
/// β-divergence's exponents β − 2 and β − 1 for β = 0 (Itakura–Saito), ½, 3/2, 3, ... — by
/// multiplications, a square root and a division (within 2 ulp of pow, several times faster and
/// vectorizable); by pow otherwise. The choice is made once, not per entry.
template <class T>
struct FixedPower {
  T exponent = 1;
  int multiplications = 1;  ///< |e| rounded down to a whole number
  bool half = false;        ///< |e| has a ½
  bool reciprocal = false;  ///< e < 0
  bool general = false;     ///< pow

  static FixedPower of(T e) {
    FixedPower p;
    p.exponent = e;
    const T twice = e < T(0) ? -T(2) * e : T(2) * e;
    p.general = !(twice <= T(8)) || twice != static_cast<T>(static_cast<int>(twice));
    if (!p.general) {
      const int halves = static_cast<int>(twice);
      p.multiplications = halves / 2;
      p.half = halves % 2 != 0;
      p.reciprocal = e < T(0);
    }
    return p;
  }

  CUNMF_HOST_DEVICE T operator()(T v) const {
    if (general) return power(v, exponent);
    T result = half ? square_root(v) : T(1);
    for (int i = 0; i < multiplications; ++i) result *= v;
    return reciprocal ? T(1) / result : result;
  }
};

/// The weights of the β-divergence's multiplicative update, β ∉ {1, 2} (scikit-learn's
/// _multiplicative_update_w/h): entry (x, wh) weighs x·wh^(β−2) in the numerator
/// (A ⊙ ψ(W Fᵀ))·F, with wh raised to ε first when β < 2 (a negative power of 0), and wh^(β−1)
/// in the denominator ψ'(W Fᵀ)·F, with wh raised to ε first when β < 1.
template <class T>
struct BetaWeights {
  explicit BetaWeights(T beta)
      : clamp_numerator(beta < T(2)),
        clamp_denominator(beta < T(1)),
        numerator_power(FixedPower<T>::of(beta - T(2))),
        denominator_power(FixedPower<T>::of(beta - T(1))) {}

  CUNMF_HOST_DEVICE T numerator(T x, T wh) const {
    return x * numerator_power(clamp_numerator ? clamped_product(wh) : wh);
  }
  CUNMF_HOST_DEVICE T denominator(T wh) const {
    return denominator_power(clamp_denominator ? clamped_product(wh) : wh);
  }

  bool clamp_numerator;
  bool clamp_denominator;
  FixedPower<T> numerator_power;
  FixedPower<T> denominator_power;
};

/// The term of the β-divergence d_β(x | wh) (Févotte & Idier 2011) that an x = 0 entry
/// contributes, in double: wh^β / β for β > 0 (wh below 0 by rounding counts as 0); nothing for
/// β ≤ 0, where X has no zeros (they are rejected: d_β(0 | wh) is infinite or undefined).
CUNMF_HOST_DEVICE inline double beta_power_term(double wh, double beta) {
  if (!(beta > 0.0)) return 0.0;
  return pow(wh > 0.0 ? wh : 0.0, beta) / beta;
}

/// One term of the β-divergence d_β(x | wh), β ∉ {1, 2}, in double: for x > 0,
/// (x^β + (β − 1)·y^β − β·x·y^(β−1)) / (β(β − 1)) with y = max(wh, ε), and for β = 0 (Itakura–Saito)
/// x/y − log(x/y) − 1; for x = 0, beta_power_term(wh). scikit-learn's _beta_divergence sums the same
/// terms (it raises wh to ε only where x > 0).
CUNMF_HOST_DEVICE inline double beta_term(double x, double wh, double beta) {
  if (!(x > 0.0)) return beta_power_term(wh, beta);
  const double y = clamped_product(wh);
  if (beta == 0.0) {
    const double ratio = x / y;
    return ratio - log(ratio) - 1.0;
  }
  return (pow(x, beta) + (beta - 1.0) * pow(y, beta) - beta * x * pow(y, beta - 1.0)) /
         (beta * (beta - 1.0));
}

/// beta_term less what beta_power_term counts for every entry: CSR inputs sum this over the stored
/// entries and beta_power_term over all of them (the implicit zeros' terms included).
CUNMF_HOST_DEVICE inline double beta_term_without_power(double x, double wh, double beta) {
  return beta_term(x, wh, beta) - beta_power_term(wh, beta);
}

/// The part of a generalized KL term that needs x, in double: x·log(x / wh) − x (0 if x = 0).
/// Sparse inputs sum it over the non-zeros only and add Σ wh over all entries separately.
template <class T>
CUNMF_HOST_DEVICE inline double kl_term_without_wh(T x, T wh) {
  const double xd = static_cast<double>(x);
  if (!(xd > 0.0)) return 0.0;
  return xd * log(xd / static_cast<double>(clamped_product(wh))) - xd;
}

/// One term of the generalized KL divergence, in double: x·log(x / wh) − x + wh (wh if x = 0).
template <class T>
CUNMF_HOST_DEVICE inline double kl_term(T x, T wh) {
  return kl_term_without_wh(x, wh) + static_cast<double>(wh);
}

/// One term of the squared Frobenius residual, in double: (x − wh)².
template <class T>
CUNMF_HOST_DEVICE inline double squared_residual(T x, T wh) {
  const double r = static_cast<double>(x) - static_cast<double>(wh);
  return r * r;
}

}  // namespace cunmf::detail
