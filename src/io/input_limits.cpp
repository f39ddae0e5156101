// The limits on what readers allocate for declared sizes (input_limits.hpp).
#include "input_limits.hpp"

#include <charconv>
#include <cstdlib>
#include <limits>
#include <system_error>

#include "io_support.hpp"

namespace cunmf::io::detail {

namespace {

constexpr const char* kLimitVariable = "CUNMF_MAX_INPUT_BYTES";

/// The bytes `text` names ("1048576", "64G"), or nullopt when it names no positive count.
std::optional<std::int64_t> parse_byte_count(std::string_view text) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || value <= 0) return std::nullopt;
  int shift = 0;
  if (ptr + 1 == end) {
    switch (*ptr) {
      case 'K':
      case 'k':
        shift = 10;
        break;
      case 'M':
      case 'm':
        shift = 20;
        break;
      case 'G':
      case 'g':
        shift = 30;
        break;
      case 'T':
      case 't':
        shift = 40;
        break;
      default:
        return std::nullopt;
    }
  } else if (ptr != end) {
    return std::nullopt;
  }
  if (value > (std::numeric_limits<std::int64_t>::max() >> shift)) return std::nullopt;
  return value << shift;
}

}  // namespace

std::int64_t max_input_bytes(std::string_view name) {
  const char* text = std::getenv(kLimitVariable);
  if (text == nullptr || *text == '\0') return kDefaultMaxInputBytes;
  const std::optional<std::int64_t> bytes = parse_byte_count(text);
  if (!bytes) {
    fail(name, std::string(kLimitVariable) + "='" + text +
                   "' is not a byte count (a positive integer, optionally followed by K, M, G "
                   "or T)");
  }
  return *bytes;
}

std::optional<std::int64_t> checked_bytes(std::int64_t count, std::int64_t item_bytes) {
  if (count < 0 || item_bytes < 0) return std::nullopt;
  if (item_bytes != 0 && count > std::numeric_limits<std::int64_t>::max() / item_bytes) {
    return std::nullopt;
  }
  return count * item_bytes;
}

std::string allocation_problem(std::string_view name, std::string_view what, std::int64_t count,
                               std::int64_t item_bytes) {
  const std::optional<std::int64_t> bytes = checked_bytes(count, item_bytes);
  if (!bytes) {
    return std::string(what) + " (" + std::to_string(count) + " x " + std::to_string(item_bytes) +
           " bytes) overflows a 64-bit size";
  }
  const std::int64_t limit = max_input_bytes(name);
  if (*bytes > limit) {
    return std::string(what) + " would take " + std::to_string(*bytes) +
           " bytes, more than the limit " + kLimitVariable + " (" + std::to_string(limit) +
           " bytes)";
  }
  return {};
}

std::string unbacked_allocation_problem(std::string_view name, std::string_view what,
                                        std::int64_t count, std::int64_t item_bytes,
                                        std::int64_t input_bytes) {
  std::string problem = allocation_problem(name, what, count, item_bytes);
  if (!problem.empty()) return problem;
  const std::int64_t bytes = count * item_bytes;  // checked above
  const std::int64_t per_byte =
      std::numeric_limits<std::int64_t>::max() / kUnbackedBytesPerInputByte;
  const std::int64_t justified =
      input_bytes >= per_byte - kUnbackedAllowanceBytes
          ? std::numeric_limits<std::int64_t>::max()
          : kUnbackedAllowanceBytes + kUnbackedBytesPerInputByte * input_bytes;
  if (bytes > justified) {
    return std::string(what) + " would take " + std::to_string(bytes) + " bytes, more than the " +
           std::to_string(justified) + " bytes that " + std::to_string(input_bytes) +
           " bytes of input justify (64 MiB + 1024 per byte of input)";
  }
  return {};
}

}  // namespace cunmf::io::detail
