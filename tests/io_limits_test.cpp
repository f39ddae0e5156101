// Hostile input: tiny files whose headers declare huge matrices, read from files and from pipes.
// Each is read in a forked child whose address space is limited to what it uses now plus 512 MiB,
// so that a reader allocating for a size the data cannot justify fails the test (std::bad_alloc,
// an "out of memory" IoError, or a kill) instead of passing on an overcommitting machine. The child
// passes only when the reader throws an IoError with the expected message. Also: the limit
// CUNMF_MAX_INPUT_BYTES, and valid files, from paths and pipes, still read under the limit.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <istream>
#include <new>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cunmf/errors.hpp"
#include "cunmf/io.hpp"
#include "io_test_support.hpp"
#include "test_support.hpp"

namespace cunmf::test {
namespace {

constexpr std::int64_t kHeadroomBytes = std::int64_t{512} << 20;

/// This process's address space (VmSize) in bytes, from /proc/self/status; 0 when unknown.
std::int64_t address_space_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmSize:", 0) == 0) return std::stoll(line.substr(7)) * 1024;  // in kB
  }
  return 0;
}

/// Runs read() in a forked child whose address space is limited to its current size plus
/// kHeadroomBytes. Success when read() threw an IoError whose message holds every fragment (or,
/// with no fragments, when read() returned) and reported no failed allocation.
::testing::AssertionResult read_within_memory_limit(const std::function<void()>& read,
                                                    const std::vector<std::string>& fragments) {
  int channel[2];
  if (pipe(channel) != 0) return ::testing::AssertionFailure() << "pipe() failed";
  const pid_t child = fork();
  if (child < 0) return ::testing::AssertionFailure() << "fork() failed";
  if (child == 0) {
    close(channel[0]);
    const auto report = [&](int code, const std::string& message) {
      [[maybe_unused]] const auto written = write(channel[1], message.data(), message.size());
      _exit(code);
    };
    const auto limit = static_cast<rlim_t>(address_space_bytes() + kHeadroomBytes);
    const rlimit address_space{limit, limit};
    if (setrlimit(RLIMIT_AS, &address_space) != 0) report(20, "setrlimit failed");
    try {
      read();
    } catch (const IoError& e) {
      const std::string message = e.what();
      if (message.find("out of memory") != std::string::npos ||
          message.find("too large to hold in memory") != std::string::npos) {
        report(11, "a failed allocation: " + message);
      }
      for (const std::string& fragment : fragments) {
        if (message.find(fragment) == std::string::npos) {
          report(12, "the message \"" + message + "\" lacks \"" + fragment + "\"");
        }
      }
      report(fragments.empty() ? 13 : 0, "IoError: " + message);
    } catch (const std::bad_alloc&) {
      report(14, "std::bad_alloc");
    } catch (const std::exception& e) {
      report(15, std::string("another exception: ") + e.what());
    }
    report(fragments.empty() ? 0 : 16, "read without an error");
  }
  close(channel[1]);
  std::string message;
  char buffer[512];
  for (ssize_t got; (got = ::read(channel[0], buffer, sizeof(buffer))) > 0;) {
    message.append(buffer, static_cast<std::size_t>(got));
  }
  close(channel[0]);
  int status = 0;
  waitpid(child, &status, 0);
  if (WIFSIGNALED(status)) {
    return ::testing::AssertionFailure() << "the child was killed by signal " << WTERMSIG(status);
  }
  if (WEXITSTATUS(status) != 0) {
    return ::testing::AssertionFailure() << "exit " << WEXITSTATUS(status) << ": " << message;
  }
  return ::testing::AssertionSuccess() << message;
}

/// Writes `bytes` to `path`.
void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

/// A .npy file of format `major`.0 whose header declares `shape` of `descr`, followed by `data`.
std::string npy_bytes(int major, const std::string& descr, const std::string& shape,
                      const std::string& data) {
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  const std::size_t prefix = major == 1 ? 10 : 12;
  while ((prefix + dict.size() + 1) % 64 != 0) dict += ' ';
  dict += '\n';
  std::string bytes = std::string("\x93NUMPY", 6) + static_cast<char>(major) + '\0';
  const auto length = static_cast<std::uint32_t>(dict.size());
  for (std::size_t b = 0; b < (major == 1 ? 2u : 4u); ++b) {
    bytes += static_cast<char>((length >> (8 * b)) & 0xff);
  }
  return bytes + dict + data;
}

template <class T>
DenseMatrix<T> read_npy_from_pipe(const std::string& bytes) {
  PipeBuffer pipe(bytes);
  std::istream in(&pipe);
  return io::read_npy<T>(in, "<stdin>");
}

// ---------------------------------------------------------------------------------------------
// .npy

TEST(HostileNpy, HeaderLengthBeyondTheFile) {
  // 20 bytes: magic, version 2.0 or 3.0, a header length of 4 GiB - 1, then 8 bytes of header.
  ScratchDir dir;
  for (const char major : {'\x02', '\x03'}) {
    SCOPED_TRACE(static_cast<int>(major));
    const std::string bytes = std::string("\x93NUMPY", 6) + major + '\0' +
                              std::string("\xff\xff\xff\xff", 4) + "{'descr'";
    ASSERT_EQ(bytes.size(), 20u);
    const std::string path = dir.file("header_length.npy");
    write_file(path, bytes);
    EXPECT_TRUE(read_within_memory_limit(
        [&] { io::read_npy<float>(path); },
        {path + ": byte 12: ", "header of 4294967295 bytes", "the file holds 8"}));
    EXPECT_TRUE(read_within_memory_limit(
        [&] { read_npy_from_pipe<float>(bytes); },
        {"<stdin>: byte 12: ", "header of 4294967295 bytes", "more than the 1048576 bytes"}));
  }
}

TEST(HostileNpy, ShapeBeyondTheFile) {
  ScratchDir dir;
  const std::string path = dir.file("shape.npy");
  write_file(path, npy_bytes(1, "<f8", "(100000, 100000)", std::string(8, '\0')));
  EXPECT_TRUE(read_within_memory_limit([&] { io::read_npy<double>(path); },
                                       {path + ": byte ", "needs 80000000000 bytes, found 8"}));
}

TEST(HostileNpy, StreamDeclaringMoreThanTheLimit) {
  // 80 GB of doubles declared, 8 bytes sent: beyond the default limit of 64 GiB.
  const std::string bytes = npy_bytes(1, "<f8", "(100000, 100000)", std::string(8, '\0'));
  EXPECT_TRUE(read_within_memory_limit(
      [&] { read_npy_from_pipe<double>(bytes); },
      {"<stdin>: byte 128: ", "80000000000 bytes", "CUNMF_MAX_INPUT_BYTES"}));
}

TEST(HostileNpy, StreamDeclaringLessThanTheLimitGrowsWithTheData) {
  // 24 GB declared, within the limit: memory must grow only with the bytes that arrive.
  for (const char* descr : {"<f4", ">f4"}) {
    const std::string bytes = npy_bytes(1, descr, "(60000, 100000)", std::string(8, '\0'));
    EXPECT_TRUE(read_within_memory_limit(
        [&] { read_npy_from_pipe<float>(bytes); },
        {"<stdin>: byte 136: ", "truncated data: shape (60000, 100000)", "found 8"}));
  }
}

// ---------------------------------------------------------------------------------------------
// Matrix Market

constexpr const char* kCoordinateBanner = "%%MatrixMarket matrix coordinate real general\n";
constexpr const char* kArrayBanner = "%%MatrixMarket matrix array real general\n";

TEST(HostileMatrixMarket, RowPointersBeyondTheFile) {
  // 196 million rows, one entry: 1.57 GB of int64 row pointers for a 62-byte file.
  ScratchDir dir;
  const std::string path = dir.file("rows.mtx");
  const std::string bytes = std::string(kCoordinateBanner) + "196000000 1 1\n1 1 1\n";
  write_file(path, bytes);
  const std::vector<std::string> fragments = {":2: ", "196000000 rows", "row pointers"};
  const auto with_path = [&](std::vector<std::string> parts) {
    parts[0] = path + parts[0];
    return parts;
  };
  EXPECT_TRUE(read_within_memory_limit(
      [&] { io::read_matrix_market_csr<float, std::int64_t>(path); }, with_path(fragments)));
  EXPECT_TRUE(read_within_memory_limit(
      [&] { io::read_matrix_market_csr<double, std::int32_t>(path); }, with_path(fragments)));
  EXPECT_TRUE(read_within_memory_limit(
      [&] {
        PipeBuffer pipe(bytes);
        std::istream in(&pipe);
        io::read_matrix_market_csr<float, std::int64_t>(in, "<stdin>");
      },
      {"<stdin>:2: ", "196000000 rows", "row pointers"}));
  // An array file of no columns has no values to justify its rows either.
  const std::string no_columns = dir.file("no_columns.mtx");
  write_file(no_columns, std::string(kArrayBanner) + "196000000 0\n");
  EXPECT_TRUE(
      read_within_memory_limit([&] { io::read_matrix_market_csr<float, std::int64_t>(no_columns); },
                               {no_columns + ":2: ", "row pointers"}));
}

TEST(HostileMatrixMarket, CoordinateFileIsNotDensifiedBeyondWhatItJustifies) {
  // 28000 x 28000 declared, one entry: 3.1 GB of floats for a 62-byte file (--init-w's path).
  ScratchDir dir;
  const std::string path = dir.file("dense.mtx");
  const std::string bytes = std::string(kCoordinateBanner) + "28000 28000 1\n1 1 1\n";
  write_file(path, bytes);
  EXPECT_TRUE(read_within_memory_limit([&] { io::read_matrix_market_dense<float>(path); },
                                       {path + ":2: ", "a dense 28000 x 28000 matrix"}));
  EXPECT_TRUE(read_within_memory_limit(
      [&] {
        PipeBuffer pipe(bytes);
        std::istream in(&pipe);
        io::read_matrix_market_dense<double>(in, "<stdin>");
      },
      {"<stdin>:2: ", "a dense 28000 x 28000 matrix"}));
  // The same file is fine as CSR, which is what it is.
  EXPECT_TRUE(read_within_memory_limit([&] { io::read_matrix_market_csr<float>(path); }, {}));
}

TEST(HostileMatrixMarket, RepositoryInt32ColumnsOverflowFile) {
  // 1 x 3000000000 with 2 entries: 12 GB as a dense float matrix.
  const std::string path = data_path("malformed/int32_columns_overflow.mtx");
  EXPECT_TRUE(read_within_memory_limit([&] { io::read_matrix_market_dense<float>(path); },
                                       {path + ":2: ", "a dense 1 x 3000000000 matrix"}));
  EXPECT_TRUE(read_within_memory_limit(
      [&] { io::read_matrix_market_csr<float, std::int32_t>(path); },
      {path + ":2: ", "columns 3000000000 exceed the range of int32 indices"}));
  EXPECT_TRUE(
      read_within_memory_limit([&] { io::read_matrix_market_csr<float, std::int64_t>(path); }, {}));
}

TEST(HostileMatrixMarket, ArrayStreamGrowsWithTheData) {
  // 40 GB of floats declared, within the limit: memory must grow only with the values sent.
  const std::string bytes = std::string(kArrayBanner) + "100000 100000\n1\n2\n";
  for (const bool dense : {true, false}) {
    EXPECT_TRUE(read_within_memory_limit(
        [&] {
          PipeBuffer pipe(bytes);
          std::istream in(&pipe);
          if (dense) {
            io::read_matrix_market_dense<float>(in, "<stdin>");
          } else {
            io::read_matrix_market_csr<float, std::int64_t>(in, "<stdin>");
          }
        },
        {"<stdin>:4: ", "end of file after 2 of the 10000000000 values"}));
  }
  // 160 GB: beyond the limit, refused at the size line.
  const std::string huge = std::string(kArrayBanner) + "200000 200000\n1\n";
  EXPECT_TRUE(read_within_memory_limit(
      [&] {
        PipeBuffer pipe(huge);
        std::istream in(&pipe);
        io::read_matrix_market_dense<float>(in, "<stdin>");
      },
      {"<stdin>:2: ", "CUNMF_MAX_INPUT_BYTES"}));
}

TEST(HostileMatrixMarket, CoordinateStreamGrowsWithTheData) {
  const std::string bytes = std::string(kCoordinateBanner) + "10 10 4000000000\n1 1 1\n";
  EXPECT_TRUE(read_within_memory_limit(
      [&] {
        PipeBuffer pipe(bytes);
        std::istream in(&pipe);
        io::read_matrix_market_csr<double, std::int64_t>(in, "<stdin>");
      },
      {"<stdin>:3: ", "end of file after 1 of the 4000000000 entries"}));
}

// ---------------------------------------------------------------------------------------------
// The limit, and valid files

TEST(InputLimit, EnvironmentVariableBoundsEveryAllocation) {
  const std::string npy = data_path("npy/c_f8.npy");  // 3 x 4 doubles: 96 bytes of data
  EXPECT_TRUE(read_within_memory_limit(
      [&] {
        setenv("CUNMF_MAX_INPUT_BYTES", "64", 1);
        io::read_npy<double>(npy);
      },
      {npy + ": byte ", "96 bytes", "CUNMF_MAX_INPUT_BYTES (64 bytes)"}));
  const std::string mtx = data_path("matrix_market/array_real_general.mtx");
  EXPECT_TRUE(read_within_memory_limit(
      [&] {
        setenv("CUNMF_MAX_INPUT_BYTES", "8", 1);
        io::read_matrix_market_dense<double>(mtx);
      },
      {mtx + ":", "CUNMF_MAX_INPUT_BYTES (8 bytes)"}));
  EXPECT_TRUE(read_within_memory_limit(
      [&] {
        setenv("CUNMF_MAX_INPUT_BYTES", "1K", 1);
        io::read_npy<double>(npy);
      },
      {}));
  EXPECT_TRUE(read_within_memory_limit(
      [&] {
        setenv("CUNMF_MAX_INPUT_BYTES", "lots", 1);
        io::read_npy<double>(npy);
      },
      {npy + ": ", "CUNMF_MAX_INPUT_BYTES='lots' is not a byte count"}));
}

TEST(InputLimit, HypersparseFilesWithinTheAllowanceStillRead) {
  // A million rows with one entry: 8 MB of row pointers, within the fixed allowance.
  ScratchDir dir;
  const std::string path = dir.file("tall.mtx");
  write_file(path, std::string(kCoordinateBanner) + "1000000 1 1\n1000000 1 2.5\n");
  EXPECT_TRUE(read_within_memory_limit(
      [&] {
        const auto A = io::read_matrix_market_csr<float, std::int64_t>(path);
        if (A.rows != 1000000 || A.values.size() != 1) std::abort();
      },
      {}));
}

TEST(InputLimit, ValidFilesReadTheSameFromPathsAndPipesUnderTheMemoryLimit) {
  EXPECT_TRUE(read_within_memory_limit(
      [] {
        for (const auto& entry : std::filesystem::directory_iterator(data_path("matrix_market"))) {
          const std::string path = entry.path().string();
          const std::string bytes = file_bytes(path);
          PipeBuffer dense_pipe(bytes), csr_pipe(bytes);
          std::istream dense_in(&dense_pipe), csr_in(&csr_pipe);
          if (!bitwise_equal(io::read_matrix_market_dense<double>(path),
                             io::read_matrix_market_dense<double>(dense_in, "<stdin>")) ||
              !bitwise_equal(io::read_matrix_market_csr<float>(path),
                             io::read_matrix_market_csr<float>(csr_in, "<stdin>"))) {
            throw std::runtime_error(path + " reads differently from a pipe");
          }
        }
        for (const auto& entry : std::filesystem::directory_iterator(data_path("npy"))) {
          const std::string path = entry.path().string();
          if (!bitwise_equal(io::read_npy<double>(path),
                             read_npy_from_pipe<double>(file_bytes(path)))) {
            throw std::runtime_error(path + " reads differently from a pipe");
          }
        }
      },
      {}));
}

TEST(InputLimit, LargeStreamsReadAcrossChunks) {
  // More than one read chunk of each format, from a pipe: 700 x 500 doubles (2.8 MB).
  DenseMatrix<double> A(700, 500);
  for (std::int64_t k = 0; k < A.size(); ++k) A.data()[k] = 0.5 * static_cast<double>(k % 1000);
  std::ostringstream npy, mtx;
  io::write_npy(npy, "npy", A.view());
  io::write_matrix_market(mtx, "mtx", A.view());
  EXPECT_TRUE(bitwise_equal(read_npy_from_pipe<double>(npy.str()), A));
  PipeBuffer pipe(mtx.str());
  std::istream in(&pipe);
  EXPECT_TRUE(bitwise_equal(io::read_matrix_market_dense<double>(in, "<stdin>"), A));
}

}  // namespace
}  // namespace cunmf::test
