// The benchmark's deterministic data: a planted non-negative low-rank X (dense or CSR) and the
// initial factors W0, H0. Every value is a function of (seed, stream, index), so the matrices do
// not depend on the number of threads that made them.
#pragma once

#include <cstdint>
#include <utility>

#include "cunmf/cunmf.hpp"
#include "settings.hpp"

namespace cunmf::bench {

/// X (size.rows × size.cols): W·H of planted factors uniform in [0, 1) (rank min(16, rows, cols)),
/// each entry times 1 + 0.05·(2u − 1) for a uniform u.
template <class T>
DenseMatrix<T> dense_input(Size size, std::uint64_t seed);

/// Each row holds about density·cols entries (uniformly between half and one and a half times
/// that, at least one) at random distinct columns; the values are the planted ones there.
template <class T>
CsrMatrix<T, std::int32_t> sparse_input(Size size, double density, std::uint64_t seed);

/// W0 (m × k) and H0 (k × n) uniform in [0, 1) scaled by sqrt(mean(X)/k), as the library's
/// random initialization is scaled; from (seed, k).
template <class T>
std::pair<DenseMatrix<T>, DenseMatrix<T>> initial_factors(std::int64_t m, std::int64_t n,
                                                          std::int64_t k, double mean,
                                                          std::uint64_t seed);

}  // namespace cunmf::bench
