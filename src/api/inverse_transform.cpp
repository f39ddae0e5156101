// cunmf::inverse_transform: W·H on the host, by Eigen's GEMM in either layout of W and H.
#include "../cpu/product.hpp"  // first: it configures Eigen

#include <string>

#include "../core/expects.hpp"
#include "cunmf/factorize.hpp"

namespace cunmf {

namespace {

template <class T>
using RowMajor = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using ColMajor = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;

/// Calls `use` with an Eigen map of A in its own layout.
template <class T, class Use>
void with_map(DenseView<const T> A, Use&& use) {
  if (A.layout == Layout::RowMajor) {
    use(Eigen::Map<const RowMajor<T>>(A.data, A.rows, A.cols));
  } else {
    use(Eigen::Map<const ColMajor<T>>(A.data, A.rows, A.cols));
  }
}

template <class T>
DenseMatrix<T> product_of(DenseView<const T> W, DenseView<const T> H) {
  CUNMF_EXPECTS(W.cols == H.rows && W.rows >= 0 && H.cols >= 0,
                "inverse_transform: W is " + std::to_string(W.rows) + " x " +
                    std::to_string(W.cols) + " but H is " + std::to_string(H.rows) + " x " +
                    std::to_string(H.cols) + ": W's columns must be H's rows");
  DenseMatrix<T> out(W.rows, H.cols);
  Eigen::Map<RowMajor<T>> result(out.data(), W.rows, H.cols);
  with_map(W,
           [&](const auto& w) { with_map(H, [&](const auto& h) { result.noalias() = w * h; }); });
  return out;
}

}  // namespace

DenseMatrix<float> inverse_transform(DenseView<const float> W, DenseView<const float> H) {
  return product_of(W, H);
}
DenseMatrix<double> inverse_transform(DenseView<const double> W, DenseView<const double> H) {
  return product_of(W, H);
}

}  // namespace cunmf
