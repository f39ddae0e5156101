// Reading and parsing the .npy header (npy_header.hpp).
#include "npy_header.hpp"

#include <cstring>
#include <limits>
#include <string_view>
#include <utility>

#include "input_limits.hpp"

namespace cunmf::io::detail {

namespace {

/// A recursive-descent parser of the header's dict literal, which numpy writes with repr():
/// string keys and values in single (or double) quotes, True/False, and a tuple of integers.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, std::int64_t base, const std::string& name)
      : text_(text), base_(base), name_(name) {}

  NpyHeader parse() {
    NpyHeader header;
    bool have_descr = false, have_order = false, have_shape = false;
    expect('{');
    while (!consume('}')) {
      const std::size_t key_at = skip_space();
      const std::string key = string_literal("a key");
      expect(':');
      const auto seen = [&](bool& flag) {
        if (flag) fail_at(key_at, "duplicate key '" + key + "'");
        flag = true;
      };
      if (key == "descr") {
        seen(have_descr);
        parse_descr(header);
      } else if (key == "fortran_order") {
        seen(have_order);
        header.fortran_order = boolean();
      } else if (key == "shape") {
        seen(have_shape);
        header.shape = shape();
      } else {
        fail_at(key_at, "unexpected key '" + key + "'");
      }
      if (!consume(',')) {
        expect('}');
        break;
      }
    }
    if (!have_descr) fail_here("missing key 'descr'");
    if (!have_order) fail_here("missing key 'fortran_order'");
    if (!have_shape) fail_here("missing key 'shape'");
    skip_space();
    if (pos_ != text_.size()) fail_here("unexpected text after the header dict");
    return header;
  }

 private:
  [[noreturn]] void fail_at(std::size_t pos, const std::string& what) const {
    fail_at_byte(name_, base_ + static_cast<std::int64_t>(pos), "header: " + what);
  }
  [[noreturn]] void fail_here(const std::string& what) const { fail_at(pos_, what); }

  std::size_t skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                                   text_[pos_] == '\t' || text_[pos_] == '\r')) {
      ++pos_;
    }
    return pos_;
  }
  bool consume(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!consume(c)) fail_here(std::string("expected '") + c + "'");
  }
  std::string string_literal(const char* what) {
    skip_space();
    if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) {
      fail_here(std::string("expected ") + what + " in quotes");
    }
    const char quote = text_[pos_];
    const std::size_t start = pos_ + 1;
    const std::size_t stop = text_.find(quote, start);
    if (stop == std::string_view::npos) fail_here("unterminated string");
    pos_ = stop + 1;
    return std::string(text_.substr(start, stop - start));
  }
  bool boolean() {
    skip_space();
    for (const auto& [word, value] :
         {std::pair{std::string_view("True"), true}, std::pair{std::string_view("False"), false}}) {
      if (text_.substr(pos_, word.size()) == word) {
        pos_ += word.size();
        return value;
      }
    }
    fail_here("expected True or False for 'fortran_order'");
  }
  std::int64_t integer() {
    skip_space();
    const std::size_t start = pos_;
    std::int64_t value = 0;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      const int digit = text_[pos_] - '0';
      if (value > (std::numeric_limits<std::int64_t>::max() - digit) / 10) {
        fail_at(start, "dimension too large");
      }
      value = value * 10 + digit;
      ++pos_;
    }
    if (pos_ == start) fail_here("expected a non-negative integer dimension");
    if (pos_ < text_.size() && text_[pos_] == 'L') ++pos_;  // Python 2 wrote longs as 3L
    return value;
  }
  std::vector<std::int64_t> shape() {
    std::vector<std::int64_t> dims;
    expect('(');
    while (!consume(')')) {
      dims.push_back(integer());
      if (!consume(',')) {
        expect(')');
        break;
      }
    }
    return dims;
  }
  void parse_descr(NpyHeader& header) {
    const std::size_t at = skip_space();
    if (at < text_.size() && text_[at] == '[') {
      fail_at(at,
              "unsupported structured dtype: only float32 ('<f4') and float64 ('<f8') are read");
    }
    header.descr = string_literal("the dtype");
    const std::string& d = header.descr;
    const bool float_kind = d.size() == 3 && d[1] == 'f' && (d[2] == '4' || d[2] == '8') &&
                            (d[0] == '<' || d[0] == '>' || d[0] == '=' || d[0] == '|');
    if (!float_kind) {
      fail_at(at,
              "unsupported dtype '" + d + "': only float32 ('<f4') and float64 ('<f8') are read");
    }
    header.item_bytes = d[2] == '4' ? 4 : 8;
    // '=' is the host's order; '|' ("not applicable") is wrong for floats but unambiguous enough
    // to read in the host's order too.
    const bool little = d[0] == '<' || ((d[0] == '=' || d[0] == '|') && kLittleEndianHost);
    header.swap_bytes = little != kLittleEndianHost;
  }

  std::string_view text_;
  std::int64_t base_;  ///< offset of text_[0] in the file
  const std::string& name_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string text = "(";
  for (std::size_t d = 0; d < shape.size(); ++d) {
    text += (d ? ", " : "") + std::to_string(shape[d]);
  }
  return text + (shape.size() == 1 ? ",)" : ")");
}

NpyHeader read_npy_header(BinaryInput& input) {
  char prefix[kMagicBytes + 2];
  input.read_exact(prefix, sizeof(prefix), "header");
  if (std::memcmp(prefix, kMagic, kMagicBytes) != 0) {
    fail_at_byte(input.name(), 0, "not a .npy file: the magic string \\x93NUMPY is missing");
  }
  const auto major = static_cast<unsigned char>(prefix[6]);
  const auto minor = static_cast<unsigned char>(prefix[7]);
  if (major < 1 || major > 3) {
    fail_at_byte(
        input.name(), 6,
        "unsupported .npy format version " + std::to_string(major) + "." + std::to_string(minor));
  }
  // Version 1 stores the header length in 2 bytes, versions 2 and 3 in 4 (little-endian).
  unsigned char length_bytes[4] = {0, 0, 0, 0};
  const std::size_t length_size = major == 1 ? 2 : 4;
  input.read_exact(reinterpret_cast<char*>(length_bytes), length_size, "header length");
  const std::size_t length = length_bytes[0] | (std::size_t{length_bytes[1]} << 8) |
                             (std::size_t{length_bytes[2]} << 16) |
                             (std::size_t{length_bytes[3]} << 24);
  const std::int64_t text_start = input.offset();
  // A corrupt length may ask for 4 GiB: refuse one beyond the file or the limit before
  // allocating for it (a shorter one that the file lacks fails as truncated below).
  if (static_cast<std::int64_t>(length) > kMaxNpyHeaderBytes) {
    const std::string declared = "header of " + std::to_string(length) + " bytes declared";
    if (const auto remaining = input.remaining()) {
      input.fail(declared + ", but the file holds " + std::to_string(*remaining) +
                 " bytes after its length");
    }
    input.fail(declared + ", more than the " + std::to_string(kMaxNpyHeaderBytes) +
               " bytes this reader accepts");
  }
  std::string text(length, '\0');
  input.read_exact(text.data(), length, "header");
  NpyHeader header = HeaderParser(text, text_start, input.name()).parse();
  if (header.shape.size() != 1 && header.shape.size() != 2) {
    fail_at_byte(input.name(), text_start,
                 "header: shape " + shape_text(header.shape) +
                     " is not 1-D or 2-D; only matrices and vectors are read");
  }
  return header;
}

}  // namespace cunmf::io::detail
