// NNDSVD initialization (Boutsidis & Gallopoulos, Pattern Recognition 2008) from a truncated SVD
// of X computed on the host in double: randomized (Halko, Martinsson & Tropp, SIAM Review 2011)
// with oversampling and power iterations, so that X is only ever multiplied — a dense X read in
// place in its own layout, a CSR X never densified.
#pragma once

#include <cstdint>

#include "cunmf/matrix.hpp"
#include "cunmf/options.hpp"
#include "cunmf/sparse.hpp"
#include "host_factors.hpp"

namespace cunmf::detail {

/// The rank-k NNDSVD factors of X, for init = Init::Nndsvd (small entries left at zero),
/// Init::Nndsvda (zeros replaced by mean(X)) or Init::Nndsvdar (zeros replaced by
/// |mean(X)·z| / 100, z standard normal from `seed`), as scikit-learn defines the three: entries
/// below 1e-6 count as zeros. `seed` also draws the randomized SVD's test matrix.
template <class T>
HostFactors<T> nndsvd_factors(DenseView<const T> X, std::int64_t k, Init init, std::uint64_t seed);
template <class T, class Index>
HostFactors<T> nndsvd_factors(CsrView<const T, Index> X, std::int64_t k, Init init,
                              std::uint64_t seed);

}  // namespace cunmf::detail
