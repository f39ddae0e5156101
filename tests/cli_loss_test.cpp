// The β-divergence from the command line (README "Command line"): `--loss beta --beta B` and
// `--loss is` run the β-divergence's multiplicative updates and report them; its domain and its
// solver are checked before anything is written.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "cli_test_support.hpp"
#include "cunmf/cunmf.hpp"
#include "test_support.hpp"

namespace cunmf::test {
namespace {

constexpr int kUsage = 2;  // README's exit code for invalid input or arguments

// --loss beta --beta 0.5: exit 0, reported in words and in the summary, whose final loss is the
// β-divergence of the factors written (every digit printed, float64).
TEST(CliLoss, BetaDivergenceRunsAndIsReported) {
  Scratch dir;
  const DenseMatrix<double> X = planted_input();
  io::write_npy(dir.file("x.npy"), X.view());
  const ChildRun r = dir.run({"factorize",  dir.file("x.npy"),
                              "-k",         "3",
                              "--backend",  "cpu",
                              "--loss",     "beta",
                              "--beta",     "0.5",
                              "--dtype",    "float64",
                              "--max-iter", "400",
                              "--tol",      "0",
                              "--out-w",    dir.file("w.npy"),
                              "--out-h",    dir.file("h.npy"),
                              "--summary",  dir.file("s.json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(
      contains_all(r.out, {"beta-divergence (beta = 0.5), multiplicative updates, float64"}))
      << r.out;
  const std::string json = read_file(dir.file("s.json"));
  EXPECT_EQ(json_value(json, "loss"), "\"beta\"");
  EXPECT_EQ(std::stod(json_value(json, "beta")), 0.5);
  const DenseMatrix<double> W = io::read_npy<double>(dir.file("w.npy"));
  const DenseMatrix<double> H = io::read_npy<double>(dir.file("h.npy"));
  const double divergence = beta_divergence(X.view(), W.view(), H.view(), 0.5);
  EXPECT_NEAR(std::stod(json_value(json, "final_loss")), divergence, 1e-12 * divergence);
  EXPECT_LT(reconstruction_error(X.view(), W.view(), H.view()), 0.05);
}

// --loss is on an X with a zero: the place of the zero, and why; --loss beta with cd: the solver
// that takes it. Exit 2, nothing written.
TEST(CliLoss, DomainAndSolverErrors) {
  Scratch dir;
  DenseMatrix<double> X = planted_input();
  for (std::int64_t i = 0; i < X.size(); ++i) X.data()[i] += 0.1;
  X(4, 7) = 0.0;
  io::write_npy(dir.file("x.npy"), X.view());
  const auto run = [&](std::initializer_list<std::string> extra) {
    std::vector<std::string> args = {"factorize", dir.file("x.npy"), "-k",      "3",
                                     "--out-w",   dir.file("w.npy"), "--out-h", dir.file("h.npy")};
    args.insert(args.end(), extra);
    return dir.run(args);
  };
  EXPECT_TRUE(is_error(run({"--loss", "is"}), kUsage,
                       {"zero at (row 4, column 7)", "Itakura-Saito", "beta > 0"}));
  EXPECT_TRUE(is_error(run({"--loss", "beta", "--beta", "-1"}), kUsage, {"beta = -1"}));
  EXPECT_TRUE(is_error(run({"--loss", "beta", "--beta", "1.5", "--solver", "cd"}), kUsage,
                       {"multiplicative-update"}));
  EXPECT_FALSE(std::filesystem::exists(dir.file("w.npy")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("h.npy")));
  // β = 2 is the Frobenius loss, which cd takes.
  EXPECT_EQ(run({"--loss", "beta", "--beta", "2", "--solver", "cd", "--max-iter", "5"}).exit_code,
            0);
}

}  // namespace
}  // namespace cunmf::test
