// What every reader and writer of cunmf::io shares: opening files, IoError messages, the
// non-negativity check and argument validation of the writers.
#pragma once

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iosfwd>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "cunmf/matrix.hpp"
#include "cunmf/sparse.hpp"

namespace cunmf::io::detail {

/// Throws IoError with the message `name: what`.
[[noreturn]] void fail(std::string_view name, std::string_view what);
/// Throws IoError with the message `name:line: what` (text files).
[[noreturn]] void fail_at_line(std::string_view name, std::int64_t line, std::string_view what);
/// Throws IoError with the message `name: byte offset: what` (binary files).
[[noreturn]] void fail_at_byte(std::string_view name, std::int64_t offset, std::string_view what);
/// Runs `fail_there` (one of the failures above, with the place of an entry) and throws its
/// message as InvalidEntryError: the entry is negative, NaN or infinite.
[[noreturn]] void fail_with_invalid_entry(const std::function<void()>& fail_there);

/// `path` opened for binary reading; throws IoError naming the path and the system's reason
/// (missing, a directory, permission denied).
std::ifstream open_for_reading(const std::filesystem::path& path);
/// `path` opened (created or truncated) for binary writing; throws IoError as above.
std::ofstream open_for_writing(const std::filesystem::path& path);
/// The bytes left in `in` from its current position, when the stream can tell (a file can, a
/// pipe cannot). Leaves the position where it was.
std::optional<std::int64_t> remaining_bytes(std::istream& in);

/// Flushes `out` and throws IoError naming `name` when any write to it failed (e.g. disk full).
void finish_writing(std::ostream& out, std::string_view name);

/// Runs read() and returns its result, turning a failed allocation (a matrix too large for
/// memory, or a size line that lies) into an IoError naming `name`.
template <class Read>
auto reporting_allocation_failure(std::string_view name, Read&& read) -> decltype(read()) {
  try {
    return read();
  } catch (const std::bad_alloc&) {
    fail(name, "out of memory while reading the matrix");
  } catch (const std::length_error&) {
    fail(name, "the matrix is too large to hold in memory");
  }
}

/// True when `value` may not be in a matrix that must be non-negative: negative, NaN or infinite.
template <class T>
bool violates_nonnegativity(T value) {
  return !(value >= T(0)) || std::isinf(value);
}
/// Why `value` violates non-negativity, for an IoError message.
std::string nonnegativity_problem(float value);
std::string nonnegativity_problem(double value);

/// `value` in the shortest form that reads back to the same bits.
std::string format_number(float value);
std::string format_number(double value);

/// Throws InvalidArgument unless A has non-negative dimensions and data for its elements;
/// `function` names the caller in the message.
template <class T>
void validate_dense(DenseView<const T> A, const char* function);
/// Throws InvalidArgument unless A is a well-formed CSR matrix (row_ptr from 0 to nnz,
/// non-decreasing; column indices in range); `function` names the caller.
template <class T, class Index>
void validate_csr(CsrView<const T, Index> A, const char* function);

}  // namespace cunmf::io::detail
