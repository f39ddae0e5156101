// NumPy .npy reading and writing (io.hpp). The format: the magic string "\x93NUMPY", a version
// (major, minor), the length of the header (2 bytes little-endian in version 1, 4 bytes in 2
// and 3), the header — a Python dict literal {'descr': ..., 'fortran_order': ..., 'shape': ...}
// padded with spaces and a newline — then the raw data.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <istream>
#include <limits>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cunmf/io.hpp"
#include "io_support.hpp"

namespace cunmf::io {

namespace {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ || __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__,
              "unknown host byte order");
constexpr bool kLittleEndianHost = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicBytes = 6;
constexpr std::size_t kBlockBytes = std::size_t{1} << 20;

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
  [[noreturn]] void fail(std::string_view what) const {
    detail::fail_at_byte(name_, offset_, what);
  }

 private:
  std::istream& in_;
  const std::string& name_;
  std::int64_t offset_ = 0;
};

/// What the header says about the data.
struct NpyHeader {
  std::string descr;
  std::size_t item_bytes = 0;  ///< 4 (float32) or 8 (float64)
  bool swap_bytes = false;     ///< the data's byte order is not the host's
  bool fortran_order = false;
  std::vector<std::int64_t> shape;
};

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
    detail::fail_at_byte(name_, base_ + static_cast<std::int64_t>(pos), "header: " + what);
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

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string text = "(";
  for (std::size_t d = 0; d < shape.size(); ++d) {
    text += (d ? ", " : "") + std::to_string(shape[d]);
  }
  return text + (shape.size() == 1 ? ",)" : ")");
}

NpyHeader read_header(BinaryInput& input) {
  char prefix[kMagicBytes + 2];
  input.read_exact(prefix, sizeof(prefix), "header");
  if (std::memcmp(prefix, kMagic, kMagicBytes) != 0) {
    detail::fail_at_byte(input.name(), 0,
                         "not a .npy file: the magic string \\x93NUMPY is missing");
  }
  const auto major = static_cast<unsigned char>(prefix[6]);
  const auto minor = static_cast<unsigned char>(prefix[7]);
  if (major < 1 || major > 3) {
    detail::fail_at_byte(
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
  std::string text(length, '\0');
  input.read_exact(text.data(), length, "header");
  NpyHeader header = HeaderParser(text, text_start, input.name()).parse();
  if (header.shape.size() != 1 && header.shape.size() != 2) {
    detail::fail_at_byte(input.name(), text_start,
                         "header: shape " + shape_text(header.shape) +
                             " is not 1-D or 2-D; only matrices and vectors are read");
  }
  return header;
}

template <class Source>
Source from_file_order(const char* bytes, bool swap) {
  if (!swap) {
    Source value;
    std::memcpy(&value, bytes, sizeof(Source));
    return value;
  }
  char reversed[sizeof(Source)];
  std::reverse_copy(bytes, bytes + sizeof(Source), reversed);
  Source value;
  std::memcpy(&value, reversed, sizeof(Source));
  return value;
}

/// Reads the rows × cols values of type Source into A (row-major), in block-sized pieces so that
/// a conversion, byte swap or Fortran-order transpose needs no second copy of the data.
template <class Source, class T>
void read_data(BinaryInput& input, const NpyHeader& header, bool require_nonnegative,
               DenseMatrix<T>& A) {
  const std::int64_t rows = A.rows();
  const std::int64_t cols = A.cols();
  const std::int64_t total = A.size();
  const std::int64_t data_start = input.offset();
  const auto fail_at_element = [&](std::int64_t k, std::int64_t i, std::int64_t j,
                                   const std::string& what) {
    detail::fail_at_byte(input.name(), data_start + k * static_cast<std::int64_t>(sizeof(Source)),
                         "element (" + std::to_string(i) + ", " + std::to_string(j) + "): " + what);
  };
  constexpr std::int64_t kBlockItems = kBlockBytes / sizeof(Source);
  std::vector<char> block(static_cast<std::size_t>(std::min(total, kBlockItems)) * sizeof(Source));
  std::int64_t i = 0;  // the row and column of element k in the file's order
  std::int64_t j = 0;
  for (std::int64_t k = 0; k < total;) {
    const std::int64_t count = std::min(total - k, kBlockItems);
    const std::size_t want = static_cast<std::size_t>(count) * sizeof(Source);
    const std::size_t got = input.read_some(block.data(), want);
    if (got < want) {
      const auto needed = static_cast<std::uint64_t>(total) * sizeof(Source);
      const auto found = static_cast<std::uint64_t>(k) * sizeof(Source) + got;
      input.fail("truncated data: shape " + shape_text(header.shape) + " of '" + header.descr +
                 "' needs " + std::to_string(needed) + " bytes, found " + std::to_string(found));
    }
    for (std::int64_t b = 0; b < count; ++b, ++k) {
      const auto source =
          from_file_order<Source>(block.data() + b * sizeof(Source), header.swap_bytes);
      if (sizeof(Source) > sizeof(T) && std::isfinite(source) &&
          std::fabs(source) > static_cast<Source>(std::numeric_limits<T>::max())) {
        fail_at_element(k, i, j,
                        "value " + detail::format_number(source) + " is out of range for float");
      }
      const auto value = static_cast<T>(source);
      if (require_nonnegative && detail::violates_nonnegativity(value)) {
        fail_at_element(k, i, j, detail::nonnegativity_problem(value));
      }
      A.data()[i * cols + j] = value;
      if (header.fortran_order) {
        if (++i == rows) {
          i = 0;
          ++j;
        }
      } else if (++j == cols) {
        j = 0;
        ++i;
      }
    }
  }
}

template <class T>
DenseMatrix<T> read_npy_stream(std::istream& in, const std::string& name,
                               bool require_nonnegative) {
  BinaryInput input(in, name);
  const NpyHeader header = read_header(input);
  const std::int64_t rows = header.shape[0];
  const std::int64_t cols = header.shape.size() == 2 ? header.shape[1] : 1;
  const auto item = static_cast<std::int64_t>(header.item_bytes);
  if (cols != 0 && rows > std::numeric_limits<std::int64_t>::max() / item / cols) {
    input.fail("shape " + shape_text(header.shape) + " is too large");
  }
  const std::int64_t needed = rows * cols * item;
  // A header may promise more than the file holds: refuse before allocating for it.
  if (const auto remaining = detail::remaining_bytes(in); remaining && *remaining < needed) {
    detail::fail_at_byte(name, input.offset() + *remaining,
                         "truncated data: shape " + shape_text(header.shape) + " of '" +
                             header.descr + "' needs " + std::to_string(needed) + " bytes, found " +
                             std::to_string(*remaining));
  }
  DenseMatrix<T> A(rows, cols);
  if (header.item_bytes == 4) {
    read_data<float>(input, header, require_nonnegative, A);
  } else {
    read_data<double>(input, header, require_nonnegative, A);
  }
  if (!input.at_end()) input.fail("unexpected bytes after the data");
  return A;
}

template <class T>
void write_npy_stream(std::ostream& out, const std::string& name, DenseView<const T> A) {
  detail::validate_dense(A, "write_npy");
  std::string dict = std::string("{'descr': '") + (kLittleEndianHost ? '<' : '>') +
                     (sizeof(T) == 4 ? "f4" : "f8") +
                     "', 'fortran_order': " + (A.layout == Layout::ColMajor ? "True" : "False") +
                     ", 'shape': (" + std::to_string(A.rows) + ", " + std::to_string(A.cols) +
                     "), }";
  // Pad with spaces and end with a newline so that the data starts at a multiple of 64 bytes, as
  // numpy does (aligned data can be memory-mapped).
  const auto padded = [&](std::size_t prefix) {
    const std::size_t unpadded = prefix + dict.size() + 1;
    return dict.size() + 1 + (64 - unpadded % 64) % 64;
  };
  int major = 1;
  std::size_t length = padded(kMagicBytes + 2 + 2);
  if (length > 0xFFFF) {  // only a header longer than version 1 can say needs version 2
    major = 2;
    length = padded(kMagicBytes + 2 + 4);
  }
  dict.append(length - dict.size() - 1, ' ');
  dict.push_back('\n');

  std::string prefix(kMagic, kMagicBytes);
  prefix.push_back(static_cast<char>(major));
  prefix.push_back('\0');
  for (int byte = 0; byte < (major == 1 ? 2 : 4); ++byte) {
    prefix.push_back(static_cast<char>((length >> (8 * byte)) & 0xFF));
  }
  out.write(prefix.data(), static_cast<std::streamsize>(prefix.size()));
  out.write(dict.data(), static_cast<std::streamsize>(dict.size()));
  // The view is contiguous in its own layout, which the header declares: write it as it is.
  if (A.size() > 0) {
    out.write(reinterpret_cast<const char*>(A.data),
              static_cast<std::streamsize>(A.size() * static_cast<std::int64_t>(sizeof(T))));
  }
  detail::finish_writing(out, name);
}

template <class T>
void write_npy_file(const std::filesystem::path& path, DenseView<const T> A) {
  std::ofstream out = detail::open_for_writing(path);
  write_npy_stream(out, path.string(), A);
}

}  // namespace

template <class T>
DenseMatrix<T> read_npy(std::istream& in, const std::string& name, bool require_nonnegative) {
  return detail::reporting_allocation_failure(
      name, [&] { return read_npy_stream<T>(in, name, require_nonnegative); });
}

template <class T>
DenseMatrix<T> read_npy(const std::filesystem::path& path, bool require_nonnegative) {
  std::ifstream in = detail::open_for_reading(path);
  return read_npy<T>(in, path.string(), require_nonnegative);
}

void write_npy(std::ostream& out, const std::string& name, DenseView<const float> A) {
  write_npy_stream(out, name, A);
}
void write_npy(std::ostream& out, const std::string& name, DenseView<const double> A) {
  write_npy_stream(out, name, A);
}
void write_npy(const std::filesystem::path& path, DenseView<const float> A) {
  write_npy_file(path, A);
}
void write_npy(const std::filesystem::path& path, DenseView<const double> A) {
  write_npy_file(path, A);
}

template DenseMatrix<float> read_npy<float>(const std::filesystem::path&, bool);
template DenseMatrix<float> read_npy<float>(std::istream&, const std::string&, bool);
template DenseMatrix<double> read_npy<double>(const std::filesystem::path&, bool);
template DenseMatrix<double> read_npy<double>(std::istream&, const std::string&, bool);

}  // namespace cunmf::io
