// Host factors in the solvers' orientation and their conversions (see host_factors.hpp).
#include "host_factors.hpp"

#include <cmath>
#include <cstring>
#include <random>

#include "expects.hpp"
#include "nndsvd.hpp"

namespace cunmf::detail {

template <class T>
HostFactors<T> factors_from(DenseView<const T> W0, DenseView<const T> H0) {
  HostFactors<T> f{W0.rows, H0.cols, W0.cols, {}, {}};
  f.w.resize(static_cast<std::size_t>(f.m * f.k));
  f.ht.resize(static_cast<std::size_t>(f.n * f.k));
  for (std::int64_t r = 0; r < f.k; ++r) {
    for (std::int64_t i = 0; i < f.m; ++i) f.w[r * f.m + i] = W0(i, r);
    for (std::int64_t j = 0; j < f.n; ++j) f.ht[r * f.n + j] = H0(r, j);
  }
  return f;
}

template <class T>
HostFactors<T> random_factors(double mean, std::int64_t m, std::int64_t n, std::int64_t k,
                              std::uint64_t seed) {
  const double scale = std::sqrt(mean / static_cast<double>(k));
  // mt19937_64 is specified bit for bit; the conversion to [0, 1) is ours (the standard
  // distributions are implementation-defined), so a seed means the same factors everywhere.
  std::mt19937_64 engine(seed);
  auto draw = [&] { return static_cast<T>(scale * static_cast<double>(engine() >> 11) * 0x1p-53); };
  HostFactors<T> f{m, n, k, std::vector<T>(static_cast<std::size_t>(m * k)),
                   std::vector<T>(static_cast<std::size_t>(n * k))};
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t r = 0; r < k; ++r) f.w[r * m + i] = draw();
  for (T& h : f.ht) h = draw();  // H row by row is Hᵀ column by column
  return f;
}

namespace {

template <class T, class XView>
HostFactors<T> initial_factors_of(XView X, const Options& options) {
  switch (options.init) {
    case Init::Random:
      return random_factors<T>(mean_of(X), X.rows, X.cols, options.rank, options.seed);
    case Init::Nndsvd:
    case Init::Nndsvda:
    case Init::Nndsvdar:
      return nndsvd_factors(X, options.rank, options.init, options.seed);
  }
  CUNMF_EXPECTS(false, "unknown init " + std::to_string(static_cast<int>(options.init)));
  return {};
}

}  // namespace

template <class T>
HostFactors<T> initial_factors(DenseView<const T> X, const Options& options) {
  return initial_factors_of<T>(X, options);
}
template <class T, class Index>
HostFactors<T> initial_factors(CsrView<const T, Index> X, const Options& options) {
  return initial_factors_of<T>(X, options);
}

template <class T>
void to_user(HostFactors<T>&& f, DenseMatrix<T>& W, DenseMatrix<T>& H) {
  W = DenseMatrix<T>(f.m, f.k);
  for (std::int64_t i = 0; i < f.m; ++i)
    for (std::int64_t r = 0; r < f.k; ++r) W(i, r) = f.w[r * f.m + i];
  H = DenseMatrix<T>(f.k, f.n);
  std::memcpy(H.data(), f.ht.data(), f.ht.size() * sizeof(T));
}

template <class T>
double mean_of(DenseView<const T> X) {
  double sum = 0.0;
  for (std::int64_t idx = 0; idx < X.size(); ++idx) sum += static_cast<double>(X.data[idx]);
  return sum / static_cast<double>(X.size());
}

template <class T, class Index>
double mean_of(CsrView<const T, Index> X) {
  double sum = 0.0;
  for (std::int64_t e = 0; e < X.nnz; ++e) sum += static_cast<double>(X.values[e]);
  return sum / (static_cast<double>(X.rows) * static_cast<double>(X.cols));
}

template <class T, class Index>
CsrMatrix<T, Index> transpose(CsrView<const T, Index> X) {
  CsrMatrix<T, Index> t;
  t.rows = X.cols;
  t.cols = X.rows;
  t.row_ptr.assign(static_cast<std::size_t>(X.cols + 1), 0);
  t.col_idx.resize(static_cast<std::size_t>(X.nnz));
  t.values.resize(static_cast<std::size_t>(X.nnz));
  for (std::int64_t e = 0; e < X.nnz; ++e) ++t.row_ptr[static_cast<std::size_t>(X.col_idx[e]) + 1];
  for (std::int64_t j = 0; j < X.cols; ++j) t.row_ptr[j + 1] += t.row_ptr[j];
  // Rows of X in increasing order fill each row of Xᵀ in increasing column order.
  std::vector<Index> cursor(t.row_ptr.begin(), t.row_ptr.end() - 1);
  for (std::int64_t i = 0; i < X.rows; ++i) {
    for (std::int64_t e = X.row_ptr[i]; e < X.row_ptr[i + 1]; ++e) {
      const Index slot = cursor[static_cast<std::size_t>(X.col_idx[e])]++;
      t.col_idx[slot] = static_cast<Index>(i);
      t.values[slot] = X.values[e];
    }
  }
  return t;
}

#define CUNMF_INSTANTIATE_HOST_FACTORS(T)                                                     \
  template HostFactors<T> factors_from<T>(DenseView<const T>, DenseView<const T>);            \
  template HostFactors<T> random_factors<T>(double, std::int64_t, std::int64_t, std::int64_t, \
                                            std::uint64_t);                                   \
  template HostFactors<T> initial_factors<T>(DenseView<const T>, const Options&);             \
  template void to_user<T>(HostFactors<T>&&, DenseMatrix<T>&, DenseMatrix<T>&);               \
  template double mean_of<T>(DenseView<const T>);
CUNMF_INSTANTIATE_HOST_FACTORS(float)
CUNMF_INSTANTIATE_HOST_FACTORS(double)
#undef CUNMF_INSTANTIATE_HOST_FACTORS

#define CUNMF_INSTANTIATE_HOST_CSR(T, Index)                  \
  template double mean_of<T, Index>(CsrView<const T, Index>); \
  template HostFactors<T> initial_factors<T, Index>(CsrView<const T, Index>, const Options&); \
  template CsrMatrix<T, Index> transpose<T, Index>(CsrView<const T, Index>);
CUNMF_INSTANTIATE_HOST_CSR(float, std::int32_t)
CUNMF_INSTANTIATE_HOST_CSR(float, std::int64_t)
CUNMF_INSTANTIATE_HOST_CSR(double, std::int32_t)
CUNMF_INSTANTIATE_HOST_CSR(double, std::int64_t)
#undef CUNMF_INSTANTIATE_HOST_CSR

}  // namespace cunmf::detail
