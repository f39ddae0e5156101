// libFuzzer target: the Matrix Market readers on arbitrary bytes: every input through the reader
// the CLI uses (MatrixMarketReader: header, then CSR for a coordinate file, dense for an array
// one), then through one of: the header alone, the CLI's reader from a pipe, or the CSR and dense
// readers with the other value and index types, so every instantiation's size checks are reached.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <istream>
#include <sstream>
#include <string>

#include "cunmf/io.hpp"
#include "fuzz_support.hpp"

namespace {

/// Reads the entries in the form the header calls for, as the CLI does.
template <class T, class Index>
void read_as_the_cli_does(std::istream& in, bool require_nonnegative) {
  cunmf::io::MatrixMarketReader reader(in, "fuzz.mtx");
  if (reader.header().format == cunmf::io::MatrixMarketFormat::Coordinate) {
    reader.read_csr<T, Index>(require_nonnegative);
  } else {
    reader.read_dense<T>(require_nonnegative);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cunmf;
  const std::string bytes = fuzz::as_string(data, size);
  fuzz::expect_only_cunmf_errors("MatrixMarketReader<float, int32> (file)", [&] {
    std::istringstream in(bytes);
    read_as_the_cli_does<float, std::int32_t>(in, false);
  });
  // Each read costs the reader's 1 MiB buffer; one more read per input, chosen by the input's
  // hash (deterministic, so a finding reproduces), keeps the target fast.
  switch (std::hash<std::string>{}(bytes) % 4) {
    case 0:
      fuzz::expect_only_cunmf_errors("read_matrix_market_header (file)", [&] {
        std::istringstream in(bytes);
        io::read_matrix_market_header(in, "fuzz.mtx");
      });
      break;
    case 1:
      fuzz::expect_only_cunmf_errors("MatrixMarketReader<double, int64> (pipe, nonnegative)", [&] {
        fuzz::PipeBuffer buffer(data, size);
        std::istream in(&buffer);
        read_as_the_cli_does<double, std::int64_t>(in, true);
      });
      break;
    case 2:
      fuzz::expect_only_cunmf_errors("read_matrix_market_csr<double, int64> (file)", [&] {
        std::istringstream in(bytes);
        io::read_matrix_market_csr<double, std::int64_t>(in, "fuzz.mtx");
      });
      break;
    default:
      fuzz::expect_only_cunmf_errors("read_matrix_market_dense<float> (pipe)", [&] {
        fuzz::PipeBuffer buffer(data, size);
        std::istream in(&buffer);
        io::read_matrix_market_dense<float>(in, "fuzz.mtx");
      });
  }
  return 0;
}
