// Writing .npy files (io.hpp): a version 1.0 header (2.0 when it would not fit) declaring the
// host's byte order and the view's layout, then the data as it is in memory.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>

#include "cunmf/io.hpp"
#include "io_support.hpp"
#include "npy_header.hpp"

namespace cunmf::io {

namespace {

using detail::kLittleEndianHost;
using detail::kMagic;
using detail::kMagicBytes;

template <class T>
void write_npy_stream(std::ostream& out, const std::string& name, DenseView<const T> A) {
  detail::validate_dense(A, "write_npy");
  std::string dict = std::string("{'descr': '") + (kLittleEndianHost ? '<' : '>') +
                     (sizeof(T) == 4 ? "f4" : "f8") +
                     "', 'fortran_order': " + (A.layout == Layout::ColMajor ? "True" : "False") +
                     ", 'shape': (" + std::to_string(A.rows) + ", " + std::to_string(A.cols) +
                     "), }";
  // Pad with spaces and end with a newline so that the data starts at a multiple of 64 bytes, as
  // numpy does (aligned data can be memory-mapped).
  const auto padded = [&](std::size_t prefix) {
    const std::size_t unpadded = prefix + dict.size() + 1;
    return dict.size() + 1 + (64 - unpadded % 64) % 64;
  };
  int major = 1;
  std::size_t length = padded(kMagicBytes + 2 + 2);
  if (length > 0xFFFF) {  // only a header longer than version 1 can say needs version 2
    major = 2;
    length = padded(kMagicBytes + 2 + 4);
  }
  dict.append(length - dict.size() - 1, ' ');
  dict.push_back('\n');

  std::string prefix(kMagic, kMagicBytes);
  prefix.push_back(static_cast<char>(major));
  prefix.push_back('\0');
  for (int byte = 0; byte < (major == 1 ? 2 : 4); ++byte) {
    prefix.push_back(static_cast<char>((length >> (8 * byte)) & 0xFF));
  }
  out.write(prefix.data(), static_cast<std::streamsize>(prefix.size()));
  out.write(dict.data(), static_cast<std::streamsize>(dict.size()));
  // The view is contiguous in its own layout, which the header declares: write it as it is.
  if (A.size() > 0) {
    out.write(reinterpret_cast<const char*>(A.data),
              static_cast<std::streamsize>(A.size() * static_cast<std::int64_t>(sizeof(T))));
  }
  detail::finish_writing(out, name);
}

template <class T>
void write_npy_file(const std::filesystem::path& path, DenseView<const T> A) {
  std::ofstream out = detail::open_for_writing(path);
  write_npy_stream(out, path.string(), A);
}

}  // namespace

void write_npy(std::ostream& out, const std::string& name, DenseView<const float> A) {
  write_npy_stream(out, name, A);
}
void write_npy(std::ostream& out, const std::string& name, DenseView<const double> A) {
  write_npy_stream(out, name, A);
}
void write_npy(const std::filesystem::path& path, DenseView<const float> A) {
  write_npy_file(path, A);
}
void write_npy(const std::filesystem::path& path, DenseView<const double> A) {
  write_npy_file(path, A);
}

}  // namespace cunmf::io
