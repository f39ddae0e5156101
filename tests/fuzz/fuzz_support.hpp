// What the libFuzzer targets share: a non-seekable input stream (a pipe, as standard input is) and
// the rule that a cunmf::Error is an expected outcome while any other exception is a finding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <new>
#include <sstream>
#include <streambuf>
#include <string>

#include "cunmf/errors.hpp"

namespace cunmf::fuzz {

/// A read-only stream buffer over `size` bytes that cannot seek or tell its size, so a reader
/// takes the path it takes for a pipe (chunked reading, no size checks against the file).
class PipeBuffer : public std::streambuf {
 public:
  PipeBuffer(const std::uint8_t* data, std::size_t size) {
    char* begin = const_cast<char*>(reinterpret_cast<const char*>(data));
    setg(begin, begin, begin + size);
  }
};

/// The input bytes as a string (for a seekable std::istringstream).
inline std::string as_string(const std::uint8_t* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

/// Runs read(); a cunmf::Error is the expected rejection of a malformed input. Any other
/// exception (std::bad_alloc included) is reported and aborts, which libFuzzer records as a
/// finding with the input that caused it.
template <class Read>
void expect_only_cunmf_errors(const char* what, Read&& read) {
  try {
    read();
  } catch (const cunmf::Error&) {
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "FINDING: %s: std::bad_alloc escaped\n", what);
    std::abort();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "FINDING: %s: unexpected exception: %s\n", what, e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "FINDING: %s: unexpected non-std exception\n", what);
    std::abort();
  }
}

}  // namespace cunmf::fuzz
