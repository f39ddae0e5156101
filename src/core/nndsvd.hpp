// NNDSVD initialization (Boutsidis & Gallopoulos, Pattern Recognition 2008) from a truncated SVD
// of X: randomized (Halko, Martinsson & Tropp, SIAM Review 2011) with oversampling and power
// iterations, so that X is only ever multiplied — a dense X read in place in its own layout, a CSR
// X never densified. nndsvd_factors computes it on the host in double; the CUDA backend computes
// the same sketch on the device (cuda/truncated_svd.hpp) and shares the rest from here: the test
// matrix, the small SVD and the NNDSVD rule.
#pragma once

#include <cstdint>
#include <vector>

#include "cunmf/matrix.hpp"
#include "cunmf/options.hpp"
#include "cunmf/sparse.hpp"
#include "host_factors.hpp"

namespace cunmf::detail {

/// Oversampling and power iterations of the randomized SVD: scikit-learn's randomized_svd
/// defaults (10 extra columns; 7 iterations when k is small against the matrix). With a gap after
/// the k-th singular value, the subspace error falls as (σ_{k+11} / σ_k)^15.
inline constexpr std::int64_t kNndsvdOversampling = 10;
inline constexpr int kNndsvdPowerIterations = 7;

/// The columns of the sketch of an m × n X for rank k: k + oversampling, at most min(m, n).
std::int64_t sketch_columns(std::int64_t m, std::int64_t n, std::int64_t k);

/// The randomized SVD's test matrix Ω (n × l, column-major): standard normal draws from `seed`,
/// the same numbers on every machine and backend.
std::vector<double> sketch_test_matrix(std::int64_t n, std::int64_t l, std::uint64_t seed);

/// The leading k singular triplets of an m × n X: X ≈ U diag(s) Vᵀ, in double, column-major.
struct TruncatedSvd {
  std::int64_t m = 0, n = 0, k = 0;
  std::vector<double> u;  ///< m × k
  std::vector<double> s;  ///< k, descending
  std::vector<double> v;  ///< n × k
};

/// The SVD of a small l × l matrix R (column-major, double): R = Ur diag(s) Vrᵀ, each l × l
/// (the last step of the device's randomized SVD, which reduces the sketch to R on the device).
struct SmallSvd {
  std::vector<double> ur, s, vr;
};
SmallSvd small_svd(const std::vector<double>& R, std::int64_t l);

/// InvalidArgument unless 1 ≤ k ≤ min(rows, cols).
void check_nndsvd_rank(std::int64_t rows, std::int64_t cols, std::int64_t k);

/// The NNDSVD factors of a truncated SVD of X (the rule of nndsvd_factors, whichever backend
/// computed the SVD); `mean` is mean(X), `seed` draws Nndsvdar's fill.
template <class T>
HostFactors<T> nndsvd_from_svd(const TruncatedSvd& svd, Init init, double mean, std::uint64_t seed);

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
