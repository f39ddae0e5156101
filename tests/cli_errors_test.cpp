// Tests of the errors of the `cunmf` command and of its exit codes (README "Command line"): 2 for
// invalid input or arguments (invalid matrix entries and out-of-range numbers included), 3 for an
// I/O problem, 5 for a device problem; each is one "cunmf: " line on standard error.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "cli_test_support.hpp"
#include "cunmf/cunmf.hpp"
#include "test_support.hpp"

namespace cunmf::test {
namespace {

/// The exit codes of the README's table.
constexpr int kUsage = 2;
constexpr int kIo = 3;
constexpr int kNumerical = 4;
constexpr int kDevice = 5;

TEST(CliErrors, UnknownFlagIsAUsageError) {
  Scratch dir;
  io::write_npy(dir.file("x.npy"), planted_input().view());
  EXPECT_TRUE(is_error(dir.run({"factorize", dir.file("x.npy"), "-k", "3", "--out-w",
                                dir.file("w.npy"), "--out-h", dir.file("h.npy"), "--bogus"}),
                       kUsage, {"--bogus"}));
  EXPECT_TRUE(is_error(dir.run({"frobnicate"}), kUsage, {"frobnicate", "factorize"}));
  EXPECT_TRUE(is_error(dir.run({}), kUsage, {"subcommand"}));
  EXPECT_FALSE(std::filesystem::exists(dir.file("w.npy")));
}

TEST(CliErrors, BadValuesAreUsageErrors) {
  Scratch dir;
  io::write_npy(dir.file("x.npy"), planted_input().view());
  const std::vector<std::string> base = {"factorize",       dir.file("x.npy"), "--out-w",
                                         dir.file("w.npy"), "--out-h",         dir.file("h.npy")};
  auto with = [&](std::initializer_list<std::string> extra) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra);
    return dir.run(args);
  };
  EXPECT_TRUE(is_error(with({"-k", "0"}), kUsage, {"--rank", "0"}));
  EXPECT_TRUE(is_error(with({"-k", "three"}), kUsage, {"--rank", "three"}));
  // Above min(m, n) = 30: the library's InvalidArgument.
  EXPECT_TRUE(is_error(with({"-k", "31"}), kUsage, {"rank 31"}));
  EXPECT_TRUE(is_error(with({"-k", "3", "--tol", "-1"}), kUsage, {"--tol"}));
  EXPECT_TRUE(is_error(with({"-k", "3", "--loss", "l1"}), kUsage, {"--loss", "l1"}));
  EXPECT_TRUE(is_error(with({"-k", "3", "--solver", "sgd"}), kUsage, {"--solver", "sgd"}));
  // als, pgd and anls-bpp minimize the Frobenius loss only: the library's InvalidArgument, naming
  // the solvers that support KL.
  EXPECT_TRUE(is_error(with({"-k", "3", "--solver", "als", "--loss", "kl"}), kUsage,
                       {"Kullback-Leibler", "(mu)", "(cd)"}));
  EXPECT_TRUE(is_error(with({"-k", "3", "--solver", "pgd", "--loss", "kl"}), kUsage,
                       {"Kullback-Leibler", "(mu)", "(cd)"}));
  EXPECT_TRUE(is_error(with({"-k", "3", "--solver", "anls-bpp", "--loss", "kl"}), kUsage,
                       {"Kullback-Leibler", "(mu)", "(cd)", "(anls-bpp)"}));
  EXPECT_TRUE(is_error(with({"-k", "3", "--dtype", "float16"}), kUsage, {"--dtype"}));
  EXPECT_TRUE(
      is_error(with({"-k", "3", "--quiet", "--progress"}), kUsage, {"--quiet", "--progress"}));
  EXPECT_TRUE(is_error(dir.run({"factorize", dir.file("x.npy"), "-k", "3", "--out-w",
                                dir.file("w.txt"), "--out-h", dir.file("h.npy")}),
                       kUsage, {"--out-w", "w.txt"}));
  EXPECT_TRUE(
      is_error(dir.run({"factorize", dir.file("x.npy"), "-k", "3", "--out-w", dir.file("w.npy")}),
               kUsage, {"--out-h"}));
  EXPECT_FALSE(std::filesystem::exists(dir.file("w.npy")));
}

TEST(CliErrors, NumericArgumentsAreRangeChecked) {
  Scratch dir;
  io::write_npy(dir.file("x.npy"), planted_input().view());
  const std::vector<std::string> base = {
      "factorize",       dir.file("x.npy"), "--out-w", dir.file("w.npy"), "--out-h",
      dir.file("h.npy"), "--max-iter",      "0",       "--backend",       "cpu"};
  // Each value once wrapped around (the seed), overflowed the option's type, or was out of range.
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"--seed", "-1"},
      {"--seed", "18446744073709551616"},
      {"--seed", "99999999999999999999999"},
      {"--seed", "+5"},
      {"--seed", "0x10"},
      {"--seed", "1.5"},
      {"--rank", "-3"},
      {"--rank", "9223372036854775808"},
      {"--max-iter", "-1"},
      {"--max-iter", "2147483648"},
      {"--check-every", "0"},
      {"--check-every", "4294967297"},
      {"--tol", "-1"},
      {"--tol", "nan"},
      {"--tol", "inf"},
      {"--device", "-1"},
      {"--device", "2147483648"},
  };
  for (const auto& [flag, value] : refused) {
    SCOPED_TRACE(flag + " " + value);
    std::vector<std::string> args = base;
    if (flag != "--rank") args.insert(args.end(), {"-k", "3"});
    args.insert(args.end(), {flag, value});
    EXPECT_TRUE(is_error(dir.run(args), kUsage, {flag, value}));
  }
  EXPECT_FALSE(std::filesystem::exists(dir.file("w.npy")));
  // The largest seed is a seed.
  std::vector<std::string> args = base;
  args.insert(args.end(), {"-k", "3", "--seed", "18446744073709551615", "--quiet"});
  const ChildRun r = dir.run(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(CliErrors, InvalidEntriesAreInvalidInputNamingThePlace) {
  Scratch dir;
  {
    std::ofstream out(dir.file("negative.csv"));
    out << "1,2\n3,-4\n";
  }
  {
    std::ofstream out(dir.file("infinite.mtx"));
    out << "%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 1.0\n2 2 inf\n";
  }
  DenseMatrix<double> with_nan(2, 2);
  with_nan(0, 0) = 1.0;
  with_nan(1, 0) = std::numeric_limits<double>::quiet_NaN();
  io::write_npy(dir.file("nan.npy"), with_nan.view());
  const std::vector<std::string> outputs = {"--out-w", dir.file("w.npy"), "--out-h",
                                            dir.file("h.npy")};
  auto factorize = [&](const std::string& input, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"factorize", input, "-k", "1"};
    args.insert(args.end(), outputs.begin(), outputs.end());
    args.insert(args.end(), extra.begin(), extra.end());
    return dir.run(args, input == "-" ? dir.file("negative.csv") : "");
  };
  EXPECT_TRUE(is_error(factorize(dir.file("negative.csv")), kUsage, {"negative.csv:2", "-4"}));
  EXPECT_TRUE(is_error(factorize("-", {"--format", "csv"}), kUsage, {"<stdin>", "-4"}));
  EXPECT_TRUE(
      is_error(factorize(dir.file("infinite.mtx")), kUsage, {"infinite.mtx:4", "infinite value"}));
  EXPECT_TRUE(is_error(factorize(dir.file("nan.npy")), kUsage, {"nan.npy", "(1, 0)", "NaN"}));
  // An initial factor is checked as X is.
  io::write_npy(dir.file("x.npy"), planted_input().view());
  io::write_npy(dir.file("h0.npy"), random_matrix<double>(1, 30, 7, 0.1, 1.0).view());
  EXPECT_TRUE(is_error(
      factorize(dir.file("x.npy"), {"--init", "custom", "--init-w", dir.file("negative.csv"),
                                    "--init-h", dir.file("h0.npy")}),
      kUsage, {"negative.csv:2"}));
  EXPECT_FALSE(std::filesystem::exists(dir.file("w.npy")));
}

TEST(CliErrors, MissingOrMalformedFileIsAnIoErrorNamingThePlace) {
  Scratch dir;
  EXPECT_TRUE(is_error(dir.run({"factorize", dir.file("absent.npy"), "-k", "3", "--out-w",
                                dir.file("w.npy"), "--out-h", dir.file("h.npy")}),
                       kIo, {"absent.npy"}));
  {
    std::ofstream out(dir.file("bad.mtx"));
    out << "%%MatrixMarket matrix coordinate real general\n3 3 3\n1 1 1.0\n2 2 oops\n3 3 1.0\n";
  }
  EXPECT_TRUE(is_error(dir.run({"factorize", dir.file("bad.mtx"), "-k", "1", "--out-w",
                                dir.file("w.npy"), "--out-h", dir.file("h.npy")}),
                       kIo, {"bad.mtx:4"}));
  EXPECT_FALSE(std::filesystem::exists(dir.file("w.npy")));
}

TEST(CliErrors, CudaBackendWithoutADeviceIsADeviceError) {
  if (cuda_available()) GTEST_SKIP() << "a CUDA device is available: nothing to refuse";
  Scratch dir;
  io::write_npy(dir.file("x.npy"), planted_input().view());
  EXPECT_TRUE(is_error(dir.run({"factorize", dir.file("x.npy"), "-k", "3", "--backend", "cuda",
                                "--out-w", dir.file("w.npy"), "--out-h", dir.file("h.npy")}),
                       kDevice, {"CUDA"}));
  EXPECT_FALSE(std::filesystem::exists(dir.file("w.npy")));
}

// A run whose loss overflows (W0 at the top of float's range) exits 4, naming the iteration, and
// writes nothing.
TEST(CliErrors, NonFiniteLossIsANumericalError) {
  Scratch dir;
  io::write_npy(dir.file("x.npy"), random_matrix<float>(10, 8, 4, 0.5, 1.0).view());
  DenseMatrix<float> w0 = random_matrix<float>(10, 1, 5, 0.5, 1.0);
  for (std::int64_t i = 0; i < w0.size(); ++i) w0.data()[i] *= 3e38f;
  io::write_npy(dir.file("w0.npy"), w0.view());
  io::write_npy(dir.file("h0.npy"),
                random_matrix<float>(1, 8, 6, 1.5, 2.0).view());  // W·H > FLT_MAX
  EXPECT_TRUE(
      is_error(dir.run({"factorize", dir.file("x.npy"), "-k", "1", "--init", "custom", "--init-w",
                        dir.file("w0.npy"), "--init-h", dir.file("h0.npy"), "--backend", "cpu",
                        "--out-w", dir.file("w.npy"), "--out-h", dir.file("h.npy")}),
               kNumerical, {"iteration 0", "infinite"}));
  EXPECT_FALSE(std::filesystem::exists(dir.file("w.npy")));
}

}  // namespace
}  // namespace cunmf::test
