// Helpers shared by the GPU tests and the solver comparisons: the skip without a device,
// element-type casts of host matrices (the GPU runs in T, the CPU reference in double), a GPU run
// against the CPU's, and the iterations a solver needs to reach MU's 1000-iteration loss.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>

#include "cunmf/factorize.hpp"
#include "cunmf/matrix.hpp"
#include "sparse_support.hpp"
#include "test_support.hpp"

/// Skips the test, with the reason, when no CUDA device (real or emulated) is usable.
#define CUNMF_SKIP_WITHOUT_DEVICE()                                         \
  if (!cunmf::cuda_available()) {                                           \
    GTEST_SKIP() << "no CUDA device: " << cunmf::cuda_device_description(); \
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

/// The CUDA backend (`gpu`, in T) against the CPU backend in double (`cpu`) from the same start
/// (W0, H0), on a dense X and on a CSR X (each in T, and the CPU's copy in double), with
/// expect_matches_reference's checks at relative tolerance `tol`.
template <class T>
void expect_cuda_matches_cpu(const Options& gpu, const Options& cpu, const DenseMatrix<T>& X,
                             const CsrMatrix<T, std::int32_t>& X_csr, const DenseMatrix<T>& W0,
                             const DenseMatrix<T>& H0, double tol) {
  const DenseMatrix<double> W0d = cast<double>(W0), H0d = cast<double>(H0);
  expect_matches_reference(factorize(X.view(), gpu, W0.view(), H0.view()),
                           factorize(cast<double>(X).view(), cpu, W0d.view(), H0d.view()), tol,
                           tol);
  const DenseMatrix<double> X_csr_dense = cast<double>(densify(X_csr));
  expect_matches_reference(factorize(X_csr.view(), gpu, W0.view(), H0.view()),
                           factorize(csr_from_dense<double, std::int32_t>(X_csr_dense).view(), cpu,
                                     W0d.view(), H0d.view()),
                           tol, tol);
}

/// The first iteration at which `options` reaches the loss MU has after 1000 iterations on the
/// solver comparisons' dataset (planted rank 6 with parts-based factors, 120 × 90, 5% noise, k = 6,
/// from the seed's start), checking every iteration up to options.max_iter; −1 when it does not.
/// Prints both, so the measured count shows in the test's output.
inline int iterations_to_mu_loss(Options options, const char* name) {
  const DenseMatrix<double> X = planted_matrix<double>(120, 90, 6, 0.05, 51, 0.5);
  Options mu = options;
  mu.solver = Solver::MultiplicativeUpdate;
  mu.max_iter = mu.check_every = 1000;
  const double mu_loss = factorize(X.view(), mu).loss_history.back();
  options.check_every = 1;
  const Result<double> r = factorize(X.view(), options);
  int reached = -1;
  for (std::size_t c = 0; c < r.loss_history.size() && reached < 0; ++c) {
    if (r.loss_history[c] <= mu_loss) reached = r.history_iterations[c];
  }
  std::printf("MU's loss after 1000 iterations: %.9e; %s reaches it after %d iterations\n", mu_loss,
              name, reached);
  return reached;
}

}  // namespace cunmf::test
