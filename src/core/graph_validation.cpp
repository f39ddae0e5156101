// The checks of graph regularization's options (Options::graph, graph_lambda; validation.hpp).
#include <algorithm>
#include <cmath>
#include <sstream>

#include "concat.hpp"
#include "cunmf/graph.hpp"
#include "divergence.hpp"
#include "expects.hpp"
#include "validation.hpp"

namespace cunmf {

namespace detail {

namespace {

/// A(row, col), 0 when not stored (columns are sorted within a row: checked before).
double entry_of(const CsrMatrix<double, std::int64_t>& A, std::int64_t row, std::int64_t col) {
  const auto begin = A.col_idx.begin() + A.row_ptr[row];
  const auto end = A.col_idx.begin() + A.row_ptr[row + 1];
  const auto at = std::lower_bound(begin, end, col);
  return at != end && *at == col ? A.values[static_cast<std::size_t>(at - A.col_idx.begin())] : 0.0;
}

}  // namespace

void validate_graph(const Options& options, std::int64_t n) {
  const double lambda = options.graph_lambda;
  CUNMF_EXPECTS(lambda >= 0.0 && std::isfinite(lambda),
                concat("graph_lambda must be finite and >= 0, got ", lambda));
  const CsrMatrix<double, std::int64_t>& A = options.graph;
  const bool empty =
      A.rows == 0 && A.cols == 0 && A.values.empty() && A.col_idx.empty() && A.row_ptr.size() <= 1;
  CUNMF_EXPECTS(lambda == 0.0 || !empty, concat("graph_lambda = ", lambda,
                                                " needs a graph: set options.graph (n x n, n = ", n,
                                                " columns of X), e.g. from cunmf::knn_graph"));
  // The paper gives rules for these two losses (a β-divergence other than β = 1, 2 has none).
  const Divergence divergence = divergence_of(options);
  CUNMF_EXPECTS(lambda == 0.0 || divergence.kind != Loss::Beta,
                concat("graph regularization (graph_lambda = ", lambda,
                       ") is supported only for the Frobenius and Kullback-Leibler losses (beta = "
                       "2 and 1), got the beta-divergence with beta = ",
                       divergence.beta));
  if (empty) return;
  CUNMF_EXPECTS(lambda == 0.0 || options.solver == Solver::MultiplicativeUpdate,
                concat("graph regularization (graph_lambda = ", lambda,
                       ") is supported only by the multiplicative-update (mu) solver, the rules of "
                       "Cai et al. (2011)"));
  validate_affinity(A, n);
}

}  // namespace detail

void validate_affinity(const CsrMatrix<double, std::int64_t>& A, std::int64_t n) {
  using detail::concat;
  CUNMF_EXPECTS(A.rows == n && A.cols == n,
                concat("graph is ", A.rows, " x ", A.cols, " but must be ", n, " x ", n,
                       " (an affinity between the n columns of X)"));
  CUNMF_EXPECTS(
      A.row_ptr.size() == static_cast<std::size_t>(n + 1) && A.col_idx.size() == A.values.size(),
      concat("graph (CSR) has ", A.row_ptr.size(), " row offsets for ", n, " rows and ",
             A.col_idx.size(), " column indices for ", A.values.size(), " values"));
  detail::validate_csr(A.view(), "graph");
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t e = A.row_ptr[i]; e < A.row_ptr[i + 1]; ++e) {
      const std::int64_t j = A.col_idx[e];
      const double mirror = detail::entry_of(A, j, i);
      CUNMF_EXPECTS(mirror == A.values[e],
                    concat("graph is not symmetric: graph(", i, ", ", j, ") = ", A.values[e],
                           " but graph(", j, ", ", i, ") = ", mirror));
    }
}

}  // namespace cunmf
