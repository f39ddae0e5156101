// How much memory a reader may allocate for what a file declares. Every size a header declares
// is checked before anything is allocated for it:
// - no single allocation may exceed max_input_bytes() (CUNMF_MAX_INPUT_BYTES, default 64 GiB),
//   and size arithmetic is overflow-checked;
// - an allocation backed by the file's bytes (values that must be in the file) must be backed:
//   a regular file must hold them (readers check its size first), a stream is read in growing
//   chunks so that memory grows only with the bytes actually received;
// - an allocation that no bytes of the file back (CSR row pointers, the zeros of a coordinate
//   file read as a dense matrix) may take at most kUnbackedAllowanceBytes plus
//   kUnbackedBytesPerInputByte per byte of the file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cunmf::io::detail {

/// The default of max_input_bytes(): 64 GiB.
inline constexpr std::int64_t kDefaultMaxInputBytes = std::int64_t{64} << 30;
/// What an allocation not backed by the file's bytes may take whatever the file's size: 64 MiB
/// (the row pointers of 8 million rows, a dense 4096 x 2048 double matrix)…
inline constexpr std::int64_t kUnbackedAllowanceBytes = std::int64_t{64} << 20;
/// …plus this many bytes per byte of the file (a coordinate file of 1% density reads as dense).
inline constexpr std::int64_t kUnbackedBytesPerInputByte = 1024;
/// The longest .npy header text read: numpy writes about 100 bytes, and its own reader refuses
/// more than 10000 unless told otherwise.
inline constexpr std::int64_t kMaxNpyHeaderBytes = std::int64_t{1} << 20;
/// The first chunk read from a stream of unknown size; each further chunk doubles what is held.
inline constexpr std::int64_t kStreamChunkBytes = std::int64_t{1} << 20;

/// The largest single allocation a reader makes for what a file declares: the environment
/// variable CUNMF_MAX_INPUT_BYTES (a byte count, optionally followed by K, M, G or T, powers of
/// 1024) when set, else kDefaultMaxInputBytes. Throws IoError `name: …` when the variable is set
/// but is not a positive byte count.
std::int64_t max_input_bytes(std::string_view name);

/// count · item_bytes (both non-negative), or nullopt when it overflows 64 bits.
std::optional<std::int64_t> checked_bytes(std::int64_t count, std::int64_t item_bytes);

/// Why `what`, `count` items of `item_bytes` bytes each, may not be allocated: the size
/// overflows or exceeds max_input_bytes(). Empty when it may. `name` is the file, for the
/// message about a malformed CUNMF_MAX_INPUT_BYTES.
std::string allocation_problem(std::string_view name, std::string_view what, std::int64_t count,
                               std::int64_t item_bytes);

/// Why `what`, `count` items of `item_bytes` bytes each that no bytes of the input back, may not
/// be allocated for an input of `input_bytes` bytes: as allocation_problem, or the size exceeds
/// kUnbackedAllowanceBytes + kUnbackedBytesPerInputByte · input_bytes. Empty when it may.
std::string unbacked_allocation_problem(std::string_view name, std::string_view what,
                                        std::int64_t count, std::int64_t item_bytes,
                                        std::int64_t input_bytes);

}  // namespace cunmf::io::detail
