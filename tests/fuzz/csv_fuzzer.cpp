// libFuzzer target: the CSV reader (cunmf::io::read_csv) on arbitrary bytes, as float and double,
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
  fuzz::expect_only_cunmf_errors("read_csv<double> (file)", [&] {
    std::istringstream in(fuzz::as_string(data, size));
    io::read_csv<double>(in, "fuzz.csv");
  });
  fuzz::expect_only_cunmf_errors("read_csv<float> (pipe, nonnegative)", [&] {
    fuzz::PipeBuffer buffer(data, size);
    std::istream in(&buffer);
    io::read_csv<float>(in, "fuzz.csv", /*require_nonnegative=*/true);
  });
  return 0;
}
