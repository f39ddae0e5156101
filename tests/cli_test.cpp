// Tests of the `cunmf` command: the built executable (CUNMF_CLI_PATH) runs as a child process on
// small files written to a scratch folder; its exit code, standard output, standard error and
// output files are checked. The factors are read back with cunmf::io and their reconstruction
// error is computed here with plain loops.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "cli_test_support.hpp"
#include "cunmf/cunmf.hpp"
#include "test_support.hpp"

namespace cunmf::test {
namespace {

/// A factor written by the command, read back by its extension (.npy, .csv or .mtx).
DenseMatrix<double> read_back(const std::string& path) {
  const std::string ext = std::filesystem::path(path).extension().string();
  if (ext == ".npy") return io::read_npy<double>(path);
  if (ext == ".csv") return io::read_csv<double>(path);
  return io::read_matrix_market_dense<double>(path);
}

// A rank-3 matrix factorized at rank 3 for 400 iterations: MU brings the relative error well
// below 5% (about 1e-2 here); the bound only guards against factors that do not fit X at all.
constexpr double kFitBound = 0.05;

// Each solver: mu (the default), als, pgd and anls-bpp.
TEST(CliFactorize, DenseNpyFactorsReconstructTheInput) {
  Scratch dir;
  const DenseMatrix<double> X = planted_input();
  io::write_npy(dir.file("x.npy"), X.view());
  const std::pair<const char*, const char*> solvers[] = {
      {"mu", "frobenius, multiplicative updates"},
      {"als", "frobenius, alternating least squares"},
      {"pgd", "frobenius, projected gradient"},
      {"anls-bpp", "frobenius, non-negative least squares by block principal pivoting"}};
  for (const auto& [solver, description] : solvers) {
    SCOPED_TRACE(solver);
    const ChildRun r = dir.run({"factorize", dir.file("x.npy"), "-k", "3", "--solver", solver,
                                "--backend", "cpu", "--max-iter", "400", "--tol", "0", "--out-w",
                                dir.file("w.npy"), "--out-h", dir.file("h.npy")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(r.err.empty()) << "stderr is not a terminal: no progress expected, got " << r.err;
    const DenseMatrix<double> W = io::read_npy<double>(dir.file("w.npy"));
    const DenseMatrix<double> H = io::read_npy<double>(dir.file("h.npy"));
    ASSERT_EQ(W.rows(), 40);
    ASSERT_EQ(W.cols(), 3);
    ASSERT_EQ(H.rows(), 3);
    ASSERT_EQ(H.cols(), 30);
    EXPECT_TRUE(all_finite_nonnegative(W.view()));
    EXPECT_TRUE(all_finite_nonnegative(H.view()));
    EXPECT_LT(reconstruction_error(X.view(), W.view(), H.view()), kFitBound);
    EXPECT_TRUE(
        contains_all(r.out, {description, "iterations          400", "converged: no", "final loss",
                             "relative error", "explained variance", "/iteration",
                             "backend             cpu", "gpu                 none"}));
  }
}

TEST(CliFactorize, SummaryJsonHasEveryKeyAndMatchesTheFiles) {
  Scratch dir;
  const DenseMatrix<double> X = planted_input();
  io::write_npy(dir.file("x.npy"), X.view());
  const ChildRun r = dir.run({"factorize",
                              dir.file("x.npy"),
                              "-k",
                              "3",
                              "--backend",
                              "cpu",
                              "--max-iter",
                              "200",
                              "--tol",
                              "0",
                              "--check-every",
                              "50",
                              "--dtype",
                              "float64",
                              "--out-w",
                              dir.file("w.npy"),
                              "--out-h",
                              dir.file("h.npy"),
                              "--summary",
                              dir.file("summary.json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string json = read_file(dir.file("summary.json"));
  ASSERT_FALSE(json.empty());
  EXPECT_EQ(json.front(), '{');
  EXPECT_EQ(json.substr(json.size() - 2), "}\n");
  for (const char* key :
       {"iterations", "converged", "final_loss", "relative_error", "explained_variance", "seconds",
        "seconds_per_iteration", "backend", "gpu", "rows", "cols", "nnz", "rank", "loss", "dtype",
        "sparse", "loss_history", "history_iterations", "cunmf_version", "kl_divergence",
        "hoyer_sparsity_w", "hoyer_sparsity_h", "zero_fraction_w", "zero_fraction_h"}) {
    EXPECT_FALSE(json_value(json, key).empty()) << "no key " << key << " in\n" << json;
  }
  EXPECT_EQ(json_value(json, "iterations"), "200");
  EXPECT_EQ(json_value(json, "converged"), "false");
  EXPECT_EQ(json_value(json, "backend"), "\"cpu\"");
  EXPECT_EQ(json_value(json, "gpu"), "\"none\"");
  EXPECT_EQ(json_value(json, "sparse"), "false");
  EXPECT_EQ(json_value(json, "dtype"), "\"float64\"");
  EXPECT_EQ(json_value(json, "rows"), "40");
  EXPECT_EQ(json_value(json, "cols"), "30");
  // Checks at 0, 50, 100, 150, 200.
  EXPECT_NE(json.find("\"history_iterations\": [0, 50, 100, 150, 200]"), std::string::npos) << json;

  // The numbers describe the factors that were written (every digit is printed).
  const DenseMatrix<double> W = io::read_npy<double>(dir.file("w.npy"));
  const DenseMatrix<double> H = io::read_npy<double>(dir.file("h.npy"));
  const double error = reconstruction_error(X.view(), W.view(), H.view());
  EXPECT_NEAR(std::stod(json_value(json, "relative_error")), error, 1e-9 * (1.0 + error));
  const DenseMatrix<double> P = product(W.view(), H.view());
  double half_squared = 0.0;
  for (std::int64_t i = 0; i < X.size(); ++i) {
    const double d = X.data()[i] - P.data()[i];
    half_squared += 0.5 * d * d;
  }
  EXPECT_NEAR(std::stod(json_value(json, "final_loss")), half_squared, 1e-9 * (1.0 + half_squared));
  EXPECT_NEAR(std::stod(json_value(json, "kl_divergence")),
              kl_divergence(X.view(), W.view(), H.view()), 1e-12);
  EXPECT_NEAR(std::stod(json_value(json, "hoyer_sparsity_w")), hoyer_sparsity(W.view()), 1e-12);
}

// --solver cd --loss kl runs coordinate descent for the KL divergence: exit 0, reported as
// "kl, coordinate descent" and "cd" with loss "kl" in the summary, finite non-negative factors
// that fit the exact rank-3 X within kFitBound after 50 iterations.
TEST(CliFactorize, SolverCdWithKlLoss) {
  Scratch dir;
  const DenseMatrix<double> X = planted_input();
  io::write_npy(dir.file("x.npy"), X.view());
  const ChildRun r = dir.run({"factorize",  dir.file("x.npy"),
                              "-k",         "3",
                              "--backend",  "cpu",
                              "--solver",   "cd",
                              "--loss",     "kl",
                              "--max-iter", "50",
                              "--tol",      "0",
                              "--out-w",    dir.file("w.npy"),
                              "--out-h",    dir.file("h.npy"),
                              "--summary",  dir.file("summary.json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains_all(r.out, {"kl, coordinate descent, float32"})) << r.out;
  const std::string json = read_file(dir.file("summary.json"));
  EXPECT_EQ(json_value(json, "solver"), "\"cd\"");
  EXPECT_EQ(json_value(json, "loss"), "\"kl\"");
  const DenseMatrix<double> W = io::read_npy<double>(dir.file("w.npy"));
  const DenseMatrix<double> H = io::read_npy<double>(dir.file("h.npy"));
  EXPECT_TRUE(all_finite_nonnegative(W.view()));
  EXPECT_TRUE(all_finite_nonnegative(H.view()));
  EXPECT_LT(reconstruction_error(X.view(), W.view(), H.view()), kFitBound);
}

// --solver cd and its alias hals run coordinate descent (the same bits), reported as "cd" in the
// summary and in words on standard output; it fits the rank-3 X better than MU's 400 iterations in
// 100 (well below kFitBound).
TEST(CliFactorize, SolverCdAndItsAliasHals) {
  Scratch dir;
  const DenseMatrix<double> X = planted_input();
  io::write_npy(dir.file("x.npy"), X.view());
  DenseMatrix<double> W_cd;
  for (const std::string solver : {"cd", "hals"}) {
    SCOPED_TRACE(solver);
    const ChildRun r =
        dir.run({"factorize", dir.file("x.npy"), "-k", "3", "--backend", "cpu", "--solver", solver,
                 "--max-iter", "100", "--tol", "0", "--out-w", dir.file(solver + "_w.npy"),
                 "--out-h", dir.file("h.npy"), "--summary", dir.file("summary.json")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains_all(r.out, {"frobenius, coordinate descent, float32"})) << r.out;
    EXPECT_EQ(json_value(read_file(dir.file("summary.json")), "solver"), "\"cd\"");
    const DenseMatrix<double> W = io::read_npy<double>(dir.file(solver + "_w.npy"));
    const DenseMatrix<double> H = io::read_npy<double>(dir.file("h.npy"));
    EXPECT_LT(reconstruction_error(X.view(), W.view(), H.view()), kFitBound);
    if (solver == "cd") W_cd = W;
  }
  EXPECT_TRUE(bitwise_equal(io::read_npy<double>(dir.file("hals_w.npy")), W_cd));
}

TEST(CliFactorize, CsvAndMatrixMarketArrayInputsAndOutputs) {
  Scratch dir;
  const DenseMatrix<double> X = planted_input();
  io::write_csv(dir.file("x.csv"), X.view());
  io::write_matrix_market(dir.file("x.mtx"), X.view());  // array format: dense
  for (const char* input : {"x.csv", "x.mtx"}) {
    SCOPED_TRACE(input);
    const ChildRun r =
        dir.run({"factorize", dir.file(input), "-k", "3", "--backend", "cpu", "--max-iter", "400",
                 "--tol", "0", "--out-w", dir.file("w.csv"), "--out-h", dir.file("h.mtx")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains_all(r.out, {"dense 40 x 30"}));
    const DenseMatrix<double> W = read_back(dir.file("w.csv"));
    const DenseMatrix<double> H = read_back(dir.file("h.mtx"));
    ASSERT_EQ(W.cols(), 3);
    ASSERT_EQ(H.rows(), 3);
    EXPECT_LT(reconstruction_error(X.view(), W.view(), H.view()), kFitBound);
  }
}

TEST(CliFactorize, FormatFlagOverridesTheExtension) {
  Scratch dir;
  const DenseMatrix<double> X = planted_input();
  io::write_csv(dir.file("x.data"), X.view());
  const std::vector<std::string> outputs = {"--out-w",         dir.file("w.npy"), "--out-h",
                                            dir.file("h.npy"), "--backend",       "cpu"};
  std::vector<std::string> args = {"factorize", dir.file("x.data"), "-k", "3"};
  args.insert(args.end(), outputs.begin(), outputs.end());
  EXPECT_TRUE(is_error(dir.run(args), 2, {"x.data", "--format"}));
  args.insert(args.end(), {"--format", "csv"});
  const ChildRun r = dir.run(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(CliFactorize, StandardInputIsReadAsMatrixMarket) {
  Scratch dir;
  const DenseMatrix<double> X = planted_input();
  io::write_matrix_market(dir.file("x.mtx"), X.view());
  const ChildRun r =
      dir.run({"factorize", "-", "-k", "3", "--backend", "cpu", "--max-iter", "400", "--tol", "0",
               "--loss", "kl", "--out-w", dir.file("w.npy"), "--out-h", dir.file("h.npy")},
              dir.file("x.mtx"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains_all(r.out, {"<stdin>", "dense 40 x 30", "kl"}));
  const DenseMatrix<double> W = io::read_npy<double>(dir.file("w.npy"));
  const DenseMatrix<double> H = io::read_npy<double>(dir.file("h.npy"));
  EXPECT_LT(reconstruction_error(X.view(), W.view(), H.view()), kFitBound);
}

/// A 60 × 50 CSR matrix: a random third of the entries of a rank-3 product, the others 0.
CsrMatrix<double, std::int32_t> sparse_input() {
  const DenseMatrix<double> P = planted_matrix<double>(60, 50, 3, 0.0, 21);
  const DenseMatrix<double> mask = random_matrix<double>(60, 50, 22);
  CsrMatrix<double, std::int32_t> X;
  X.rows = 60;
  X.cols = 50;
  X.row_ptr.push_back(0);
  for (std::int64_t i = 0; i < 60; ++i) {
    for (std::int64_t j = 0; j < 50; ++j) {
      if (mask(i, j) < 1.0 / 3.0) {
        X.col_idx.push_back(static_cast<std::int32_t>(j));
        X.values.push_back(P(i, j));
      }
    }
    X.row_ptr.push_back(static_cast<std::int32_t>(X.values.size()));
  }
  return X;
}

TEST(CliFactorize, CoordinateMatrixMarketIsFactorizedAsSparse) {
  Scratch dir;
  const CsrMatrix<double, std::int32_t> X = sparse_input();
  io::write_matrix_market(dir.file("x.mtx"), X.view());
  for (const char* loss : {"frobenius", "kl"}) {
    SCOPED_TRACE(loss);
    const ChildRun r =
        dir.run({"factorize", dir.file("x.mtx"), "-k", "4", "--backend", "cpu", "--loss", loss,
                 "--max-iter", "100", "--dtype", "float64", "--out-w", dir.file("w.npy"), "--out-h",
                 dir.file("h.npy"), "--summary", dir.file("summary.json")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string nnz = std::to_string(X.nnz());
    EXPECT_TRUE(contains_all(r.out, {"sparse CSR 60 x 50", nnz + " non-zeros", "int32"}));
    const std::string json = read_file(dir.file("summary.json"));
    EXPECT_EQ(json_value(json, "sparse"), "true");
    EXPECT_EQ(json_value(json, "nnz"), nnz);

    // The relative error of the summary is that of the written factors against X with its
    // zeros (computed here on a densified copy).
    DenseMatrix<double> dense(60, 50);
    for (std::int64_t i = 0; i < 60; ++i)
      for (std::int32_t p = X.row_ptr[i]; p < X.row_ptr[i + 1]; ++p)
        dense(i, X.col_idx[p]) = X.values[p];
    const DenseMatrix<double> W = io::read_npy<double>(dir.file("w.npy"));
    const DenseMatrix<double> H = io::read_npy<double>(dir.file("h.npy"));
    EXPECT_TRUE(all_finite_nonnegative(W.view()));
    EXPECT_TRUE(all_finite_nonnegative(H.view()));
    const double error = reconstruction_error(dense.view(), W.view(), H.view());
    EXPECT_LT(error, 1.0);
    EXPECT_NEAR(std::stod(json_value(json, "relative_error")), error, 1e-8);
    EXPECT_NE(json_value(json, "explained_variance"), "null");
  }
}

TEST(CliFactorize, CustomInitWithZeroIterationsReturnsTheInit) {
  Scratch dir;
  const DenseMatrix<double> X = planted_input();
  const DenseMatrix<double> W0 = random_matrix<double>(40, 3, 31, 0.1, 1.0);
  const DenseMatrix<double> H0 = random_matrix<double>(3, 30, 32, 0.1, 1.0);
  io::write_npy(dir.file("x.npy"), X.view());
  io::write_npy(dir.file("w0.npy"), W0.view());
  io::write_npy(dir.file("h0.npy"), H0.view());
  const std::vector<std::string> base = {
      "factorize", dir.file("x.npy"), "-k",      "3",       "--backend",
      "cpu",       "--dtype",         "float64", "--out-w", dir.file("w.npy"),
      "--out-h",   dir.file("h.npy")};
  std::vector<std::string> args = base;
  args.insert(args.end(), {"--init", "custom", "--init-w", dir.file("w0.npy"), "--init-h",
                           dir.file("h0.npy"), "--max-iter", "0"});
  const ChildRun r = dir.run(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(bitwise_equal(io::read_npy<double>(dir.file("w.npy")), W0));
  EXPECT_TRUE(bitwise_equal(io::read_npy<double>(dir.file("h.npy")), H0));

  // --init custom without the files, and the files without --init custom, are usage errors.
  args = base;
  args.insert(args.end(), {"--init", "custom", "--init-w", dir.file("w0.npy")});
  EXPECT_TRUE(is_error(dir.run(args), 2, {"--init-h"}));
  args = base;
  args.insert(args.end(), {"--init-w", dir.file("w0.npy"), "--init-h", dir.file("h0.npy")});
  EXPECT_TRUE(is_error(dir.run(args), 2, {"--init custom"}));
  // W0 of the wrong shape: the library's InvalidArgument, a usage error.
  args = base;
  args.insert(args.end(),
              {"--init", "custom", "--init-w", dir.file("h0.npy"), "--init-h", dir.file("h0.npy")});
  EXPECT_TRUE(is_error(dir.run(args), 2, {"W0"}));
}

TEST(CliFactorize, SameSeedGivesTheSameFactors) {
  Scratch dir;
  io::write_npy(dir.file("x.npy"), planted_input().view());
  std::string first;
  for (int run = 0; run < 2; ++run) {
    const ChildRun r =
        dir.run({"factorize", dir.file("x.npy"), "-k", "3", "--backend", "cpu", "--seed", "5",
                 "--max-iter", "20", "--out-w", dir.file("w.npy"), "--out-h", dir.file("h.npy")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string bytes = read_file(dir.file("w.npy")) + read_file(dir.file("h.npy"));
    if (run == 0) first = bytes;
    EXPECT_EQ(bytes, first);
  }
}

TEST(CliFactorize, ProgressOnlyWhenAskedOutsideATerminal) {
  Scratch dir;
  io::write_npy(dir.file("x.npy"), planted_input().view());
  const std::vector<std::string> base = {"factorize",  dir.file("x.npy"),
                                         "-k",         "3",
                                         "--backend",  "cpu",
                                         "--max-iter", "30",
                                         "--tol",      "0",
                                         "--out-w",    dir.file("w.npy"),
                                         "--out-h",    dir.file("h.npy")};
  std::vector<std::string> args = base;
  args.push_back("--progress");
  ChildRun r = dir.run(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Checks at 0, 10, 20, 30, each rewriting the line in place; one newline at the end.
  EXPECT_TRUE(contains_all(
      r.err, {"\riteration 0/30", "\riteration 30/30", "loss", "change", "it/s", "ETA"}));
  EXPECT_EQ(line_count(r.err), 1);
  EXPECT_FALSE(r.out.empty());

  args = base;
  args.push_back("--quiet");
  r = dir.run(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST(CliFactorize, CudaBackendWhenADeviceIsPresent) {
  if (!cuda_available()) GTEST_SKIP() << "no CUDA device: " << cuda_device_description();
  Scratch dir;
  const DenseMatrix<double> X = planted_input();
  io::write_npy(dir.file("x.npy"), X.view());
  const ChildRun r = dir.run({"factorize", dir.file("x.npy"), "-k", "3", "--backend", "cuda",
                              "--max-iter", "400", "--tol", "0", "--out-w", dir.file("w.npy"),
                              "--out-h", dir.file("h.npy"), "--summary", dir.file("summary.json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string json = read_file(dir.file("summary.json"));
  EXPECT_EQ(json_value(json, "backend"), "\"cuda\"");
  EXPECT_NE(json_value(json, "gpu"), "\"none\"");
  const DenseMatrix<double> W = io::read_npy<double>(dir.file("w.npy"));
  const DenseMatrix<double> H = io::read_npy<double>(dir.file("h.npy"));
  EXPECT_LT(reconstruction_error(X.view(), W.view(), H.view()), kFitBound);
}

TEST(CliInfo, PrintsVersionBuildDeviceAndThreads) {
  Scratch dir;
  const ChildRun r = dir.run({"info"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  EXPECT_TRUE(contains_all(
      r.out, {std::string("cuNMF ") + version(), std::string("build          ") + build_flavor(),
              "CUDA device", "OpenMP threads"}));
  if (!cuda_available()) {
    EXPECT_TRUE(contains_all(r.out, {"CUDA device    none"}));
  }
  const ChildRun v = dir.run({"--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_TRUE(contains_all(v.out, {version()}));
}

}  // namespace
}  // namespace cunmf::test
