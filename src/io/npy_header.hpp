// The .npy format's header. A file is the magic string "\x93NUMPY", a version (major, minor), the
// length of the header (2 bytes little-endian in version 1, 4 bytes in 2 and 3), the header — a
// Python dict literal {'descr': ..., 'fortran_order': ..., 'shape': ...} padded with spaces and a
// newline — then the raw data. Shared by the .npy reader and writer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "binary_input.hpp"

namespace cunmf::io::detail {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ || __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__,
              "unknown host byte order");
inline constexpr bool kLittleEndianHost = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
inline constexpr char kMagic[] = "\x93NUMPY";
inline constexpr std::size_t kMagicBytes = 6;

/// What the header says about the data.
struct NpyHeader {
  std::string descr;
  std::size_t item_bytes = 0;  ///< 4 (float32) or 8 (float64)
  bool swap_bytes = false;     ///< the data's byte order is not the host's
  bool fortran_order = false;
  std::vector<std::int64_t> shape;
};

/// The shape as Python writes a tuple, for messages: "(3, 4)", "(5,)".
std::string shape_text(const std::vector<std::int64_t>& shape);

/// Reads the magic string, the version, the header length and the header, leaving `input` at the
/// first byte of the data. Throws IoError naming the byte offset of a problem: not a .npy file, an
/// unsupported version or dtype, a malformed dict, a shape that is not 1-D or 2-D.
NpyHeader read_npy_header(BinaryInput& input);

}  // namespace cunmf::io::detail
