// The matrix files of the `cunmf` command: their formats (Matrix Market, .npy, CSV, told by the
// extension or by --format), reading the input as dense or CSR, reading and writing dense factors.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "cunmf/cunmf.hpp"

namespace cunmf::cli {

/// The file formats the command reads and writes.
enum class FileFormat {
  MatrixMarket,  ///< .mtx: coordinate (sparse) or array (dense)
  Npy,           ///< .npy: NumPy float32/float64, C or Fortran order
  Csv,           ///< .csv: one row per line, comma-separated
};

/// The format named `name` ("mtx", "npy" or "csv"). Throws InvalidArgument otherwise.
FileFormat format_from_name(const std::string& name);

/// The format of `path` from its extension (.mtx, .npy, .csv, any case). Throws InvalidArgument
/// naming `what` (e.g. "--out-w") and the file when the extension is none of those.
FileFormat format_from_path(const std::string& path, const char* what);

/// A matrix read from a file: dense, or CSR with 32- or 64-bit indices.
template <class T>
using InputMatrix =
    std::variant<DenseMatrix<T>, CsrMatrix<T, std::int32_t>, CsrMatrix<T, std::int64_t>>;

/// Reads the matrix to factorize from `path` (`-`: standard input) in `format`: a Matrix Market
/// coordinate file as CSR (int32 indices when its dimensions and entry count fit, else int64),
/// never densified; an array file, .npy or .csv as dense. Negative, NaN and infinite values are
/// rejected with InvalidArgument naming the file and the place (invalid input, not an I/O
/// problem). Throws IoError naming the file and place of any other problem.
template <class T>
InputMatrix<T> read_input(const std::string& path, FileFormat format);

/// Reads a dense matrix (an initial factor) from `path` in the format of its extension; a Matrix
/// Market coordinate file is densified. Throws InvalidArgument for an unknown extension or an
/// invalid entry, IoError as read_input does.
template <class T>
DenseMatrix<T> read_dense(const std::string& path, const char* what);

/// Writes A to `path` in `format` (.mtx as an array file). Throws IoError when the file cannot
/// be written.
template <class T>
void write_dense(const std::string& path, FileFormat format, DenseView<const T> A);

/// Rows, columns and stored entries of an input matrix (for a dense one, rows · cols).
struct Shape {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::int64_t nnz = 0;
};
/// The shape of X.
template <class T>
Shape shape_of(const InputMatrix<T>& X);

}  // namespace cunmf::cli
