// Helpers shared by the GPU tests: the skip without a device, and element-type casts of host
// matrices (the GPU runs in T, the CPU reference in double).
#pragma once

#include <gtest/gtest.h>

#include "cunmf/factorize.hpp"
#include "cunmf/matrix.hpp"

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

}  // namespace cunmf::test
