// `cunmf factorize --checkpoint FILE --checkpoint-every N` and `--resume FILE`: a run killed with
// SIGKILL wherever it is, then resumed from its last checkpoint, writes the W and H of the
// uninterrupted run, byte for byte; and the flags' usage errors.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "cli_test_support.hpp"
#include "cunmf/cunmf.hpp"
#include "test_support.hpp"

namespace cunmf::test {
namespace {

namespace fs = std::filesystem;

constexpr int kUsage = 2;
constexpr int kIo = 3;

/// `cunmf factorize X -k 4` on the CPU for exactly `iterations` iterations, writing W and H to
/// `tag`-w.npy and `tag`-h.npy, and `extra`.
std::vector<std::string> run_args(const Scratch& dir, const std::string& tag, int iterations,
                                  const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"factorize", dir.file("x.npy"), "-k", "4", "--backend", "cpu",
                                   "--tol", "0", "--max-iter", std::to_string(iterations),
                                   "--out-w", dir.file(tag + "-w.npy"), "--out-h",
                                   dir.file(tag + "-h.npy"), "-q"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

TEST(CliCheckpoint, KilledRunResumesToTheUninterruptedResult) {
  Scratch dir;
  io::write_npy(dir.file("x.npy"), planted_matrix<float>(200, 150, 4, 0.05, 41).view());
  constexpr int kIterations = 800;
  ASSERT_EQ(dir.run(run_args(dir, "whole", kIterations)).exit_code, 0);

  // Start the run in the background, kill it (SIGKILL: no handler, no cleanup) once the first
  // checkpoint exists; wherever it was, resuming must reach the same result.
  const std::vector<std::string> checkpointing = {"--checkpoint", dir.file("c.npz"),
                                                  "--checkpoint-every", "20"};
  std::string command = shell_quote(CUNMF_CLI_PATH);
  for (const std::string& arg : run_args(dir, "killed", kIterations, checkpointing)) {
    command += " " + shell_quote(arg);
  }
  const std::string checkpoint = shell_quote(dir.file("c.npz"));
  command = command + " & pid=$!; while [ ! -f " + checkpoint +
            " ] && kill -0 $pid 2>/dev/null; do sleep 0.005; done; kill -KILL $pid 2>/dev/null;"
            " wait $pid 2>/dev/null; true";
  ASSERT_EQ(std::system(("sh -c " + shell_quote(command)).c_str()), 0);
  ASSERT_TRUE(fs::exists(dir.file("c.npz")));
  const int saved = io::read_checkpoint<float>(dir.file("c.npz")).iterations;
  EXPECT_GE(saved, 20);
  EXPECT_LT(saved, kIterations);

  std::vector<std::string> resuming = checkpointing;
  resuming.insert(resuming.end(), {"--resume", dir.file("c.npz")});
  const ChildRun resumed = dir.run(run_args(dir, "resumed", kIterations, resuming));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(read_file(dir.file("resumed-w.npy")), read_file(dir.file("whole-w.npy")));
  EXPECT_EQ(read_file(dir.file("resumed-h.npy")), read_file(dir.file("whole-h.npy")));
}

TEST(CliCheckpoint, FlagsAreCheckedBeforeTheRun) {
  Scratch dir;
  io::write_npy(dir.file("x.npy"), planted_matrix<float>(20, 15, 2, 0.05, 42).view());
  const std::string c = dir.file("c.npz");
  EXPECT_TRUE(is_error(dir.run(run_args(dir, "a", 10, {"--checkpoint", c})), kUsage,
                       {"--checkpoint-every", "together"}));
  EXPECT_TRUE(is_error(dir.run(run_args(dir, "a", 10, {"--checkpoint", dir.file("c.npy"),
                                                       "--checkpoint-every", "5"})),
                       kUsage, {"c.npy", ".npz"}));
  EXPECT_TRUE(is_error(dir.run(run_args(dir, "a", 10, {"--checkpoint-every", "0"})), kUsage,
                       {"--checkpoint-every"}));
  EXPECT_TRUE(is_error(dir.run(run_args(dir, "a", 10,
                                        {"--resume", c, "--init", "custom", "--init-w",
                                         dir.file("x.npy"), "--init-h", dir.file("x.npy")})),
                       kUsage, {"--resume", "--init custom"}));
  EXPECT_TRUE(is_error(dir.run(run_args(dir, "a", 10, {"--checkpoint", dir.file("a-w.npy"),
                                                       "--checkpoint-every", "5"})),
                       kUsage, {".npz"}));
  EXPECT_TRUE(is_error(dir.run(run_args(dir, "a", 10, {"--resume", dir.file("none.npz")})), kIo,
                       {"none.npz"}));
  // A checkpoint from a run of another rank does not fit.
  ASSERT_EQ(dir.run(run_args(dir, "b", 10, {"--checkpoint", c, "--checkpoint-every", "5"}))
                .exit_code,
            0);
  std::vector<std::string> other_rank = run_args(dir, "c", 10, {"--resume", c});
  other_rank[3] = "3";
  EXPECT_TRUE(is_error(dir.run(other_rank), kUsage, {"checkpoint's W"}));
  EXPECT_FALSE(fs::exists(dir.file("a-w.npy")));
  EXPECT_FALSE(fs::exists(dir.file("c-w.npy")));
}

}  // namespace
}  // namespace cunmf::test
