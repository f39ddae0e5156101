// Launch shapes for the grid-stride kernels.
#pragma once

#include <algorithm>
#include <cstdint>

namespace cunmf::detail {

inline constexpr int kBlockThreads = 256;
/// Enough blocks to fill an H100 many times over; grid-stride loops cover the rest.
inline constexpr std::int64_t kMaxGridBlocks = 65535;

/// Blocks for a grid-stride loop over `count` elements with kBlockThreads threads each.
inline unsigned grid_blocks(std::int64_t count, std::int64_t max_blocks = kMaxGridBlocks) {
  const std::int64_t wanted = (count + kBlockThreads - 1) / kBlockThreads;
  return static_cast<unsigned>(std::clamp<std::int64_t>(wanted, 1, max_blocks));
}

}  // namespace cunmf::detail
