// Exact rescaling of an extreme X (see scaling.hpp).
#include "scaling.hpp"

#include <algorithm>
#include <cmath>

namespace cunmf::detail {

namespace {

constexpr double kLowest = 0x1p-10;
constexpr double kHighest = 0x1p40;

/// The loss of the unscaled problem from the scaled one's.
double unscaled_loss(double loss, Loss kind, int p) {
  return std::ldexp(loss, kind == Loss::Frobenius ? -2 * p : -p);
}

}  // namespace

int scale_exponent(double max_abs) {
  if (max_abs == 0.0 || (max_abs >= kLowest && max_abs <= kHighest)) return 0;
  const int p = -std::ilogb(max_abs);  // 2^p · max_abs in [1, 2)
  return p - (p % 2 != 0 ? 1 : 0);     // even, so the factors take 2^(p/2) each
}

template <class T>
double max_entry(DenseView<const T> X) {
  double largest = 0.0;
  for (std::int64_t i = 0; i < X.size(); ++i) largest = std::max(largest, double(X.data[i]));
  return largest;
}

template <class T, class Index>
double max_entry(CsrView<const T, Index> X) {
  double largest = 0.0;
  for (std::int64_t e = 0; e < X.nnz; ++e) largest = std::max(largest, double(X.values[e]));
  return largest;
}

namespace {

template <class T>
const T* scaled_values(const T* values, std::int64_t count, int p, std::vector<T>& storage) {
  if (p == 0) return values;
  storage.resize(static_cast<std::size_t>(count));
  for (std::size_t i = 0; i < storage.size(); ++i) storage[i] = std::ldexp(values[i], p);
  return storage.data();
}

}  // namespace

template <class T>
DenseView<const T> scaled(DenseView<const T> X, int p, std::vector<T>& storage) {
  return {scaled_values(X.data, X.size(), p, storage), X.rows, X.cols, X.layout};
}

template <class T, class Index>
CsrView<const T, Index> scaled(CsrView<const T, Index> X, int p, std::vector<T>& storage) {
  return {X.rows, X.cols, X.nnz, X.row_ptr, X.col_idx, scaled_values(X.values, X.nnz, p, storage)};
}

template <class T>
void scale_factors(HostFactors<T>& f, int half_p) {
  if (half_p == 0) return;
  for (T& w : f.w) w = std::ldexp(w, half_p);
  for (T& h : f.ht) h = std::ldexp(h, half_p);
}

Options unscaled_reporting(const Options& options, int p) {
  Options scaled = options;
  if (p != 0 && options.on_check) {
    scaled.on_check = [report = options.on_check, kind = options.loss, p](int it, double loss) {
      report(it, unscaled_loss(loss, kind, p));
    };
  }
  return scaled;
}

void unscale_history(RunSummary& summary, Loss loss, int p) {
  for (double& l : summary.loss_history) l = unscaled_loss(l, loss, p);
}

#define CUNMF_INSTANTIATE_SCALING(T)                                                              \
  template double max_entry<T>(DenseView<const T>);                                               \
  template double max_entry<T, std::int32_t>(CsrView<const T, std::int32_t>);                     \
  template double max_entry<T, std::int64_t>(CsrView<const T, std::int64_t>);                     \
  template DenseView<const T> scaled<T>(DenseView<const T>, int, std::vector<T>&);                \
  template CsrView<const T, std::int32_t> scaled<T, std::int32_t>(CsrView<const T, std::int32_t>, \
                                                                  int, std::vector<T>&);          \
  template CsrView<const T, std::int64_t> scaled<T, std::int64_t>(CsrView<const T, std::int64_t>, \
                                                                  int, std::vector<T>&);          \
  template void scale_factors<T>(HostFactors<T>&, int);
CUNMF_INSTANTIATE_SCALING(float)
CUNMF_INSTANTIATE_SCALING(double)
#undef CUNMF_INSTANTIATE_SCALING

}  // namespace cunmf::detail
