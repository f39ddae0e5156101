// The type parameters of the oracle suites (reference_suite.hpp for MU, als_suite.hpp for ALS):
// the element type and the backend under test, and their fixture; a view of an oracle matrix; the
// rounding floor of a loss near an exact fit.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "cuda_test_support.hpp"
#include "cunmf/cunmf.hpp"
#include "reference/mu_reference.hpp"

namespace cunmf::test {

/// A type parameter of the suite: the element type and the backend under test.
template <class T, Backend B>
struct Case {
  using Scalar = T;
  static constexpr Backend kBackend = B;
};

// The four cases, named so that test names read e.g. Reference.DenseMatchesOracle<...CpuFloat>.
struct CpuFloat : Case<float, Backend::Cpu> {};
struct CpuDouble : Case<double, Backend::Cpu> {};
struct CudaFloat : Case<float, Backend::Cuda> {};
struct CudaDouble : Case<double, Backend::Cuda> {};

/// The cases of a test source built twice (tests/CMakeLists.txt): the CPU backend's, or with
/// CUNMF_TEST_ON_CUDA defined, the CUDA backend's (CTest prefixes each test with its executable,
/// so the two builds' names differ).
#if defined(CUNMF_TEST_ON_CUDA)
using BackendCases = ::testing::Types<CudaFloat, CudaDouble>;
#else
using BackendCases = ::testing::Types<CpuFloat, CpuDouble>;
#endif

/// Options for a run compared with an oracle: exactly max_iter iterations (tol = 0), the loss
/// checked every check_every.
inline Options reference_options(Backend backend, Loss loss, std::int64_t k, int max_iter,
                                 int check_every, Solver solver = Solver::MultiplicativeUpdate) {
  Options o;
  o.rank = k;
  o.loss = loss;
  o.solver = solver;
  o.backend = backend;
  o.max_iter = max_iter;
  o.tol = 0.0;
  o.check_every = check_every;
  return o;
}

/// A problem shape: X is m × n, the rank k.
struct RefShape {
  std::int64_t m, n, k;
};

/// The fixture of a suite typed over the cases: skips the CUDA instantiation when there is no
/// device.
template <class C>
class CaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if constexpr (C::kBackend == Backend::Cuda) {
      CUNMF_SKIP_WITHOUT_DEVICE();
    }
  }
};

/// A view of an oracle matrix, for relative_difference.
inline DenseView<const double> view_of(const reference::Matrix& a) {
  return {a.data.data(), a.rows, a.cols, Layout::RowMajor};
}

/// The absolute rounding floor of a loss near an exact fit (a side of 1 with k = 1 is fitted
/// exactly after one iteration), where relative tolerances mean nothing: each wh is off by a few
/// ulps of x, so the Frobenius loss is ½Σ(4ε_T·x)² at most, and the CSR path evaluates it as the
/// documented expansion ‖X‖² − 2⟨X, WH⟩ + ‖WH‖² in double, which cancels to ~ε_double·‖X‖²; for
/// KL, x·log(x/wh) − x + wh evaluated in double cancels to ~ε_double·x per entry, plus the
/// ~ε_T²·x of the T-valued factors. Negligible (< 1e-13 relative) where the fit is not exact.
template <class T>
double loss_floor(const reference::Matrix& X, Loss loss) {
  const double eps = std::numeric_limits<T>::epsilon();
  const double eps_double = std::numeric_limits<double>::epsilon();
  double sum = 0.0, sum_squares = 0.0;
  for (const double x : X.data) sum += x, sum_squares += x * x;
  const double per_unit = 16.0 * (eps_double + eps * eps);
  return per_unit * (loss == Loss::Frobenius ? sum_squares : sum);
}

}  // namespace cunmf::test
