// TextWriter: buffered output of text matrix files, numbers formatted with std::to_chars in the
// shortest form that reads back to the same bits. Shared by the Matrix Market and CSV writers.
#pragma once

#include <charconv>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "io_support.hpp"

namespace cunmf::io::detail {

/// Collects text in a large buffer and writes it to a stream block by block.
class TextWriter {
 public:
  /// Writes to `out`; `name` stands for the stream in messages.
  TextWriter(std::ostream& out, std::string name) : out_(out), name_(std::move(name)) {
    buffer_.resize(kBlockBytes);
  }

  /// Appends `text`.
  void put(std::string_view text) {
    if (text.size() > buffer_.size() - used_) flush_block();
    if (text.size() > buffer_.size()) {
      out_.write(text.data(), static_cast<std::streamsize>(text.size()));
      return;
    }
    text.copy(buffer_.data() + used_, text.size());
    used_ += text.size();
  }
  /// Appends one character.
  void put(char c) {
    if (used_ == buffer_.size()) flush_block();
    buffer_[used_++] = c;
  }
  /// Appends a number: an integer in decimal, a float or double in the shortest form that reads
  /// back to the same bits (std::to_chars without a precision).
  template <class Number>
  void put_number(Number value) {
    if (buffer_.size() - used_ < kLongestNumber) flush_block();
    const auto result =
        std::to_chars(buffer_.data() + used_, buffer_.data() + buffer_.size(), value);
    used_ = static_cast<std::size_t>(result.ptr - buffer_.data());
  }

  /// Writes what is buffered and flushes the stream; throws IoError when a write failed.
  void finish() {
    flush_block();
    finish_writing(out_, name_);
  }

 private:
  static constexpr std::size_t kBlockBytes = std::size_t{1} << 20;
  static constexpr std::size_t kLongestNumber = 64;  // "-1.2345678901234567e-308" and int64 fit

  void flush_block() {
    out_.write(buffer_.data(), static_cast<std::streamsize>(used_));
    used_ = 0;
    if (!out_) finish_writing(out_, name_);  // stop at the first failed write (e.g. disk full)
  }

  std::ostream& out_;
  std::string name_;
  std::vector<char> buffer_;
  std::size_t used_ = 0;
};

}  // namespace cunmf::io::detail
