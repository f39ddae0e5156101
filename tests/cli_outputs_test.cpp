// Tests of the output files of `cunmf factorize`: checked before the run (two outputs that are
// the same file, or an output that is an input: exit 2; a folder that is missing or takes no new
// file: exit 3) and written all or nothing (a failed write leaves no output of the run, and no
// temporary file). Also OutputTransaction (src/cli/output_files.hpp) itself, for a failed rename.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli/output_files.hpp"
#include "cli_test_support.hpp"
#include "cunmf/cunmf.hpp"
#include "test_support.hpp"

namespace cunmf::test {
namespace {

namespace fs = std::filesystem;

constexpr int kUsage = 2;
constexpr int kIo = 3;

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

/// `cunmf factorize INPUT -k 3 --out-w W --out-h H` and `extra`, on the CPU.
std::vector<std::string> factorize_args(const std::string& input, const std::string& w,
                                        const std::string& h,
                                        const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"factorize", input,     "-k", "3",       "--backend",
                                   "cpu",       "--out-w", w,    "--out-h", h};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

TEST(CliOutputs, OutputsThatAreTheSameFileAreAUsageError) {
  Scratch dir;
  fs::create_directories(dir.file("sub"));
  write_text(dir.file("w.npy"), "old W");
  fs::create_symlink(dir.file("w.npy"), dir.file("link.npy"));
  fs::create_hard_link(dir.file("w.npy"), dir.file("hard.npy"));
  // X does not exist: the outputs are checked first, before X is read.
  const std::string X = dir.file("absent.npy");
  const std::string w = dir.file("w.npy");
  EXPECT_TRUE(is_error(dir.run(factorize_args(X, w, w)), kUsage, {"--out-w", "--out-h", "same"}));
  EXPECT_TRUE(is_error(dir.run(factorize_args(X, w, dir.file("sub/../w.npy"))), kUsage,
                       {"--out-w", "--out-h", "same"}));
  EXPECT_TRUE(
      is_error(dir.run(factorize_args(X, dir.file("link.npy"), w)), kUsage, {"link.npy", "same"}));
  EXPECT_TRUE(
      is_error(dir.run(factorize_args(X, w, dir.file("hard.npy"))), kUsage, {"hard.npy", "same"}));
  EXPECT_TRUE(is_error(dir.run(factorize_args(X, dir.file("w.csv"), dir.file("h.mtx"),
                                              {"--summary", dir.file("./h.mtx")})),
                       kUsage, {"--out-h", "--summary", "same"}));
  EXPECT_EQ(read_file(dir.file("w.npy")), "old W");
  EXPECT_EQ(dir.names(), (std::vector<std::string>{"hard.npy", "link.npy", "sub", "w.npy"}));
}

TEST(CliOutputs, AnOutputThatIsAnInputIsAUsageError) {
  Scratch dir;
  io::write_npy(dir.file("x.npy"), planted_input().view());
  io::write_npy(dir.file("w0.npy"), random_matrix<double>(40, 3, 31, 0.1, 1.0).view());
  io::write_npy(dir.file("h0.npy"), random_matrix<double>(3, 30, 32, 0.1, 1.0).view());
  fs::create_symlink(dir.file("x.npy"), dir.file("x-link.npy"));
  fs::create_hard_link(dir.file("x.npy"), dir.file("x-hard.npy"));
  const std::string x_bytes = read_file(dir.file("x.npy"));
  const std::string X = dir.file("x.npy");
  const std::string h = dir.file("h.npy");
  for (const std::string& w :
       {X, dir.file("./x.npy"), dir.file("x-link.npy"), dir.file("x-hard.npy")}) {
    SCOPED_TRACE(w);
    EXPECT_TRUE(is_error(dir.run(factorize_args(X, w, h)), kUsage, {"--out-w", "INPUT", "input"}));
  }
  // The input given through a link is still the input.
  EXPECT_TRUE(is_error(
      dir.run(factorize_args(dir.file("x-link.npy"), dir.file("w.npy"), h, {"--summary", X})),
      kUsage, {"--summary", "INPUT"}));
  EXPECT_TRUE(is_error(dir.run(factorize_args(X, dir.file("w.npy"), dir.file("w0.npy"),
                                              {"--init", "custom", "--init-w", dir.file("w0.npy"),
                                               "--init-h", dir.file("h0.npy")})),
                       kUsage, {"--out-h", "--init-w"}));
  EXPECT_EQ(read_file(dir.file("x.npy")), x_bytes);
  EXPECT_FALSE(fs::exists(dir.file("w.npy")));
  EXPECT_FALSE(fs::exists(h));
}

TEST(CliOutputs, UnwritableOutputIsAnIoErrorBeforeTheRun) {
  Scratch dir;
  write_text(dir.file("file"), "");
  fs::create_directories(dir.file("h.npy"));
  // X does not exist: an error about it would mean the outputs were not checked first.
  const std::string X = dir.file("absent.npy");
  const std::string h = dir.file("h2.npy");
  ChildRun r = dir.run(factorize_args(X, dir.file("no-such-folder/w.npy"), h));
  EXPECT_TRUE(is_error(r, kIo, {"--out-w", "no-such-folder", "does not exist"}));
  r = dir.run(factorize_args(X, dir.file("file/w.npy"), h));
  EXPECT_TRUE(is_error(r, kIo, {"--out-w", "is not a folder"}));
  r = dir.run(factorize_args(X, dir.file("w.npy"), dir.file("h.npy")));
  EXPECT_TRUE(is_error(r, kIo, {"--out-h", "h.npy", "is a folder"}));
  r = dir.run(factorize_args(X, dir.file("w.npy"), h, {"--summary", dir.file("none/s.json")}));
  EXPECT_TRUE(is_error(r, kIo, {"--summary", "none"}));
  // A folder that takes no new file: /proc refuses even root; a read-only folder refuses others.
  if (fs::is_directory("/proc")) {
    r = dir.run(factorize_args(X, "/proc/cunmf-test-w.npy", h));
    EXPECT_TRUE(is_error(r, kIo, {"--out-w", "cannot create a file in folder '/proc'"}));
  }
  if (::geteuid() != 0) {
    fs::create_directories(dir.file("read-only"));
    fs::permissions(dir.file("read-only"), fs::perms::owner_read | fs::perms::owner_exec);
    r = dir.run(factorize_args(X, dir.file("read-only/w.npy"), h));
    fs::permissions(dir.file("read-only"), fs::perms::owner_all);
    EXPECT_TRUE(is_error(r, kIo, {"--out-w", "cannot create a file", "read-only"}));
  }
  EXPECT_EQ(r.err.find("absent.npy"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir.file("w.npy")));
  EXPECT_FALSE(fs::exists(h));
}

// The shell runs the command with a file size limit of 16 blocks (8 KiB for dash's 512-byte
// blocks, 16 KiB for bash's KiB) and SIGXFSZ ignored, so that a write past it fails with EFBIG:
// a file of 64 KiB or more fails to be written, one of 1 KiB or less is written.
constexpr const char* kFileSizeLimit = "trap '' XFSZ; ulimit -f 16; ";

TEST(CliOutputs, FailedWriteOfHLeavesNoOutput) {
  Scratch dir;
  // W is 4 × 1 (160 bytes as .npy), H is 1 × 10000 (80 KB).
  io::write_npy(dir.file("x.npy"), planted_matrix<double>(4, 10000, 1, 0.0, 3).view());
  write_text(dir.file("w.npy"), "W of an earlier run");
  const ChildRun r = dir.run(
      {"factorize", dir.file("x.npy"), "-k", "1", "--backend", "cpu", "--max-iter", "5", "--out-w",
       dir.file("w.npy"), "--out-h", dir.file("h.npy"), "--summary", dir.file("s.json")},
      "", kFileSizeLimit);
  EXPECT_TRUE(is_error(r, kIo, {"--out-h", "h.npy"}));
  // The earlier W is untouched; no new file, temporary or not, is left.
  EXPECT_EQ(read_file(dir.file("w.npy")), "W of an earlier run");
  EXPECT_EQ(dir.names(), (std::vector<std::string>{"w.npy", "x.npy"}));
}

TEST(CliOutputs, FailedWriteOfTheSummaryLeavesNoOutput) {
  Scratch dir;
  // W and H are 6 × 1 and 1 × 5; the summary holds 3001 losses (about 70 KB).
  io::write_npy(dir.file("x.npy"), planted_matrix<double>(6, 5, 1, 0.0, 3).view());
  const ChildRun r =
      dir.run({"factorize", dir.file("x.npy"), "-k", "1", "--backend", "cpu", "--max-iter", "3000",
               "--tol", "0", "--check-every", "1", "--out-w", dir.file("w.npy"), "--out-h",
               dir.file("h.csv"), "--summary", dir.file("s.json")},
              "", kFileSizeLimit);
  EXPECT_TRUE(is_error(r, kIo, {"--summary", "s.json"}));
  EXPECT_EQ(dir.names(), std::vector<std::string>{"x.npy"});
}

TEST(CliOutputs, SuccessLeavesExactlyTheOutputsAndWritesThroughALink) {
  Scratch dir;
  io::write_npy(dir.file("x.npy"), planted_input().view());
  write_text(dir.file("w-target.npy"), "old W");
  fs::create_symlink(dir.file("w-target.npy"), dir.file("w.npy"));
  for (int run = 0; run < 2; ++run) {  // the second run replaces the outputs of the first
    const ChildRun r =
        dir.run(factorize_args(dir.file("x.npy"), dir.file("w.npy"), dir.file("h.npy"),
                               {"--summary", dir.file("s.json")}));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  EXPECT_EQ(dir.names(),
            (std::vector<std::string>{"h.npy", "s.json", "w-target.npy", "w.npy", "x.npy"}));
  EXPECT_TRUE(fs::is_symlink(dir.file("w.npy")));
  EXPECT_EQ(io::read_npy<double>(dir.file("w-target.npy")).cols(), 3);
}

TEST(OutputTransaction, FailedRenameRemovesTheOutputsAlreadyInPlace) {
  Scratch dir;
  const auto write_text_to = [](const std::string& text) {
    return [text](const std::string& path) { write_text(path, text); };
  };
  {
    cli::OutputTransaction outputs;
    outputs.write({"--out-w", dir.file("w.txt")}, write_text_to("W"));
    outputs.write({"--out-h", dir.file("h.txt")}, write_text_to("H"));
    fs::create_directories(dir.file("h.txt/inside"));  // a folder that is not empty: no rename
    EXPECT_THROW(outputs.commit(), IoError);
  }
  EXPECT_EQ(dir.names(), std::vector<std::string>{"h.txt"});  // W was renamed, then removed
  {
    cli::OutputTransaction outputs;
    outputs.write({"--out-w", dir.file("w.txt")}, write_text_to("W"));
    // Not committed: the destructor removes the temporary.
  }
  EXPECT_EQ(dir.names(), std::vector<std::string>{"h.txt"});
  fs::remove_all(dir.file("h.txt"));
  {
    cli::OutputTransaction outputs;
    outputs.write({"--out-w", dir.file("w.txt")}, write_text_to("W"));
    outputs.write({"--out-h", dir.file("h.txt")}, write_text_to("H"));
    outputs.commit();
  }
  EXPECT_EQ(dir.names(), (std::vector<std::string>{"h.txt", "w.txt"}));
  EXPECT_EQ(read_file(dir.file("w.txt")), "W");
}

}  // namespace
}  // namespace cunmf::test
