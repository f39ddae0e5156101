// The element-wise math of the multiplicative updates and the losses, as __host__ __device__
// functions so kernels and CPU tests share one definition (DESIGN.md rule 6).
#pragma once

#include <cmath>

#if defined(__CUDACC__) || defined(CUNMF_CUDA_EMULATION)
#define CUNMF_HOST_DEVICE __host__ __device__
#else
#define CUNMF_HOST_DEVICE
#endif

namespace cunmf::detail {

/// A denominator that is exactly 0 becomes ε (float32 machine epsilon, as scikit-learn uses);
/// kept in step with kEpsilon in src/problem.hpp.
template <class T>
CUNMF_HOST_DEVICE inline T nonzero_denominator(T d) {
  return d == T(0) ? T(1.1920928955078125e-07) : d;
}

/// One multiplicative update of a factor entry: f · numerator / denominator.
template <class T>
CUNMF_HOST_DEVICE inline T mu_step(T f, T numerator, T denominator) {
  return f * numerator / nonzero_denominator(denominator);
}

/// The KL ratio x / wh at one entry.
template <class T>
CUNMF_HOST_DEVICE inline T kl_ratio(T x, T wh) {
  return x / nonzero_denominator(wh);
}

/// The part of a generalized KL term that needs x, in double: x·log(x / wh) − x (0 if x = 0).
/// Sparse inputs sum it over the non-zeros only and add Σ wh over all entries separately.
template <class T>
CUNMF_HOST_DEVICE inline double kl_term_without_wh(T x, T wh) {
  const double xd = static_cast<double>(x);
  if (!(xd > 0.0)) return 0.0;
  return xd * log(xd / static_cast<double>(nonzero_denominator(wh))) - xd;
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
