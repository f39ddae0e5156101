// Helpers shared by the `cunmf` subcommands (see support.hpp).
#include "support.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>

#include <unistd.h>

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
  const std::int64_t stored =
      header.symmetry == io::MatrixMarketSymmetry::Symmetric ? 2 * header.nnz : header.nnz;
  return header.rows <= kMax && header.cols <= kMax && stored <= kMax;
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

// ---------------------------------------------------------------------------------------------
// Matrix files

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
void write_dense(const std::string& path, DenseView<const T> A, const char* what) {
  switch (format_from_path(path, what)) {
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

void require_writable_folder(const std::string& path, const char* what) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) return;
  std::error_code error;
  if (!std::filesystem::is_directory(parent, error)) {
    throw IoError(std::string(what) + ": cannot write '" + path + "': folder '" + parent.string() +
                  "' does not exist");
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

#define CUNMF_CLI_INSTANTIATE(T)                                                     \
  template InputMatrix<T> read_input<T>(const std::string&, FileFormat);             \
  template DenseMatrix<T> read_dense<T>(const std::string&, const char*);            \
  template void write_dense<T>(const std::string&, DenseView<const T>, const char*); \
  template Shape shape_of<T>(const InputMatrix<T>&);
CUNMF_CLI_INSTANTIATE(float)
CUNMF_CLI_INSTANTIATE(double)
#undef CUNMF_CLI_INSTANTIATE

// ---------------------------------------------------------------------------------------------
// Names

const char* backend_name(Backend backend) {
  switch (backend) {
    case Backend::Auto:
      return "auto";
    case Backend::Cpu:
      return "cpu";
    case Backend::Cuda:
      return "cuda";
  }
  return "?";
}

// ---------------------------------------------------------------------------------------------
// JSON

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
          out += escaped;
        } else {
          out += c;  // UTF-8 bytes pass through: JSON text is UTF-8
        }
    }
  }
  out += '"';
  return out;
}

std::string json_number(double value) {
  if (!std::isfinite(value)) return "null";
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

JsonObject& JsonObject::add_raw(const std::string& key, std::string json) {
  fields_.emplace_back(key, std::move(json));
  return *this;
}
JsonObject& JsonObject::add(const std::string& key, const std::string& value) {
  return add_raw(key, json_string(value));
}
JsonObject& JsonObject::add(const std::string& key, const char* value) {
  return add_raw(key, json_string(value));
}
JsonObject& JsonObject::add(const std::string& key, double value) {
  return add_raw(key, json_number(value));
}
JsonObject& JsonObject::add(const std::string& key, std::int64_t value) {
  return add_raw(key, std::to_string(value));
}
JsonObject& JsonObject::add(const std::string& key, int value) {
  return add_raw(key, std::to_string(value));
}
JsonObject& JsonObject::add(const std::string& key, bool value) {
  return add_raw(key, value ? "true" : "false");
}
JsonObject& JsonObject::add(const std::string& key, std::optional<double> value) {
  return add_raw(key, value ? json_number(*value) : "null");
}
JsonObject& JsonObject::add(const std::string& key, const std::vector<double>& values) {
  std::string json = "[";
  for (std::size_t i = 0; i < values.size(); ++i) json += (i ? ", " : "") + json_number(values[i]);
  return add_raw(key, json + "]");
}
JsonObject& JsonObject::add(const std::string& key, const std::vector<int>& values) {
  std::string json = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    json += (i ? ", " : "") + std::to_string(values[i]);
  }
  return add_raw(key, json + "]");
}

std::string JsonObject::str() const {
  std::string out = "{\n";
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    out += "  " + json_string(fields_[i].first) + ": " + fields_[i].second;
    out += i + 1 < fields_.size() ? ",\n" : "\n";
  }
  return out + "}\n";
}

void write_text_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw IoError(path + ": cannot open for writing");
  out << text;
  out.flush();
  if (!out) throw IoError(path + ": write failed");
}

// ---------------------------------------------------------------------------------------------
// Progress

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string format_duration(double seconds) {
  char text[48];
  if (!std::isfinite(seconds) || seconds < 0.0) return "?";
  if (seconds < 1e-3) {
    std::snprintf(text, sizeof text, "%.3g us", seconds * 1e6);
  } else if (seconds < 1.0) {
    std::snprintf(text, sizeof text, "%.3g ms", seconds * 1e3);
  } else if (seconds < 60.0) {
    std::snprintf(text, sizeof text, "%.1f s", seconds);
  } else if (seconds < 3600.0) {
    const auto whole = static_cast<long long>(seconds);
    std::snprintf(text, sizeof text, "%lld min %02lld s", whole / 60, whole % 60);
  } else {
    const auto minutes = static_cast<long long>(seconds / 60.0);
    std::snprintf(text, sizeof text, "%lld h %02lld min", minutes / 60, minutes % 60);
  }
  return text;
}

ProgressLine::ProgressLine(bool enabled, int max_iter, double tol)
    : enabled_(enabled), max_iter_(max_iter), tol_(tol) {}

ProgressLine::~ProgressLine() { finish(); }

void ProgressLine::update(int iteration, double loss) {
  if (!enabled_) return;
  const double now = now_seconds();
  if (!previous_loss_ || iteration <= start_iteration_) {
    start_seconds_ = now;
    start_iteration_ = iteration;
  }
  std::ostringstream line;
  line << "iteration " << iteration << "/" << max_iter_;
  char text[64];
  std::snprintf(text, sizeof text, "  loss %.6e", loss);
  line << text;
  if (previous_loss_ && *previous_loss_ != 0.0) {
    std::snprintf(text, sizeof text, "  change %.2e", (*previous_loss_ - loss) / *previous_loss_);
    line << text;
  }
  const double elapsed = now - start_seconds_;
  const int done = iteration - start_iteration_;
  if (done > 0 && elapsed > 0.0) {
    const double rate = done / elapsed;
    std::snprintf(text, sizeof text, rate < 100.0 ? "  %.3g it/s" : "  %.0f it/s", rate);
    line << text;
    if (iteration < max_iter_) {
      line << "  ETA " << (tol_ > 0.0 ? "<= " : "")
           << format_duration((max_iter_ - iteration) / rate);
    }
  }
  previous_loss_ = loss;

  std::string shown = line.str();
  const std::size_t width = shown.size();
  // Spaces over what is left of a longer previous line.
  if (width < printed_width_) shown.append(printed_width_ - width, ' ');
  std::fprintf(stderr, "\r%s", shown.c_str());
  std::fflush(stderr);
  printed_width_ = width;
}

void ProgressLine::finish() {
  if (printed_width_ == 0) return;
  std::fputc('\n', stderr);
  std::fflush(stderr);
  printed_width_ = 0;
  previous_loss_.reset();
}

// ---------------------------------------------------------------------------------------------
// Option values

CLI::Validator integer_at_least(long long minimum) {
  const std::string bound = std::to_string(minimum);
  return CLI::Validator(
      [minimum, bound](std::string& text) -> std::string {
        std::size_t used = 0;
        long long value = 0;
        try {
          value = std::stoll(text, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (used == 0 || used != text.size()) {
          return "expected a whole number >= " + bound + ", got '" + text + "'";
        }
        if (value < minimum) return "must be >= " + bound + ", got " + text;
        return {};
      },
      "INT>=" + bound);
}

CLI::Validator number_at_least(double minimum) {
  const std::string bound = json_number(minimum);
  return CLI::Validator(
      [minimum, bound](std::string& text) -> std::string {
        std::size_t used = 0;
        double value = 0.0;
        try {
          value = std::stod(text, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (used == 0 || used != text.size() || !std::isfinite(value)) {
          return "expected a finite number >= " + bound + ", got '" + text + "'";
        }
        if (value < minimum) return "must be >= " + bound + ", got " + text;
        return {};
      },
      "NUMBER>=" + bound);
}

// ---------------------------------------------------------------------------------------------
// Errors

std::string one_line_error(std::string message) {
  std::string out;
  for (std::size_t i = 0; i < message.size(); ++i) {
    const char c = message[i];
    if (c == '\r' || c == '\n') {
      while (i + 1 < message.size() && (message[i + 1] == '\n' || message[i + 1] == '\r')) ++i;
      if (i + 1 < message.size()) out += "; ";
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", static_cast<unsigned>(c));
      out += escaped;
    } else {
      out += c;
    }
  }
  constexpr std::string_view kPrefix = "cunmf: ";
  if (out.compare(0, kPrefix.size(), kPrefix) != 0) out.insert(0, kPrefix);
  return out;
}

}  // namespace cunmf::cli
