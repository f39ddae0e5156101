// Reading and writing the matrix files of the `cunmf` command (matrix_files.hpp).
#include "matrix_files.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iostream>
#include <limits>
#include <string_view>
#include <system_error>
#include <type_traits>

namespace cunmf::cli {

namespace {

/// The name standard input has in messages.
constexpr const char* kStdinName = "<stdin>";

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

/// True when a CSR matrix of this size can use 32-bit indices: its row offsets run up to the
/// number of stored entries (twice the file's count for a symmetric file, which is mirrored) and
/// its column indices up to cols − 1.
bool fits_int32(const io::MatrixMarketHeader& header) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int32_t>::max();
  // A symmetric file stores up to twice its declared entries; nnz ≤ kMax / 2 then, compared
  // without forming 2·nnz (which overflows for a size line declaring near 2^63 entries).
  const std::int64_t limit =
      header.symmetry == io::MatrixMarketSymmetry::Symmetric ? kMax / 2 : kMax;
  return header.rows <= kMax && header.cols <= kMax && header.nnz <= limit;
}

template <class T>
InputMatrix<T> read_matrix_market(io::MatrixMarketReader& reader) {
  if (reader.header().format == io::MatrixMarketFormat::Array) {
    return reader.read_dense<T>(/*require_nonnegative=*/true);
  }
  if (fits_int32(reader.header())) return reader.read_csr<T, std::int32_t>(true);
  return reader.read_csr<T, std::int64_t>(true);
}

}  // namespace

FileFormat format_from_name(const std::string& name) {
  const std::string lower = lowercase(name);
  if (lower == "mtx") return FileFormat::MatrixMarket;
  if (lower == "npy") return FileFormat::Npy;
  if (lower == "csv") return FileFormat::Csv;
  throw InvalidArgument("unknown format '" + name + "': expected mtx, npy or csv");
}

FileFormat format_from_path(const std::string& path, const char* what) {
  const std::string extension = lowercase(std::filesystem::path(path).extension().string());
  if (extension == ".mtx") return FileFormat::MatrixMarket;
  if (extension == ".npy") return FileFormat::Npy;
  if (extension == ".csv") return FileFormat::Csv;
  throw InvalidArgument(std::string(what) + ": cannot tell the format of '" + path +
                        "' from its extension: expected .mtx, .npy or .csv" +
                        (std::string(what) == "INPUT" ? " (or give --format)" : ""));
}

template <class T>
InputMatrix<T> read_input(const std::string& path, FileFormat format) {
  if (path == "-") {
    switch (format) {
      case FileFormat::MatrixMarket: {
        io::MatrixMarketReader reader(std::cin, kStdinName);
        return read_matrix_market<T>(reader);
      }
      case FileFormat::Npy:
        return io::read_npy<T>(std::cin, kStdinName, true);
      case FileFormat::Csv:
        return io::read_csv<T>(std::cin, kStdinName, true);
    }
  }
  switch (format) {
    case FileFormat::MatrixMarket: {
      io::MatrixMarketReader reader{std::filesystem::path(path)};
      return read_matrix_market<T>(reader);
    }
    case FileFormat::Npy:
      return io::read_npy<T>(path, true);
    case FileFormat::Csv:
      return io::read_csv<T>(path, true);
  }
  throw InvalidArgument("unknown input format");
}

template <class T>
DenseMatrix<T> read_dense(const std::string& path, const char* what) {
  switch (format_from_path(path, what)) {
    case FileFormat::MatrixMarket:
      return io::read_matrix_market_dense<T>(path, true);
    case FileFormat::Npy:
      return io::read_npy<T>(path, true);
    case FileFormat::Csv:
      return io::read_csv<T>(path, true);
  }
  throw InvalidArgument("unknown format");
}


template <class T>
void write_dense(const std::string& path, FileFormat format, DenseView<const T> A) {
  switch (format) {
    case FileFormat::MatrixMarket:
      io::write_matrix_market(path, A);
      return;
    case FileFormat::Npy:
      io::write_npy(path, A);
      return;
    case FileFormat::Csv:
      io::write_csv(path, A);
      return;
  }
}

template <class T>
Shape shape_of(const InputMatrix<T>& X) {
  return std::visit(
      [](const auto& A) -> Shape {
        using A_t = std::decay_t<decltype(A)>;
        if constexpr (std::is_same_v<A_t, DenseMatrix<T>>) {
          return {A.rows(), A.cols(), A.size()};
        } else {
          return {A.rows, A.cols, A.nnz()};
        }
      },
      X);
}

#define CUNMF_CLI_INSTANTIATE(T)                                                    \
  template InputMatrix<T> read_input<T>(const std::string&, FileFormat);            \
  template DenseMatrix<T> read_dense<T>(const std::string&, const char*);           \
  template void write_dense<T>(const std::string&, FileFormat, DenseView<const T>); \
  template Shape shape_of<T>(const InputMatrix<T>&);
CUNMF_CLI_INSTANTIATE(float)
CUNMF_CLI_INSTANTIATE(double)
#undef CUNMF_CLI_INSTANTIATE

}  // namespace cunmf::cli
