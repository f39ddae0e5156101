// Reading Matrix Market files (io.hpp): MatrixMarketReader and the read_matrix_market_*
// functions. The header is parsed once (matrix_market_header.hpp) and the entries once per format
// (matrix_market_entries.hpp); here they are gathered into a CsrMatrix (symmetric files mirrored,
// entries sorted and duplicates summed by csr_assembly.hpp) or a DenseMatrix. Every size the
// size line declares is checked before anything is allocated for it (input_limits.hpp): against
// the limit on one allocation, against the file's size when the stream can tell it, and, for a
// stream that cannot (a pipe), against the bytes actually read, entries being gathered first in
// arrays that grow with the data.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <istream>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "csr_assembly.hpp"
#include "cunmf/errors.hpp"
#include "cunmf/io.hpp"
#include "input_limits.hpp"
#include "io_support.hpp"
#include "matrix_market_entries.hpp"
#include "matrix_market_header.hpp"
#include "text_reader.hpp"

namespace cunmf::io {

namespace {

using detail::for_each_array_value;
using detail::for_each_coordinate_entry;
using detail::TextReader;

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

/// Throws IoError `name:size_line: problem` unless `problem` is empty: a size the size line
/// declares may not be allocated.
void check_declared(const TextReader& reader, std::int64_t size_line, const std::string& problem) {
  if (!problem.empty()) detail::fail_at_line(reader.name(), size_line, problem);
}

/// Throws unless the row pointers of a CSR matrix of header.rows rows, which no bytes of the file
/// back, are justified by an input of `input_bytes` bytes (input_limits.hpp).
template <class Index>
void check_row_pointers(const TextReader& reader, std::int64_t size_line,
                        const MatrixMarketHeader& header, std::int64_t input_bytes) {
  const std::int64_t pointers =
      std::min(header.rows, std::numeric_limits<std::int64_t>::max() - 1) + 1;
  check_declared(reader, size_line,
                 detail::unbacked_allocation_problem(
                     reader.name(), "the row pointers of " + std::to_string(header.rows) + " rows",
                     pointers, sizeof(Index), input_bytes));
}

/// The entry count to reserve room for: the declared count, but no more than the rest of the
/// stream can hold (a size line may lie; a short file then fails with its entry count, not with
/// an allocation), nor more than a first chunk when the stream cannot tell its size.
std::int64_t entries_to_reserve(const TextReader& reader, const MatrixMarketHeader& header) {
  if (const auto remaining = reader.remaining_bytes()) {
    const std::int64_t shortest_line = header.field == MatrixMarketField::Pattern ? 4 : 6;
    return std::min(header.nnz, *remaining / shortest_line + 1);
  }
  return std::min(header.nnz, detail::kStreamChunkBytes / 8);
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
  const std::string problem = detail::allocation_problem(
      reader.name(), std::to_string(total) + " entries once mirrored",
      static_cast<std::int64_t>(total), std::max(sizeof(T), sizeof(Index)));
  if (!problem.empty()) detail::fail(reader.name(), problem);
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

/// "the 5 entries declared", for messages.
std::string declared_entries(const MatrixMarketHeader& header) {
  return "the " + std::to_string(header.nnz) + " entries declared";
}

template <class T, class Index>
CsrMatrix<T, Index> read_csr(TextReader& reader, const MatrixMarketHeader& header,
                             bool require_nonnegative) {
  check_index_range<Index>(reader, header);
  const std::int64_t size_line = reader.line_number();
  const std::optional<std::int64_t> input_bytes = reader.input_bytes();
  if (input_bytes) check_row_pointers<Index>(reader, size_line, header, *input_bytes);
  const bool symmetric = header.symmetry == MatrixMarketSymmetry::Symmetric;
  // A coordinate file's entry arrays are reserved for its declared count. (An array file's hold
  // only its non-zeros, growing with them: its declared count bounds them but is not needed.)
  if (header.format == MatrixMarketFormat::Coordinate) {
    check_declared(reader, size_line,
                   detail::allocation_problem(reader.name(), declared_entries(header), header.nnz,
                                              std::max(sizeof(T), sizeof(Index))));
  }
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
    const auto count = static_cast<std::size_t>(entries_to_reserve(reader, header));
    rows.reserve(count);
    A.col_idx.reserve(count);
    A.values.reserve(count);
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
  // A pipe's size is known only now that it has been read.
  if (!input_bytes) check_row_pointers<Index>(reader, size_line, header, reader.bytes_read());
  detail::assemble_csr(rows, A);
  return A;
}

/// "a dense 3 x 4 matrix of float", for messages.
template <class T>
std::string dense_matrix_text(const MatrixMarketHeader& header) {
  return "a dense " + std::to_string(header.rows) + " x " + std::to_string(header.cols) +
         (sizeof(T) == 4 ? " matrix of float" : " matrix of double");
}

/// Reads the values of an array file into a dense matrix. A stream that cannot tell its size
/// (its values unchecked against it) is read into an array growing with the data first.
template <class T>
DenseMatrix<T> read_dense_array(TextReader& reader, const MatrixMarketHeader& header,
                                bool require_nonnegative) {
  const bool symmetric = header.symmetry == MatrixMarketSymmetry::Symmetric;
  if (reader.remaining_bytes()) {
    DenseMatrix<T> A(header.rows, header.cols);
    for_each_array_value<T>(reader, header, require_nonnegative,
                            [&](std::int64_t i, std::int64_t j, T value) {
                              A(i, j) = value;
                              if (symmetric) A(j, i) = value;
                            });
    return A;
  }
  std::vector<T> values;  // column by column, as in the file
  values.reserve(static_cast<std::size_t>(
      std::min<std::int64_t>(header.nnz, detail::kStreamChunkBytes / sizeof(T))));
  for_each_array_value<T>(reader, header, require_nonnegative,
                          [&](std::int64_t, std::int64_t, T value) { values.push_back(value); });
  DenseMatrix<T> A(header.rows, header.cols);
  std::int64_t i = 0;  // the place of each value, in for_each_array_value's order
  std::int64_t j = 0;
  for (const T value : values) {
    A(i, j) = value;
    if (symmetric) A(j, i) = value;
    if (++i == header.rows) {
      ++j;
      i = symmetric ? j : 0;
    }
  }
  return A;
}

/// Reads the entries of a coordinate file into a dense matrix, whose zeros no bytes of the file
/// back: its size must be justified by the file's (input_limits.hpp), checked before reading
/// when the stream can tell its size, after gathering the entries when it cannot.
template <class T>
DenseMatrix<T> read_dense_coordinate(TextReader& reader, const MatrixMarketHeader& header,
                                     bool require_nonnegative, std::int64_t size_line) {
  const bool symmetric = header.symmetry == MatrixMarketSymmetry::Symmetric;
  const auto check_size = [&](std::int64_t input_bytes) {
    check_declared(
        reader, size_line,
        detail::unbacked_allocation_problem(reader.name(), dense_matrix_text<T>(header),
                                            header.rows * header.cols, sizeof(T), input_bytes));
  };
  if (const std::optional<std::int64_t> input_bytes = reader.input_bytes()) {
    check_size(*input_bytes);
    DenseMatrix<T> A(header.rows, header.cols);
    for_each_coordinate_entry<T>(reader, header, require_nonnegative,
                                 [&](std::int64_t i, std::int64_t j, T value) {
                                   A(i, j) += value;
                                   if (symmetric && i != j) A(j, i) += value;
                                 });
    return A;
  }
  struct Entry {
    std::int64_t row, col;
    T value;
  };
  std::vector<Entry> entries;
  entries.reserve(static_cast<std::size_t>(entries_to_reserve(reader, header)));
  for_each_coordinate_entry<T>(reader, header, require_nonnegative,
                               [&](std::int64_t i, std::int64_t j, T value) {
                                 entries.push_back({i, j, value});
                               });
  check_size(reader.bytes_read());
  DenseMatrix<T> A(header.rows, header.cols);
  for (const Entry& e : entries) {
    A(e.row, e.col) += e.value;
    if (symmetric && e.row != e.col) A(e.col, e.row) += e.value;
  }
  return A;
}

template <class T>
DenseMatrix<T> read_dense(TextReader& reader, const MatrixMarketHeader& header,
                          bool require_nonnegative) {
  const std::int64_t size_line = reader.line_number();
  if (header.cols != 0 && header.rows > std::numeric_limits<std::int64_t>::max() / header.cols) {
    reader.fail(dense_matrix_text<T>(header) + " is too large");
  }
  check_declared(reader, size_line,
                 detail::allocation_problem(reader.name(), dense_matrix_text<T>(header),
                                            header.rows * header.cols, sizeof(T)));
  if (header.format == MatrixMarketFormat::Coordinate) {
    return read_dense_coordinate<T>(reader, header, require_nonnegative, size_line);
  }
  // Every value takes at least two bytes ("0\n"): refuse to allocate for a size line that the
  // rest of the file cannot back.
  const auto remaining = reader.remaining_bytes();
  if (remaining && header.nnz > *remaining / 2 + 1) {
    reader.fail("the size line declares " + std::to_string(header.nnz) + " values, more than the " +
                std::to_string(*remaining) + " bytes after it can hold");
  }
  return read_dense_array<T>(reader, header, require_nonnegative);
}

}  // namespace

/// What a MatrixMarketReader holds: the stream (owned when opened from a path), the line reader
/// positioned after the header, and the header.
struct MatrixMarketReader::State {
  State(std::ifstream opened, std::string stream_name)
      : file(std::move(opened)),
        name(std::move(stream_name)),
        reader(*file, name),
        header(detail::parse_matrix_market_header(reader)) {}
  State(std::istream& in, std::string stream_name)
      : name(std::move(stream_name)),
        reader(in, name),
        header(detail::parse_matrix_market_header(reader)) {}

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
