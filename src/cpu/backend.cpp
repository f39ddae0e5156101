// The CPU backend's primitives that do not depend on the operand: Gram and small products, column
// sums and the element-wise update.
#include "backend.hpp"

#include "../../kernels/elementwise.cuh"

namespace cunmf::cpu {

template <class T>
void Backend<T>::gram(const Matrix& F, Matrix& out) const {
  out.noalias() = F.transpose() * F;
}

template <class T>
void Backend<T>::multiply(const Matrix& F, const Matrix& S, Matrix& out) const {
  product_into(out, F, S);
}

template <class T>
void Backend<T>::column_sums(const Matrix& F, Matrix& out) const {
  out.noalias() = F.colwise().sum();
}

template <class T>
void Backend<T>::mu_update(Matrix& F, const Matrix& numerator, const Matrix& denominator,
                           T floor) const {
  const Eigen::Index rows = F.rows();
  const Eigen::Index k = F.cols();
  const bool per_column = denominator.rows() != rows;  // 1 × k: one denominator per column
  const bool parallel = static_cast<double>(F.size()) > kMinParallelWork;
#pragma omp parallel for schedule(static) if (parallel)
  for (Eigen::Index r = 0; r < k; ++r) {
    T* f = F.col(r).data();
    const T* num = numerator.col(r).data();
    if (per_column) {
      const T den = denominator(0, r);
#pragma omp simd
      for (Eigen::Index i = 0; i < rows; ++i) f[i] = detail::mu_step(f[i], num[i], den, floor);
    } else {
      const T* den = denominator.col(r).data();
#pragma omp simd
      for (Eigen::Index i = 0; i < rows; ++i) f[i] = detail::mu_step(f[i], num[i], den[i], floor);
    }
  }
}

template class Backend<float>;
template class Backend<double>;

}  // namespace cunmf::cpu
