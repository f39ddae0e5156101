// Helpers shared by the `cunmf` subcommands: file formats and matrix files, names of the
// library's enums, a small JSON writer, the in-place progress line, and one-line error text.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <CLI/CLI.hpp>

#include "cunmf/cunmf.hpp"

namespace cunmf::cli {

// ---------------------------------------------------------------------------------------------
// Matrix files

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
/// rejected. Throws IoError naming the file and place of a problem.
template <class T>
InputMatrix<T> read_input(const std::string& path, FileFormat format);

/// Reads a dense matrix (an initial factor) from `path` in the format of its extension; a Matrix
/// Market coordinate file is densified. Throws InvalidArgument for an unknown extension, IoError
/// as read_input does.
template <class T>
DenseMatrix<T> read_dense(const std::string& path, const char* what);

/// Writes A to `path` in the format of its extension (.npy, .mtx as an array file, .csv). Throws
/// InvalidArgument for an unknown extension, IoError when the file cannot be written.
template <class T>
void write_dense(const std::string& path, DenseView<const T> A, const char* what);

/// Throws IoError when the folder that would hold `path` does not exist, so that a long run does
/// not end unable to write its result.
void require_writable_folder(const std::string& path, const char* what);

/// Rows, columns and stored entries of an input matrix (for a dense one, rows · cols).
struct Shape {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::int64_t nnz = 0;
};
template <class T>
Shape shape_of(const InputMatrix<T>& X);

// ---------------------------------------------------------------------------------------------
// Names

/// "cpu" or "cuda" (or "auto").
const char* backend_name(Backend backend);

// ---------------------------------------------------------------------------------------------
// JSON

/// `text` as a JSON string literal: quoted, with `"`, `\` and control characters escaped.
std::string json_string(std::string_view text);
/// `value` as a JSON number with every digit (%.17g); `null` when it is NaN or infinite.
std::string json_number(double value);

/// A JSON object built field by field, in insertion order, printed with two-space indentation.
class JsonObject {
 public:
  JsonObject& add(const std::string& key, const std::string& value);
  JsonObject& add(const std::string& key, const char* value);
  JsonObject& add(const std::string& key, double value);
  JsonObject& add(const std::string& key, std::int64_t value);
  JsonObject& add(const std::string& key, int value);
  JsonObject& add(const std::string& key, bool value);
  /// A number, or null when `value` is empty.
  JsonObject& add(const std::string& key, std::optional<double> value);
  /// An array of numbers.
  JsonObject& add(const std::string& key, const std::vector<double>& values);
  JsonObject& add(const std::string& key, const std::vector<int>& values);
  /// The object as text, ending in a newline.
  std::string str() const;

 private:
  JsonObject& add_raw(const std::string& key, std::string json);
  std::vector<std::pair<std::string, std::string>> fields_;
};

/// Writes `text` to `path`. Throws IoError naming the file when it cannot be written.
void write_text_file(const std::string& path, const std::string& text);

// ---------------------------------------------------------------------------------------------
// Progress

/// True when standard error is a terminal.
bool stderr_is_terminal();

/// The progress line of a factorization on standard error, rewritten in place (`\r`) at each
/// check: iteration, loss, relative change since the previous check, iterations per second and
/// the time left until max_iter (an upper bound when tol can stop the run earlier).
class ProgressLine {
 public:
  /// Prints nothing when `enabled` is false.
  ProgressLine(bool enabled, int max_iter, double tol);
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;
  /// Ends the line if one was printed.
  ~ProgressLine();

  /// Shows the check at `iteration` with `loss`.
  void update(int iteration, double loss);
  /// Ends the line (a newline) if one was printed; later updates start a new one.
  void finish();

 private:
  bool enabled_;
  int max_iter_;
  double tol_;
  double start_seconds_ = 0.0;
  int start_iteration_ = 0;
  std::optional<double> previous_loss_;
  std::size_t printed_width_ = 0;
};

/// Seconds on a steady clock (for rates).
double now_seconds();

/// `seconds` as a short human duration: "850 ms", "12.3 s", "4 min 05 s", "2 h 03 min".
std::string format_duration(double seconds);

// ---------------------------------------------------------------------------------------------
// Option values

/// A CLI11 check that the value is a whole number >= `minimum`; its message names the value.
CLI::Validator integer_at_least(long long minimum);
/// A CLI11 check that the value is a finite number >= `minimum`; its message names the value.
CLI::Validator number_at_least(double minimum);

// ---------------------------------------------------------------------------------------------
// Errors

/// `message` on one line: line breaks become "; ", other control characters (a NUL included)
/// `\xNN`, and a "cunmf: " prefix is added unless the
/// message already starts with it.
std::string one_line_error(std::string message);

}  // namespace cunmf::cli
