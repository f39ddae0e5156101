// Projected ALS on the CUDA backend (label gpu): the suite of als_suite.hpp against the textbook
// oracle, and the CUDA result against the CPU backend's from the same start, on a real or the
// emulated device; without one every test skips with the reason. Not in the TSan list of
// scripts/test-emulated.sh: its kernels (the ridge, the projection) are plain grid-stride loops
// without shared memory, and cuda_sparse_test covers the reductions of the loss.
#include <cusolverDn.h>
#include <gtest/gtest.h>

#include <string>

#include "als_suite.hpp"
#include "cuda/cuda_check.hpp"

namespace cunmf::test {

using CudaCases = ::testing::Types<CudaFloat, CudaDouble>;
INSTANTIATE_TYPED_TEST_SUITE_P(Als, AlsTest, CudaCases);

namespace {

// Both backends in double from the same X, W0, H0: only rounding differs (1e-9, as against the
// oracle), dense and CSR.
TEST(AlsCuda, AgreesWithTheCpuBackend) {
  CUNMF_SKIP_WITHOUT_DEVICE();
  const DenseMatrix<double> X = planted_matrix<double>(45, 33, 4, 0.1, 131);
  const auto X_csr = random_csr<double, std::int32_t>(45, 33, 0.4, 132, 3, 5);
  const DenseMatrix<double> W0 = random_matrix<double>(45, 4, 133);
  const DenseMatrix<double> H0 = random_matrix<double>(4, 33, 134);
  Options o = als_options(Backend::Cpu, 4, 12, 4);
  const Result<double> cpu_dense = factorize(X.view(), o, W0.view(), H0.view());
  const Result<double> cpu_csr = factorize(X_csr.view(), o, W0.view(), H0.view());
  o.backend = Backend::Cuda;
  expect_matches_reference(factorize(X.view(), o, W0.view(), H0.view()), cpu_dense, 1e-9, 1e-9);
  expect_matches_reference(factorize(X_csr.view(), o, W0.view(), H0.view()), cpu_csr, 1e-9, 1e-9);
}

// A failing cuSOLVER call's message reads file:line: expr: name: text (cuSOLVER has no function
// that names its statuses: ours does).
TEST(AlsCuda, CusolverErrorNamesPlaceCallAndStatus) {
  CUNMF_SKIP_WITHOUT_DEVICE();
  try {
    CUNMF_CUSOLVER_CHECK(cusolverDnDestroy(nullptr));
    FAIL() << "cusolverDnDestroy(nullptr) succeeded";
  } catch (const CudaError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("als_cuda_test.cpp:"), std::string::npos) << message;
    EXPECT_NE(message.find(": cusolverDnDestroy(nullptr): CUSOLVER_STATUS_NOT_INITIALIZED: the "
                           "library was not initialized"),
              std::string::npos)
        << message;
  }
}

}  // namespace
}  // namespace cunmf::test
