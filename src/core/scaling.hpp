// Exact rescaling of an extreme X, so that float32 works across its whole range. Multiplicative
// updates are scale-equivariant: with X' = 2^p X, W' = 2^(p/2) W and H' = 2^(p/2) H, every
// product, quotient and sum of an iteration is the unscaled one times a power of two, which binary
// floating point represents exactly; only overflow, underflow and the ε rules (which apply to the
// scaled values) differ. X is rescaled only when its largest entry is outside [2^-10, 2^40]:
// above, float32 products overflow (entries around 1e30); below, the absolute ε rules that
// scikit-learn applies (a KL ratio X ⊘ max(WH, 1.2e-7)) swamp the data — at 1e-10 its KL updates
// diverge — and further down float32 underflows to zero. Inside the band nothing is copied and
// nothing changes (scikit-learn's iterates stay bit-exact).
#pragma once

#include <cstdint>
#include <vector>

#include "cunmf/factorize.hpp"
#include "host_factors.hpp"

namespace cunmf::detail {

/// Whether an extreme X may be rescaled under `options` (with_divergence-normalized): not for the
/// β-divergences other than Frobenius and KL, whose powers (wh)^(β−2) of a power of two are
/// powers of two only for some β, so the scaled iterates would not be the unscaled ones times a
/// power of two.
inline bool rescales(const Options& options) { return options.loss != Loss::Beta; }

/// The even exponent p for which 2^p · max_abs lies in [1, 4), or 0 when max_abs is 0 or within
/// [2^-10, 2^40].
int scale_exponent(double max_abs);

/// The largest entry of X (all entries are finite and ≥ 0: checked before).
template <class T>
double max_entry(DenseView<const T> X);
template <class T, class Index>
double max_entry(CsrView<const T, Index> X);

/// X scaled by 2^p: X itself when p = 0, else a view of the scaled values written to `storage`
/// (a dense X keeps its layout; a CSR X keeps its index arrays).
template <class T>
DenseView<const T> scaled(DenseView<const T> X, int p, std::vector<T>& storage);
template <class T, class Index>
CsrView<const T, Index> scaled(CsrView<const T, Index> X, int p, std::vector<T>& storage);

/// Multiplies every factor entry by 2^half_p.
template <class T>
void scale_factors(HostFactors<T>& f, int half_p);

/// The options of the scaled run: on_check reports the loss of the unscaled problem.
Options unscaled_reporting(const Options& options, int p);

/// Turns the history of the scaled run into the history of the unscaled problem (the Frobenius
/// loss scales by 2^(2p), the KL divergence by 2^p).
void unscale_history(RunSummary& summary, Loss loss, int p);

}  // namespace cunmf::detail
