// The CPU backend's primitives that do not depend on the kind of operand, and the dispatch of those
// that do (dense_primitives.cpp, sparse_primitives.cpp).
#include "backend.hpp"

#include "../../kernels/elementwise.cuh"
#include "residual.hpp"

namespace cunmf::cpu {

template <class T>
template <class Index>
void Backend<T>::product(const detail::Operand<T, Index>& A, const Matrix& F, Matrix& out) {
  if (A.is_sparse()) {
    sparse_product(A.csr(), A.csr().values, F, out);
  } else {
    dense_product(A.storage(), A.reads_transposed(), F, out);
  }
}

template <class T>
template <class Index>
void Backend<T>::ratio_product(const detail::Operand<T, Index>& A, const Matrix& W,
                               const Matrix& F, Matrix& out) {
  if (A.is_sparse()) {
    sparse_ratio_product(A.csr(), W, F, out);
  } else {
    dense_ratio_product(A.storage(), A.reads_transposed(), W, F, out);
  }
}

template <class T>
template <class Index>
double Backend<T>::loss(Loss loss, const detail::Operand<T, Index>& X, const Matrix& W,
                        const Matrix& Ht) const {
  if (X.is_sparse()) {
    const RowMajorMatrix<double> w = W.template cast<double>();
    const RowMajorMatrix<double> ht = Ht.template cast<double>();
    if (loss == Loss::Frobenius) {
      return 0.5 * sparse_squared_residual(X.csr(), w, ht, squared_norm(X.csr()));
    }
    return sparse_kl_divergence(X.csr(), w, ht);
  }
  // The storage S is X ≈ W Htᵀ, or Xᵀ ≈ Ht Wᵀ.
  const detail::ColumnMajorStorage<T>& s = X.storage();
  const Eigen::Map<const Matrix> S(s.data, s.rows, s.cols);
  const Matrix& A = X.reads_transposed() ? Ht : W;
  const Matrix& B = X.reads_transposed() ? W : Ht;
  if (loss == Loss::Frobenius) return 0.5 * squared_residual<T>(S, A, B);
  return kl_divergence<T>(S, A, B);
}

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

#define CUNMF_INSTANTIATE_CPU_OPERAND_PRIMITIVES(T, Index)                                     \
  template void Backend<T>::product<Index>(const detail::Operand<T, Index>&, const Matrix&,    \
                                           Matrix&);                                           \
  template void Backend<T>::ratio_product<Index>(const detail::Operand<T, Index>&,             \
                                                 const Matrix&, const Matrix&, Matrix&);       \
  template double Backend<T>::loss<Index>(Loss, const detail::Operand<T, Index>&, const Matrix&, \
                                          const Matrix&) const;
CUNMF_INSTANTIATE_CPU_OPERAND_PRIMITIVES(float, std::int32_t)
CUNMF_INSTANTIATE_CPU_OPERAND_PRIMITIVES(float, std::int64_t)
CUNMF_INSTANTIATE_CPU_OPERAND_PRIMITIVES(double, std::int32_t)
CUNMF_INSTANTIATE_CPU_OPERAND_PRIMITIVES(double, std::int64_t)
#undef CUNMF_INSTANTIATE_CPU_OPERAND_PRIMITIVES

template class Backend<float>;
template class Backend<double>;

}  // namespace cunmf::cpu
