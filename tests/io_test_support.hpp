// Helpers shared by the io_* tests: paths into tests/data, a scratch directory under the build
// tree that is removed afterwards, and CSR helpers (conversion to dense, invariants, exact
// comparison; the conversion from dense is in sparse_support.hpp) written with plain loops,
// independently of the library.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <streambuf>
#include <string>
#include <utility>
#include <vector>

#include "cunmf/matrix.hpp"
#include "cunmf/sparse.hpp"
#include "sparse_support.hpp"

#ifndef CUNMF_TEST_DATA_DIR
#error "CUNMF_TEST_DATA_DIR must name tests/data"
#endif
#ifndef CUNMF_TEST_TMP_DIR
#error "CUNMF_TEST_TMP_DIR must name a scratch directory in the build tree"
#endif

namespace cunmf::test {

/// The path of a file under tests/data, e.g. data_path("malformed/empty.mtx").
inline std::string data_path(const std::string& relative) {
  return std::string(CUNMF_TEST_DATA_DIR) + "/" + relative;
}

/// A fresh directory under the build tree, named after the running test (so that tests run in
/// parallel by CTest do not collide), removed with its contents when the object goes away.
class ScratchDir {
 public:
  ScratchDir() {
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(info->test_suite_name()) + "." + info->name();
    for (char& c : name) {
      if (c == '/') c = '_';
    }
    path_ = std::filesystem::path(CUNMF_TEST_TMP_DIR) / name;
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  /// The path of `file` in this directory.
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

/// The bytes of a file.
inline std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// A stream buffer over fixed bytes that, like a pipe, cannot seek or tell its size.
class PipeBuffer : public std::streambuf {
 public:
  explicit PipeBuffer(std::string bytes) : bytes_(std::move(bytes)) {
    setg(bytes_.data(), bytes_.data(), bytes_.data() + bytes_.size());
  }

 private:
  std::string bytes_;
};

/// A dense row-major copy of A (duplicates, were there any, summed).
template <class T, class Index>
DenseMatrix<T> dense_from_csr(const CsrMatrix<T, Index>& A) {
  DenseMatrix<T> D(A.rows, A.cols);
  for (std::int64_t i = 0; i < A.rows; ++i)
    for (std::int64_t e = A.row_ptr[i]; e < A.row_ptr[i + 1]; ++e)
      D(i, A.col_idx[e]) += A.values[e];
  return D;
}

/// Success when A satisfies CsrMatrix's invariants: rows + 1 offsets from 0 to nnz,
/// non-decreasing; within each row, column indices in range and strictly increasing.
template <class T, class Index>
::testing::AssertionResult csr_invariants_hold(const CsrMatrix<T, Index>& A) {
  if (A.row_ptr.size() != static_cast<std::size_t>(A.rows + 1))
    return ::testing::AssertionFailure() << "row_ptr has " << A.row_ptr.size() << " entries";
  if (A.col_idx.size() != A.values.size())
    return ::testing::AssertionFailure() << "col_idx and values differ in length";
  if (A.row_ptr.front() != 0 || A.row_ptr.back() != static_cast<Index>(A.nnz()))
    return ::testing::AssertionFailure() << "row_ptr does not run from 0 to nnz";
  for (std::int64_t i = 0; i < A.rows; ++i) {
    if (A.row_ptr[i + 1] < A.row_ptr[i])
      return ::testing::AssertionFailure() << "row_ptr decreases at row " << i;
    for (std::int64_t e = A.row_ptr[i]; e < A.row_ptr[i + 1]; ++e) {
      if (A.col_idx[e] < 0 || A.col_idx[e] >= A.cols)
        return ::testing::AssertionFailure() << "column out of range in row " << i;
      if (e > A.row_ptr[i] && A.col_idx[e] <= A.col_idx[e - 1])
        return ::testing::AssertionFailure() << "columns not strictly increasing in row " << i;
    }
  }
  return ::testing::AssertionSuccess();
}

/// True when A and B have the same shape, structure and value bits.
template <class T, class Index>
bool bitwise_equal(const CsrMatrix<T, Index>& A, const CsrMatrix<T, Index>& B) {
  return A.rows == B.rows && A.cols == B.cols && A.row_ptr == B.row_ptr && A.col_idx == B.col_idx &&
         A.values.size() == B.values.size() &&
         (A.values.empty() ||
          std::memcmp(A.values.data(), B.values.data(), A.values.size() * sizeof(T)) == 0);
}

}  // namespace cunmf::test
