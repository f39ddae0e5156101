// Helpers shared by the GPU tests: the skip without a device, and element-type casts of host
// matrices (the GPU runs in T, the CPU reference in double).
#pragma once

#include <gtest/gtest.h>

#include "cunmf/factorize.hpp"
#include "cunmf/matrix.hpp"
#include "test_support.hpp"

/// Skips the test, with the reason, when no CUDA device (real or emulated) is usable.
#define CUNMF_SKIP_WITHOUT_DEVICE()                                          \
  if (!cunmf::cuda_available()) {                                            \
    GTEST_SKIP() << "no CUDA device: " << cunmf::cuda_device_description();  \
  }

namespace cunmf::test {

/// A copy of `a` with its entries converted to To.
template <class To, class From>
DenseMatrix<To> cast(const DenseMatrix<From>& a) {
  DenseMatrix<To> out(a.rows(), a.cols());
  for (std::int64_t i = 0; i < a.size(); ++i) out.data()[i] = static_cast<To>(a.data()[i]);
  return out;
}

/// Checks a GPU result against the CPU reference run from the same start: backend, finite
/// non-negative factors, factors within `factor_tol` (relative, Frobenius norm), and every loss
/// check within `loss_tol` (relative).
template <class T>
void expect_matches_reference(const Result<T>& gpu, const Result<double>& cpu, double factor_tol,
                              double loss_tol) {
  EXPECT_EQ(gpu.backend, Backend::Cuda);
  EXPECT_EQ(gpu.iterations, cpu.iterations);
  EXPECT_TRUE(all_finite_nonnegative(gpu.W.view()));
  EXPECT_TRUE(all_finite_nonnegative(gpu.H.view()));
  EXPECT_LT(relative_difference(gpu.W, cpu.W), factor_tol);
  EXPECT_LT(relative_difference(gpu.H, cpu.H), factor_tol);
  ASSERT_EQ(gpu.loss_history.size(), cpu.loss_history.size());
  for (std::size_t i = 0; i < cpu.loss_history.size(); ++i) {
    EXPECT_NEAR(gpu.loss_history[i], cpu.loss_history[i], loss_tol * cpu.loss_history[i] + 1e-12)
        << "check " << i;
  }
}

}  // namespace cunmf::test
