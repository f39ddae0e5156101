// BinaryInput: bytes read from a stream, counting the offset so that messages can name the byte
// where a binary file (.npy) goes wrong; MemoryBuffer: a stream buffer over bytes already read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <optional>
#include <streambuf>
#include <string>
#include <string_view>

#include "io_support.hpp"

namespace cunmf::io::detail {

/// Bytes read from a stream, counting the offset for messages.
class BinaryInput {
 public:
  /// Reads `in`, whose first byte is at `offset` in the file named `name`.
  BinaryInput(std::istream& in, const std::string& name, std::int64_t offset = 0)
      : in_(in), name_(name), offset_(offset) {}

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
  /// The bytes left in the stream, when it can tell (a file can, a pipe cannot).
  std::optional<std::int64_t> remaining() { return remaining_bytes(in_); }
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

/// A read-only stream buffer over bytes held elsewhere, which must outlive it.
class MemoryBuffer : public std::streambuf {
 public:
  MemoryBuffer(char* data, std::size_t size) { setg(data, data, data + size); }
};

}  // namespace cunmf::io::detail
