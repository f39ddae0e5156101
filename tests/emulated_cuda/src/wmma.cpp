// The warp's work of the emulated nvcuda::wmma operations (include/cunmf_emu/wmma.hpp): run once
// by the executor when all 32 lanes have arrived, with every lane's operand, so the loads, stores
// and products see and fill the whole warp's fragments at once.
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include "cunmf_emu/device.hpp"
#include "cunmf_emu/wmma.hpp"

namespace cunmf_emu::wmma_detail {
namespace {

constexpr int kLanes = 32;
constexpr std::uintptr_t kTileAlignment = 32;  // "mptr must be a 256-bit aligned pointer"
constexpr unsigned kLeadingMultiple = 4;       // "ldm ... a multiple of 4 for float"

std::string format_text(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format_text(const char* fmt, ...) {
  char buffer[512];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buffer, sizeof(buffer), fmt, args);
  va_end(args);
  return buffer;
}

/// The matrix entry that element e of `lane` holds (the mapping wmma.hpp documents).
struct Entry {
  int row, col;
};
Entry entry_of(int lane, int element, int cols) {
  const int p = lane + kLanes * element;
  return Entry{p / cols, p % cols};
}

/// The lanes' operands as T (each was passed as a pointer to T).
template <class T>
struct LaneOperands {
  const T* lane[kLanes];
  explicit LaneOperands(const void* const* operands) {
    for (int i = 0; i < kLanes; ++i) lane[i] = static_cast<const T*>(operands[i]);
  }
};

/// Why lane 0's transfer is misused, or why another lane's differs from it; empty when neither.
std::string check_transfers(const LaneOperands<MatrixTransfer>& lanes) {
  const MatrixTransfer& first = *lanes.lane[0];
  const void* memory = first.load_from != nullptr ? static_cast<const void*>(first.load_from)
                                                  : static_cast<const void*>(first.store_to);
  for (int lane = 1; lane < kLanes; ++lane) {
    const MatrixTransfer& t = *lanes.lane[lane];
    if (t.load_from != first.load_from || t.store_to != first.store_to || t.ldm != first.ldm ||
        t.row_major != first.row_major || t.rows != first.rows || t.cols != first.cols) {
      return format_text(
          "lane %d passed another pointer, leading dimension, layout or fragment than lane 0; "
          "all lanes of the warp must pass the same",
          lane);
    }
  }
  if (reinterpret_cast<std::uintptr_t>(memory) % kTileAlignment != 0) {
    return format_text("the pointer %p is not 256-bit (32-byte) aligned", memory);
  }
  if (first.ldm % kLeadingMultiple != 0) {
    return format_text("the leading dimension %u is not a multiple of 4 floats (16 bytes)",
                       first.ldm);
  }
  return {};
}

std::size_t memory_index(const MatrixTransfer& t, Entry e) {
  return t.row_major ? static_cast<std::size_t>(e.row) * t.ldm + e.col
                     : e.row + static_cast<std::size_t>(e.col) * t.ldm;
}

/// The whole matrix of a fragment (rows × cols, row-major) gathered from every lane.
template <int kRows, int kCols>
struct Gathered {
  float value[kRows][kCols];

  explicit Gathered(const float* const* lanes) {
    for (int lane = 0; lane < kLanes; ++lane)
      for (int e = 0; e < kRows * kCols / kLanes; ++e) {
        const Entry at = entry_of(lane, e, kCols);
        value[at.row][at.col] = lanes[lane][e];
      }
  }

  /// Why an element is not a TF32 value (it was not converted with __float_to_tf32), or empty.
  std::string require_tf32(const char* name) const {
    for (int r = 0; r < kRows; ++r)
      for (int c = 0; c < kCols; ++c) {
        if (::cunmf_emu::is_tf32(value[r][c])) continue;
        std::uint32_t bits;
        std::memcpy(&bits, &value[r][c], sizeof(bits));
        return format_text(
            "element (%d, %d) of %s is %.9g (0x%08x), not a TF32 value: convert fragment "
            "elements with __float_to_tf32 (a GPU would drop the 13 low mantissa bits)",
            r, c, name, static_cast<double>(value[r][c]), bits);
      }
    return {};
  }
};

/// Copies every lane's fragment elements from memory (kLoad) or to it.
template <bool kLoad>
std::string transfer_fragments(const void* const* operands) {
  const LaneOperands<MatrixTransfer> lanes(operands);
  if (std::string error = check_transfers(lanes); !error.empty()) return error;
  for (int lane = 0; lane < kLanes; ++lane) {
    const MatrixTransfer& t = *lanes.lane[lane];
    for (int e = 0; e < t.rows * t.cols / kLanes; ++e) {
      const std::size_t at = memory_index(t, entry_of(lane, e, t.cols));
      if constexpr (kLoad) {
        t.fragment[e] = t.load_from[at];
      } else {
        t.store_to[at] = t.fragment[e];
      }
    }
  }
  return {};
}

}  // namespace

std::string load_fragments(const void* const* operands) {
  return transfer_fragments<true>(operands);
}

std::string store_fragments(const void* const* operands) {
  return transfer_fragments<false>(operands);
}

std::string multiply_fragments(const void* const* operands) {
  constexpr int kM = 16, kN = 16, kK = 8;
  const LaneOperands<MatrixProduct> lanes(operands);
  const float* a_parts[kLanes];
  const float* b_parts[kLanes];
  const float* c_parts[kLanes];
  for (int lane = 0; lane < kLanes; ++lane) {
    a_parts[lane] = lanes.lane[lane]->a;
    b_parts[lane] = lanes.lane[lane]->b;
    c_parts[lane] = lanes.lane[lane]->c;
  }
  const Gathered<kM, kK> a(a_parts);
  const Gathered<kK, kN> b(b_parts);
  const Gathered<kM, kN> c(c_parts);  // all of C is read before D (which may be C) is written
  if (std::string error = a.require_tf32("matrix_a"); !error.empty()) return error;
  if (std::string error = b.require_tf32("matrix_b"); !error.empty()) return error;
  for (int lane = 0; lane < kLanes; ++lane)
    for (int e = 0; e < kM * kN / kLanes; ++e) {
      const Entry at = entry_of(lane, e, kN);
      float sum = c.value[at.row][at.col];
      for (int k = 0; k < kK; ++k) sum += a.value[at.row][k] * b.value[k][at.col];
      lanes.lane[lane]->d[e] = sum;
    }
  return {};
}

}  // namespace cunmf_emu::wmma_detail
