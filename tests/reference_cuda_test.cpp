// The CUDA backend against the textbook oracle (label gpu): the suite of reference_suite.hpp,
// instantiated for Backend::Cuda, on a real or the emulated device; without one every test skips
// with the reason. Its shapes stay small (dimensions ≤ 129, 30 iterations) for the emulated
// device under ASan.
#include <gtest/gtest.h>

#include "reference_suite.hpp"

namespace cunmf::test {

using CudaCases = ::testing::Types<CudaFloat, CudaDouble>;
INSTANTIATE_TYPED_TEST_SUITE_P(Reference, ReferenceTest, CudaCases);

}  // namespace cunmf::test
