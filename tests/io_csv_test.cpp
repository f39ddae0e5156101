// CSV reading and writing of dense matrices: hand-written files, bit-exact round trips from both
// layouts, and the malformed files of tests/data/malformed, each rejected with an IoError naming
// the file, the line, the column and the problem.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "cunmf/errors.hpp"
#include "cunmf/io.hpp"
#include "io_test_support.hpp"
#include "test_support.hpp"

namespace cunmf::test {
namespace {

template <class T>
class Csv : public ::testing::Test {};
using ValueTypes = ::testing::Types<float, double>;
TYPED_TEST_SUITE(Csv, ValueTypes);

template <class T>
DenseMatrix<T> make_dense(std::int64_t rows, std::int64_t cols, const std::vector<double>& values) {
  DenseMatrix<T> A(rows, cols);
  for (std::int64_t k = 0; k < A.size(); ++k) A.data()[k] = static_cast<T>(values[k]);
  return A;
}

TYPED_TEST(Csv, ReadsHandWrittenFiles) {
  using T = TypeParam;
  // Spaces around values, a blank line, a leading '+'.
  EXPECT_TRUE(bitwise_equal(io::read_csv<T>(data_path("csv/simple.csv")),
                            make_dense<T>(3, 3, {1.5, 0, -2, 3, 4.25, 1e-3, 5, 6, 7})));
  // CRLF line endings, no final newline, an infinity (allowed unless non-negativity is asked).
  EXPECT_TRUE(bitwise_equal(io::read_csv<T>(data_path("csv/crlf_no_final_newline.csv")),
                            make_dense<T>(3, 2, {0.5, 1, 2, 3.5, 4, INFINITY})));
  EXPECT_TRUE(
      bitwise_equal(io::read_csv<T>(data_path("csv/single_value.csv")), make_dense<T>(1, 1, {42})));
}

TYPED_TEST(Csv, RoundTripIsBitExactInBothLayouts) {
  using T = TypeParam;
  ScratchDir dir;
  const std::pair<std::int64_t, std::int64_t> shapes[] = {{1, 1}, {1, 17}, {17, 1}, {33, 65}};
  for (const auto& [rows, cols] : shapes) {
    DenseMatrix<T> A = random_matrix<T>(rows, cols, 40 + rows, -1e6, 1e6);
    using L = std::numeric_limits<T>;
    const T extremes[] = {L::max(), L::lowest(), L::denorm_min(), T(-0.0), L::min()};
    for (std::int64_t k = 0; k < A.size() && k < 5; ++k) A.data()[k] = extremes[k];
    for (const Layout layout : {Layout::RowMajor, Layout::ColMajor}) {
      SCOPED_TRACE(std::to_string(rows) + " x " + std::to_string(cols) +
                   (layout == Layout::RowMajor ? " row-major" : " column-major"));
      const std::string path = dir.file("matrix.csv");
      io::write_csv(path, with_layout<T>(A.view(), layout).view());
      EXPECT_TRUE(bitwise_equal(io::read_csv<T>(path), A));
    }
  }
}

TYPED_TEST(Csv, StreamRoundTrip) {
  using T = TypeParam;
  const DenseMatrix<T> A = make_dense<T>(2, 3, {0.1, 2, 3e-7, -4, 5.5, 6});
  std::ostringstream out;
  io::write_csv(out, "<stdout>", A.view());
  EXPECT_EQ(out.str(), "0.1,2,3e-07\n-4,5.5,6\n");  // shortest forms
  std::istringstream in(out.str());
  EXPECT_TRUE(bitwise_equal(io::read_csv<T>(in, "<stdin>"), A));
}

TYPED_TEST(Csv, RejectsMalformedFiles) {
  using T = TypeParam;
  struct Case {
    std::string file;
    std::string place;    ///< what follows the path in the message
    std::string problem;  ///< a fragment of the message saying what is wrong
    bool require_nonnegative = false;
  };
  const Case cases[] = {
      {"ragged.csv", ":3: ", "row has 2 values, but the first row (line 1) has 3"},
      {"header_line.csv",
       ":1: ", "column 1: value 'a' is not a number (a header line is not supported)"},
      {"non_numeric.csv", ":3: ", "column 2: value 'x8' is not a number"},
      {"empty_value.csv", ":2: ", "column 2: empty value"},
      {"trailing_comma.csv", ":2: ", "column 4: empty value"},
      {"empty.csv", ": ", "no values: the file is empty"},
      {"blank_lines_only.csv", ": ", "no values: the file is empty"},
      {"negative_value.csv", ":2: ", "column 2: negative value -0.5 is not allowed", true},
      {"nan_value.csv", ":2: ", "column 2: NaN is not allowed", true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    const std::string path = data_path("malformed/" + c.file);
    EXPECT_TRUE(throws_with_message<IoError>([&] { io::read_csv<T>(path, c.require_nonnegative); },
                                             {path + c.place, c.problem}));
    if (c.require_nonnegative) {  // typed, so that a caller can tell a bad value from a bad file
      EXPECT_THROW(io::read_csv<T>(path, true), InvalidEntryError);
      EXPECT_NO_THROW(io::read_csv<T>(path));
    }
  }
}

TEST(CsvFiles, MissingFileAndUnwritablePath) {
  const std::string missing = data_path("no/such/file.csv");
  EXPECT_TRUE(throws_with_message<IoError>(
      [&] { io::read_csv<double>(missing); },
      {missing + ": cannot open for reading: No such file or directory"}));
  const DenseMatrix<double> A(2, 2, 1.0);
  const std::string unwritable = data_path("no/such/dir/out.csv");
  EXPECT_TRUE(throws_with_message<IoError>([&] { io::write_csv(unwritable, A.view()); },
                                           {unwritable + ": cannot open for writing"}));
}

}  // namespace
}  // namespace cunmf::test
