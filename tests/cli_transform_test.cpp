// `cunmf transform` (H for data on a fixed W) and the regularization flags of `cunmf factorize`,
// run as a child process like the other CLI tests: H recovered from a planted W, dense and
// sparse, equal to the library's cunmf::transform; the summary names the command; the input and
// W files are never overwritten; flags that belong to factorize only are refused.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "cli_test_support.hpp"
#include "cunmf/cunmf.hpp"
#include "sparse_support.hpp"
#include "test_support.hpp"

namespace cunmf::test {
namespace {

// X = W H exactly (rank 4, parts-based factors): cd recovers H from W to rounding, dense (.npy)
// and as a coordinate .mtx (sparse), the same H as the library call with the same options.
TEST(CliTransform, RecoversHOnAFixedW) {
  Scratch dir;
  const DenseMatrix<double> W = planted_factor<double>(30, 4, 61, 0.3);
  const DenseMatrix<double> H = planted_factor<double>(4, 25, 62, 0.3);
  const DenseMatrix<double> X = planted_matrix<double>(W, H, 0.0, 63);
  io::write_npy(dir.file("w.npy"), W.view());
  io::write_npy(dir.file("x.npy"), X.view());
  io::write_matrix_market(dir.file("x.mtx"), csr_from_dense<double, std::int32_t>(X).view());
  Options o;
  o.solver = Solver::CoordinateDescent;
  o.backend = Backend::Cpu;
  o.max_iter = 300;
  o.tol = 0.0;
  const Result<double> library = transform(X.view(), W.view(), o);
  for (const char* input : {"x.npy", "x.mtx"}) {
    SCOPED_TRACE(input);
    const ChildRun r =
        dir.run({"transform", dir.file(input), "--w", dir.file("w.npy"), "--solver", "cd",
                 "--backend", "cpu", "--dtype", "float64", "--max-iter", "300", "--tol", "0",
                 "--out-h", dir.file("h.npy"), "--summary", dir.file("summary.json")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const DenseMatrix<double> H_out = io::read_npy<double>(dir.file("h.npy"));
    EXPECT_LT(relative_difference(H_out.view(), H.view()), 1e-8);
    EXPECT_LT(relative_difference(H_out.view(), library.H.view()), 1e-12);
    EXPECT_TRUE(contains_all(r.out, {"rank                4", "W given in"}));
    const std::string json = read_file(dir.file("summary.json"));
    EXPECT_EQ(json_value(json, "command"), "\"transform\"");
    EXPECT_EQ(json_value(json, "rank"), "4");
  }
}

// Outputs may not clobber an input (X, W or the start of H); factorize's own flags are refused.
TEST(CliTransform, RefusesToOverwriteInputsAndForeignFlags) {
  Scratch dir;
  io::write_npy(dir.file("w.npy"), planted_factor<double>(6, 2, 71, 0.0).view());
  io::write_npy(dir.file("x.npy"), random_matrix<double>(6, 5, 72).view());
  const std::string w_before = read_file(dir.file("w.npy"));
  const ChildRun clobber = dir.run(
      {"transform", dir.file("x.npy"), "--w", dir.file("w.npy"), "--out-h", dir.file("w.npy")});
  EXPECT_TRUE(is_error(clobber, 2, {"--out-h", "overwrite"}));
  EXPECT_EQ(read_file(dir.file("w.npy")), w_before);
  for (const char* flag : {"--rank", "--alpha-w", "--out-w", "--checkpoint", "--init"}) {
    SCOPED_TRACE(flag);
    const ChildRun r = dir.run({"transform", dir.file("x.npy"), "--w", dir.file("w.npy"), "--out-h",
                                dir.file("h.npy"), flag, "1"});
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  }
}

// --alpha-w, --alpha-h and --l1-ratio reach the library: the factors equal cunmf::factorize's
// with the same penalties, and differ from the unpenalized run; out-of-range values are refused
// with the flag's name.
TEST(CliFactorize, RegularizationFlagsReachTheLibrary) {
  Scratch dir;
  const DenseMatrix<double> X = planted_input();
  io::write_npy(dir.file("x.npy"), X.view());
  Options o;
  o.rank = 3;
  o.backend = Backend::Cpu;
  o.max_iter = 50;
  o.tol = 0.0;
  o.alpha_W = 0.01;
  o.alpha_H = 0.03;
  o.l1_ratio = 0.5;
  const Result<double> library = factorize(X.view(), o);
  const ChildRun r = dir.run({"factorize",  dir.file("x.npy"),
                              "-k",         "3",
                              "--backend",  "cpu",
                              "--dtype",    "float64",
                              "--max-iter", "50",
                              "--tol",      "0",
                              "--alpha-w",  "0.01",
                              "--alpha-h",  "0.03",
                              "--l1-ratio", "0.5",
                              "--out-w",    dir.file("w.npy"),
                              "--out-h",    dir.file("h.npy")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const DenseMatrix<double> W = io::read_npy<double>(dir.file("w.npy"));
  EXPECT_LT(relative_difference(W.view(), library.W.view()), 1e-12);
  o.alpha_W = 0.0;
  o.alpha_H = 0.0;
  EXPECT_GT(relative_difference(W.view(), factorize(X.view(), o).W.view()), 1e-3);
  for (const auto& [flag, value] :
       {std::pair{"--alpha-w", "-1"}, {"--alpha-h", "nan"}, {"--l1-ratio", "1.5"}}) {
    SCOPED_TRACE(flag);
    const ChildRun bad = dir.run({"factorize", dir.file("x.npy"), "-k", "3", flag, value, "--out-w",
                                  dir.file("w2.npy"), "--out-h", dir.file("h2.npy")});
    EXPECT_TRUE(is_error(bad, 2, {flag}));
  }
}

}  // namespace
}  // namespace cunmf::test
