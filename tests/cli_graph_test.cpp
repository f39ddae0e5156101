// The graph-regularization flags of `cunmf factorize` (--graph FILE, --knn K, --graph-weight,
// --graph-lambda), run as a child process like the other CLI tests: the factors equal the
// library's with the same graph; bad combinations and values are refused (exit 2, the flag named).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "cli_test_support.hpp"
#include "cunmf/cunmf.hpp"
#include "sparse_support.hpp"
#include "test_support.hpp"

namespace cunmf::test {
namespace {

TEST(CliFactorize, GraphFlagsReachTheLibrary) {
  Scratch dir;
  const DenseMatrix<double> X = planted_input();
  io::write_npy(dir.file("x.npy"), X.view());
  Options o;
  o.rank = 3;
  o.backend = Backend::Cpu;
  o.max_iter = 40;
  o.tol = 0.0;
  o.graph = knn_graph(X.view(), 3, GraphWeight::Heat);
  o.graph_lambda = 0.5;
  io::write_matrix_market(dir.file("a.mtx"), o.graph.view());
  const Result<double> library = factorize(X.view(), o);
  const std::vector<std::string> common = {"factorize",
                                           dir.file("x.npy"),
                                           "-k",
                                           "3",
                                           "--backend",
                                           "cpu",
                                           "--dtype",
                                           "float64",
                                           "--max-iter",
                                           "40",
                                           "--tol",
                                           "0",
                                           "--graph-lambda",
                                           "0.5",
                                           "--out-w",
                                           dir.file("w.npy"),
                                           "--out-h",
                                           dir.file("h.npy")};
  for (const std::vector<std::string>& graph :
       {std::vector<std::string>{"--knn", "3", "--graph-weight", "heat"},
        std::vector<std::string>{"--graph", dir.file("a.mtx")}}) {
    SCOPED_TRACE(graph[0]);
    std::vector<std::string> args = common;
    args.insert(args.end(), graph.begin(), graph.end());
    const ChildRun r = dir.run(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const DenseMatrix<double> H = io::read_npy<double>(dir.file("h.npy"));
    EXPECT_LT(relative_difference(H.view(), library.H.view()), 1e-12);
  }
  o.graph_lambda = 0.0;
  const DenseMatrix<double> H = io::read_npy<double>(dir.file("h.npy"));
  EXPECT_GT(relative_difference(H.view(), factorize(X.view(), o).H.view()), 1e-4);
  const auto refused = [&](std::vector<std::string> flags, const std::string& named) {
    SCOPED_TRACE(named);
    std::vector<std::string> args = {"factorize", dir.file("x.npy"), "-k",
                                     "3",         "--out-w",         dir.file("w2.npy"),
                                     "--out-h",   dir.file("h2.npy")};
    args.insert(args.end(), flags.begin(), flags.end());
    EXPECT_TRUE(is_error(dir.run(args), 2, {named}));
  };
  refused({"--knn", "3"}, "--graph-lambda");
  refused({"--graph-lambda", "1"}, "--graph-lambda");
  refused({"--knn", "3", "--graph-lambda", "-1"}, "--graph-lambda");
  refused({"--knn", "0", "--graph-lambda", "1"}, "--knn");
  refused({"--knn", "3", "--graph", dir.file("a.mtx"), "--graph-lambda", "1"}, "--graph");
  refused({"--knn", "3", "--graph-weight", "gauss", "--graph-lambda", "1"}, "--graph-weight");
  refused({"--knn", "3", "--graph-lambda", "1", "--solver", "cd"}, "graph_lambda");
}

}  // namespace
}  // namespace cunmf::test
