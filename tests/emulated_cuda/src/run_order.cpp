// Thread and block orders of the emulated device (run_order.hpp).
#include "run_order.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "cunmf_emu/runtime_hooks.hpp"

namespace cunmf_emu::detail {
namespace {

constexpr const char* kThreadOrderVariable = "CUNMF_EMU_THREAD_ORDER";
constexpr const char* kSeedVariable = "CUNMF_EMU_SEED";
constexpr std::uint64_t kDefaultSeed = 1;

const char* variable(const char* name) {
  const char* text = std::getenv(name);
  return text != nullptr && *text != '\0' ? text : nullptr;
}

/// An unsigned integer (decimal, or 0x hexadecimal) that is the whole of `text`.
bool parse_seed(const char* text, std::uint64_t* seed) {
  if (*text == '\0' || *text == '-' || *text == '+') return false;
  char* end = nullptr;
  *seed = std::strtoull(text, &end, 0);
  return *end == '\0';
}

}  // namespace

RunOrder read_run_order() {
  RunOrder order;
  const char* seed_text = variable(kSeedVariable);
  std::uint64_t seed = kDefaultSeed;
  if (seed_text != nullptr && !parse_seed(seed_text, &seed)) {
    throw KernelFault(std::string(kSeedVariable) + "='" + seed_text +
                      "' is not an unsigned integer");
  }
  order.thread_seed = seed;
  const char* text = variable(kThreadOrderVariable);
  if (text == nullptr || std::strcmp(text, "forward") == 0) {
    order.threads = Order::forward;
  } else if (std::strcmp(text, "reverse") == 0) {
    order.threads = Order::reverse;
  } else if (std::strcmp(text, "shuffle") == 0) {
    order.threads = Order::shuffle;
  } else if (std::strncmp(text, "shuffle:", 8) == 0 && parse_seed(text + 8, &order.thread_seed)) {
    order.threads = Order::shuffle;
  } else {
    throw KernelFault(std::string(kThreadOrderVariable) + "='" + text +
                      "' is not forward, reverse or shuffle[:SEED]");
  }
  // Without a seed the blocks follow the threads, as they did before the seed existed.
  order.blocks = seed_text != nullptr ? Order::shuffle : order.threads;
  order.block_seed = seed_text != nullptr ? seed : order.thread_seed;
  return order;
}

std::string run_order_settings() {
  const char* threads = variable(kThreadOrderVariable);
  const char* seed = variable(kSeedVariable);
  return std::string(kThreadOrderVariable) + "=" + (threads != nullptr ? threads : "unset") + " " +
         kSeedVariable + "=" + (seed != nullptr ? seed : "unset");
}

std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

BlockOrder::BlockOrder(std::uint64_t count, Order order, std::uint64_t seed)
    : count_(count), order_(order) {
  while (bits_ < 64 && (std::uint64_t{1} << bits_) < count_) ++bits_;
  for (int i = 0; i < kRounds; ++i) {
    multiplier_[i] = mix(seed + 2 * i) | 1u;
    offset_[i] = mix(seed + 2 * i + 1);
  }
}

std::uint64_t BlockOrder::operator()(std::uint64_t k) const {
  switch (order_) {
    case Order::forward:
      return k;
    case Order::reverse:
      return count_ - 1 - k;
    case Order::shuffle:
      break;
  }
  std::uint64_t x = k;
  do {
    x = permute(x);
  } while (x >= count_);
  return x;
}

std::uint64_t BlockOrder::permute(std::uint64_t x) const {
  if (bits_ == 0) return 0;
  const std::uint64_t mask = bits_ == 64 ? ~0ull : (std::uint64_t{1} << bits_) - 1;
  const int shift = std::max(1, bits_ / 2);
  for (int i = 0; i < kRounds; ++i) {
    x = (x * multiplier_[i] + offset_[i]) & mask;  // odd multiplier: a bijection mod 2^bits
    x ^= x >> shift;                               // invertible on `bits` bits
  }
  return x;
}

}  // namespace cunmf_emu::detail
