// The benchmark's deterministic data (synthetic_data.hpp).
#include "synthetic_data.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace cunmf::bench {

namespace {

/// The rank of the planted structure of the generated matrices.
constexpr std::int64_t kPlantedRank = 16;
/// Relative noise on the planted entries.
constexpr double kNoise = 0.05;

std::uint64_t mix(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// Uniform in [0, 1) from (seed, stream, index).
double uniform(std::uint64_t seed, std::uint64_t stream, std::uint64_t index) {
  return static_cast<double>(mix(mix(seed ^ (stream * 0xd1b54a32d192ed03ULL)) + index) >> 11) *
         0x1p-53;
}

enum Stream : std::uint64_t {
  kPlantedW = 1,
  kPlantedH,
  kNoiseStream,
  kSparseRows,
  kInitW,
  kInitH,
};

/// W (m × kPlantedRank) and H (kPlantedRank × n) of the planted structure, uniform in [0, 1).
struct Planted {
  std::vector<double> w, h;  // row-major
  std::int64_t rank = kPlantedRank;
};

Planted planted_factors(std::int64_t m, std::int64_t n, std::uint64_t seed) {
  Planted p;
  p.rank = std::min<std::int64_t>({kPlantedRank, m, n});
  p.w.resize(static_cast<std::size_t>(m * p.rank));
  p.h.resize(static_cast<std::size_t>(p.rank * n));
  for (std::size_t i = 0; i < p.w.size(); ++i) p.w[i] = uniform(seed, kPlantedW, i);
  for (std::size_t i = 0; i < p.h.size(); ++i) p.h[i] = uniform(seed, kPlantedH, i);
  return p;
}

/// (W H)_ij of the planted factors times (1 + kNoise·(2u − 1)).
double planted_entry(const Planted& p, std::int64_t n, std::int64_t i, std::int64_t j,
                     std::uint64_t seed) {
  double v = 0.0;
  for (std::int64_t r = 0; r < p.rank; ++r) v += p.w[i * p.rank + r] * p.h[r * n + j];
  const double u = uniform(seed, kNoiseStream, static_cast<std::uint64_t>(i * n + j));
  return v * (1.0 + kNoise * (2.0 * u - 1.0));
}

}  // namespace

template <class T>
DenseMatrix<T> dense_input(Size size, std::uint64_t seed) {
  const Planted p = planted_factors(size.rows, size.cols, seed);
  DenseMatrix<T> X(size.rows, size.cols);
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < size.rows; ++i)
    for (std::int64_t j = 0; j < size.cols; ++j)
      X(i, j) = static_cast<T>(planted_entry(p, size.cols, i, j, seed));
  return X;
}

/// Each row holds about density·cols entries (uniformly between half and one and a half times
/// that, at least one) at random distinct columns; the values are the planted ones there.
template <class T>
CsrMatrix<T, std::int32_t> sparse_input(Size size, double density, std::uint64_t seed) {
  constexpr auto kMax = static_cast<double>(std::numeric_limits<std::int32_t>::max());
  if (static_cast<double>(size.rows) * static_cast<double>(size.cols) * density * 1.5 > kMax ||
      static_cast<double>(size.cols) > kMax) {
    throw InvalidArgument(
        "the sparse case is too large for int32 indices: lower --sparse or "
        "--density");
  }
  const Planted p = planted_factors(size.rows, size.cols, seed);
  std::vector<std::vector<std::int32_t>> columns(static_cast<std::size_t>(size.rows));
  const double mean_count = density * static_cast<double>(size.cols);
#pragma omp parallel for schedule(dynamic, 256)
  for (std::int64_t i = 0; i < size.rows; ++i) {
    const auto row = static_cast<std::uint64_t>(i) << 32;
    const double u = uniform(seed, kSparseRows, row);
    const auto want = std::clamp<std::int64_t>(std::llround(mean_count * (0.5 + u)), 1, size.cols);
    std::vector<std::int32_t>& c = columns[static_cast<std::size_t>(i)];
    std::uint64_t draw = 1;
    while (static_cast<std::int64_t>(c.size()) < want) {
      while (static_cast<std::int64_t>(c.size()) < want) {
        const double v = uniform(seed, kSparseRows, row + draw++);
        c.push_back(static_cast<std::int32_t>(v * static_cast<double>(size.cols)));
      }
      std::sort(c.begin(), c.end());
      c.erase(std::unique(c.begin(), c.end()), c.end());
    }
  }
  CsrMatrix<T, std::int32_t> X;
  X.rows = size.rows;
  X.cols = size.cols;
  X.row_ptr.resize(static_cast<std::size_t>(size.rows + 1), 0);
  for (std::int64_t i = 0; i < size.rows; ++i) {
    X.row_ptr[i + 1] = X.row_ptr[i] + static_cast<std::int32_t>(columns[i].size());
  }
  X.col_idx.resize(static_cast<std::size_t>(X.row_ptr.back()));
  X.values.resize(X.col_idx.size());
#pragma omp parallel for schedule(dynamic, 256)
  for (std::int64_t i = 0; i < size.rows; ++i) {
    std::int64_t at = X.row_ptr[i];
    for (const std::int32_t j : columns[i]) {
      X.col_idx[at] = j;
      X.values[at] = static_cast<T>(planted_entry(p, size.cols, i, j, seed));
      ++at;
    }
  }
  return X;
}

/// W0 (m × k) and H0 (k × n) uniform in [0, 1) scaled by sqrt(mean(X)/k), as the library's
/// random initialization is scaled; from (seed, k).
template <class T>
std::pair<DenseMatrix<T>, DenseMatrix<T>> initial_factors(std::int64_t m, std::int64_t n,
                                                          std::int64_t k, double mean,
                                                          std::uint64_t seed) {
  const double scale = std::sqrt(mean / static_cast<double>(k));
  const std::uint64_t s = seed * 1000003ULL + static_cast<std::uint64_t>(k);
  DenseMatrix<T> W(m, k), H(k, n);
  for (std::int64_t i = 0; i < W.size(); ++i)
    W.data()[i] = static_cast<T>(scale * uniform(s, kInitW, i));
  for (std::int64_t i = 0; i < H.size(); ++i)
    H.data()[i] = static_cast<T>(scale * uniform(s, kInitH, i));
  return {std::move(W), std::move(H)};
}

template DenseMatrix<float> dense_input<float>(Size, std::uint64_t);
template DenseMatrix<double> dense_input<double>(Size, std::uint64_t);
template CsrMatrix<float, std::int32_t> sparse_input<float>(Size, double, std::uint64_t);
template CsrMatrix<double, std::int32_t> sparse_input<double>(Size, double, std::uint64_t);
template std::pair<DenseMatrix<float>, DenseMatrix<float>> initial_factors<float>(
    std::int64_t, std::int64_t, std::int64_t, double, std::uint64_t);
template std::pair<DenseMatrix<double>, DenseMatrix<double>> initial_factors<double>(
    std::int64_t, std::int64_t, std::int64_t, double, std::uint64_t);

}  // namespace cunmf::bench
