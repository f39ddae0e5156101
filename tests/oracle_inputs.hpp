// The inputs of the per-solver oracle suites (als_suite.hpp, pgd_test.cpp, anls_bpp_test.cpp),
// written once: dense X in both layouts and CSR X with an empty row and column where the shape
// leaves room, each with its random start, from fixed seeds.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "cunmf/cunmf.hpp"
#include "reference/matrix.hpp"
#include "reference_cases.hpp"
#include "sparse_support.hpp"
#include "test_support.hpp"

namespace cunmf::test {

/// "m x n k=K input", for the trace of a failing case.
inline std::string describe(const RefShape& s, const char* input) {
  return std::to_string(s.m) + "x" + std::to_string(s.n) + " k=" + std::to_string(s.k) + " " +
         input;
}

/// For every shape and both layouts: visit(s, X, W0, H0, Xd) with X (m × n), W0 and H0 random in
/// that layout (seeds 91 + n, 92, 93) and Xd the oracle's copy of X.
template <class T, class Visit>
void for_each_dense_input(const std::vector<RefShape>& shapes, Visit visit) {
  for (const RefShape& s : shapes)
    for (const Layout layout : {Layout::RowMajor, Layout::ColMajor}) {
      SCOPED_TRACE(describe(s, layout == Layout::RowMajor ? "row-major" : "col-major"));
      const auto X = with_layout(random_matrix<T>(s.m, s.n, 91 + s.n).view(), layout);
      const auto W0 = with_layout(random_matrix<T>(s.m, s.k, 92).view(), layout);
      const auto H0 = with_layout(random_matrix<T>(s.k, s.n, 93).view(), layout);
      visit(s, X.view(), W0.view(), H0.view(), reference::to_matrix(X.view()));
    }
}

/// For every shape: visit(s, X, W0, H0, Xd) with X a random CSR (density 0.6, seed 81 + m) whose
/// row 0 and last column are empty where k < min(m, n) — only there: an empty row and column lower
/// X's rank, and with no room the Gram of the factors is singular and a solution is the ridge's —
/// W0 and H0 random (seeds 82, 83) and Xd the oracle's (dense) copy of X.
template <class T, class Index, class Visit>
void for_each_csr_input(const std::vector<RefShape>& shapes, Visit visit) {
  for (const RefShape& s : shapes) {
    SCOPED_TRACE(describe(s, sizeof(Index) == 4 ? "CSR int32" : "CSR int64"));
    const bool room = s.k < std::min(s.m, s.n);
    const auto X =
        random_csr<T, Index>(s.m, s.n, 0.6, 81 + s.m, room ? 0 : -1, room ? s.n - 1 : -1);
    ASSERT_GT(X.nnz(), 0);
    const DenseMatrix<T> W0 = random_matrix<T>(s.m, s.k, 82);
    const DenseMatrix<T> H0 = random_matrix<T>(s.k, s.n, 83);
    visit(s, X.view(), W0.view(), H0.view(), reference::densify(X.view()));
  }
}

}  // namespace cunmf::test
