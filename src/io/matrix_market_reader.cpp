// Reading Matrix Market files (io.hpp): MatrixMarketReader and the read_matrix_market_*
// functions. The header is parsed once (matrix_market_header.hpp) and the entries once per format
// (matrix_market_entries.hpp); here they are gathered into a CsrMatrix (symmetric files mirrored,
// entries sorted and duplicates summed by csr_assembly.hpp) or a DenseMatrix.
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
