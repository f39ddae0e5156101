// Binary searches over sorted index arrays (a CSR row pointer, sorted column indices), for the
// CSR kernels. __host__ __device__, so host code and tests can call them too.
#pragma once

#include <cstdint>

namespace cunmf::detail {

/// The number of a[0..count) that are <= value, for a non-decreasing a: the first position p with
/// a[p] > value (std::upper_bound). For a CSR row pointer over rows 0..count-1 and an entry
/// row_ptr[0] <= e < row_ptr[count-1], first_greater(row_ptr, count, e) - 1 is the row holding e.
template <class Index>
__host__ __device__ inline std::int64_t first_greater(const Index* a, std::int64_t count,
                                                      std::int64_t value) {
  std::int64_t low = 0, high = count;
  while (low < high) {
    const std::int64_t mid = low + (high - low) / 2;
    if (static_cast<std::int64_t>(a[mid]) <= value) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  return low;
}

/// The number of a[0..count) that are < value, for a non-decreasing a: the first position p with
/// a[p] >= value (std::lower_bound).
template <class Index>
__host__ __device__ inline std::int64_t first_not_less(const Index* a, std::int64_t count,
                                                       std::int64_t value) {
  std::int64_t low = 0, high = count;
  while (low < high) {
    const std::int64_t mid = low + (high - low) / 2;
    if (static_cast<std::int64_t>(a[mid]) < value) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  return low;
}

}  // namespace cunmf::detail
