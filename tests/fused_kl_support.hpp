// Helpers of the fused KL kernels' tests (fused_kl_cuda_test.cpp, fused_kl_tf32_cuda_test.cpp):
// random operands, copies to and from the device, the textbook evaluation of the dense fused
// product in double, and the entrywise relative error against it.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "../kernels/elementwise.cuh"
#include "cunmf/cuda/context.hpp"
#include "cunmf/cuda/device_buffer.hpp"

namespace cunmf::test {

/// `count` values, each 0 with probability zero_fraction, else uniform in [0.05, 1.05).
template <class T>
std::vector<T> uniform_values(std::size_t count, std::uint64_t seed, double zero_fraction) {
  std::mt19937_64 engine(seed);
  std::vector<T> v(count);
  for (T& x : v) {
    const double u = static_cast<double>(engine() >> 11) * 0x1p-53;
    const double w = static_cast<double>(engine() >> 11) * 0x1p-53;
    x = u < zero_fraction ? T(0) : static_cast<T>(0.05 + w);
  }
  return v;
}

template <class T>
std::vector<T> to_host(const cuda::DeviceBuffer<T>& d, const cuda::Context& ctx) {
  std::vector<T> h(d.size());
  d.copy_to_host(h.data(), ctx);
  return h;
}

template <class T>
cuda::DeviceBuffer<T> to_device(const std::vector<T>& h, const cuda::Context& ctx) {
  cuda::DeviceBuffer<T> d(h.size());
  d.copy_from_host(h.data(), ctx);
  return d;
}

/// The largest entrywise relative error |actual − expected| / |expected| (0 where both are 0):
/// entrywise, as the rows whose W Fᵀ is clamped at ε are 1e7 times larger than the others and
/// would hide them in a norm.
template <class T>
double largest_relative_error(const std::vector<T>& actual, const std::vector<double>& expected) {
  double largest = 0.0;
  for (std::size_t e = 0; e < expected.size(); ++e) {
    const double difference = std::abs(static_cast<double>(actual[e]) - expected[e]);
    if (difference > 0.0) largest = std::max(largest, difference / std::abs(expected[e]));
  }
  return largest;
}

/// (A ⊘ max(W Fᵀ, ε)) · F in double, A (rows × cols) being the column-major S (leading dimension
/// ld) or its transpose; W rows × k and F cols × k column-major; the result rows × k.
template <class T>
std::vector<double> dense_ratio_product_oracle(const std::vector<T>& S, std::int64_t ld,
                                               bool transposed, std::int64_t rows,
                                               std::int64_t cols, const std::vector<T>& W,
                                               const std::vector<T>& F, std::int64_t k) {
  std::vector<double> expected(static_cast<std::size_t>(rows * k), 0.0);
  for (std::int64_t i = 0; i < rows; ++i)
    for (std::int64_t j = 0; j < cols; ++j) {
      double wh = 0.0;
      for (std::int64_t s = 0; s < k; ++s)
        wh += static_cast<double>(W[i + s * rows]) * static_cast<double>(F[j + s * cols]);
      const double a = static_cast<double>(transposed ? S[j + i * ld] : S[i + j * ld]);
      const double q = a / std::max(wh, detail::kEpsilon);
      for (std::int64_t r = 0; r < k; ++r)
        expected[i + r * rows] += q * static_cast<double>(F[j + r * cols]);
    }
  return expected;
}

/// The generalized KL divergence of A ≈ W Fᵀ in double (kl_term of every entry, W Fᵀ in double),
/// operands as in dense_ratio_product_oracle.
template <class T>
double dense_kl_oracle(const std::vector<T>& S, std::int64_t ld, bool transposed, std::int64_t rows,
                       std::int64_t cols, const std::vector<T>& W, const std::vector<T>& F,
                       std::int64_t k) {
  double loss = 0.0;
  for (std::int64_t i = 0; i < rows; ++i)
    for (std::int64_t j = 0; j < cols; ++j) {
      double wh = 0.0;
      for (std::int64_t s = 0; s < k; ++s)
        wh += static_cast<double>(W[i + s * rows]) * static_cast<double>(F[j + s * cols]);
      loss += detail::kl_term(static_cast<double>(transposed ? S[j + i * ld] : S[i + j * ld]), wh);
    }
  return loss;
}

/// A dense case: A is rows × cols, the factors have rank k.
struct FusedCase {
  std::int64_t rows, cols, k;
};

/// "rows x cols, k K, A = S" (or "A = S^T"), for SCOPED_TRACE.
inline std::string describe(const FusedCase& c, bool transposed) {
  return std::to_string(c.rows) + " x " + std::to_string(c.cols) + ", k " + std::to_string(c.k) +
         (transposed ? ", A = S^T" : ", A = S");
}

/// The host operands of a dense case and the oracle's answer: S holds A (rows × cols) or Aᵀ,
/// column-major with two rows of padding (leading dimension ld), 30% zeros; W (rows × k) has a
/// zero last row (the clamped W Fᵀ = 0); F is cols × k. `seed` advances by three.
template <class T>
struct DenseOperands {
  std::int64_t ld;
  std::vector<T> S, W, F;
  std::vector<double> expected;

  DenseOperands(const FusedCase& c, bool transposed, std::uint64_t& seed)
      : ld((transposed ? c.cols : c.rows) + 2),
        S(uniform_values<T>(static_cast<std::size_t>(ld * (transposed ? c.rows : c.cols)), ++seed,
                            0.3)),
        W(uniform_values<T>(static_cast<std::size_t>(c.rows * c.k), ++seed, 0.0)),
        F(uniform_values<T>(static_cast<std::size_t>(c.cols * c.k), ++seed, 0.0)) {
    for (std::int64_t s = 0; s < c.k; ++s) W[(c.rows - 1) + s * c.rows] = T(0);
    expected = dense_ratio_product_oracle(S, ld, transposed, c.rows, c.cols, W, F, c.k);
  }
};

/// A dense case's operands copied to the device.
template <class T>
struct DeviceOperands {
  cuda::DeviceBuffer<T> S, W, F;

  DeviceOperands(const DenseOperands<T>& host, const cuda::Context& ctx)
      : S(to_device(host.S, ctx)), W(to_device(host.W, ctx)), F(to_device(host.F, ctx)) {}
};

}  // namespace cunmf::test
