// The dense loss terms in float and the compensated sum a thread keeps of them: what the CUDA
// backend's dense loss sums for a float run, instead of converting every entry to double (issue
// 18: double arithmetic runs at 1/2 of float's rate on an H100 and 1/64 on most other GPUs, and a
// KL term is a logarithm). Double runs keep the double terms of elementwise.cuh.
//
// Accuracy. A float run's terms come from float inputs: x, and wh from a float product, which
// already carries a relative rounding of about k·ε (ε = 2⁻²⁴ here). A term evaluated in float adds
// less error than wh brings when it is written without cancelling its leading parts:
//  - (x − wh)²: x − wh is exact when wh is within a factor 2 of x (Sterbenz), so the square is
//    good to about ε relative, however good the fit;
//  - KL, x·log(x / y) − x + wh with y = max(wh, ε): near a good fit (y = x(1 + d), |d| ≪ 1) its
//    parts, of size x, cancel down to x·d²/2, so that form loses about ε/d² relatively (6 % at
//    d = 1e-3). Written x·(d − log1p(d)), with d = (y − x)/x exact but for the division, it loses
//    about 2ε/|d| (1e-4 there), less than wh's own rounding contributes (about 2kε/|d|). Where y
//    is not within a factor 2 of x the parts do not cancel much and the first form is used (with
//    log x − log y where x / y would leave float's normal range).
// A thread sums thousands of terms on a large X (20000² entries over the loss kernel's 2¹⁸
// threads: about 1500 each); a plain float sum would lose up to that many roundings, Neumaier's
// compensated sum keeps it to about 2ε whatever the count. The threads' sums are then added in
// double (kernels/losses.cu).
#pragma once

#include <float.h>  // FLT_MIN, FLT_MAX
#include <math.h>   // logf, log1pf: float on the host as on the device

#include "elementwise.cuh"

namespace cunmf::detail {

/// Neumaier's compensated sum (Kahan's, also right when an added value is larger than the sum):
/// sum + compensation is the exact sum of the values up to about 2ε relative.
template <class T>
class CompensatedSum {
 public:
  T sum = 0;
  T compensation = 0;  ///< the low-order parts lost by each rounding of `sum`, added up

  CUNMF_HOST_DEVICE void add(T value) {
    const T t = sum + value;
    compensation += magnitude(sum) >= magnitude(value) ? (sum - t) + value : (value - t) + sum;
    sum = t;
  }
  /// The sum; infinite or NaN as the plain sum would be (an overflowed term makes the
  /// compensation NaN, which must not turn an infinite loss into a NaN one).
  CUNMF_HOST_DEVICE double total() const {
    const bool finite = sum - sum == T(0);
    return finite ? static_cast<double>(sum) + static_cast<double>(compensation)
                  : static_cast<double>(sum);
  }

 private:
  CUNMF_HOST_DEVICE static T magnitude(T v) { return v < T(0) ? -v : v; }
};

/// The loss terms in a run's precision: in float for float (below), the double terms of
/// elementwise.cuh for double.
CUNMF_HOST_DEVICE inline double squared_residual_in(double x, double wh) {
  return squared_residual(x, wh);
}
CUNMF_HOST_DEVICE inline double kl_term_in(double x, double wh) { return kl_term(x, wh); }

/// (x − wh)² in float.
CUNMF_HOST_DEVICE inline float squared_residual_in(float x, float wh) {
  const float r = x - wh;
  return r * r;
}

/// The generalized KL term x·log(x / y) − x + wh, y = max(wh, ε) (kl_term of elementwise.cuh), in
/// float without the cancellation near y = x (see the file's comment); wh if x = 0.
CUNMF_HOST_DEVICE inline float kl_term_in(float x, float wh) {
  if (!(x > 0.0f)) return wh;
  const float y = clamped_product(wh);
  if (y >= 0.5f * x && y <= 2.0f * x) {
    const float d = (y - x) / x;  // y − x is exact here (Sterbenz)
    return x * (d - log1pf(d)) + (wh - y);
  }
  const float q = x / y;
  const float log_q = q >= FLT_MIN && q <= FLT_MAX ? logf(q) : logf(x) - logf(y);
  return x * log_q - x + wh;
}

/// A thread's sum of loss terms of type Value: compensated in float for float terms, plain in
/// double for double ones; total() in double either way.
template <class Value>
struct ThreadSum {
  double sum = 0.0;
  CUNMF_HOST_DEVICE void add(double value) { sum += value; }
  CUNMF_HOST_DEVICE double total() const { return sum; }
};
template <>
struct ThreadSum<float> : CompensatedSum<float> {};

}  // namespace cunmf::detail
