// Turning matrix entries listed in any order into a CsrMatrix in place: the entries are put in
// row order, then each row in column order, by an in-place counting sort that follows
// permutation cycles (no second copy of the entries), and duplicates are summed. Peak memory:
// the entries plus one row index each.
#pragma once

#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include "cunmf/sparse.hpp"

namespace cunmf::io::detail {

/// Bits of a key sorted per counting pass: 256 buckets, whose cursors and write positions stay
/// in cache. (One pass with a cursor per row — rows may be 10^6 or more — costs a cache and TLB
/// miss for every entry moved: measured 7 of 9 seconds on a 10^7-entry file.)
inline constexpr int kDigitBits = 8;
/// Ranges this short are finished by insertion sort instead of another counting pass.
inline constexpr std::int64_t kInsertionSortLength = 32;

/// The shift of the most significant digit of keys in [0, max_key]: a multiple of kDigitBits.
inline int top_digit_shift(std::int64_t max_key) {
  int shift = 0;
  while (shift + kDigitBits < 63 && (max_key >> (shift + kDigitBits)) != 0) shift += kDigitBits;
  return shift;
}

/// Sorts entries [lo, hi) by the non-negative key[e], considering the key bits below
/// shift + kDigitBits (higher bits being equal in the range): an MSD radix sort ("American flag
/// sort"). Each pass counts the entries of each digit, then walks every bucket, swapping an
/// entry of another digit d into the next free slot of bucket d, and the entry found there
/// onwards, until one of this bucket's digit arrives; each swap places one entry for good.
/// `swap_entries(e, f)` exchanges entries e and f (key and payloads). Not stable.
template <class Key, class Swap>
void sort_by_key(const Key* key, std::int64_t lo, std::int64_t hi, int shift, Swap& swap_entries) {
  if (hi - lo <= kInsertionSortLength) {
    for (std::int64_t e = lo + 1; e < hi; ++e) {
      for (std::int64_t f = e; f > lo && key[f - 1] > key[f]; --f) swap_entries(f - 1, f);
    }
    return;
  }
  constexpr int kBuckets = 1 << kDigitBits;
  const auto digit = [&](std::int64_t e) {
    return static_cast<int>((static_cast<std::uint64_t>(key[e]) >> shift) & (kBuckets - 1));
  };
  std::int64_t start[kBuckets + 1] = {};
  for (std::int64_t e = lo; e < hi; ++e) ++start[digit(e) + 1];
  start[0] = lo;
  for (int b = 0; b < kBuckets; ++b) start[b + 1] += start[b];
  std::int64_t next[kBuckets];
  std::copy(start, start + kBuckets, next);
  for (int b = 0; b < kBuckets; ++b) {
    for (std::int64_t e = next[b]; e < start[b + 1]; e = ++next[b]) {
      for (int d = digit(e); d != b; d = digit(e)) swap_entries(e, next[d]++);
    }
  }
  if (shift == 0) return;
  for (int b = 0; b < kBuckets; ++b) {
    if (start[b + 1] - start[b] > 1) {
      sort_by_key(key, start[b], start[b + 1], shift - kDigitBits, swap_entries);
    }
  }
}

/// Rearranges the entries (entry_rows[e], A.col_idx[e], A.values[e]) of an A.rows × A.cols
/// matrix, in any order and possibly with duplicates, into CSR form: fills A.row_ptr, sorts the
/// columns within each row and sums the values of duplicate (row, column) pairs (keeping
/// explicit zeros). Releases entry_rows. Indices must be in range; the entry count must fit
/// Index. Allocates A.rows + 1 row pointers, which no entry backs: the caller must have
/// justified A.rows first (input_limits.hpp; a size line may declare 10^9 rows for one entry).
template <class T, class Index>
void assemble_csr(std::vector<Index>& entry_rows, CsrMatrix<T, Index>& A) {
  Index* const row = entry_rows.data();
  Index* const col = A.col_idx.data();
  T* const val = A.values.data();
  const auto nnz = static_cast<std::int64_t>(entry_rows.size());

  // Rows usually arrive in order (files written from CSR or CSC-transposed data): then the sort
  // is a check.
  if (!std::is_sorted(row, row + nnz)) {
    auto swap_entries = [&](std::int64_t e, std::int64_t f) {
      std::swap(row[e], row[f]);
      std::swap(col[e], col[f]);
      std::swap(val[e], val[f]);
    };
    sort_by_key(row, 0, nnz, top_digit_shift(std::max<std::int64_t>(A.rows - 1, 0)), swap_entries);
  }
  A.row_ptr.assign(static_cast<std::size_t>(A.rows) + 1, Index{0});
  for (std::int64_t e = 0; e < nnz; ++e) ++A.row_ptr[static_cast<std::size_t>(row[e]) + 1];
  for (std::int64_t r = 0; r < A.rows; ++r) A.row_ptr[r + 1] += A.row_ptr[r];
  std::vector<Index>().swap(entry_rows);  // the row of each entry is now implied by row_ptr

  // Sort each row's columns, then sum duplicates, compacting the entries towards the front.
  auto swap_in_row = [&](std::int64_t e, std::int64_t f) {
    std::swap(col[e], col[f]);
    std::swap(val[e], val[f]);
  };
  const int column_shift = top_digit_shift(std::max<std::int64_t>(A.cols - 1, 0));
  std::int64_t out = 0;
  std::int64_t begin = 0;
  for (std::int64_t r = 0; r < A.rows; ++r) {
    const std::int64_t end = A.row_ptr[r + 1];
    if (!std::is_sorted(col + begin, col + end))
      sort_by_key(col, begin, end, column_shift, swap_in_row);
    const std::int64_t row_start = out;
    for (std::int64_t e = begin; e < end; ++e) {
      if (out > row_start && col[out - 1] == col[e]) {
        val[out - 1] += val[e];
      } else {
        col[out] = col[e];
        val[out] = val[e];
        ++out;
      }
    }
    A.row_ptr[r] = static_cast<Index>(row_start);
    begin = end;
  }
  A.row_ptr[A.rows] = static_cast<Index>(out);
  if (out < nnz) {  // duplicates were merged
    A.col_idx.resize(static_cast<std::size_t>(out));
    A.values.resize(static_cast<std::size_t>(out));
    A.col_idx.shrink_to_fit();
    A.values.shrink_to_fit();
  }
}

}  // namespace cunmf::io::detail
