// Reading .npy files (io.hpp): float32 or float64 data, either byte order, C or Fortran order,
// converted to a row-major DenseMatrix of float or double block by block. The shape is checked
// before anything is allocated for it (input_limits.hpp): a file must hold exactly the data it
// declares; a stream of unknown size is read in growing chunks, so that memory grows only with
// the bytes that arrive.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <istream>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "binary_input.hpp"
#include "cunmf/io.hpp"
#include "input_limits.hpp"
#include "io_support.hpp"
#include "npy_header.hpp"

namespace cunmf::io {

namespace {

using detail::BinaryInput;
using detail::MemoryBuffer;
using detail::NpyHeader;
using detail::shape_text;

constexpr std::size_t kBlockBytes = std::size_t{1} << 20;

/// The message for data shorter than the header's shape needs: `needed` bytes, `found` there.
std::string truncated_data(const NpyHeader& header, std::uint64_t needed, std::uint64_t found) {
  return "truncated data: shape " + shape_text(header.shape) + " of '" + header.descr + "' needs " +
         std::to_string(needed) + " bytes, found " + std::to_string(found);
}

template <class Source>
Source from_file_order(const char* bytes, bool swap) {
  if (!swap) {
    Source value;
    std::memcpy(&value, bytes, sizeof(Source));
    return value;
  }
  char reversed[sizeof(Source)];
  std::reverse_copy(bytes, bytes + sizeof(Source), reversed);
  Source value;
  std::memcpy(&value, reversed, sizeof(Source));
  return value;
}

/// Reads the rows × cols values of type Source into A (row-major), in block-sized pieces so that
/// a conversion, byte swap or Fortran-order transpose needs no second copy of the data.
template <class Source, class T>
void read_data(BinaryInput& input, const NpyHeader& header, bool require_nonnegative,
               DenseMatrix<T>& A) {
  const std::int64_t rows = A.rows();
  const std::int64_t cols = A.cols();
  const std::int64_t total = A.size();
  const std::int64_t data_start = input.offset();
  const auto fail_at_element = [&](std::int64_t k, std::int64_t i, std::int64_t j,
                                   const std::string& what) {
    detail::fail_at_byte(input.name(), data_start + k * static_cast<std::int64_t>(sizeof(Source)),
                         "element (" + std::to_string(i) + ", " + std::to_string(j) + "): " + what);
  };
  constexpr std::int64_t kBlockItems = kBlockBytes / sizeof(Source);
  std::vector<char> block(static_cast<std::size_t>(std::min(total, kBlockItems)) * sizeof(Source));
  std::int64_t i = 0;  // the row and column of element k in the file's order
  std::int64_t j = 0;
  for (std::int64_t k = 0; k < total;) {
    const std::int64_t count = std::min(total - k, kBlockItems);
    const std::size_t want = static_cast<std::size_t>(count) * sizeof(Source);
    const std::size_t got = input.read_some(block.data(), want);
    if (got < want) {
      const auto needed = static_cast<std::uint64_t>(total) * sizeof(Source);
      const auto found = static_cast<std::uint64_t>(k) * sizeof(Source) + got;
      input.fail(truncated_data(header, needed, found));
    }
    for (std::int64_t b = 0; b < count; ++b, ++k) {
      const auto source =
          from_file_order<Source>(block.data() + b * sizeof(Source), header.swap_bytes);
      if (sizeof(Source) > sizeof(T) && std::isfinite(source) &&
          std::fabs(source) > static_cast<Source>(std::numeric_limits<T>::max())) {
        fail_at_element(k, i, j,
                        "value " + detail::format_number(source) + " is out of range for float");
      }
      const auto value = static_cast<T>(source);
      if (require_nonnegative && detail::violates_nonnegativity(value)) {
        detail::fail_with_invalid_entry(
            [&] { fail_at_element(k, i, j, detail::nonnegativity_problem(value)); });
      }
      A.data()[i * cols + j] = value;
      if (header.fortran_order) {
        if (++i == rows) {
          i = 0;
          ++j;
        }
      } else if (++j == cols) {
        j = 0;
        ++i;
      }
    }
  }
}

/// Reads the `needed` data bytes of a stream that cannot tell its size in chunks that double
/// what is held, so that a header promising more than arrives costs only what arrived.
std::vector<char> read_stream_data(BinaryInput& input, const NpyHeader& header,
                                   std::int64_t needed) {
  std::vector<char> data;
  std::int64_t held = 0;
  while (held < needed) {
    const std::int64_t size = std::min(needed, std::max(detail::kStreamChunkBytes, 2 * held));
    data.resize(static_cast<std::size_t>(size));
    const std::size_t want = static_cast<std::size_t>(size - held);
    const std::size_t got = input.read_some(data.data() + held, want);
    held += static_cast<std::int64_t>(got);
    if (got < want) {
      input.fail(truncated_data(header, static_cast<std::uint64_t>(needed),
                                static_cast<std::uint64_t>(held)));
    }
  }
  return data;
}

template <class T>
void read_values(BinaryInput& input, const NpyHeader& header, bool require_nonnegative,
                 DenseMatrix<T>& A) {
  if (header.item_bytes == 4) {
    read_data<float>(input, header, require_nonnegative, A);
  } else {
    read_data<double>(input, header, require_nonnegative, A);
  }
}

template <class T>
DenseMatrix<T> read_npy_stream(std::istream& in, const std::string& name,
                               bool require_nonnegative) {
  BinaryInput input(in, name);
  const NpyHeader header = detail::read_npy_header(input);
  const std::int64_t rows = header.shape[0];
  const std::int64_t cols = header.shape.size() == 2 ? header.shape[1] : 1;
  const auto item = static_cast<std::int64_t>(header.item_bytes);
  if (cols != 0 && rows > std::numeric_limits<std::int64_t>::max() / item / cols) {
    input.fail("shape " + shape_text(header.shape) + " is too large");
  }
  const std::int64_t count = rows * cols;
  const std::int64_t needed = count * item;
  const std::string data_what = "shape " + shape_text(header.shape) + " of '" + header.descr + "'";
  const std::string matrix_what = "a " + std::to_string(rows) + " x " + std::to_string(cols) +
                                  (sizeof(T) == 4 ? " float" : " double") + " matrix";
  const std::int64_t data_start = input.offset();
  const std::optional<std::int64_t> remaining = input.remaining();
  if (remaining) {
    // A file must hold exactly the data its header declares: refuse before allocating for it.
    if (*remaining < needed) {
      detail::fail_at_byte(name, data_start + *remaining,
                           truncated_data(header, static_cast<std::uint64_t>(needed),
                                          static_cast<std::uint64_t>(*remaining)));
    }
    if (*remaining > needed) {
      detail::fail_at_byte(name, data_start + needed,
                           "unexpected bytes after the data: " + data_what + " needs " +
                               std::to_string(needed) + " bytes, the file holds " +
                               std::to_string(*remaining));
    }
  }
  for (const std::string& problem :
       {detail::allocation_problem(name, data_what, count, item),
        detail::allocation_problem(name, matrix_what, count, sizeof(T))}) {
    if (!problem.empty()) input.fail(problem);
  }
  if (remaining) {
    DenseMatrix<T> A(rows, cols);
    read_values(input, header, require_nonnegative, A);
    return A;
  }
  std::vector<char> data = read_stream_data(input, header, needed);
  if (!input.at_end()) input.fail("unexpected bytes after the data");
  MemoryBuffer buffer(data.data(), data.size());
  std::istream data_stream(&buffer);
  BinaryInput data_input(data_stream, name, data_start);
  DenseMatrix<T> A(rows, cols);
  read_values(data_input, header, require_nonnegative, A);
  return A;
}

}  // namespace

template <class T>
DenseMatrix<T> read_npy(std::istream& in, const std::string& name, bool require_nonnegative) {
  return detail::reporting_allocation_failure(
      name, [&] { return read_npy_stream<T>(in, name, require_nonnegative); });
}

template <class T>
DenseMatrix<T> read_npy(const std::filesystem::path& path, bool require_nonnegative) {
  std::ifstream in = detail::open_for_reading(path);
  return read_npy<T>(in, path.string(), require_nonnegative);
}

template DenseMatrix<float> read_npy<float>(const std::filesystem::path&, bool);
template DenseMatrix<float> read_npy<float>(std::istream&, const std::string&, bool);
template DenseMatrix<double> read_npy<double>(const std::filesystem::path&, bool);
template DenseMatrix<double> read_npy<double>(std::istream&, const std::string&, bool);

}  // namespace cunmf::io
