// nsNMF's smoothing matrix (Pascual-Montano, Carazo, Kochi, Lehmann & Pascual-Marqui, "Nonsmooth
// nonnegative matrix factorization (nsNMF)", IEEE TPAMI 28(3), 2006), written once for the solvers
// and the results.
#pragma once

#include <cstdint>
#include <vector>

namespace cunmf::detail {

/// S = (1 − θ)I + (θ/k)11ᵀ, k × k (symmetric: the same values in either storage order). X ≈ W S H:
/// S spreads each component over all of them by θ, so W and H must grow sparser to fit; θ = 0 is
/// the identity (plain NMF).
template <class T>
std::vector<T> smoothing_matrix(double theta, std::int64_t k) {
  std::vector<T> S(static_cast<std::size_t>(k * k));
  const double off = theta / static_cast<double>(k);
  for (std::int64_t i = 0; i < k; ++i)
    for (std::int64_t j = 0; j < k; ++j)
      S[static_cast<std::size_t>(i * k + j)] = static_cast<T>((i == j ? 1.0 - theta : 0.0) + off);
  return S;
}

}  // namespace cunmf::detail
