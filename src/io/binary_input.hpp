// BinaryInput: bytes read from a stream, counting the offset so that messages can name the byte
// where a binary file (.npy) goes wrong.
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <string>
#include <string_view>

#include "io_support.hpp"

namespace cunmf::io::detail {

/// Bytes read from a stream, counting the offset for messages.
class BinaryInput {
 public:
  BinaryInput(std::istream& in, const std::string& name) : in_(in), name_(name) {}

  /// Reads up to `count` bytes into `data`; returns how many were read (fewer only at the end).
  std::size_t read_some(char* data, std::size_t count) {
    in_.read(data, static_cast<std::streamsize>(count));
    const auto got = static_cast<std::size_t>(in_.gcount());
    if (in_.bad()) fail("read error");
    offset_ += static_cast<std::int64_t>(got);
    return got;
  }
  /// Reads exactly `count` bytes, or throws naming `what` was truncated.
  void read_exact(char* data, std::size_t count, const char* what) {
    const std::size_t got = read_some(data, count);
    if (got < count) {
      fail(std::string("truncated ") + what + ": expected " + std::to_string(count) +
           " bytes, found " + std::to_string(got));
    }
  }
  /// True when the stream has no more bytes.
  bool at_end() { return in_.peek() == std::istream::traits_type::eof(); }

  std::int64_t offset() const { return offset_; }
  const std::string& name() const { return name_; }
  /// Throws IoError `name: byte offset: what` at the current offset.
  [[noreturn]] void fail(std::string_view what) const { fail_at_byte(name_, offset_, what); }

 private:
  std::istream& in_;
  const std::string& name_;
  std::int64_t offset_ = 0;
};

}  // namespace cunmf::io::detail
