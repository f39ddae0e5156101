// Parsing the Matrix Market banner and size line (matrix_market_header.hpp).
#include "matrix_market_header.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace cunmf::io::detail {

namespace {

constexpr std::string_view kBannerForm = "'%%MatrixMarket matrix <format> <field> <symmetry>'";

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) {
      return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

/// True for a line that holds no data: blank, or a comment starting with `%`.
bool is_blank_or_comment(std::string_view line) {
  const std::string_view text = trim(line);
  return text.empty() || text.front() == '%';
}

/// Parses one size-line number: a non-negative integer.
std::int64_t parse_size(const TextReader& reader, std::string_view token, const char* what) {
  std::int64_t value = 0;
  if (parse_integer(token, value) != ParseStatus::Ok || value < 0) {
    reader.fail(std::string("size line: ") + what + " " + quoted(token) +
                " is not a non-negative integer");
  }
  return value;
}

void parse_banner(const TextReader& reader, std::string_view line, MatrixMarketHeader& header) {
  Tokens tokens(line);
  std::string_view word[5];
  int count = 0;
  while (count < 5 && tokens.next(word[count])) ++count;
  if (count == 0 || !equals_ignoring_case(word[0], "%%MatrixMarket")) {
    reader.fail("missing the Matrix Market banner " + std::string(kBannerForm) +
                "; the first line is " + quoted(line));
  }
  if (count < 5) reader.fail("incomplete banner: expected " + std::string(kBannerForm));
  std::string_view extra;
  if (tokens.next(extra)) reader.fail("unexpected " + quoted(extra) + " after the banner");

  if (!equals_ignoring_case(word[1], "matrix")) {
    reader.fail("unsupported object " + quoted(word[1]) + ": only 'matrix' is read");
  }
  if (equals_ignoring_case(word[2], "coordinate")) {
    header.format = MatrixMarketFormat::Coordinate;
  } else if (equals_ignoring_case(word[2], "array")) {
    header.format = MatrixMarketFormat::Array;
  } else {
    reader.fail("unknown format " + quoted(word[2]) + ": expected coordinate or array");
  }
  if (equals_ignoring_case(word[3], "real")) {
    header.field = MatrixMarketField::Real;
  } else if (equals_ignoring_case(word[3], "integer")) {
    header.field = MatrixMarketField::Integer;
  } else if (equals_ignoring_case(word[3], "pattern")) {
    header.field = MatrixMarketField::Pattern;
  } else if (equals_ignoring_case(word[3], "complex")) {
    reader.fail("unsupported field 'complex': only real, integer and pattern are read");
  } else {
    reader.fail("unknown field " + quoted(word[3]) + ": expected real, integer or pattern");
  }
  if (equals_ignoring_case(word[4], "general")) {
    header.symmetry = MatrixMarketSymmetry::General;
  } else if (equals_ignoring_case(word[4], "symmetric")) {
    header.symmetry = MatrixMarketSymmetry::Symmetric;
  } else if (equals_ignoring_case(word[4], "skew-symmetric") ||
             equals_ignoring_case(word[4], "hermitian")) {
    reader.fail("unsupported symmetry " + quoted(word[4]) +
                ": only general and symmetric are read");
  } else {
    reader.fail("unknown symmetry " + quoted(word[4]) + ": expected general or symmetric");
  }
  if (header.format == MatrixMarketFormat::Array && header.field == MatrixMarketField::Pattern) {
    reader.fail("the pattern field is only valid with the coordinate format");
  }
}

void parse_size_line(const TextReader& reader, std::string_view line, MatrixMarketHeader& header) {
  const bool coordinate = header.format == MatrixMarketFormat::Coordinate;
  const char* expected = coordinate ? "size line: expected 'rows columns entries'"
                                    : "size line: expected 'rows columns'";
  Tokens tokens(line);
  std::string_view rows, cols, nnz, extra;
  if (!tokens.next(rows) || !tokens.next(cols) || (coordinate && !tokens.next(nnz))) {
    reader.fail(expected);
  }
  if (tokens.next(extra)) {
    reader.fail(std::string(expected) + ", found " + quoted(extra) + " after them");
  }
  header.rows = parse_size(reader, rows, "rows");
  header.cols = parse_size(reader, cols, "columns");
  if (header.symmetry == MatrixMarketSymmetry::Symmetric && header.rows != header.cols) {
    reader.fail("a symmetric matrix must be square, but the size line says " +
                std::to_string(header.rows) + " x " + std::to_string(header.cols));
  }
  if (coordinate) {
    header.nnz = parse_size(reader, nnz, "entries");
  } else if (header.symmetry == MatrixMarketSymmetry::General) {
    if (header.cols != 0 && header.rows > std::numeric_limits<std::int64_t>::max() / header.cols) {
      reader.fail("size line: " + std::to_string(header.rows) + " x " +
                  std::to_string(header.cols) + " values overflow a 64-bit count");
    }
    header.nnz = header.rows * header.cols;
  } else {
    const std::int64_t n = header.rows;  // n(n+1)/2 fits when n < 2^31.5; check without overflow
    if (n > (std::int64_t{1} << 31)) {
      reader.fail("size line: a " + std::to_string(n) + " x " + std::to_string(n) +
                  " symmetric array is too large");
    }
    header.nnz = n % 2 == 0 ? (n / 2) * (n + 1) : n * ((n + 1) / 2);
  }
}

}  // namespace

MatrixMarketHeader parse_matrix_market_header(TextReader& reader) {
  MatrixMarketHeader header;
  std::string_view line;
  if (!reader.next_line(line)) {
    fail(reader.name(), "empty file: expected the banner " + std::string(kBannerForm));
  }
  parse_banner(reader, line, header);
  do {
    if (!reader.next_line(line)) reader.fail("end of file before the size line");
  } while (is_blank_or_comment(line));
  parse_size_line(reader, line, header);
  return header;
}

}  // namespace cunmf::io::detail
