// Reading and writing matrices: Matrix Market (.mtx), NumPy (.npy) and CSV files.
//
// Every reader and writer throws cunmf::IoError when the file is missing, unreadable, malformed or
// unwritable; the message names the file, the place (`name:line:` for text files, `name: byte N:`
// for .npy) and the problem, e.g. `data/x.mtx:7: column index 12 out of range [1, 10]`.
// Readers are templates on the value type T (float or double) and, for CSR, the index type
// Index (std::int32_t or std::int64_t); they are instantiated for exactly those types in the
// library. Each path reader has an overload reading a std::istream (e.g. std::cin), whose `name`
// stands for the file in messages. `require_nonnegative` makes a reader reject negative, NaN and
// infinite values with an IoError naming their place, so that a matrix handed to factorize() is
// known to be valid.
//
// Readers allocate only what the input justifies, checking every declared size (with
// overflow-checked arithmetic) before allocating for it, and throw IoError naming the size line or
// byte, the declared size and what the file holds otherwise: a file that can tell its size must
// hold the data its header declares (a .npy exactly its shape's bytes, an array .mtx at least two
// bytes per value); a stream that cannot (a pipe, standard input) is read in growing chunks, so
// that memory grows only with the bytes that arrive; an allocation that no bytes of the file back
// (the row pointers of a CSR matrix, the zeros of a coordinate file read as a dense matrix) may
// take at most 64 MiB plus 1024 bytes per byte of the input; and no single allocation for a
// declared size may exceed the environment variable CUNMF_MAX_INPUT_BYTES (a byte count,
// optionally with a K, M, G or T suffix; default 64 GiB).
#pragma once

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <string>

#include "matrix.hpp"
#include "sparse.hpp"

namespace cunmf::io {

/// How a Matrix Market file stores its entries.
enum class MatrixMarketFormat {
  Coordinate,  ///< one `row column [value]` line per stored entry (sparse)
  Array,       ///< every value, column by column (dense)
};

/// The type of the values of a Matrix Market file (`complex` is not supported).
enum class MatrixMarketField {
  Real,     ///< floating-point values
  Integer,  ///< integer values (read as T; an integer field rejects a token like `1.5`)
  Pattern,  ///< no values: every stored entry is 1 (coordinate format only)
};

/// Which entries a Matrix Market file stores (`skew-symmetric` and `hermitian` are not
/// supported).
enum class MatrixMarketSymmetry {
  General,    ///< every entry
  Symmetric,  ///< the lower triangle of a square matrix; reading mirrors it onto the upper one
};

/// The banner and size line of a Matrix Market file.
struct MatrixMarketHeader {
  MatrixMarketFormat format = MatrixMarketFormat::Coordinate;     ///< banner: the format
  MatrixMarketField field = MatrixMarketField::Real;              ///< banner: the field
  MatrixMarketSymmetry symmetry = MatrixMarketSymmetry::General;  ///< banner: the symmetry
  std::int64_t rows = 0;                                          ///< size line: rows
  std::int64_t cols = 0;                                          ///< size line: columns
  /// Values stored in the file: for the coordinate format the count on its size line (before a
  /// symmetric matrix is mirrored, duplicates counted separately); for the array format
  /// rows·cols (general) or rows·(rows+1)/2 (symmetric).
  std::int64_t nnz = 0;
};

/// Reads the banner and size line of a Matrix Market file, so that a caller can choose between
/// read_matrix_market_dense and read_matrix_market_csr without reading the entries. Throws
/// IoError when the file cannot be read, the banner is missing or names an unsupported
/// object/format/field/symmetry, or the size line is malformed.
MatrixMarketHeader read_matrix_market_header(const std::filesystem::path& path);
/// The same, reading from `in`; `name` stands for the file in messages. A seekable stream is
/// left where it was; a pipe (standard input) cannot be, and is consumed in part: to choose the
/// form from the header of a pipe, use MatrixMarketReader.
MatrixMarketHeader read_matrix_market_header(std::istream& in, const std::string& name);

/// Reads one Matrix Market file in two steps: its header on construction, then its entries in
/// the form the caller chooses from the header (read_csr or read_dense, once). The way to choose
/// for a stream that cannot be read twice, such as standard input. Move-only.
class MatrixMarketReader {
 public:
  /// Opens `path` and reads its header. Throws IoError as read_matrix_market_header does.
  explicit MatrixMarketReader(const std::filesystem::path& path);
  /// Reads the header from `in`, which must outlive the reader; `name` stands for the stream in
  /// messages. Throws IoError as read_matrix_market_header does.
  MatrixMarketReader(std::istream& in, const std::string& name);
  MatrixMarketReader(MatrixMarketReader&&) noexcept;
  MatrixMarketReader& operator=(MatrixMarketReader&&) noexcept;
  ~MatrixMarketReader();

  /// The banner and size line.
  const MatrixMarketHeader& header() const;
  /// The entries as read_matrix_market_csr gives them; throws IoError as it does, and
  /// InvalidArgument when the entries were already read.
  template <class T, class Index = std::int32_t>
  CsrMatrix<T, Index> read_csr(bool require_nonnegative = false);
  /// The entries as read_matrix_market_dense gives them; throws IoError as it does, and
  /// InvalidArgument when the entries were already read.
  template <class T>
  DenseMatrix<T> read_dense(bool require_nonnegative = false);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// Reads a Matrix Market file (coordinate or array format; real, integer or pattern; general or
/// symmetric) into CSR form with sorted column indices and no duplicates: duplicate coordinate
/// entries are summed (as scipy does), an array file's zeros are dropped (a coordinate file's
/// explicit zeros are kept), a symmetric matrix is mirrored (every off-diagonal entry, as scipy
/// does). Peak memory is about twice that of the result. Throws IoError when the file cannot be
/// read or is malformed: a bad banner or size line, a non-numeric or missing token, an index
/// outside [1, rows] or [1, cols], more or fewer entries than the size line declares, a
/// dimension or non-zero count beyond Index's range, or (with `require_nonnegative`) a negative,
/// NaN or infinite value.
template <class T, class Index = std::int32_t>
CsrMatrix<T, Index> read_matrix_market_csr(const std::filesystem::path& path,
                                           bool require_nonnegative = false);
/// The same, reading from `in`; `name` stands for the file in messages.
template <class T, class Index = std::int32_t>
CsrMatrix<T, Index> read_matrix_market_csr(std::istream& in, const std::string& name,
                                           bool require_nonnegative = false);

/// Reads a Matrix Market file (array or coordinate format, any supported field and symmetry)
/// into a dense row-major matrix; duplicate coordinate entries are summed, unlisted ones are 0.
/// Throws IoError as read_matrix_market_csr does.
template <class T>
DenseMatrix<T> read_matrix_market_dense(const std::filesystem::path& path,
                                        bool require_nonnegative = false);
/// The same, reading from `in`; `name` stands for the file in messages.
template <class T>
DenseMatrix<T> read_matrix_market_dense(std::istream& in, const std::string& name,
                                        bool require_nonnegative = false);

/// Writes A as a Matrix Market `array real general` file, column by column, each value in the
/// shortest form that reads back to the same bits. Throws InvalidArgument for a negative
/// dimension or a null data pointer with elements, IoError when the file cannot be written.
void write_matrix_market(const std::filesystem::path& path, DenseView<const float> A);
void write_matrix_market(const std::filesystem::path& path, DenseView<const double> A);
/// The same, writing to `out`; `name` stands for the file in messages.
void write_matrix_market(std::ostream& out, const std::string& name, DenseView<const float> A);
void write_matrix_market(std::ostream& out, const std::string& name, DenseView<const double> A);

/// Writes A as a Matrix Market `coordinate real general` file, entries in CSR order, 1-based,
/// each value in the shortest form that reads back to the same bits. Throws InvalidArgument
/// when A is not a valid CSR matrix (row_ptr not starting at 0, decreasing or not ending at nnz;
/// a column index out of range); IoError when the file cannot be written.
void write_matrix_market(const std::filesystem::path& path, CsrView<const float, std::int32_t> A);
void write_matrix_market(const std::filesystem::path& path, CsrView<const float, std::int64_t> A);
void write_matrix_market(const std::filesystem::path& path, CsrView<const double, std::int32_t> A);
void write_matrix_market(const std::filesystem::path& path, CsrView<const double, std::int64_t> A);
/// The same, writing to `out`; `name` stands for the file in messages.
void write_matrix_market(std::ostream& out, const std::string& name,
                         CsrView<const float, std::int32_t> A);
void write_matrix_market(std::ostream& out, const std::string& name,
                         CsrView<const float, std::int64_t> A);
void write_matrix_market(std::ostream& out, const std::string& name,
                         CsrView<const double, std::int32_t> A);
void write_matrix_market(std::ostream& out, const std::string& name,
                         CsrView<const double, std::int64_t> A);

/// Reads a NumPy .npy file (format version 1.0, 2.0 or 3.0) holding float32 or float64 values
/// (descr `<f4`/`<f8`; also `>` big-endian, and `=` and `|` in the host's (little-endian)
/// order), in C or Fortran order, converting them to T. A 2-D shape (m, n) gives an m × n
/// matrix; a 1-D shape (n,) gives an n × 1 column. Throws IoError, naming the byte offset, for a
/// bad magic string or header, an unsupported dtype (integer, complex, structured…, named in the
/// message), a shape of another rank, data shorter or longer than the shape needs, or (with
/// `require_nonnegative`) a negative, NaN or infinite value.
template <class T>
DenseMatrix<T> read_npy(const std::filesystem::path& path, bool require_nonnegative = false);
/// The same, reading from `in`; `name` stands for the file in messages.
template <class T>
DenseMatrix<T> read_npy(std::istream& in, const std::string& name,
                        bool require_nonnegative = false);

/// Writes A as a 2-D .npy file of its own type (`<f4` or `<f8`, shape (rows, cols)), in A's own
/// storage order without transposing: C order for a row-major view, Fortran order for a
/// column-major one. Format version 1.0 (2.0 only when the header would not fit 1.0). Throws
/// InvalidArgument for a negative dimension or a null data pointer with elements, IoError when
/// the file cannot be written.
void write_npy(const std::filesystem::path& path, DenseView<const float> A);
void write_npy(const std::filesystem::path& path, DenseView<const double> A);
/// The same, writing to `out`; `name` stands for the file in messages.
void write_npy(std::ostream& out, const std::string& name, DenseView<const float> A);
void write_npy(std::ostream& out, const std::string& name, DenseView<const double> A);

/// Reads a comma-separated file of numbers, one matrix row per line, into a dense matrix. Spaces
/// and tabs around a value are ignored, and so are blank lines; every row must have the same
/// number of values. A header line is not supported: its names are non-numeric values. Throws
/// IoError naming the line and column for a non-numeric or empty value, a row of another length,
/// or (with `require_nonnegative`) a negative, NaN or infinite value; and for a file without
/// any value.
template <class T>
DenseMatrix<T> read_csv(const std::filesystem::path& path, bool require_nonnegative = false);
/// The same, reading from `in`; `name` stands for the file in messages.
template <class T>
DenseMatrix<T> read_csv(std::istream& in, const std::string& name,
                        bool require_nonnegative = false);

/// Writes A as comma-separated values, one row per line, each value in the shortest form that
/// reads back to the same bits. Throws InvalidArgument for a negative dimension or a null data
/// pointer with elements, IoError when the file cannot be written.
void write_csv(const std::filesystem::path& path, DenseView<const float> A);
void write_csv(const std::filesystem::path& path, DenseView<const double> A);
/// The same, writing to `out`; `name` stands for the file in messages.
void write_csv(std::ostream& out, const std::string& name, DenseView<const float> A);
void write_csv(std::ostream& out, const std::string& name, DenseView<const double> A);

}  // namespace cunmf::io
