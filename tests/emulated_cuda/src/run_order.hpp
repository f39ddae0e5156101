// The orders in which the emulated device runs what a GPU leaves unordered: the threads of a block
// between barriers and warp operations, and the blocks of a grid. Read from the environment at
// every launch (CUNMF_EMU_THREAD_ORDER, CUNMF_EMU_SEED; README.md), so a test may change them.
// Private to the emulated device.
#pragma once

#include <cstdint>
#include <string>

namespace cunmf_emu::detail {

enum class Order { forward, reverse, shuffle };

struct RunOrder {
  Order threads = Order::forward;
  std::uint64_t thread_seed = 1;  // of a thread shuffle
  Order blocks = Order::forward;
  std::uint64_t block_seed = 1;  // of a block shuffle
};

/// CUNMF_EMU_THREAD_ORDER = forward (default) | reverse | shuffle[:SEED] orders the threads, and
/// the blocks too unless CUNMF_EMU_SEED is set: then the blocks of every grid run in an order
/// shuffled by that seed, whatever the thread order, and a shuffle without a seed of its own
/// takes it. A value that is neither throws a KernelFault: a typo must not quietly test the
/// default order only.
RunOrder read_run_order();

/// "CUNMF_EMU_THREAD_ORDER=... CUNMF_EMU_SEED=..." as they are set now ("unset" when not): what a
/// fault report prints so that the failing order can be replayed.
std::string run_order_settings();

/// splitmix64's finalizer: a well-mixed 64-bit bijection.
std::uint64_t mix(std::uint64_t x);

/// The order in which the blocks of a grid run: a bijection of [0, count), computed per index so
/// that a grid of 2^31 blocks needs no table. The shuffle walks a keyed permutation of the next
/// power of two until it lands inside [0, count).
class BlockOrder {
 public:
  BlockOrder(std::uint64_t count, Order order, std::uint64_t seed);
  std::uint64_t operator()(std::uint64_t k) const;

 private:
  static constexpr int kRounds = 3;
  std::uint64_t permute(std::uint64_t x) const;

  std::uint64_t count_;
  Order order_;
  int bits_ = 0;
  std::uint64_t multiplier_[kRounds];
  std::uint64_t offset_[kRounds];
};

}  // namespace cunmf_emu::detail
