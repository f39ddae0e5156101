// Matrix Market (.mtx) reading and writing (io.hpp). The banner and size line are parsed once
// (parse_header); the entries are parsed once per format (for_each_coordinate_entry,
// for_each_array_value) and handed to a CSR or dense sink.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <istream>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "csr_assembly.hpp"
#include "cunmf/errors.hpp"
#include "cunmf/io.hpp"
#include "io_support.hpp"
#include "text_reader.hpp"
#include "text_writer.hpp"

namespace cunmf::io {

namespace {

using detail::TextReader;
using detail::Tokens;

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
  const std::string_view text = detail::trim(line);
  return text.empty() || text.front() == '%';
}

/// Parses one size-line number: a non-negative integer.
std::int64_t parse_size(const TextReader& reader, std::string_view token, const char* what) {
  std::int64_t value = 0;
  if (detail::parse_integer(token, value) != detail::ParseStatus::Ok || value < 0) {
    reader.fail(std::string("size line: ") + what + " " + detail::quoted(token) +
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
                "; the first line is " + detail::quoted(line));
  }
  if (count < 5) reader.fail("incomplete banner: expected " + std::string(kBannerForm));
  std::string_view extra;
  if (tokens.next(extra)) reader.fail("unexpected " + detail::quoted(extra) + " after the banner");

  if (!equals_ignoring_case(word[1], "matrix")) {
    reader.fail("unsupported object " + detail::quoted(word[1]) + ": only 'matrix' is read");
  }
  if (equals_ignoring_case(word[2], "coordinate")) {
    header.format = MatrixMarketFormat::Coordinate;
  } else if (equals_ignoring_case(word[2], "array")) {
    header.format = MatrixMarketFormat::Array;
  } else {
    reader.fail("unknown format " + detail::quoted(word[2]) + ": expected coordinate or array");
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
    reader.fail("unknown field " + detail::quoted(word[3]) + ": expected real, integer or pattern");
  }
  if (equals_ignoring_case(word[4], "general")) {
    header.symmetry = MatrixMarketSymmetry::General;
  } else if (equals_ignoring_case(word[4], "symmetric")) {
    header.symmetry = MatrixMarketSymmetry::Symmetric;
  } else if (equals_ignoring_case(word[4], "skew-symmetric") ||
             equals_ignoring_case(word[4], "hermitian")) {
    reader.fail("unsupported symmetry " + detail::quoted(word[4]) +
                ": only general and symmetric are read");
  } else {
    reader.fail("unknown symmetry " + detail::quoted(word[4]) + ": expected general or symmetric");
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
    reader.fail(std::string(expected) + ", found " + detail::quoted(extra) + " after them");
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

/// Reads the banner and the size line, leaving `reader` at the first entry.
MatrixMarketHeader parse_header(TextReader& reader) {
  MatrixMarketHeader header;
  std::string_view line;
  if (!reader.next_line(line)) {
    detail::fail(reader.name(), "empty file: expected the banner " + std::string(kBannerForm));
  }
  parse_banner(reader, line, header);
  do {
    if (!reader.next_line(line)) reader.fail("end of file before the size line");
  } while (is_blank_or_comment(line));
  parse_size_line(reader, line, header);
  return header;
}

/// Parses a 1-based index token and checks it against [1, limit]; returns it 0-based.
std::int64_t parse_index(const TextReader& reader, std::string_view token, std::int64_t limit,
                         const char* what) {
  std::int64_t index = 0;
  const detail::ParseStatus status = detail::parse_integer(token, index);
  if (status == detail::ParseStatus::Invalid) {
    reader.fail(std::string(what) + " index " + detail::quoted(token) + " is not an integer");
  }
  if (status == detail::ParseStatus::OutOfRange || index < 1 || index > limit) {
    reader.fail(std::string(what) + " index " + std::string(token) + " out of range [1, " +
                std::to_string(limit) + "]");
  }
  return index - 1;
}

/// Calls visit(row, col, value) (0-based indices) for every entry of a coordinate file, in file
/// order, checking each line and the entry count.
template <class T, class Visit>
void for_each_coordinate_entry(TextReader& reader, const MatrixMarketHeader& header,
                               bool require_nonnegative, Visit&& visit) {
  const bool pattern = header.field == MatrixMarketField::Pattern;
  const bool integer_only = header.field == MatrixMarketField::Integer;
  const char* expected = pattern ? "expected 'row column'" : "expected 'row column value'";
  std::int64_t count = 0;
  std::string_view line;
  while (reader.next_line(line)) {
    Tokens tokens(line);
    std::string_view token;
    if (!tokens.next(token) || token.front() == '%') continue;  // blank or comment
    if (count == header.nnz) {
      reader.fail("more entries than the " + std::to_string(header.nnz) +
                  " declared on the size line");
    }
    const std::int64_t i = parse_index(reader, token, header.rows, "row");
    if (!tokens.next(token)) reader.fail(std::string("missing column index: ") + expected);
    const std::int64_t j = parse_index(reader, token, header.cols, "column");
    T value = T(1);
    if (!pattern) {
      if (!tokens.next(token)) reader.fail(std::string("missing value: ") + expected);
      value = detail::parse_value<T>(reader, token, 0, integer_only, require_nonnegative);
    }
    if (tokens.next(token)) {
      reader.fail("unexpected " + detail::quoted(token) + " after the entry: " + expected);
    }
    visit(i, j, value);
    ++count;
  }
  if (count < header.nnz) {
    reader.fail("end of file after " + std::to_string(count) + " of the " +
                std::to_string(header.nnz) + " entries declared on the size line");
  }
}

/// Calls visit(row, col, value) for every value of an array file, column by column (for a
/// symmetric matrix, the lower triangle of each column), checking the value count. Several
/// values on one line are accepted.
template <class T, class Visit>
void for_each_array_value(TextReader& reader, const MatrixMarketHeader& header,
                          bool require_nonnegative, Visit&& visit) {
  const bool symmetric = header.symmetry == MatrixMarketSymmetry::Symmetric;
  const bool integer_only = header.field == MatrixMarketField::Integer;
  std::int64_t count = 0;
  std::int64_t i = 0;
  std::int64_t j = 0;
  std::string_view line;
  while (reader.next_line(line)) {
    Tokens tokens(line);
    std::string_view token;
    while (tokens.next(token)) {
      if (token.front() == '%') break;  // a comment line
      if (count == header.nnz) {
        reader.fail("more values than the " + std::to_string(header.nnz) + " of a " +
                    std::to_string(header.rows) + " x " + std::to_string(header.cols) +
                    (symmetric ? " symmetric array" : " array"));
      }
      visit(i, j, detail::parse_value<T>(reader, token, 0, integer_only, require_nonnegative));
      ++count;
      if (++i == header.rows) {
        ++j;
        i = symmetric ? j : 0;
      }
    }
  }
  if (count < header.nnz) {
    reader.fail("end of file after " + std::to_string(count) + " of the " +
                std::to_string(header.nnz) + " values of a " + std::to_string(header.rows) + " x " +
                std::to_string(header.cols) + (symmetric ? " symmetric array" : " array"));
  }
}

/// "int32" or "int64", for messages.
template <class Index>
constexpr const char* index_type_name() {
  return sizeof(Index) == 4 ? "int32" : "int64";
}

/// Throws when an entry count does not fit Index (row_ptr holds it).
template <class Index>
void check_entry_count(const TextReader& reader, std::uint64_t count, const char* what) {
  if (count > static_cast<std::uint64_t>(std::numeric_limits<Index>::max())) {
    detail::fail(reader.name(), "the matrix has " + std::to_string(count) + " " + what +
                                    ", beyond the range of " + index_type_name<Index>() +
                                    " indices (read with int64 indices)");
  }
}

/// Throws unless the dimensions, and for a coordinate file the entry count, fit Index.
template <class Index>
void check_index_range(const TextReader& reader, const MatrixMarketHeader& header) {
  constexpr std::int64_t kMax = std::numeric_limits<Index>::max();
  const char* type = index_type_name<Index>();
  const auto too_large = [&](const char* what, std::int64_t value) {
    reader.fail(std::string("size line: ") + what + " " + std::to_string(value) +
                " exceed the range of " + type + " indices (read with int64 indices)");
  };
  if (header.rows > kMax) too_large("rows", header.rows);
  if (header.cols > kMax) too_large("columns", header.cols);
  if (header.format == MatrixMarketFormat::Coordinate && header.nnz > kMax) {
    too_large("entries", header.nnz);
  }
}

/// Reserves room for `count` entries, but no more than the rest of the stream can hold (a size
/// line may lie; a short file then fails with its entry count, not with an allocation).
template <class T, class Index>
void reserve_entries(const TextReader& reader, const MatrixMarketHeader& header,
                     std::vector<Index>& rows, CsrMatrix<T, Index>& A) {
  std::int64_t count = header.nnz;
  if (const auto remaining = reader.remaining_bytes()) {
    const std::int64_t shortest_line = header.field == MatrixMarketField::Pattern ? 4 : 6;
    count = std::min(count, *remaining / shortest_line + 1);
  }
  rows.reserve(static_cast<std::size_t>(count));
  A.col_idx.reserve(static_cast<std::size_t>(count));
  A.values.reserve(static_cast<std::size_t>(count));
}

/// Appends the mirror image (j, i) of every off-diagonal entry (i, j), growing each array to
/// exactly its final size, one array at a time.
template <class T, class Index>
void mirror_entries(const TextReader& reader, std::vector<Index>& rows, CsrMatrix<T, Index>& A) {
  const std::size_t stored = rows.size();
  std::size_t off_diagonal = 0;
  for (std::size_t e = 0; e < stored; ++e) off_diagonal += rows[e] != A.col_idx[e];
  const std::size_t total = stored + off_diagonal;
  check_entry_count<Index>(reader, total, "entries once mirrored");
  rows.reserve(total);
  A.col_idx.reserve(total);
  A.values.reserve(total);
  for (std::size_t e = 0; e < stored; ++e) {
    if (rows[e] != A.col_idx[e]) {
      rows.push_back(A.col_idx[e]);
      A.col_idx.push_back(rows[e]);
      A.values.push_back(A.values[e]);
    }
  }
}

template <class T, class Index>
CsrMatrix<T, Index> read_csr(TextReader& reader, const MatrixMarketHeader& header,
                             bool require_nonnegative) {
  check_index_range<Index>(reader, header);
  const bool symmetric = header.symmetry == MatrixMarketSymmetry::Symmetric;
  CsrMatrix<T, Index> A;
  A.rows = header.rows;
  A.cols = header.cols;
  std::vector<Index> rows;  // the row of each entry, until assemble_csr orders them
  const auto append = [&](std::int64_t i, std::int64_t j, T value) {
    rows.push_back(static_cast<Index>(i));
    A.col_idx.push_back(static_cast<Index>(j));
    A.values.push_back(value);
  };
  if (header.format == MatrixMarketFormat::Coordinate) {
    reserve_entries(reader, header, rows, A);
    for_each_coordinate_entry<T>(reader, header, require_nonnegative, append);
    if (symmetric) mirror_entries(reader, rows, A);
  } else {
    for_each_array_value<T>(reader, header, require_nonnegative,
                            [&](std::int64_t i, std::int64_t j, T value) {
                              if (value == T(0)) return;  // a dense file's zeros are not entries
                              append(i, j, value);
                              if (symmetric && i != j) append(j, i, value);
                            });
    check_entry_count<Index>(reader, rows.size(), "non-zeros");
  }
  detail::assemble_csr(rows, A);
  return A;
}

/// Allocates a zero rows × cols matrix, or throws when the count overflows.
template <class T>
DenseMatrix<T> zero_matrix(const TextReader& reader, const MatrixMarketHeader& header) {
  if (header.cols != 0 && header.rows > std::numeric_limits<std::int64_t>::max() / header.cols) {
    reader.fail("a dense " + std::to_string(header.rows) + " x " + std::to_string(header.cols) +
                " matrix is too large");
  }
  return DenseMatrix<T>(header.rows, header.cols);
}

template <class T>
DenseMatrix<T> read_dense(TextReader& reader, const MatrixMarketHeader& header,
                          bool require_nonnegative) {
  const bool symmetric = header.symmetry == MatrixMarketSymmetry::Symmetric;
  if (header.format == MatrixMarketFormat::Array) {
    // Every value takes at least two bytes ("0\n"): refuse to allocate for a size line that the
    // rest of the file cannot back.
    const auto remaining = reader.remaining_bytes();
    if (remaining && header.nnz > *remaining / 2 + 1) {
      reader.fail("the size line declares " + std::to_string(header.nnz) +
                  " values, more than the " + std::to_string(*remaining) +
                  " bytes after it can hold");
    }
    DenseMatrix<T> A = zero_matrix<T>(reader, header);
    for_each_array_value<T>(reader, header, require_nonnegative,
                            [&](std::int64_t i, std::int64_t j, T value) {
                              A(i, j) = value;
                              if (symmetric) A(j, i) = value;
                            });
    return A;
  }
  DenseMatrix<T> A = zero_matrix<T>(reader, header);
  for_each_coordinate_entry<T>(reader, header, require_nonnegative,
                               [&](std::int64_t i, std::int64_t j, T value) {
                                 A(i, j) += value;
                                 if (symmetric && i != j) A(j, i) += value;
                               });
  return A;
}

template <class T>
void write_dense(std::ostream& out, const std::string& name, DenseView<const T> A) {
  detail::validate_dense(A, "write_matrix_market");
  detail::TextWriter writer(out, name);
  writer.put("%%MatrixMarket matrix array real general\n");
  writer.put_number(A.rows);
  writer.put(' ');
  writer.put_number(A.cols);
  writer.put('\n');
  for (std::int64_t j = 0; j < A.cols; ++j) {
    for (std::int64_t i = 0; i < A.rows; ++i) {
      writer.put_number(A(i, j));
      writer.put('\n');
    }
  }
  writer.finish();
}

template <class T, class Index>
void write_sparse(std::ostream& out, const std::string& name, CsrView<const T, Index> A) {
  detail::validate_csr(A, "write_matrix_market");
  detail::TextWriter writer(out, name);
  writer.put("%%MatrixMarket matrix coordinate real general\n");
  writer.put_number(A.rows);
  writer.put(' ');
  writer.put_number(A.cols);
  writer.put(' ');
  writer.put_number(A.nnz);
  writer.put('\n');
  for (std::int64_t i = 0; i < A.rows; ++i) {
    for (std::int64_t e = A.row_ptr[i]; e < A.row_ptr[i + 1]; ++e) {
      writer.put_number(i + 1);
      writer.put(' ');
      writer.put_number(static_cast<std::int64_t>(A.col_idx[e]) + 1);
      writer.put(' ');
      writer.put_number(A.values[e]);
      writer.put('\n');
    }
  }
  writer.finish();
}

template <class View>
void write_file(const std::filesystem::path& path, View A) {
  std::ofstream out = detail::open_for_writing(path);
  write_matrix_market(out, path.string(), A);
}

}  // namespace

/// What a MatrixMarketReader holds: the stream (owned when opened from a path), the line reader
/// positioned after the header, and the header.
struct MatrixMarketReader::State {
  State(std::ifstream opened, std::string stream_name)
      : file(std::move(opened)),
        name(std::move(stream_name)),
        reader(*file, name),
        header(parse_header(reader)) {}
  State(std::istream& in, std::string stream_name)
      : name(std::move(stream_name)), reader(in, name), header(parse_header(reader)) {}

  /// Throws unless the entries are still to be read, and marks them read.
  void start_reading_entries() {
    if (entries_read) {
      throw InvalidArgument("cunmf::io::MatrixMarketReader: the entries of " + name +
                            " were already read");
    }
    entries_read = true;
  }

  std::optional<std::ifstream> file;
  std::string name;
  TextReader reader;
  MatrixMarketHeader header;
  bool entries_read = false;
};

MatrixMarketReader::MatrixMarketReader(const std::filesystem::path& path)
    : state_(std::make_unique<State>(detail::open_for_reading(path), path.string())) {}
MatrixMarketReader::MatrixMarketReader(std::istream& in, const std::string& name)
    : state_(std::make_unique<State>(in, name)) {}
MatrixMarketReader::MatrixMarketReader(MatrixMarketReader&&) noexcept = default;
MatrixMarketReader& MatrixMarketReader::operator=(MatrixMarketReader&&) noexcept = default;
MatrixMarketReader::~MatrixMarketReader() = default;

const MatrixMarketHeader& MatrixMarketReader::header() const { return state_->header; }

template <class T, class Index>
CsrMatrix<T, Index> MatrixMarketReader::read_csr(bool require_nonnegative) {
  state_->start_reading_entries();
  return detail::reporting_allocation_failure(state_->name, [&] {
    return cunmf::io::read_csr<T, Index>(state_->reader, state_->header, require_nonnegative);
  });
}

template <class T>
DenseMatrix<T> MatrixMarketReader::read_dense(bool require_nonnegative) {
  state_->start_reading_entries();
  return detail::reporting_allocation_failure(state_->name, [&] {
    return cunmf::io::read_dense<T>(state_->reader, state_->header, require_nonnegative);
  });
}

MatrixMarketHeader read_matrix_market_header(std::istream& in, const std::string& name) {
  // Reading is by blocks, so the stream moves past the header; put a seekable one back.
  const std::istream::pos_type start = in.tellg();
  const MatrixMarketHeader header = MatrixMarketReader(in, name).header();
  if (start != std::istream::pos_type(-1)) {
    in.clear();
    in.seekg(start);
  }
  return header;
}

MatrixMarketHeader read_matrix_market_header(const std::filesystem::path& path) {
  return MatrixMarketReader(path).header();
}

template <class T, class Index>
CsrMatrix<T, Index> read_matrix_market_csr(std::istream& in, const std::string& name,
                                           bool require_nonnegative) {
  return MatrixMarketReader(in, name).read_csr<T, Index>(require_nonnegative);
}

template <class T, class Index>
CsrMatrix<T, Index> read_matrix_market_csr(const std::filesystem::path& path,
                                           bool require_nonnegative) {
  return MatrixMarketReader(path).read_csr<T, Index>(require_nonnegative);
}

template <class T>
DenseMatrix<T> read_matrix_market_dense(std::istream& in, const std::string& name,
                                        bool require_nonnegative) {
  return MatrixMarketReader(in, name).read_dense<T>(require_nonnegative);
}

template <class T>
DenseMatrix<T> read_matrix_market_dense(const std::filesystem::path& path,
                                        bool require_nonnegative) {
  return MatrixMarketReader(path).read_dense<T>(require_nonnegative);
}

void write_matrix_market(std::ostream& out, const std::string& name, DenseView<const float> A) {
  write_dense(out, name, A);
}
void write_matrix_market(std::ostream& out, const std::string& name, DenseView<const double> A) {
  write_dense(out, name, A);
}
void write_matrix_market(std::ostream& out, const std::string& name,
                         CsrView<const float, std::int32_t> A) {
  write_sparse(out, name, A);
}
void write_matrix_market(std::ostream& out, const std::string& name,
                         CsrView<const float, std::int64_t> A) {
  write_sparse(out, name, A);
}
void write_matrix_market(std::ostream& out, const std::string& name,
                         CsrView<const double, std::int32_t> A) {
  write_sparse(out, name, A);
}
void write_matrix_market(std::ostream& out, const std::string& name,
                         CsrView<const double, std::int64_t> A) {
  write_sparse(out, name, A);
}

void write_matrix_market(const std::filesystem::path& path, DenseView<const float> A) {
  write_file(path, A);
}
void write_matrix_market(const std::filesystem::path& path, DenseView<const double> A) {
  write_file(path, A);
}
void write_matrix_market(const std::filesystem::path& path, CsrView<const float, std::int32_t> A) {
  write_file(path, A);
}
void write_matrix_market(const std::filesystem::path& path, CsrView<const float, std::int64_t> A) {
  write_file(path, A);
}
void write_matrix_market(const std::filesystem::path& path, CsrView<const double, std::int32_t> A) {
  write_file(path, A);
}
void write_matrix_market(const std::filesystem::path& path, CsrView<const double, std::int64_t> A) {
  write_file(path, A);
}

#define CUNMF_IO_INSTANTIATE_CSR(T, Index)                                                         \
  template CsrMatrix<T, Index> MatrixMarketReader::read_csr<T, Index>(bool);                       \
  template CsrMatrix<T, Index> read_matrix_market_csr<T, Index>(const std::filesystem::path&,      \
                                                                bool);                             \
  template CsrMatrix<T, Index> read_matrix_market_csr<T, Index>(std::istream&, const std::string&, \
                                                                bool);
CUNMF_IO_INSTANTIATE_CSR(float, std::int32_t)
CUNMF_IO_INSTANTIATE_CSR(float, std::int64_t)
CUNMF_IO_INSTANTIATE_CSR(double, std::int32_t)
CUNMF_IO_INSTANTIATE_CSR(double, std::int64_t)
#undef CUNMF_IO_INSTANTIATE_CSR

template DenseMatrix<float> MatrixMarketReader::read_dense<float>(bool);
template DenseMatrix<double> MatrixMarketReader::read_dense<double>(bool);
template DenseMatrix<float> read_matrix_market_dense<float>(const std::filesystem::path&, bool);
template DenseMatrix<float> read_matrix_market_dense<float>(std::istream&, const std::string&,
                                                            bool);
template DenseMatrix<double> read_matrix_market_dense<double>(const std::filesystem::path&, bool);
template DenseMatrix<double> read_matrix_market_dense<double>(std::istream&, const std::string&,
                                                              bool);

}  // namespace cunmf::io
