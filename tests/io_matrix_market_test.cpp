// Matrix Market reading and writing: bit-exact round trips, hand-written files of every variant
// (coordinate/array × real/integer/pattern × general/symmetric) with their values checked, CSR
// assembly from unsorted entries with duplicates, and the malformed files of tests/data/malformed,
// each rejected with an IoError naming the file, the line and the problem.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "cunmf/errors.hpp"
#include "cunmf/io.hpp"
#include "io_test_support.hpp"
#include "test_support.hpp"

namespace cunmf::test {
namespace {

using io::MatrixMarketField;
using io::MatrixMarketFormat;
using io::MatrixMarketSymmetry;

/// A value type and a CSR index type.
template <class V, class I>
struct CsrTypes {
  using Value = V;
  using Index = I;
};
using AllCsrTypes =
    ::testing::Types<CsrTypes<float, std::int32_t>, CsrTypes<float, std::int64_t>,
                     CsrTypes<double, std::int32_t>, CsrTypes<double, std::int64_t>>;
using ValueTypes = ::testing::Types<float, double>;

template <class T>
DenseMatrix<T> make_dense(std::int64_t rows, std::int64_t cols, const std::vector<double>& values) {
  DenseMatrix<T> A(rows, cols);
  for (std::int64_t k = 0; k < A.size(); ++k) A.data()[k] = static_cast<T>(values[k]);
  return A;
}

// The matrices the hand-written files of tests/data/matrix_market hold (see their comments).
template <class T>
DenseMatrix<T> general_real() {
  return make_dense<T>(3, 4, {1.5, 0, 0, -2, 0, 0, 3.25, 0, 4, 0, 0, 1e-3});
}
template <class T>
DenseMatrix<T> general_integer() {
  return make_dense<T>(3, 4, {1, 0, 0, -2, 0, 0, 3, 0, 4, 0, 0, 7});
}
template <class T>
DenseMatrix<T> general_pattern() {
  return make_dense<T>(3, 4, {1, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1});
}
template <class T>
DenseMatrix<T> symmetric_real() {
  return make_dense<T>(4, 4, {2, 1.5, 0, 0.25, 1.5, 0, -1, 0, 0, -1, 0, 0, 0.25, 0, 0, 5});
}
template <class T>
DenseMatrix<T> symmetric_integer() {
  return make_dense<T>(4, 4, {2, 1, 0, 3, 1, 0, -1, 0, 0, -1, 0, 0, 3, 0, 0, 5});
}
template <class T>
DenseMatrix<T> symmetric_pattern() {
  return make_dense<T>(4, 4, {1, 1, 0, 1, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1});
}

/// One hand-written file, the matrix it holds and what its header says.
template <class T>
struct VariantFile {
  std::string file;
  DenseMatrix<T> expected;
  MatrixMarketFormat format;
  MatrixMarketField field;
  MatrixMarketSymmetry symmetry;
  std::int64_t header_nnz;
};

template <class T>
std::vector<VariantFile<T>> variant_files() {
  using F = MatrixMarketFormat;
  using Fi = MatrixMarketField;
  using S = MatrixMarketSymmetry;
  return {
      {"coordinate_real_general.mtx", general_real<T>(), F::Coordinate, Fi::Real, S::General, 5},
      {"coordinate_integer_general.mtx", general_integer<T>(), F::Coordinate, Fi::Integer,
       S::General, 5},
      {"coordinate_pattern_general.mtx", general_pattern<T>(), F::Coordinate, Fi::Pattern,
       S::General, 5},
      {"coordinate_real_symmetric.mtx", symmetric_real<T>(), F::Coordinate, Fi::Real, S::Symmetric,
       5},
      {"coordinate_integer_symmetric.mtx", symmetric_integer<T>(), F::Coordinate, Fi::Integer,
       S::Symmetric, 5},
      {"coordinate_pattern_symmetric.mtx", symmetric_pattern<T>(), F::Coordinate, Fi::Pattern,
       S::Symmetric, 5},
      {"array_real_general.mtx", general_real<T>(), F::Array, Fi::Real, S::General, 12},
      {"array_integer_general.mtx", general_integer<T>(), F::Array, Fi::Integer, S::General, 12},
      {"array_real_symmetric.mtx", symmetric_real<T>(), F::Array, Fi::Real, S::Symmetric, 10},
      {"array_integer_symmetric.mtx", symmetric_integer<T>(), F::Array, Fi::Integer, S::Symmetric,
       10},
  };
}

/// A random matrix with about `density` of its entries non-zero, the values spread over many
/// binades (so the text form needs every digit) and of both signs.
template <class T>
DenseMatrix<T> random_sparse_dense(std::int64_t rows, std::int64_t cols, double density,
                                   std::uint64_t seed) {
  const DenseMatrix<double> u = random_matrix<double>(rows, cols, seed);
  const DenseMatrix<double> v = random_matrix<double>(rows, cols, seed + 1, -30.0, 30.0);
  DenseMatrix<T> A(rows, cols);
  for (std::int64_t k = 0; k < A.size(); ++k) {
    if (u.data()[k] < density) {
      const double magnitude = std::exp2(v.data()[k]) * (1.0 + u.data()[k]);
      A.data()[k] = static_cast<T>(k % 3 == 0 ? -magnitude : magnitude);
    }
  }
  return A;
}

/// Extreme values a text round trip must keep: limits, subnormals, signed zero.
template <class T>
void plant_extremes(DenseMatrix<T>& A) {
  using L = std::numeric_limits<T>;
  const T extremes[] = {L::max(),     L::lowest(), L::min(), L::denorm_min(),
                        L::epsilon(), T(-0.0),     T(0.1),   T(1) / T(3)};
  for (std::int64_t k = 0; k < A.size() && k < 8; ++k) A.data()[k] = extremes[k];
}

// ---------------------------------------------------------------------------------------------
// Dense round trips: write_matrix_market(array) then read_matrix_market_dense, bit for bit.

template <class T>
class MatrixMarketDense : public ::testing::Test {};
TYPED_TEST_SUITE(MatrixMarketDense, ValueTypes);

TYPED_TEST(MatrixMarketDense, RoundTripIsBitExactInBothLayouts) {
  using T = TypeParam;
  ScratchDir dir;
  // Shapes: a single value, vectors, odd sizes, one past a multiple of 32, and empty ones.
  const std::pair<std::int64_t, std::int64_t> shapes[] = {{1, 1},   {1, 17}, {17, 1}, {3, 5},
                                                          {33, 65}, {0, 4},  {4, 0}};
  for (const auto& [rows, cols] : shapes) {
    DenseMatrix<T> A = random_matrix<T>(rows, cols, 7 + rows, -1e3, 1e3);
    plant_extremes(A);
    for (const Layout layout : {Layout::RowMajor, Layout::ColMajor}) {
      SCOPED_TRACE(std::to_string(rows) + " x " + std::to_string(cols) +
                   (layout == Layout::RowMajor ? " row-major" : " column-major"));
      const HostMatrix<T> stored = with_layout<T>(A.view(), layout);
      const std::string path = dir.file("dense.mtx");
      io::write_matrix_market(path, stored.view());
      const DenseMatrix<T> back = io::read_matrix_market_dense<T>(path);
      EXPECT_TRUE(bitwise_equal(back, A));
      const io::MatrixMarketHeader header = io::read_matrix_market_header(path);
      EXPECT_EQ(header.format, MatrixMarketFormat::Array);
      EXPECT_EQ(header.field, MatrixMarketField::Real);
      EXPECT_EQ(header.symmetry, MatrixMarketSymmetry::General);
      EXPECT_EQ(header.rows, rows);
      EXPECT_EQ(header.cols, cols);
      EXPECT_EQ(header.nnz, rows * cols);
    }
  }
}

TYPED_TEST(MatrixMarketDense, StreamRoundTrip) {
  using T = TypeParam;
  const DenseMatrix<T> A = random_matrix<T>(5, 3, 11);
  std::ostringstream out;
  io::write_matrix_market(out, "<stdout>", A.view());
  EXPECT_EQ(out.str().rfind("%%MatrixMarket matrix array real general\n5 3\n", 0), 0u);
  std::istringstream in(out.str());
  EXPECT_TRUE(bitwise_equal(io::read_matrix_market_dense<T>(in, "<stdin>"), A));
}

TYPED_TEST(MatrixMarketDense, ReadsEveryVariant) {
  using T = TypeParam;
  for (const VariantFile<T>& variant : variant_files<T>()) {
    SCOPED_TRACE(variant.file);
    const std::string path = data_path("matrix_market/" + variant.file);
    EXPECT_TRUE(bitwise_equal(io::read_matrix_market_dense<T>(path), variant.expected));
    const io::MatrixMarketHeader header = io::read_matrix_market_header(path);
    EXPECT_EQ(header.format, variant.format);
    EXPECT_EQ(header.field, variant.field);
    EXPECT_EQ(header.symmetry, variant.symmetry);
    EXPECT_EQ(header.rows, variant.expected.rows());
    EXPECT_EQ(header.cols, variant.expected.cols());
    EXPECT_EQ(header.nnz, variant.header_nnz);
  }
}

TYPED_TEST(MatrixMarketDense, SumsDuplicatesAndReadsCrlfFiles) {
  using T = TypeParam;
  EXPECT_TRUE(bitwise_equal(
      io::read_matrix_market_dense<T>(data_path("matrix_market/coordinate_duplicates.mtx")),
      make_dense<T>(3, 3, {0, 0, 3.5, 0, 0, 0, 1, 0, 0.5})));
  EXPECT_TRUE(bitwise_equal(
      io::read_matrix_market_dense<T>(data_path("matrix_market/crlf_no_final_newline.mtx")),
      make_dense<T>(2, 2, {0, 0.5, 7, 0})));
  const DenseMatrix<T> empty =
      io::read_matrix_market_dense<T>(data_path("matrix_market/empty_matrix.mtx"));
  EXPECT_EQ(empty.rows(), 0);
  EXPECT_EQ(empty.cols(), 5);
}

TYPED_TEST(MatrixMarketDense, ParsesNumberSpellings) {
  using T = TypeParam;
  // A leading '+', exponents of either case, a bare trailing point, and an underflow (which
  // rounds to zero, as strtod does) are all numbers.
  std::istringstream in(
      "%%matrixmarket MATRIX ARRAY real GENERAL\n"
      "6 1\n+2.5\n1E2\n-3.e-1\n7.\n1e-400\n.5\n");
  EXPECT_TRUE(bitwise_equal(io::read_matrix_market_dense<T>(in, "<stdin>"),
                            make_dense<T>(6, 1, {2.5, 100, -0.3, 7, 0, 0.5})));
}

// ---------------------------------------------------------------------------------------------
// CSR: round trips, every variant, assembly of unsorted entries with duplicates.

template <class P>
class MatrixMarketCsr : public ::testing::Test {};
TYPED_TEST_SUITE(MatrixMarketCsr, AllCsrTypes);

TYPED_TEST(MatrixMarketCsr, RoundTripIsBitExact) {
  using T = typename TypeParam::Value;
  using Index = typename TypeParam::Index;
  ScratchDir dir;
  const std::pair<std::int64_t, std::int64_t> shapes[] = {{1, 1},     {1, 40}, {40, 1}, {33, 65},
                                                          {200, 129}, {0, 3},  {3, 0}};
  for (const auto& [rows, cols] : shapes) {
    SCOPED_TRACE(std::to_string(rows) + " x " + std::to_string(cols));
    DenseMatrix<T> D = random_sparse_dense<T>(rows, cols, 0.2, 100 + rows);
    if (D.size() > 0) D.data()[0] = std::numeric_limits<T>::denorm_min();
    const CsrMatrix<T, Index> A = csr_from_dense<T, Index>(D);
    const std::string path = dir.file("sparse.mtx");
    io::write_matrix_market(path, A.view());
    const CsrMatrix<T, Index> back = io::read_matrix_market_csr<T, Index>(path);
    EXPECT_TRUE(csr_invariants_hold(back));
    EXPECT_TRUE(bitwise_equal(back, A));
    EXPECT_TRUE(bitwise_equal(io::read_matrix_market_dense<T>(path), D));
    const io::MatrixMarketHeader header = io::read_matrix_market_header(path);
    EXPECT_EQ(header.format, MatrixMarketFormat::Coordinate);
    EXPECT_EQ(header.nnz, A.nnz());
  }
}

TYPED_TEST(MatrixMarketCsr, ArrayFileToCsrDropsZeros) {
  using T = typename TypeParam::Value;
  using Index = typename TypeParam::Index;
  ScratchDir dir;
  const DenseMatrix<T> D = random_sparse_dense<T>(37, 23, 0.3, 5);
  const std::string path = dir.file("dense.mtx");
  io::write_matrix_market(path, with_layout<T>(D.view(), Layout::ColMajor).view());
  const CsrMatrix<T, Index> A = io::read_matrix_market_csr<T, Index>(path);
  EXPECT_TRUE(csr_invariants_hold(A));
  EXPECT_TRUE(bitwise_equal(A, csr_from_dense<T, Index>(D)));
}

TYPED_TEST(MatrixMarketCsr, ReadsEveryVariant) {
  using T = typename TypeParam::Value;
  using Index = typename TypeParam::Index;
  for (const VariantFile<T>& variant : variant_files<T>()) {
    SCOPED_TRACE(variant.file);
    const CsrMatrix<T, Index> A =
        io::read_matrix_market_csr<T, Index>(data_path("matrix_market/" + variant.file));
    EXPECT_TRUE(csr_invariants_hold(A));
    // No file stores an explicit zero, and array zeros are dropped: the CSR is exactly the
    // non-zeros of the expected matrix.
    EXPECT_TRUE(bitwise_equal(A, csr_from_dense<T, Index>(variant.expected)));
  }
}

TYPED_TEST(MatrixMarketCsr, SumsDuplicatesSortsColumnsKeepsExplicitZeros) {
  using T = typename TypeParam::Value;
  using Index = typename TypeParam::Index;
  const CsrMatrix<T, Index> A =
      io::read_matrix_market_csr<T, Index>(data_path("matrix_market/coordinate_duplicates.mtx"));
  EXPECT_EQ(A.row_ptr, (std::vector<Index>{0, 1, 2, 4}));
  EXPECT_EQ(A.col_idx, (std::vector<Index>{2, 1, 0, 2}));
  EXPECT_EQ(A.values, (std::vector<T>{3.5, 0, 1, 0.5}));
}

TYPED_TEST(MatrixMarketCsr, AssemblesShuffledEntriesWithDuplicates) {
  using T = typename TypeParam::Value;
  using Index = typename TypeParam::Index;
  // Many entries in random order, with repeats, in general and symmetric files: the CSR must
  // agree with the dense reading (which just adds entries in place) and satisfy the invariants.
  // Values are small integers, so every order of summation gives the same bits.
  std::mt19937_64 engine(42);
  for (const bool symmetric : {false, true}) {
    SCOPED_TRACE(symmetric ? "symmetric" : "general");
    const std::int64_t rows = 61;
    const std::int64_t cols = symmetric ? 61 : 47;
    const int entries = 3000;
    std::ostringstream text;
    text << "%%MatrixMarket matrix coordinate integer " << (symmetric ? "symmetric" : "general")
         << "\n"
         << rows << " " << cols << " " << entries << "\n";
    for (int e = 0; e < entries; ++e) {
      std::int64_t i = static_cast<std::int64_t>(engine() % rows) + 1;
      std::int64_t j = static_cast<std::int64_t>(engine() % cols) + 1;
      if (symmetric && j > i) std::swap(i, j);
      text << i << " " << j << " " << static_cast<int>(engine() % 7) + 1 << "\n";
    }
    std::istringstream csr_in(text.str());
    const CsrMatrix<T, Index> A = io::read_matrix_market_csr<T, Index>(csr_in, "shuffled");
    std::istringstream dense_in(text.str());
    const DenseMatrix<T> D = io::read_matrix_market_dense<T>(dense_in, "shuffled");
    EXPECT_TRUE(csr_invariants_hold(A));
    EXPECT_TRUE(bitwise_equal(A, csr_from_dense<T, Index>(D)));
  }
}

TYPED_TEST(MatrixMarketCsr, SymmetricMirrorsEveryOffDiagonalEntry) {
  using T = typename TypeParam::Value;
  using Index = typename TypeParam::Index;
  // An entry above the diagonal is mirrored too, as scipy does.
  std::istringstream in("%%MatrixMarket matrix coordinate real symmetric\n3 3 2\n1 3 2\n2 2 1\n");
  const CsrMatrix<T, Index> A = io::read_matrix_market_csr<T, Index>(in, "upper");
  EXPECT_TRUE(bitwise_equal(dense_from_csr(A), make_dense<T>(3, 3, {0, 0, 2, 0, 1, 0, 2, 0, 0})));
}

TEST(MatrixMarketReader, ChoosesTheFormFromTheHeaderOfAPipe) {
  const std::string text = "%%MatrixMarket matrix coordinate real general\n2 3 2\n2 3 0.5\n1 1 2\n";
  PipeBuffer pipe(text);
  std::istream in(&pipe);
  io::MatrixMarketReader reader(in, "<stdin>");
  ASSERT_EQ(reader.header().format, MatrixMarketFormat::Coordinate);
  EXPECT_EQ(reader.header().nnz, 2);
  const CsrMatrix<double, std::int64_t> A = reader.read_csr<double, std::int64_t>();
  EXPECT_EQ(A.row_ptr, (std::vector<std::int64_t>{0, 1, 2}));
  EXPECT_EQ(A.col_idx, (std::vector<std::int64_t>{0, 2}));
  EXPECT_EQ(A.values, (std::vector<double>{2, 0.5}));
  EXPECT_TRUE(throws_with_message<InvalidArgument>([&] { reader.read_dense<double>(); },
                                                   {"the entries of <stdin> were already read"}));
  // A truncated pipe: its size is unknown, so the entry count finds it.
  PipeBuffer short_pipe("%%MatrixMarket matrix coordinate real general\n2 3 5\n2 3 0.5\n");
  std::istream short_in(&short_pipe);
  EXPECT_TRUE(throws_with_message<IoError>(
      [&] { io::MatrixMarketReader(short_in, "<stdin>").read_csr<float>(); },
      {"<stdin>:3: end of file after 1 of the 5 entries"}));
}

TEST(MatrixMarketReader, HeaderOfASeekableStreamLeavesItInPlace) {
  std::istringstream in("%%MatrixMarket matrix array real general\n1 2\n3\n4\n");
  const io::MatrixMarketHeader header = io::read_matrix_market_header(in, "memory");
  EXPECT_EQ(header.format, MatrixMarketFormat::Array);
  EXPECT_TRUE(bitwise_equal(io::read_matrix_market_dense<float>(in, "memory"),
                            make_dense<float>(1, 2, {3, 4})));
  io::MatrixMarketReader from_file(data_path("matrix_market/array_real_symmetric.mtx"));
  EXPECT_EQ(from_file.header().symmetry, MatrixMarketSymmetry::Symmetric);
  io::MatrixMarketReader moved = std::move(from_file);
  EXPECT_TRUE(bitwise_equal(moved.read_dense<double>(), symmetric_real<double>()));
}

// ---------------------------------------------------------------------------------------------
// Malformed files: every reader that applies rejects each with IoError naming file, line and
// problem.

struct MalformedCase {
  std::string file;
  std::string place;    ///< what follows the path in the message: ":7: ", ": " (no line)
  std::string problem;  ///< a fragment of the message saying what is wrong
  bool require_nonnegative = false;
};

std::vector<MalformedCase> malformed_cases() {
  return {
      {"empty.mtx", ": ", "empty file: expected the banner"},
      {"bad_banner.mtx", ":1: ", "missing the Matrix Market banner"},
      {"no_banner.mtx", ":1: ", "missing the Matrix Market banner"},
      {"incomplete_banner.mtx", ":1: ", "incomplete banner"},
      {"complex_field.mtx", ":1: ", "unsupported field 'complex'"},
      {"hermitian.mtx", ":1: ", "unsupported symmetry 'hermitian'"},
      {"vector_object.mtx", ":1: ", "unsupported object 'vector'"},
      {"unknown_format.mtx", ":1: ", "unknown format 'sparse'"},
      {"array_pattern.mtx", ":1: ", "the pattern field is only valid with the coordinate format"},
      {"nonsquare_symmetric.mtx", ":3: ", "a symmetric matrix must be square"},
      {"bad_size_line.mtx", ":2: ", "size line: columns 'x' is not a non-negative integer"},
      {"short_size_line.mtx", ":2: ", "size line: expected 'rows columns entries'"},
      {"missing_size_line.mtx", ":3: ", "end of file before the size line"},
      {"truncated_entries.mtx", ":5: ", "end of file after 3 of the 5 entries"},
      {"too_many_entries.mtx", ":5: ", "more entries than the 2 declared on the size line"},
      {"row_index_zero.mtx", ":4: ", "row index 0 out of range [1, 3]"},
      {"column_out_of_range.mtx", ":8: ", "column index 12 out of range [1, 10]"},
      {"non_numeric_value.mtx", ":4: ", "value 'abc' is not a number"},
      {"non_numeric_index.mtx", ":4: ", "column index 'two' is not an integer"},
      {"non_integer_value.mtx", ":4: ", "value '1.5' is not an integer"},
      {"missing_value.mtx", ":4: ", "missing value"},
      {"extra_token.mtx", ":4: ", "unexpected '7' after the entry"},
      {"value_out_of_range.mtx", ":3: ", "value '1e999' is out of range for"},
      {"array_truncated.mtx", ":7: ", "end of file after 5 of the 6 values of a 2 x 3 array"},
      {"array_too_many.mtx", ":7: ", "more values than the 4 of a 2 x 2 array"},
      {"negative_value.mtx", ":4: ", "negative value -2.5 is not allowed", true},
      {"nan_value.mtx", ":5: ", "NaN is not allowed", true},
      {"inf_value.mtx", ":4: ", "infinite value is not allowed", true},
  };
}

TYPED_TEST(MatrixMarketCsr, RejectsMalformedFiles) {
  using T = typename TypeParam::Value;
  using Index = typename TypeParam::Index;
  for (const MalformedCase& c : malformed_cases()) {
    SCOPED_TRACE(c.file);
    const std::string path = data_path("malformed/" + c.file);
    EXPECT_TRUE(throws_with_message<IoError>(
        [&] { io::read_matrix_market_csr<T, Index>(path, c.require_nonnegative); },
        {path + c.place, c.problem}));
    if (c.require_nonnegative) {  // the same file is fine when signs do not matter
      EXPECT_THROW((io::read_matrix_market_csr<T, Index>(path, true)), InvalidEntryError);
      EXPECT_NO_THROW((io::read_matrix_market_csr<T, Index>(path)));
    }
  }
}

TYPED_TEST(MatrixMarketDense, RejectsMalformedFiles) {
  using T = TypeParam;
  for (const MalformedCase& c : malformed_cases()) {
    SCOPED_TRACE(c.file);
    const std::string path = data_path("malformed/" + c.file);
    EXPECT_TRUE(throws_with_message<IoError>(
        [&] { io::read_matrix_market_dense<T>(path, c.require_nonnegative); },
        {path + c.place, c.problem}));
  }
}

TEST(MatrixMarketHeader, RejectsMalformedBannersAndSizeLines) {
  for (const MalformedCase& c : malformed_cases()) {
    const bool header_problem = c.place == ": " || c.place == ":1: " ||
                                c.file == "nonsquare_symmetric.mtx" ||
                                c.problem.rfind("size line", 0) == 0 ||
                                c.problem.find("before the size line") != std::string::npos;
    if (!header_problem) continue;
    SCOPED_TRACE(c.file);
    const std::string path = data_path("malformed/" + c.file);
    EXPECT_TRUE(throws_with_message<IoError>([&] { io::read_matrix_market_header(path); },
                                             {path + c.place, c.problem}));
  }
}

TEST(MatrixMarketCsrIndexRange, Int32IndicesRejectADimensionBeyondTheirRange) {
  const std::string path = data_path("malformed/int32_columns_overflow.mtx");
  EXPECT_TRUE(throws_with_message<IoError>(
      [&] { io::read_matrix_market_csr<float, std::int32_t>(path); },
      {path + ":2: ", "columns 3000000000 exceed the range of int32 indices"}));
  const CsrMatrix<float, std::int64_t> A = io::read_matrix_market_csr<float, std::int64_t>(path);
  EXPECT_EQ(A.cols, 3000000000);
  EXPECT_EQ(A.col_idx, (std::vector<std::int64_t>{2999999998}));
}

TEST(MatrixMarketFiles, MissingFileAndDirectory) {
  const std::string missing = data_path("no/such/file.mtx");
  EXPECT_TRUE(throws_with_message<IoError>(
      [&] { io::read_matrix_market_csr<float>(missing); },
      {missing + ": cannot open for reading: No such file or directory"}));
  EXPECT_TRUE(throws_with_message<IoError>([&] { io::read_matrix_market_header(missing); },
                                           {missing + ": cannot open for reading"}));
  const std::string directory = data_path("matrix_market");
  EXPECT_TRUE(
      throws_with_message<IoError>([&] { io::read_matrix_market_dense<double>(directory); },
                                   {directory + ": cannot open for reading: is a directory"}));
}

TEST(MatrixMarketFiles, UnreadableFile) {
  ScratchDir dir;
  const std::string path = dir.file("secret.mtx");
  std::ofstream(path) << "%%MatrixMarket matrix coordinate real general\n1 1 0\n";
  std::filesystem::permissions(path, std::filesystem::perms::none);
  if (std::ifstream(path).good()) GTEST_SKIP() << "running as root: permissions are not enforced";
  EXPECT_TRUE(
      throws_with_message<IoError>([&] { io::read_matrix_market_csr<float>(path); },
                                   {path + ": cannot open for reading: Permission denied"}));
}

TEST(MatrixMarketWrite, ReportsUnwritablePathsAndFailedWrites) {
  const DenseMatrix<float> A(2, 2, 1.0f);
  const std::string path = data_path("no/such/dir/out.mtx");
  EXPECT_TRUE(throws_with_message<IoError>([&] { io::write_matrix_market(path, A.view()); },
                                           {path + ": cannot open for writing"}));
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  const DenseMatrix<double> big(600, 600, 0.1);  // more than the writer's buffer
  EXPECT_TRUE(throws_with_message<IoError>(
      [&] { io::write_matrix_market("/dev/full", big.view()); }, {"/dev/full: write failed"}));
}

TEST(MatrixMarketWrite, RejectsInvalidCsrViews) {
  const std::vector<std::int32_t> row_ptr = {0, 1, 3};
  const std::vector<std::int32_t> col_idx = {0, 5, 1};
  const std::vector<float> values = {1, 2, 3};
  const CsrView<const float, std::int32_t> out_of_range{
      2, 3, 3, row_ptr.data(), col_idx.data(), values.data()};
  std::ostringstream out;
  EXPECT_TRUE(throws_with_message<InvalidArgument>(
      [&] { io::write_matrix_market(out, "x", out_of_range); }, {"column index 5"}));
  const CsrView<const float, std::int32_t> bad_end{
      2, 3, 2, row_ptr.data(), col_idx.data(), values.data()};
  EXPECT_TRUE(throws_with_message<InvalidArgument>(
      [&] { io::write_matrix_market(out, "x", bad_end); }, {"row_ptr[rows] is 3, not nnz 2"}));
  const DenseView<const double> negative{nullptr, -1, 2, Layout::RowMajor};
  EXPECT_TRUE(throws_with_message<InvalidArgument>(
      [&] { io::write_matrix_market(out, "x", negative); }, {"negative dimension"}));
}

}  // namespace
}  // namespace cunmf::test
