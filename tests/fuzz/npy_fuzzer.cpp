// libFuzzer target: the .npy reader (cunmf::io::read_npy) on arbitrary bytes, as float and double,
// from a seekable stream (as a file is read) and from a pipe, with and without the
// non-negativity check.
#include <cstddef>
#include <cstdint>
#include <istream>
#include <sstream>

#include "cunmf/io.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cunmf;
  fuzz::expect_only_cunmf_errors("read_npy<float> (file)", [&] {
    std::istringstream in(fuzz::as_string(data, size));
    io::read_npy<float>(in, "fuzz.npy");
  });
  fuzz::expect_only_cunmf_errors("read_npy<double> (pipe, nonnegative)", [&] {
    fuzz::PipeBuffer buffer(data, size);
    std::istream in(&buffer);
    io::read_npy<double>(in, "fuzz.npy", /*require_nonnegative=*/true);
  });
  return 0;
}
