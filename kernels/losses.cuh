// Launchers of the loss reductions: sums of per-entry terms, accumulated in double with a fixed
// combining order (same input, same bits); a float run's residual and KL terms are formed and
// summed per thread in float, compensated (loss_terms.cuh), before the threads' sums meet in
// double.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace cunmf::detail {

/// Which per-entry term to sum.
enum class LossTerm {
  SquaredResidual,  ///< (x − wh)²
  KullbackLeibler,  ///< x·log(x / wh) − x + wh
  Value,            ///< x (wh is not read; may be null)
  Product,          ///< x · wh
  Beta,             ///< beta_term(x, wh, β) of elementwise.cuh: the β-divergence, β ∉ {1, 2}
  BetaPower,        ///< beta_power_term(x, β): x is a W·H value (wh is not read; may be null)
};

/// Blocks of partial sums a call may write: `partials` must hold this many doubles.
inline constexpr int kLossPartials = 1024;

/// *accumulator += Σ_{i<count} term(x[i], wh[i]) (`beta`: β of the Beta terms).
/// `partials` is scratch of kLossPartials doubles. Queued on `stream`; *accumulator is device
/// memory.
template <class T>
void accumulate_loss_terms(LossTerm term, const T* x, const T* wh, std::int64_t count,
                           double* partials, double* accumulator, cudaStream_t stream,
                           double beta = 0.0);

/// *accumulator += Σ partials[0 .. count), in a fixed order (one block). Queued on `stream`.
void add_partials(const double* partials, int count, double* accumulator, cudaStream_t stream);

}  // namespace cunmf::detail
