// .npy reading and writing: files written by NumPy (both element types and orders, versions 1.0,
// 2.0 and 3.0, other byte orders, a vector, an empty matrix), bit-exact round trips of both
// layouts without transposition, and the malformed files of tests/data/malformed, each rejected
// with an IoError naming the file, the byte offset and the problem.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
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
class Npy : public ::testing::Test {};
using ValueTypes = ::testing::Types<float, double>;
TYPED_TEST_SUITE(Npy, ValueTypes);

/// The matrix of tests/data/npy (make_npy_files.py): A[i, j] = 10 i + j + 0.25, 3 × 4. Every
/// value is exact in float, so files of either type read to the same bits.
template <class T>
DenseMatrix<T> numpy_matrix() {
  DenseMatrix<T> A(3, 4);
  for (std::int64_t i = 0; i < 3; ++i)
    for (std::int64_t j = 0; j < 4; ++j) A(i, j) = static_cast<T>(10 * i + j + 0.25);
  return A;
}

TYPED_TEST(Npy, ReadsFilesWrittenByNumpy) {
  using T = TypeParam;
  for (const char* file :
       {"c_f8.npy", "c_f4.npy", "fortran_f8.npy", "fortran_f4.npy", "version2_f8.npy",
        "version3_f4.npy", "big_endian_f8.npy", "big_endian_fortran_f4.npy", "native_order_f8.npy",
        "pipe_order_f4.npy"}) {
    SCOPED_TRACE(file);
    EXPECT_TRUE(
        bitwise_equal(io::read_npy<T>(data_path(std::string("npy/") + file)), numpy_matrix<T>()));
  }
}

TYPED_TEST(Npy, ReadsAVectorAsAColumnAndAnEmptyMatrix) {
  using T = TypeParam;
  const DenseMatrix<T> v = io::read_npy<T>(data_path("npy/vector_f8.npy"));
  ASSERT_EQ(v.rows(), 3);
  ASSERT_EQ(v.cols(), 1);
  EXPECT_EQ(v(0, 0), T(0.5));
  EXPECT_EQ(v(2, 0), T(2.5));
  const DenseMatrix<T> empty = io::read_npy<T>(data_path("npy/empty_0x3_f8.npy"));
  EXPECT_EQ(empty.rows(), 0);
  EXPECT_EQ(empty.cols(), 3);
}

/// The offset of the data in a .npy file written by write_npy (version 1.0).
std::size_t data_offset(const std::string& bytes) {
  return 10 + (static_cast<unsigned char>(bytes[8]) | static_cast<unsigned char>(bytes[9]) << 8);
}

TYPED_TEST(Npy, RoundTripIsBitExactAndKeepsTheLayout) {
  using T = TypeParam;
  ScratchDir dir;
  const std::pair<std::int64_t, std::int64_t> shapes[] = {{1, 1},   {1, 9}, {9, 1}, {17, 33},
                                                          {65, 31}, {0, 3}, {3, 0}};
  for (const auto& [rows, cols] : shapes) {
    DenseMatrix<T> A = random_matrix<T>(rows, cols, 3 + cols, -1.0, 1.0);
    if (A.size() > 0) A.data()[0] = std::numeric_limits<T>::quiet_NaN();
    for (const Layout layout : {Layout::RowMajor, Layout::ColMajor}) {
      SCOPED_TRACE(std::to_string(rows) + " x " + std::to_string(cols) +
                   (layout == Layout::RowMajor ? " row-major" : " column-major"));
      const HostMatrix<T> stored = with_layout<T>(A.view(), layout);
      const std::string path = dir.file("matrix.npy");
      io::write_npy(path, stored.view());
      EXPECT_TRUE(bitwise_equal(io::read_npy<T>(path), A));

      // The file holds the view's own storage, untransposed, behind a 64-byte aligned header
      // that declares it.
      const std::string bytes = file_bytes(path);
      const std::size_t offset = data_offset(bytes);
      EXPECT_EQ(offset % 64, 0u);
      ASSERT_EQ(bytes.size(), offset + stored.data.size() * sizeof(T));
      EXPECT_TRUE(stored.data.empty() || std::memcmp(bytes.data() + offset, stored.data.data(),
                                                     bytes.size() - offset) == 0);
      const std::string header = bytes.substr(10, offset - 10);
      EXPECT_NE(header.find(sizeof(T) == 4 ? "'descr': '<f4'" : "'descr': '<f8'"),
                std::string::npos);
      EXPECT_NE(header.find(layout == Layout::ColMajor ? "'fortran_order': True"
                                                       : "'fortran_order': False"),
                std::string::npos);
      EXPECT_NE(
          header.find("'shape': (" + std::to_string(rows) + ", " + std::to_string(cols) + ")"),
          std::string::npos);
      EXPECT_EQ(bytes.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
    }
  }
}

TYPED_TEST(Npy, StreamRoundTrip) {
  using T = TypeParam;
  const DenseMatrix<T> A = random_matrix<T>(4, 7, 21);
  std::ostringstream out;
  io::write_npy(out, "<stdout>", A.view());
  std::istringstream in(out.str());
  EXPECT_TRUE(bitwise_equal(io::read_npy<T>(in, "<stdin>"), A));
}

TEST(NpyConversion, Float32ReadsExactlyAsDoubleAndFloat64RoundsToFloat) {
  DenseMatrix<float> f = random_matrix<float>(5, 6, 8);
  std::ostringstream out;
  io::write_npy(out, "f", f.view());
  std::istringstream in(out.str());
  const DenseMatrix<double> widened = io::read_npy<double>(in, "f");
  for (std::int64_t k = 0; k < f.size(); ++k) EXPECT_EQ(widened.data()[k], f.data()[k]);

  const DenseMatrix<double> d = random_matrix<double>(5, 6, 9);
  std::ostringstream out_d;
  io::write_npy(out_d, "d", d.view());
  std::istringstream in_d(out_d.str());
  const DenseMatrix<float> narrowed = io::read_npy<float>(in_d, "d");
  for (std::int64_t k = 0; k < d.size(); ++k)
    EXPECT_EQ(narrowed.data()[k], static_cast<float>(d.data()[k]));
}

TEST(NpyConversion, Float64BeyondFloatRangeIsAnError) {
  DenseMatrix<double> d(2, 2, 1.0);
  d(1, 0) = 1e300;
  std::ostringstream out;
  io::write_npy(out, "d", d.view());
  std::istringstream in(out.str());
  // Element (1, 0) is the third in C order: 128 + 2·8 bytes in.
  EXPECT_TRUE(throws_with_message<IoError>(
      [&] { io::read_npy<float>(in, "big.npy"); },
      {"big.npy: byte 144: element (1, 0): value 1e+300 is out of range for float"}));
}

struct MalformedCase {
  std::string file;
  std::string place;    ///< what follows the path in the message, e.g. ": byte 0: "
  std::string problem;  ///< a fragment of the message saying what is wrong
  bool require_nonnegative = false;
};

TYPED_TEST(Npy, RejectsMalformedFiles) {
  using T = TypeParam;
  const MalformedCase cases[] = {
      {"bad_magic.npy", ": byte 0: ", "not a .npy file: the magic string \\x93NUMPY is missing"},
      {"bad_version.npy", ": byte 6: ", "unsupported .npy format version 9.0"},
      {"truncated_header.npy", ": byte 40: ", "truncated header: expected 118 bytes, found 30"},
      {"truncated_data.npy",
       ": byte 204: ", "truncated data: shape (3, 4) of '<f8' needs 96 bytes, found 76"},
      {"trailing_bytes.npy", ": byte 224: ", "unexpected bytes after the data"},
      {"int64_dtype.npy", ": byte 20: ", "unsupported dtype '<i8'"},
      {"complex_dtype.npy", ": byte 20: ", "unsupported dtype '<c16'"},
      {"structured_dtype.npy", ": byte 20: ", "unsupported structured dtype"},
      {"three_dimensional.npy", ": byte 10: ", "shape (3, 2, 2) is not 1-D or 2-D"},
      {"missing_shape.npy", ": byte ", "header: missing key 'shape'"},
      {"bad_fortran_order.npy", ": byte ", "expected True or False for 'fortran_order'"},
      {"negative_value.npy", ": byte 176: ",
       "element (1, 2): negative value -1 is not allowed in a non-negative matrix", true},
      {"nan_value.npy", ": byte 192: ", "element (2, 0): NaN is not allowed", true},
  };
  for (const MalformedCase& c : cases) {
    SCOPED_TRACE(c.file);
    const std::string path = data_path("malformed/" + c.file);
    EXPECT_TRUE(throws_with_message<IoError>([&] { io::read_npy<T>(path, c.require_nonnegative); },
                                             {path + c.place, c.problem}));
    if (c.require_nonnegative) {  // typed, so that a caller can tell a bad value from a bad file
      EXPECT_THROW(io::read_npy<T>(path, true), InvalidEntryError);
      EXPECT_NO_THROW(io::read_npy<T>(path));
    }
  }
}

TEST(NpyFiles, MissingFileAndUnwritablePath) {
  const std::string missing = data_path("no/such/file.npy");
  EXPECT_TRUE(throws_with_message<IoError>(
      [&] { io::read_npy<float>(missing); },
      {missing + ": cannot open for reading: No such file or directory"}));
  const DenseMatrix<float> A(2, 2, 1.0f);
  const std::string unwritable = data_path("no/such/dir/out.npy");
  EXPECT_TRUE(throws_with_message<IoError>([&] { io::write_npy(unwritable, A.view()); },
                                           {unwritable + ": cannot open for writing"}));
}

TEST(NpyFiles, TruncatedStreamOfUnknownSize) {
  // A pipe cannot tell its size, so truncation is found while reading the data.
  const DenseMatrix<double> A(3, 4, 2.0);
  std::ostringstream out;
  io::write_npy(out, "full", A.view());
  const std::string bytes = out.str().substr(0, out.str().size() - 10);
  PipeBuffer pipe(bytes);
  std::istream in(&pipe);
  EXPECT_TRUE(throws_with_message<IoError>(
      [&] { io::read_npy<double>(in, "<stdin>"); },
      {"<stdin>: byte 214: truncated data: shape (3, 4) of '<f8' needs 96 bytes, found 86"}));
}

}  // namespace
}  // namespace cunmf::test
