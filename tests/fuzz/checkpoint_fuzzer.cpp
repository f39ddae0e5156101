// libFuzzer target: the checkpoint reader (cunmf::io::read_checkpoint: a ZIP64 archive of .npy
// members) on arbitrary bytes, as float and double.
#include <cstddef>
#include <cstdint>
#include <sstream>

#include "cunmf/checkpoint.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cunmf;
  fuzz::expect_only_cunmf_errors("read_checkpoint<float>", [&] {
    std::istringstream in(fuzz::as_string(data, size));
    io::read_checkpoint<float>(in, "fuzz.npz");
  });
  fuzz::expect_only_cunmf_errors("read_checkpoint<double>", [&] {
    std::istringstream in(fuzz::as_string(data, size));
    io::read_checkpoint<double>(in, "fuzz.npz");
  });
  return 0;
}
