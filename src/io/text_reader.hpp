// Reading text matrix files fast: TextReader hands out lines from large buffered reads (no
// iostream formatting, which is too slow for 10^8-line files), Tokens splits a line at
// whitespace, and parse_integer / parse_value turn tokens into numbers with std::from_chars,
// failing with `name:line:` messages. Shared by the Matrix Market and CSV readers.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstring>
#include <iosfwd>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "io_support.hpp"

namespace cunmf::io::detail {

/// Lines of a stream, read in large blocks. A line is handed out without its end-of-line
/// characters (`\n`, `\r\n`); the last line need not end with one.
class TextReader {
 public:
  /// Reads `in`; `name` stands for the stream in messages.
  TextReader(std::istream& in, std::string name);

  /// The next line in `line` (valid until the next call), or false at the end of the input.
  /// Throws IoError when the stream fails.
  bool next_line(std::string_view& line) {
    for (;;) {
      const char* start = buffer_.data() + begin_;
      const auto* newline = static_cast<const char*>(std::memchr(start, '\n', end_ - begin_));
      if (newline != nullptr) {
        const auto length = static_cast<std::size_t>(newline - start);
        begin_ += length + 1;
        ++line_;
        line = trim_carriage_return(start, length);
        return true;
      }
      if (!refill()) {
        if (begin_ == end_) return false;
        const std::size_t length = end_ - begin_;
        begin_ = end_;
        ++line_;
        line = trim_carriage_return(buffer_.data() + end_ - length, length);
        return true;
      }
    }
  }

  /// The number of the line last handed out (1-based; 0 before the first).
  std::int64_t line_number() const { return line_; }
  /// The name of the stream in messages.
  const std::string& name() const { return name_; }
  /// Bytes of the stream not yet handed out, when the stream can tell its size (a file can, a
  /// pipe cannot).
  std::optional<std::int64_t> remaining_bytes() const;
  /// The bytes of the whole input, from where reading began, when the stream can tell its size.
  std::optional<std::int64_t> input_bytes() const {
    if (!stream_remaining_) return std::nullopt;
    return bytes_read_ + *stream_remaining_;
  }
  /// The bytes read from the stream so far: all of it once next_line has returned false.
  std::int64_t bytes_read() const { return bytes_read_; }

  /// Throws IoError `name:line: what`, `line` being the line last handed out.
  [[noreturn]] void fail(std::string_view what) const { fail_at_line(name_, line_, what); }

 private:
  static std::string_view trim_carriage_return(const char* start, std::size_t length) {
    if (length > 0 && start[length - 1] == '\r') --length;
    return {start, length};
  }
  /// Moves the unread bytes to the front and reads more after them (growing the buffer when a
  /// line fills it); false when nothing more could be read.
  bool refill();

  std::istream& in_;
  std::string name_;
  std::vector<char> buffer_;
  std::size_t begin_ = 0;  ///< first byte not yet handed out
  std::size_t end_ = 0;    ///< one past the last byte read
  std::int64_t line_ = 0;
  std::optional<std::int64_t> stream_remaining_;  ///< bytes left in the stream after end_
  std::int64_t bytes_read_ = 0;                   ///< bytes read from the stream
};

/// The whitespace-separated tokens of a line, in order.
class Tokens {
 public:
  explicit Tokens(std::string_view line) : next_(line.data()), end_(line.data() + line.size()) {}

  /// The next token in `token`, or false when the line has no more.
  bool next(std::string_view& token) {
    while (next_ != end_ && is_space(*next_)) ++next_;
    if (next_ == end_) return false;
    const char* start = next_;
    while (next_ != end_ && !is_space(*next_)) ++next_;
    token = {start, static_cast<std::size_t>(next_ - start)};
    return true;
  }

  /// Space, tab, and the rarer blanks a text editor might leave.
  static bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
  }

 private:
  const char* next_;
  const char* end_;
};

/// `text` with the spaces and tabs at either end removed.
inline std::string_view trim(std::string_view text) {
  while (!text.empty() && Tokens::is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && Tokens::is_space(text.back())) text.remove_suffix(1);
  return text;
}

/// `token` in single quotes for a message, shortened when long.
std::string quoted(std::string_view token);

/// The outcome of parsing a token.
enum class ParseStatus { Ok, Invalid, OutOfRange };

/// `token` without a leading `+` (std::from_chars does not accept one), unless that would leave
/// another sign or nothing.
inline std::string_view strip_plus(std::string_view token) {
  if (token.size() > 1 && token[0] == '+' && token[1] != '+' && token[1] != '-') {
    token.remove_prefix(1);
  }
  return token;
}

/// Parses a whole token as a decimal integer.
inline ParseStatus parse_integer(std::string_view token, std::int64_t& value) {
  token = strip_plus(token);
  const char* end = token.data() + token.size();
  const auto [ptr, ec] = std::from_chars(token.data(), end, value);
  if (ec == std::errc::result_out_of_range) return ParseStatus::OutOfRange;
  return ec == std::errc() && ptr == end ? ParseStatus::Ok : ParseStatus::Invalid;
}

/// Parses `token` (not empty) when from_chars reported it out of range: a value too small for T
/// becomes the nearest subnormal or zero, as strtod would give; one too large is out of range.
template <class T>
ParseStatus parse_real_out_of_range(std::string_view token, T& value);

/// Parses a whole token as a floating-point number (decimal or scientific notation, `inf`,
/// `infinity`, `nan`, any case), rounded correctly to T.
template <class T>
ParseStatus parse_real(std::string_view token, T& value) {
  token = strip_plus(token);
  const char* end = token.data() + token.size();
  const auto [ptr, ec] = std::from_chars(token.data(), end, value);
  if (ptr != end || ec == std::errc::invalid_argument) return ParseStatus::Invalid;
  if (ec == std::errc::result_out_of_range) return parse_real_out_of_range(token, value);
  return ParseStatus::Ok;
}

/// Parses a value token into T for `reader`'s current line, or throws IoError saying what was
/// wrong: not a number (not an integer when `integer_only`), out of T's range, or (with
/// `require_nonnegative`) negative, NaN or infinite. `column` (1-based) is named in the message
/// when it is not 0.
template <class T>
T parse_value(const TextReader& reader, std::string_view token, std::int64_t column,
              bool integer_only, bool require_nonnegative);

/// Throws IoError for a value token that parse_value rejected; kept out of line so that the
/// parsing loops stay small.
[[noreturn]] void fail_value(const TextReader& reader, std::string_view token, std::int64_t column,
                             const std::string& problem);

template <class T>
T parse_value(const TextReader& reader, std::string_view token, std::int64_t column,
              bool integer_only, bool require_nonnegative) {
  T value{};
  if (integer_only) {
    std::int64_t integer = 0;
    const ParseStatus status = parse_integer(token, integer);
    if (status == ParseStatus::Invalid) fail_value(reader, token, column, "is not an integer");
    if (status == ParseStatus::OutOfRange) fail_value(reader, token, column, "is out of range");
    value = static_cast<T>(integer);
  } else {
    const ParseStatus status = parse_real(token, value);
    if (status == ParseStatus::Invalid) fail_value(reader, token, column, "is not a number");
    if (status == ParseStatus::OutOfRange) {
      fail_value(
          reader, token, column,
          std::string("is out of range for ") + (sizeof(T) == sizeof(float) ? "float" : "double"));
    }
  }
  if (require_nonnegative && violates_nonnegativity(value)) {
    const std::string where = column != 0 ? "column " + std::to_string(column) + ": " : "";
    fail_with_invalid_entry([&] { reader.fail(where + nonnegativity_problem(value)); });
  }
  return value;
}

}  // namespace cunmf::io::detail
