// Graph-regularized NMF (Options::graph, graph_lambda; Cai et al., IEEE TPAMI 2011) through the
// public API: mu against the paper's rules in the textbook oracle (tests/reference/
// graph_reference.hpp), dense and CSR, including an X that the library rescales internally;
// graph_lambda = 0 leaves the iterates bit for bit as they are; the objective with the graph term
// (the history) never increases; bad graphs and weights are refused with the option's name and
// value. Built twice: cpu_graph_test and, with CUDA, cuda_graph_test (CUNMF_TEST_ON_CUDA; skips
// without a device). knn_graph and the clustering on Fashion-MNIST: knn_graph_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "cunmf/cunmf.hpp"
#include "reference/graph_reference.hpp"
#include "reference_cases.hpp"
#include "sparse_support.hpp"
#include "test_support.hpp"

namespace cunmf::test {
namespace {

template <class C>
class GraphTest : public CaseTest<C> {};
TYPED_TEST_SUITE(GraphTest, BackendCases);

/// A symmetric n × n affinity with about `density` of its entries stored, weights in (0, 1], one
/// self-loop (L = D − A cancels it) and the last node isolated (no edges).
CsrMatrix<double, std::int64_t> random_affinity(std::int64_t n, double density,
                                                std::uint64_t seed) {
  const auto upper = random_csr<double, std::int64_t>(n, n, density, seed, n - 1, n - 1);
  DenseMatrix<double> dense(n, n);
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t e = upper.row_ptr[i]; e < upper.row_ptr[i + 1]; ++e) {
      const std::int64_t j = upper.col_idx[e];
      if (j > i) dense(i, j) = dense(j, i) = upper.values[e];
    }
  dense(0, 0) = 0.5;
  return csr_from_dense<double, std::int64_t>(dense);
}

Options graph_options(Backend backend, Loss loss, std::int64_t k, int max_iter, int check_every,
                      const CsrMatrix<double, std::int64_t>& graph, double lambda) {
  Options o = reference_options(backend, loss, k, max_iter, check_every);
  o.graph = graph;
  o.graph_lambda = lambda;
  return o;
}

// Tolerances as in reference_suite.hpp (RefTolerance, where they are argued): only the order of
// summation differs in double; float rounds each product to ~1e-6 over 20 iterations here.
template <class T>
constexpr double kFactorTolerance = sizeof(T) == 4 ? 1e-4 : 1e-10;
template <class T>
constexpr double kObjectiveTolerance = sizeof(T) == 4 ? 1e-5 : 1e-10;

constexpr int kIterations = 20;
constexpr int kCheckEvery = 5;

/// The largest relative difference of the factors from the oracle's seen by any run (reported at
/// the end of the suite, for the note).
double worst_factor_difference = 0.0;

/// A run of kIterations from W0, H0 against the oracle: the objective (loss + graph term) at
/// every check and the final factors.
template <class T>
void expect_matches_oracle(const Result<T>& r, const reference::Matrix& X, reference::Matrix W,
                           reference::Matrix H, Loss loss, const reference::Matrix& A,
                           double lambda) {
  ASSERT_EQ(r.loss_history.size(), std::size_t(kIterations / kCheckEvery + 1));
  EXPECT_TRUE(all_finite_nonnegative(r.W.view()));
  EXPECT_TRUE(all_finite_nonnegative(r.H.view()));
  for (std::size_t c = 0; c < r.loss_history.size(); ++c) {
    if (c > 0)
      for (int it = 0; it < kCheckEvery; ++it) reference::graph_step(X, W, H, loss, A, lambda);
    const double expected = reference::graph_objective(X, W, H, loss, A, lambda);
    EXPECT_NEAR(r.loss_history[c], expected, kObjectiveTolerance<T> * expected)
        << "objective at check " << c;
  }
  const double dw = relative_difference(r.W.view(), view_of(W));
  const double dh = relative_difference(r.H.view(), view_of(H));
  EXPECT_LT(dw, kFactorTolerance<T>) << "W";
  EXPECT_LT(dh, kFactorTolerance<T>) << "H";
  worst_factor_difference = std::max({worst_factor_difference, dw, dh});
}

const Loss kLosses[] = {Loss::Frobenius, Loss::KullbackLeibler};

std::string name_of(Loss loss) { return loss == Loss::Frobenius ? "Frobenius" : "KL"; }

// Dense (both layouts, two shapes) and CSR (int32 and int64), a weak and a strong graph term.
TYPED_TEST(GraphTest, MatchesPaperRules) {
  using T = typename TypeParam::Scalar;
  constexpr Backend backend = TypeParam::kBackend;
  const RefShape shapes[] = {{11, 7, 3}, {37, 23, 4}};
  worst_factor_difference = 0.0;
  for (const Loss loss : kLosses)
    for (const double lambda : {0.3, 3.0})
      for (const RefShape& s : shapes) {
        SCOPED_TRACE(name_of(loss) + " lambda " + std::to_string(lambda) + " " +
                     std::to_string(s.m) + "x" + std::to_string(s.n));
        const auto graph = random_affinity(s.n, 0.3, 41);
        const reference::Matrix A = reference::densify(graph.view());
        const Options o =
            graph_options(backend, loss, s.k, kIterations, kCheckEvery, graph, lambda);
        const DenseMatrix<T> W0 = random_matrix<T>(s.m, s.k, 32);
        const DenseMatrix<T> H0 = random_matrix<T>(s.k, s.n, 33);
        const DenseMatrix<T> data = planted_matrix<T>(s.m, s.n, s.k, 0.05, 31, 0.5);
        const reference::Matrix Xd = reference::to_matrix(data.view());
        const auto W0d = reference::to_matrix(W0.view()), H0d = reference::to_matrix(H0.view());
        const auto X = with_layout(data.view(), s.m == 11 ? Layout::ColMajor : Layout::RowMajor);
        expect_matches_oracle(factorize(X.view(), o, W0.view(), H0.view()), Xd, W0d, H0d, loss, A,
                              lambda);
        const auto X32 = csr_from_dense<T, std::int32_t>(data);
        expect_matches_oracle(factorize(X32.view(), o, W0.view(), H0.view()), Xd, W0d, H0d, loss, A,
                              lambda);
        if (s.m != 37) continue;
        const auto X64 = csr_from_dense<T, std::int64_t>(data);
        expect_matches_oracle(factorize(X64.view(), o, W0.view(), H0.view()), Xd, W0d, H0d, loss, A,
                              lambda);
      }
  std::printf("graph oracle: largest relative factor difference %.3g (%s)\n",
              worst_factor_difference, sizeof(T) == 4 ? "float" : "double");
}

// An X outside [2^-10, 2^40] is solved as 2^p X (core/scaling.hpp), and λ must follow
// (core/graph_term.hpp). Double only, as in penalty_test.cpp; λ scales with X as the loss does
// against tr(H L Hᵀ) (s^(c − 1)), so that the graph matters as much at every scale.
TYPED_TEST(GraphTest, RescaledInputKeepsTheGraph) {
  using T = typename TypeParam::Scalar;
  if constexpr (sizeof(T) == 8) {
    constexpr Backend backend = TypeParam::kBackend;
    const auto graph = random_affinity(9, 0.4, 42);
    const reference::Matrix A = reference::densify(graph.view());
    for (const double scale : {1e13, 2e-4}) {
      DenseMatrix<T> X = random_matrix<T>(13, 9, 51);
      for (std::int64_t idx = 0; idx < X.size(); ++idx) X.data()[idx] *= scale;
      DenseMatrix<T> W0 = random_matrix<T>(13, 3, 52), H0 = random_matrix<T>(3, 9, 53);
      for (std::int64_t idx = 0; idx < W0.size(); ++idx) W0.data()[idx] *= std::sqrt(scale);
      for (std::int64_t idx = 0; idx < H0.size(); ++idx) H0.data()[idx] *= std::sqrt(scale);
      for (const Loss loss : kLosses) {
        SCOPED_TRACE(name_of(loss) + " X scaled by " + std::to_string(scale));
        const double lambda = 0.5 * (loss == Loss::Frobenius ? scale : 1.0);
        const Options o = graph_options(backend, loss, 3, kIterations, kCheckEvery, graph, lambda);
        expect_matches_oracle(factorize(X.view(), o, W0.view(), H0.view()),
                              reference::to_matrix(X.view()), reference::to_matrix(W0.view()),
                              reference::to_matrix(H0.view()), loss, A, lambda);
      }
    }
  }
}

// graph_lambda = 0 with a graph given is no graph: the iterates and history are the plain ones
// bit for bit, dense and CSR, both losses.
TYPED_TEST(GraphTest, ZeroLambdaChangesNothing) {
  using T = typename TypeParam::Scalar;
  constexpr Backend backend = TypeParam::kBackend;
  const DenseMatrix<T> X = random_matrix<T>(29, 17, 61);
  const auto X_csr = random_csr<T, std::int32_t>(29, 17, 0.4, 62);
  for (const Loss loss : kLosses) {
    SCOPED_TRACE(name_of(loss));
    const Options plain = reference_options(backend, loss, 3, 6, 3);
    const Options zero = graph_options(backend, loss, 3, 6, 3, random_affinity(17, 0.3, 63), 0.0);
    const Result<T> a = factorize(X.view(), plain), b = factorize(X.view(), zero);
    EXPECT_TRUE(bitwise_equal(a.W, b.W));
    EXPECT_TRUE(bitwise_equal(a.H, b.H));
    EXPECT_EQ(a.loss_history, b.loss_history);
    const Result<T> c = factorize(X_csr.view(), plain), d = factorize(X_csr.view(), zero);
    EXPECT_TRUE(bitwise_equal(c.W, d.W));
    EXPECT_TRUE(bitwise_equal(c.H, d.H));
    EXPECT_EQ(c.loss_history, d.loss_history);
  }
}

// The objective with the graph term (the history) does not increase from one iteration to the
// next: the Frobenius rule keeps Lee and Seung's auxiliary-function argument (Cai et al.,
// Theorem 1); for KL the paper's rule is checked the same way on this data.
TYPED_TEST(GraphTest, ObjectiveNeverIncreases) {
  using T = typename TypeParam::Scalar;
  constexpr Backend backend = TypeParam::kBackend;
  const DenseMatrix<T> X = random_matrix<T>(31, 19, 71);
  const auto X_csr = random_csr<T, std::int32_t>(31, 19, 0.5, 72);
  const auto graph = random_affinity(19, 0.25, 73);
  const double slack = sizeof(T) == 4 ? 1e-6 : 1e-12;  // the objective's own rounding
  for (const Loss loss : kLosses)
    for (const double lambda : {0.1, 10.0}) {
      SCOPED_TRACE(name_of(loss) + " lambda " + std::to_string(lambda));
      const Options o = graph_options(backend, loss, 4, 25, 1, graph, lambda);
      for (const Result<T>& r : {factorize(X.view(), o), factorize(X_csr.view(), o)}) {
        ASSERT_EQ(r.loss_history.size(), 26u);
        for (std::size_t i = 1; i < r.loss_history.size(); ++i)
          EXPECT_LE(r.loss_history[i], r.loss_history[i - 1] * (1.0 + slack)) << "iteration " << i;
      }
    }
}

// Bad graphs and weights are refused with the option's name and the value.
TYPED_TEST(GraphTest, RefusesBadGraphs) {
  using T = typename TypeParam::Scalar;
  const DenseMatrix<T> X = random_matrix<T>(6, 5, 91);
  const auto good = random_affinity(5, 0.5, 92);
  const auto refused = [&](const Options& o, const std::string& words) {
    try {
      factorize(X.view(), o);
      ADD_FAILURE() << "accepted " << words;
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  };
  const auto with = [&](const CsrMatrix<double, std::int64_t>& graph, double lambda) {
    return graph_options(TypeParam::kBackend, Loss::Frobenius, 2, 3, 1, graph, lambda);
  };
  refused(with(good, -1.0), "graph_lambda must be finite and >= 0, got -1");
  refused(with(good, NAN), "graph_lambda must be finite and >= 0, got nan");
  refused(with(good, INFINITY), "graph_lambda must be finite and >= 0, got inf");
  refused(with({}, 1.0), "graph_lambda = 1 needs a graph");
  refused(with(random_affinity(6, 0.5, 93), 1.0), "graph is 6 x 6 but must be 5 x 5");
  auto asymmetric = good;
  asymmetric.values[1] *= 2.0;
  refused(with(asymmetric, 1.0), "graph is not symmetric: graph(");
  auto negative = good;
  negative.values[2] = -0.25;
  refused(with(negative, 1.0), "graph(");
  refused(with(negative, 1.0), ") = -0.25: entries must be finite and >= 0");
  auto not_a_number = good;
  not_a_number.values[0] = NAN;
  refused(with(not_a_number, 1.0), ") = nan: entries must be finite and >= 0");
  Options cd = with(good, 1.0);
  cd.solver = Solver::CoordinateDescent;
  refused(cd,
          "graph regularization (graph_lambda = 1) is supported only by the "
          "multiplicative-update (mu) solver");
  // A bad graph is refused even with graph_lambda = 0 (it would be a mistake to ignore).
  refused(with(asymmetric, 0.0), "graph is not symmetric");
  // validate_affinity makes the same checks without a factorization.
  EXPECT_NO_THROW(validate_affinity(good, 5));
  EXPECT_THROW(validate_affinity(good, 6), InvalidArgument);
  EXPECT_THROW(validate_affinity(asymmetric, 5), InvalidArgument);
  EXPECT_THROW(validate_affinity(negative, 5), InvalidArgument);
}

}  // namespace
}  // namespace cunmf::test
