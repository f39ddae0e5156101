// The factors on the host in the solvers' orientation — W (m × k) and Hᵀ (n × k), column-major —
// and the conversions from and to the user's matrices: initial factors (given or drawn from the
// seed) and the row-major W and H of a Result. Also the host-side facts about X the entry points
// need: its mean and, for CSR, its transpose.
#pragma once

#include <cstdint>
#include <vector>

#include "cunmf/matrix.hpp"
#include "cunmf/options.hpp"
#include "cunmf/sparse.hpp"

namespace cunmf::detail {

template <class T>
struct HostFactors {
  std::int64_t m = 0, n = 0, k = 0;
  std::vector<T> w;   ///< W, m × k, column-major
  std::vector<T> ht;  ///< Hᵀ, n × k, column-major (the bytes of H in row-major order)
};

/// The factors of a user's W0 (m × k) and H0 (k × n), in any layouts.
template <class T>
HostFactors<T> factors_from(DenseView<const T> W0, DenseView<const T> H0);

/// Random factors from the seed, the same for every backend and input kind: uniform [0, 1) scaled
/// by sqrt(mean / k), drawn for W row by row and then for H row by row.
template <class T>
HostFactors<T> random_factors(double mean, std::int64_t m, std::int64_t n, std::int64_t k,
                              std::uint64_t seed);

/// The initial factors of options.init (rank, seed) for X when no W0, H0 are given:
/// random_factors from mean(X), or NNDSVD (core/nndsvd.hpp).
template <class T>
HostFactors<T> initial_factors(DenseView<const T> X, const Options& options);
template <class T, class Index>
HostFactors<T> initial_factors(CsrView<const T, Index> X, const Options& options);

/// Moves the factors into the user's row-major W (m × k) and H (k × n).
template <class T>
void to_user(HostFactors<T>&& f, DenseMatrix<T>& W, DenseMatrix<T>& H);

/// The mean of all m·n entries of X, in double (CSR: zeros included).
template <class T>
double mean_of(DenseView<const T> X);
template <class T, class Index>
double mean_of(CsrView<const T, Index> X);

/// The CSR of Xᵀ (n × m), with sorted columns.
template <class T, class Index>
CsrMatrix<T, Index> transpose(CsrView<const T, Index> X);

}  // namespace cunmf::detail
