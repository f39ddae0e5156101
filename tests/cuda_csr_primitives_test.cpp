// GPU tests (label gpu) of the device-side CSR primitives in kernels/: the CSR check
// (find_first_csr_problem: each kind of problem at a known place, precedence, corrupt row pointers
// read within bounds) and the CSR transpose (csr_transpose: against a plain host transpose), for
// both index types and both value types. Without a device they skip with the reason.
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <ostream>
#include <utility>
#include <vector>

#include "../kernels/csr_transpose.cuh"
#include "../kernels/validate_csr.cuh"
#include "cuda_test_support.hpp"
#include "cunmf/cuda/context.hpp"
#include "cunmf/cuda/device_buffer.hpp"
#include "cunmf/sparse.hpp"
#include "sparse_support.hpp"

namespace cunmf::detail {
// Lets GoogleTest print the kind by name.
inline void PrintTo(CsrProblemKind kind, std::ostream* os) {
  static const char* const names[] = {"None",
                                      "RowPtrEnds",
                                      "RowPtrDecreases",
                                      "ColumnOutOfRange",
                                      "ColumnDuplicated",
                                      "ColumnOutOfOrder",
                                      "InvalidValue"};
  const auto k = static_cast<int>(kind);
  *os << (k >= 0 && k < 7 ? names[k] : "unknown") << " (" << k << ")";
}
}  // namespace cunmf::detail

namespace {

using cunmf::cuda::Context;
using cunmf::cuda::DeviceBuffer;
using cunmf::detail::CsrProblem;
using cunmf::detail::CsrProblemKind;

/// A device copy of a host vector (no copy for an empty one: its buffer is null).
template <class V>
DeviceBuffer<V> upload(const std::vector<V>& host, const Context& ctx) {
  DeviceBuffer<V> d(host.size());
  if (!host.empty()) d.copy_from_host(host.data(), ctx);
  return d;
}

/// The host copy of a device buffer.
template <class V>
std::vector<V> download(const DeviceBuffer<V>& d, const Context& ctx) {
  std::vector<V> host(d.size());
  if (!host.empty()) d.copy_to_host(host.data(), ctx);
  return host;
}

/// A CSR matrix given by its arrays, which the tests below corrupt one at a time.
template <class T, class Index>
struct Csr {
  std::int64_t rows = 0, cols = 0;
  std::vector<Index> row_ptr;
  std::vector<Index> col_idx;
  std::vector<T> values;
};

/// 4 × 5, nnz = 6, row 1 empty:
///   row 0: entries 0, 1 at columns 0, 2
///   row 2: entries 2, 3, 4 at columns 1, 3, 4
///   row 3: entry 5 at column 0
template <class T, class Index>
Csr<T, Index> small_matrix() {
  return {4, 5, {0, 2, 2, 5, 6}, {0, 2, 1, 3, 4, 0}, {T(1), T(0), T(2.5), T(3), T(4), T(5)}};
}

/// Runs the device check on `a` (its nnz is the number of values) and returns the result.
template <class T, class Index>
CsrProblem check(const Csr<T, Index>& a) {
  Context ctx;
  const auto row_ptr = upload(a.row_ptr, ctx);
  const auto col_idx = upload(a.col_idx, ctx);
  const auto values = upload(a.values, ctx);
  DeviceBuffer<CsrProblem> result(1);
  cunmf::detail::find_first_csr_problem(row_ptr.data(), col_idx.data(), values.data(), a.rows,
                                        a.cols, static_cast<std::int64_t>(a.values.size()),
                                        result.data(), ctx.stream());
  return cunmf::detail::read_csr_problem(result.data(), ctx.stream());
}

/// Expects an entry problem of `kind` at (row, entry) with column `column`.
void expect_entry_problem(const CsrProblem& p, CsrProblemKind kind, std::int64_t row,
                          std::int64_t entry, std::int64_t column) {
  EXPECT_EQ(p.kind, kind);
  EXPECT_EQ(p.row, row);
  EXPECT_EQ(p.entry, entry);
  EXPECT_EQ(p.column, column);
  if (kind != CsrProblemKind::InvalidValue) {
    EXPECT_EQ(p.value, 0.0);
  }
}

/// Expects a row pointer problem of `kind` (row = -1 for RowPtrEnds).
void expect_row_ptr_problem(const CsrProblem& p, CsrProblemKind kind, std::int64_t row) {
  EXPECT_EQ(p.kind, kind);
  EXPECT_EQ(p.row, row);
  EXPECT_EQ(p.entry, -1);
  EXPECT_EQ(p.column, -1);
  EXPECT_EQ(p.value, 0.0);
}

void expect_valid(const CsrProblem& p, std::int64_t nnz) {
  expect_row_ptr_problem(p, CsrProblemKind::None, -1);
  EXPECT_EQ(p.row_ptr_first, 0);
  EXPECT_EQ(p.row_ptr_last, nnz);
}

template <class Pair>
class CudaCsrCheck : public ::testing::Test {};
template <class Pair>
class CudaCsrTranspose : public ::testing::Test {};
using Cases = ::testing::Types<std::pair<float, std::int32_t>, std::pair<float, std::int64_t>,
                               std::pair<double, std::int32_t>, std::pair<double, std::int64_t>>;
TYPED_TEST_SUITE(CudaCsrCheck, Cases);
TYPED_TEST_SUITE(CudaCsrTranspose, Cases);

TYPED_TEST(CudaCsrCheck, ValidMatricesHaveNoProblem) {
  using T = typename TypeParam::first_type;
  using Index = typename TypeParam::second_type;
  CUNMF_SKIP_WITHOUT_DEVICE();
  expect_valid(check(small_matrix<T, Index>()), 6);
  // Values 0 and the largest finite value are valid; a column may repeat across rows.
  auto a = small_matrix<T, Index>();
  a.values[3] = std::numeric_limits<T>::max();
  expect_valid(check(a), 6);
  // One row; every row empty; no rows at all.
  expect_valid(check(Csr<T, Index>{1, 3, {0, 3}, {0, 1, 2}, {T(1), T(2), T(3)}}), 3);
  expect_valid(check(Csr<T, Index>{1, 3, {0, 0}, {}, {}}), 0);
  expect_valid(check(Csr<T, Index>{3, 4, {0, 0, 0, 0}, {}, {}}), 0);
  expect_valid(check(Csr<T, Index>{0, 4, {0}, {}, {}}), 0);
  expect_valid(check(Csr<T, Index>{0, 0, {0}, {}, {}}), 0);
  // Random matrices spanning many blocks, with an empty row and column.
  for (const auto& [rows, cols] : {std::pair{1, 1}, std::pair{37, 23}, std::pair{257, 65}}) {
    const auto r = cunmf::test::random_csr<T, Index>(rows, cols, 0.35, 5, rows / 2, cols / 2);
    expect_valid(check(Csr<T, Index>{r.rows, r.cols, r.row_ptr, r.col_idx, r.values}), r.nnz());
  }
}

TYPED_TEST(CudaCsrCheck, RowPointerEnds) {
  using T = typename TypeParam::first_type;
  using Index = typename TypeParam::second_type;
  CUNMF_SKIP_WITHOUT_DEVICE();
  auto a = small_matrix<T, Index>();
  a.row_ptr[0] = 1;
  a.col_idx[3] = 99;  // an entry problem too: the ends come first
  auto p = check(a);
  expect_row_ptr_problem(p, CsrProblemKind::RowPtrEnds, -1);
  EXPECT_EQ(p.row_ptr_first, 1);
  EXPECT_EQ(p.row_ptr_last, 6);

  a = small_matrix<T, Index>();
  a.row_ptr[4] = 5;
  p = check(a);
  expect_row_ptr_problem(p, CsrProblemKind::RowPtrEnds, -1);
  EXPECT_EQ(p.row_ptr_first, 0);
  EXPECT_EQ(p.row_ptr_last, 5);

  // No rows: row_ptr[0] is also row_ptr[rows].
  p = check(Csr<T, Index>{0, 3, {2}, {}, {}});
  expect_row_ptr_problem(p, CsrProblemKind::RowPtrEnds, -1);
  EXPECT_EQ(p.row_ptr_first, 2);
  EXPECT_EQ(p.row_ptr_last, 2);
  // nnz = 0 with a row pointer that claims entries.
  p = check(Csr<T, Index>{2, 3, {0, 1, 1}, {}, {}});
  expect_row_ptr_problem(p, CsrProblemKind::RowPtrEnds, -1);
  EXPECT_EQ(p.row_ptr_last, 1);
}

TYPED_TEST(CudaCsrCheck, RowPointerDecreases) {
  using T = typename TypeParam::first_type;
  using Index = typename TypeParam::second_type;
  CUNMF_SKIP_WITHOUT_DEVICE();
  auto a = small_matrix<T, Index>();
  a.row_ptr[2] = 1;   // row 1 ends before it starts
  a.col_idx[3] = 99;  // a problem in a later row: the decrease comes first
  auto p = check(a);
  expect_row_ptr_problem(p, CsrProblemKind::RowPtrDecreases, 1);
  EXPECT_EQ(p.row_ptr_first, 0);
  EXPECT_EQ(p.row_ptr_last, 6);

  // An entry problem in a row before the decrease comes first (the host check's order).
  a.col_idx[1] = 0;
  expect_entry_problem(check(a), CsrProblemKind::ColumnDuplicated, 0, 1, 0);

  // The smallest of several decreases, far apart (rows in different blocks).
  const std::int64_t rows = 3000;
  Csr<T, Index> b{rows, 1, std::vector<Index>(rows + 1, 0), {}, {}};
  b.row_ptr[2001] = 1;  // row 2001 decreases (row_ptr[2002] = 0)
  b.row_ptr[700] = 1;   // row 700 decreases first (row_ptr[701] = 0)
  expect_row_ptr_problem(check(b), CsrProblemKind::RowPtrDecreases, 700);
}

TYPED_TEST(CudaCsrCheck, ColumnOutOfRange) {
  using T = typename TypeParam::first_type;
  using Index = typename TypeParam::second_type;
  CUNMF_SKIP_WITHOUT_DEVICE();
  auto a = small_matrix<T, Index>();
  a.col_idx[3] = 5;  // cols = 5
  expect_entry_problem(check(a), CsrProblemKind::ColumnOutOfRange, 2, 3, 5);
  a = small_matrix<T, Index>();
  a.col_idx[5] = -1;
  expect_entry_problem(check(a), CsrProblemKind::ColumnOutOfRange, 3, 5, -1);
  // Range comes before order and value at the same entry.
  a = small_matrix<T, Index>();
  a.col_idx[0] = 7;
  a.values[0] = std::numeric_limits<T>::quiet_NaN();
  expect_entry_problem(check(a), CsrProblemKind::ColumnOutOfRange, 0, 0, 7);
  if constexpr (sizeof(Index) == 8) {
    a = small_matrix<T, Index>();
    a.col_idx[4] = Index{5'000'000'000};
    expect_entry_problem(check(a), CsrProblemKind::ColumnOutOfRange, 2, 4, 5'000'000'000);
  }
}

TYPED_TEST(CudaCsrCheck, ColumnsDuplicatedOrOutOfOrder) {
  using T = typename TypeParam::first_type;
  using Index = typename TypeParam::second_type;
  CUNMF_SKIP_WITHOUT_DEVICE();
  auto a = small_matrix<T, Index>();
  a.col_idx[3] = 1;  // row 2: 1, 1, 4
  expect_entry_problem(check(a), CsrProblemKind::ColumnDuplicated, 2, 3, 1);
  a = small_matrix<T, Index>();
  a.col_idx[4] = 2;  // row 2: 1, 3, 2
  expect_entry_problem(check(a), CsrProblemKind::ColumnOutOfOrder, 2, 4, 2);
  // Order comes before value at the same entry.
  a.values[4] = T(-1);
  expect_entry_problem(check(a), CsrProblemKind::ColumnOutOfOrder, 2, 4, 2);
  // Entry 5 (row 3, column 0) follows column 4 of row 2: a new row, no order problem; and a
  // row after an empty row (row 2 after row 1) starts afresh too.
  a = small_matrix<T, Index>();
  a.col_idx[2] = 0;  // row 2: 0, 3, 4 (after row 0 ended with column 2)
  expect_valid(check(a), 6);
}

TYPED_TEST(CudaCsrCheck, InvalidValues) {
  using T = typename TypeParam::first_type;
  using Index = typename TypeParam::second_type;
  CUNMF_SKIP_WITHOUT_DEVICE();
  struct Case {
    std::int64_t entry, row, column;
    T value;
  };
  for (const Case c : {Case{4, 2, 4, T(-1)}, Case{0, 0, 0, std::numeric_limits<T>::quiet_NaN()},
                       Case{5, 3, 0, std::numeric_limits<T>::infinity()},
                       Case{1, 0, 2, -std::numeric_limits<T>::infinity()},
                       Case{2, 2, 1, -std::numeric_limits<T>::denorm_min()}}) {
    SCOPED_TRACE(::testing::Message() << "entry " << c.entry << " = " << c.value);
    auto a = small_matrix<T, Index>();
    a.values[static_cast<std::size_t>(c.entry)] = c.value;
    const auto p = check(a);
    expect_entry_problem(p, CsrProblemKind::InvalidValue, c.row, c.entry, c.column);
    if (std::isnan(c.value)) {
      EXPECT_TRUE(std::isnan(p.value));
    } else {
      EXPECT_EQ(p.value, static_cast<double>(c.value));
    }
  }
}

TYPED_TEST(CudaCsrCheck, FirstProblemWinsInEveryThreadOrder) {
  using T = typename TypeParam::first_type;
  using Index = typename TypeParam::second_type;
  CUNMF_SKIP_WITHOUT_DEVICE();
  auto a = small_matrix<T, Index>();
  a.values[5] = T(-2);  // entry 5: invalid value
  a.col_idx[4] = 3;     // entry 4: duplicate of entry 3 (row 2: 1, 3, 3)
  a.col_idx[2] = 9;     // entry 2: out of range, the first (entry 3 is now out of order too)
  expect_entry_problem(check(a), CsrProblemKind::ColumnOutOfRange, 2, 2, 9);

  // Problems thousands of entries apart (different blocks of the entry kernel): the first one.
  const auto r = cunmf::test::random_csr<T, Index>(400, 60, 0.3, 11, 3, 7);
  ASSERT_GT(r.nnz(), 5000);
  Csr<T, Index> b{r.rows, r.cols, r.row_ptr, r.col_idx, r.values};
  const std::int64_t late_row = 350, early_row = 90;
  const std::int64_t late = b.row_ptr[late_row], early = b.row_ptr[early_row] + 1;
  ASSERT_LT(early, b.row_ptr[early_row + 1]);
  ASSERT_LT(late, b.row_ptr[late_row + 1]);
  b.values[static_cast<std::size_t>(late)] = std::numeric_limits<T>::quiet_NaN();
  b.col_idx[static_cast<std::size_t>(early)] = b.col_idx[static_cast<std::size_t>(early - 1)];
  expect_entry_problem(check(b), CsrProblemKind::ColumnDuplicated, early_row, early,
                       b.col_idx[static_cast<std::size_t>(early)]);
  b.col_idx[static_cast<std::size_t>(early)] = r.col_idx[static_cast<std::size_t>(early)];
  const auto p = check(b);
  expect_entry_problem(p, CsrProblemKind::InvalidValue, late_row, late,
                       b.col_idx[static_cast<std::size_t>(late)]);
  EXPECT_TRUE(std::isnan(p.value));
}

// A corrupt row pointer (values beyond nnz, negative, huge) is read within bounds: the entries
// are read only where row_ptr is non-decreasing from 0, and never at or past nnz (ASan, in the
// emulated build, reports any read past the end of col_idx or values).
TYPED_TEST(CudaCsrCheck, CorruptRowPointerIsReadWithinBounds) {
  using T = typename TypeParam::first_type;
  using Index = typename TypeParam::second_type;
  CUNMF_SKIP_WITHOUT_DEVICE();
  const auto base = small_matrix<T, Index>();
  auto a = base;
  a.row_ptr = {0, -5, 2, 5, 6};  // decreases at row 0: no entry is read
  expect_row_ptr_problem(check(a), CsrProblemKind::RowPtrDecreases, 0);
  a.row_ptr = {0, 2, 2, 5, 1000};  // ends wrong: no entry is read
  expect_row_ptr_problem(check(a), CsrProblemKind::RowPtrEnds, -1);
  a.row_ptr = {0, 2, 2, 5, -1};
  expect_row_ptr_problem(check(a), CsrProblemKind::RowPtrEnds, -1);
  // Row 1 claims entries up to 1e9 and row 2 decreases: entries 0..5 are read as rows 0 and 1;
  // row 1 (entries 2..5, columns 1, 3, 4, 0) is out of order at entry 5.
  a.row_ptr = {0, 2, 1'000'000'000, 5, 6};
  expect_entry_problem(check(a), CsrProblemKind::ColumnOutOfOrder, 1, 5, 0);
  // The same with valid columns: only the decrease is left.
  a.col_idx = {0, 2, 0, 1, 2, 3};
  expect_row_ptr_problem(check(a), CsrProblemKind::RowPtrDecreases, 2);
  // Row 0 claims more than nnz entries before a decrease.
  a = base;
  a.row_ptr = {0, 7, 2, 5, 6};
  expect_entry_problem(check(a), CsrProblemKind::ColumnOutOfOrder, 0, 2, 1);
  a.col_idx = {0, 1, 2, 3, 4, 4};
  expect_entry_problem(check(a), CsrProblemKind::ColumnDuplicated, 0, 5, 4);
  a.col_idx = {0, 1, 2, 3, 4, 5};  // column 5 out of range (cols = 5)
  expect_entry_problem(check(a), CsrProblemKind::ColumnOutOfRange, 0, 5, 5);
  a.col_idx = {0, 1, 2, 3, 4, 4};
  a.col_idx.pop_back();  // nnz = 5 now: row_ptr[4] = 6 is wrong
  a.values.pop_back();
  expect_row_ptr_problem(check(a), CsrProblemKind::RowPtrEnds, -1);
  // nnz = 0 with an interior value beyond it.
  expect_row_ptr_problem(check(Csr<T, Index>{2, 3, {0, 4, 0}, {}, {}}),
                         CsrProblemKind::RowPtrDecreases, 1);
}

/// The transpose written as plainly as possible: walk X's rows in order and append each entry
/// to its column's list.
template <class T, class Index>
cunmf::CsrMatrix<T, Index> host_transpose(const cunmf::CsrMatrix<T, Index>& X) {
  std::vector<std::vector<std::pair<Index, T>>> columns(static_cast<std::size_t>(X.cols));
  for (std::int64_t i = 0; i < X.rows; ++i) {
    for (std::int64_t e = X.row_ptr[i]; e < X.row_ptr[i + 1]; ++e) {
      columns[static_cast<std::size_t>(X.col_idx[e])].emplace_back(static_cast<Index>(i),
                                                                   X.values[e]);
    }
  }
  cunmf::CsrMatrix<T, Index> t;
  t.rows = X.cols;
  t.cols = X.rows;
  t.row_ptr.push_back(0);
  for (const auto& column : columns) {
    for (const auto& [row, value] : column) {
      t.col_idx.push_back(row);
      t.values.push_back(value);
    }
    t.row_ptr.push_back(static_cast<Index>(t.col_idx.size()));
  }
  return t;
}

/// The device transpose of X, copied back.
template <class T, class Index>
cunmf::CsrMatrix<T, Index> device_transpose(const cunmf::CsrMatrix<T, Index>& X) {
  Context ctx;
  const auto row_ptr = upload(X.row_ptr, ctx);
  const auto col_idx = upload(X.col_idx, ctx);
  const auto values = upload(X.values, ctx);
  const auto nnz = static_cast<std::size_t>(X.nnz());
  DeviceBuffer<Index> t_row_ptr(static_cast<std::size_t>(X.cols + 1)), t_col_idx(nnz), scratch(nnz);
  DeviceBuffer<T> t_values(nnz);
  cunmf::detail::csr_transpose(row_ptr.data(), col_idx.data(), values.data(), X.rows, X.cols,
                               X.nnz(), t_row_ptr.data(), t_col_idx.data(), t_values.data(),
                               scratch.data(), ctx.stream());
  cunmf::CsrMatrix<T, Index> t;
  t.rows = X.cols;
  t.cols = X.rows;
  t.row_ptr = download(t_row_ptr, ctx);
  t.col_idx = download(t_col_idx, ctx);
  t.values = download(t_values, ctx);
  return t;
}

// Values are moved, not computed: the device transpose equals the host one exactly.
TYPED_TEST(CudaCsrTranspose, MatchesHostTranspose) {
  using T = typename TypeParam::first_type;
  using Index = typename TypeParam::second_type;
  CUNMF_SKIP_WITHOUT_DEVICE();
  struct Shape {
    std::int64_t rows, cols;
    double density;
  };
  for (const Shape s : {Shape{1, 1, 1.0}, Shape{1, 9, 0.5}, Shape{9, 1, 0.5}, Shape{37, 23, 0.35},
                        Shape{257, 65, 0.35}, Shape{5, 4, 0.0}, Shape{1, 1, 0.0}, Shape{0, 3, 0.5},
                        Shape{3, 0, 0.5}}) {
    SCOPED_TRACE(::testing::Message() << s.rows << "x" << s.cols << " density " << s.density);
    // An empty row and an empty column where there are several.
    const auto X = cunmf::test::random_csr<T, Index>(s.rows, s.cols, s.density, 23,
                                                     s.rows > 1 ? 1 : -1, s.cols > 1 ? 0 : -1);
    const auto expected = host_transpose(X);
    const auto t = device_transpose(X);
    EXPECT_EQ(t.row_ptr, expected.row_ptr);
    EXPECT_EQ(t.col_idx, expected.col_idx);
    EXPECT_EQ(t.values, expected.values);
    // Transposing back gives X.
    const auto back = device_transpose(t);
    EXPECT_EQ(back.row_ptr, X.row_ptr);
    EXPECT_EQ(back.col_idx, X.col_idx);
    EXPECT_EQ(back.values, X.values);
  }
}

// Many entries in one column and one row: the stable sort must keep the rows in order.
TYPED_TEST(CudaCsrTranspose, DenseColumnKeepsRowOrder) {
  using T = typename TypeParam::first_type;
  using Index = typename TypeParam::second_type;
  CUNMF_SKIP_WITHOUT_DEVICE();
  const std::int64_t rows = 700;
  cunmf::CsrMatrix<T, Index> X;
  X.rows = rows;
  X.cols = 3;
  X.row_ptr.push_back(0);
  for (std::int64_t i = 0; i < rows; ++i) {
    X.col_idx.push_back(1);
    X.values.push_back(static_cast<T>(i + 1));
    X.row_ptr.push_back(static_cast<Index>(X.col_idx.size()));
  }
  const auto t = device_transpose(X);
  EXPECT_EQ(t.row_ptr,
            (std::vector<Index>{0, 0, static_cast<Index>(rows), static_cast<Index>(rows)}));
  const auto expected = host_transpose(X);
  EXPECT_EQ(t.col_idx, expected.col_idx);
  EXPECT_EQ(t.values, expected.values);
}

}  // namespace
