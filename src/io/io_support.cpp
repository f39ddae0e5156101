// Opening files, IoError messages, number formatting and writer argument checks (io_support.hpp).
#include "io_support.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <istream>
#include <limits>
#include <ostream>
#include <functional>
#include <system_error>

#include "cunmf/errors.hpp"

namespace cunmf::io::detail {

void fail(std::string_view name, std::string_view what) {
  throw IoError(std::string(name) + ": " + std::string(what));
}

void fail_at_line(std::string_view name, std::int64_t line, std::string_view what) {
  throw IoError(std::string(name) + ":" + std::to_string(line) + ": " + std::string(what));
}

void fail_at_byte(std::string_view name, std::int64_t offset, std::string_view what) {
  throw IoError(std::string(name) + ": byte " + std::to_string(offset) + ": " + std::string(what));
}

void fail_with_invalid_entry(const std::function<void()>& fail_there) {
  try {
    fail_there();
  } catch (const IoError& e) {
    throw InvalidEntryError(e.what());
  }
  throw std::logic_error("fail_with_invalid_entry: the failure did not throw");
}

std::ifstream open_for_reading(const std::filesystem::path& path) {
  const std::string name = path.string();
  // std::ifstream opens a directory without complaint on Linux and fails only at the first read,
  // with a less helpful message; ask first.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    fail(name, "cannot open for reading: is a directory");
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno;
    fail(name, std::string("cannot open for reading: ") +
                   (error != 0 ? std::strerror(error) : "unknown error"));
  }
  return in;
}

std::ofstream open_for_writing(const std::filesystem::path& path) {
  const std::string name = path.string();
  errno = 0;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    const int error = errno;
    fail(name, std::string("cannot open for writing: ") +
                   (error != 0 ? std::strerror(error) : "unknown error"));
  }
  errno = 0;  // so that finish_writing reports only an error of the writes themselves
  return out;
}

std::optional<std::int64_t> remaining_bytes(std::istream& in) {
  const std::istream::pos_type here = in.tellg();
  if (here == std::istream::pos_type(-1)) return std::nullopt;
  in.seekg(0, std::ios::end);
  const std::istream::pos_type stop = in.tellg();
  in.seekg(here);
  std::optional<std::int64_t> remaining;
  if (in && stop != std::istream::pos_type(-1) && stop >= here) {
    remaining = static_cast<std::int64_t>(stop - here);
  }
  in.clear(in.rdstate() & ~std::ios::failbit);
  return remaining;
}

void finish_writing(std::ostream& out, std::string_view name) {
  out.flush();
  if (!out) {
    const int error = errno;
    fail(name, std::string("write failed: ") +
                   (error != 0 ? std::strerror(error) : "the stream is in an error state"));
  }
}

namespace {

template <class T>
std::string format_shortest(T value) {
  char text[64];
  const auto result = std::to_chars(text, text + sizeof(text), value);
  return std::string(text, result.ptr);
}

template <class T>
std::string describe_nonnegativity_problem(T value) {
  if (std::isnan(value)) return "NaN is not allowed in a non-negative matrix";
  if (std::isinf(value)) return "infinite value is not allowed in a non-negative matrix";
  return "negative value " + format_shortest(value) + " is not allowed in a non-negative matrix";
}

}  // namespace

std::string format_number(float value) { return format_shortest(value); }
std::string format_number(double value) { return format_shortest(value); }
std::string nonnegativity_problem(float value) { return describe_nonnegativity_problem(value); }
std::string nonnegativity_problem(double value) { return describe_nonnegativity_problem(value); }

template <class T>
void validate_dense(DenseView<const T> A, const char* function) {
  const std::string prefix = std::string("cunmf::io::") + function + ": ";
  if (A.rows < 0 || A.cols < 0) {
    throw InvalidArgument(prefix + "negative dimension " + std::to_string(A.rows) + " x " +
                          std::to_string(A.cols));
  }
  if (A.data == nullptr && A.rows > 0 && A.cols > 0) {
    throw InvalidArgument(prefix + "null data for a " + std::to_string(A.rows) + " x " +
                          std::to_string(A.cols) + " matrix");
  }
}

template <class T, class Index>
void validate_csr(CsrView<const T, Index> A, const char* function) {
  const std::string prefix = std::string("cunmf::io::") + function + ": ";
  const auto invalid = [&](const std::string& what) { throw InvalidArgument(prefix + what); };
  if (A.rows < 0 || A.cols < 0 || A.nnz < 0) {
    invalid("negative dimension or nnz: " + std::to_string(A.rows) + " x " +
            std::to_string(A.cols) + ", nnz " + std::to_string(A.nnz));
  }
  if (A.row_ptr == nullptr) {
    if (A.rows == 0 && A.nnz == 0) return;
    invalid("null row_ptr");
  }
  if (A.nnz > 0 && (A.col_idx == nullptr || A.values == nullptr)) {
    invalid("null col_idx or values with nnz " + std::to_string(A.nnz));
  }
  if (A.row_ptr[0] != 0) invalid("row_ptr[0] is " + std::to_string(A.row_ptr[0]) + ", not 0");
  if (A.row_ptr[A.rows] != A.nnz) {
    invalid("row_ptr[rows] is " + std::to_string(A.row_ptr[A.rows]) + ", not nnz " +
            std::to_string(A.nnz));
  }
  for (std::int64_t i = 0; i < A.rows; ++i) {
    if (A.row_ptr[i + 1] < A.row_ptr[i]) {
      invalid("row_ptr decreases after row " + std::to_string(i));
    }
  }
  for (std::int64_t e = 0; e < A.nnz; ++e) {
    if (A.col_idx[e] < 0 || A.col_idx[e] >= A.cols) {
      invalid("column index " + std::to_string(A.col_idx[e]) + " of entry " + std::to_string(e) +
              " out of range [0, " + std::to_string(A.cols) + ")");
    }
  }
}

template void validate_dense<float>(DenseView<const float>, const char*);
template void validate_dense<double>(DenseView<const double>, const char*);
template void validate_csr<float, std::int32_t>(CsrView<const float, std::int32_t>, const char*);
template void validate_csr<float, std::int64_t>(CsrView<const float, std::int64_t>, const char*);
template void validate_csr<double, std::int32_t>(CsrView<const double, std::int32_t>, const char*);
template void validate_csr<double, std::int64_t>(CsrView<const double, std::int64_t>, const char*);

}  // namespace cunmf::io::detail
