// The CPU backend: the primitives of core/primitives.hpp with Eigen and OpenMP, for dense and CSR
// operands in float and double. It knows nothing of the solvers that call it.
#pragma once

#include "product.hpp"  // first: it configures Eigen

#include <Eigen/Cholesky>
#include <cstdint>

#include "../../kernels/elementwise.cuh"
#include "../core/operand_dispatch.hpp"
#include "sparse_residual.hpp"

namespace cunmf::cpu {

/// Rows of F per partial Gram matrix in Backend::gram.
inline constexpr Eigen::Index kGramRows = 4096;

/// A CSR matrix that the CPU backend reads in place (Backend::csr_from_host).
template <class T, class Index>
struct HostCsr {
  CsrView<const T, Index> view;
  detail::CsrArrays<T, Index> arrays() const { return detail::arrays_of(view); }
};

template <class T>
class Backend : public detail::OperandDispatch<Backend<T>, T> {
 public:
  using Scalar = T;
  /// Row-major (Panel): the CPU backend's choice of storage order for the solvers' k-column
  /// panels, so the sparse loops read contiguous k-vectors; Eigen's products take either order.
  using Matrix = Panel<T>;

  Matrix matrix(std::int64_t rows, std::int64_t cols) const { return Matrix(rows, cols); }

  /// A panel from, and back to, column-major host memory (the factors' exchange format).
  static Matrix from_column_major(const T* data, std::int64_t rows, std::int64_t cols) {
    return Eigen::Map<const cpu::Matrix<T>>(data, rows, cols);
  }
  static void to_column_major(const Matrix& panel, T* data) {
    Eigen::Map<cpu::Matrix<T>>(data, panel.rows(), panel.cols()) = panel;
  }
  /// A host CSR matrix where the backend reads it (the graph's affinity): on the CPU, the host
  /// arrays themselves, which must outlive the result.
  template <class Index>
  static HostCsr<T, Index> csr_from_host(CsrView<const T, Index> A) {
    return HostCsr<T, Index>{A};
  }

  void gram(const Matrix& F, Matrix& out);
  void multiply(const Matrix& F, const Matrix& S, Matrix& out) const;
  void column_sums(const Matrix& F, Matrix& out) const;
  void mu_update(Matrix& F, const Matrix& numerator, const Matrix& denominator,
                 detail::Penalty<T> penalty, T floor, T gamma) const;
  void beta_denominator(const Matrix& W, const Matrix& F, T beta, Matrix& out) const;
  void add_penalty(Matrix& gram, Matrix& numerator, detail::Penalty<T> penalty) const;
  void projected_gram_solve(const Matrix& G, Matrix& N);
  void nnls_bpp(const Matrix& G, const Matrix& numerator, Matrix& F);
  void hals_update(Matrix& F, const Matrix& numerator, const Matrix& gram) const;
  void axpby(T a, const Matrix& X, T b, const Matrix& Y, Matrix& out) const;
  void projected_step(const Matrix& F, const Matrix& gradient, T alpha, Matrix& out) const;
  void projected_gradient(const Matrix& F, const Matrix& gradient, Matrix& out) const;
  double dot(const Matrix& A, const Matrix& B) const;

  /// The Frobenius MU half-step and Aᵀ F, Fᵀ F in one pass over A (fused_half_step.cpp); hides
  /// OperandDispatch's composition. N and D are not used.
  template <class Index>
  void mu_frobenius_step(const detail::Operand<T, Index>& A, const Matrix& G, const Matrix& S,
                         Matrix& F, detail::Penalty<T> penalty, T floor, Matrix& N, Matrix& D,
                         Matrix& P, Matrix& Q);
  void dense_mu_frobenius_step(const detail::ColumnMajorStorage<T>& S, bool transposed,
                               const Matrix& G, const Matrix& gram, Matrix& F,
                               detail::Penalty<T> penalty, T floor, Matrix& P, Matrix& Q);
  template <class Index>
  void sparse_mu_frobenius_step(const detail::CsrArrays<T, Index>& A, const Index* column_starts,
                                const Matrix& G, const Matrix& gram, Matrix& F,
                                detail::Penalty<T> penalty, T floor, Matrix& P, Matrix& Q);

  // The operand primitives by kind (core/operand_dispatch.hpp).
  void dense_product(const detail::ColumnMajorStorage<T>& S, bool transposed, const Matrix& F,
                     Matrix& out);
  void dense_ratio_product(const detail::ColumnMajorStorage<T>& S, bool transposed, const Matrix& W,
                           const Matrix& F, Matrix& out);
  void dense_beta_terms(const detail::ColumnMajorStorage<T>& S, bool transposed, const Matrix& W,
                        const Matrix& F, T beta, Matrix& numerator, Matrix& denominator);
  double dense_loss(detail::Divergence loss, const detail::ColumnMajorStorage<T>& S,
                    const Matrix& A, const Matrix& B) const;
  template <class Index>
  void sparse_product(const detail::CsrArrays<T, Index>& A, const T* values, const Matrix& F,
                      Matrix& out);
  template <class Index>
  void sparse_ratio_product(const detail::CsrArrays<T, Index>& A, const Matrix& W, const Matrix& F,
                            Matrix& out);
  template <class Index>
  void sparse_beta_numerator(const detail::CsrArrays<T, Index>& A, const Matrix& W, const Matrix& F,
                             T beta, Matrix& out);
  template <class Index>
  double sparse_loss(detail::Divergence loss, const detail::CsrArrays<T, Index>& X, const Matrix& W,
                     const Matrix& Ht) const;
  void dense_kl_cd_update(const detail::ColumnMajorStorage<T>& S, bool transposed, Matrix& F,
                          const Matrix& G, const Matrix& sums, detail::Penalty<T> penalty) const;
  template <class Index>
  void sparse_kl_cd_update(const detail::CsrArrays<T, Index>& A, Matrix& F, const Matrix& G,
                           const Matrix& sums, detail::Penalty<T> penalty);

 private:
  // Work space, kept between calls so that the iterations do not allocate.
  cpu::Matrix<T> product_work_;  ///< dense: S · F, column-major, before it goes to a panel
  cpu::Matrix<T> gram_parts_;    ///< gram: the Gram matrices of blocks of rows, side by side
  std::vector<T> kl_cd_values_;  ///< CSR kl_cd_update: W·H at the stored entries
  cpu::Matrix<T> ridged_gram_;   ///< projected_gram_solve: G + δI (k × k)
  Eigen::LLT<cpu::Matrix<T>> cholesky_;  ///< projected_gram_solve: its factor
  cpu::Matrix<T> bpp_gram_;              ///< nnls_bpp: G + δI (k × k)
  cpu::Matrix<T> fused_parts_;    ///< mu_frobenius_step: the runs' partials of Aᵀ F, side by side
  cpu::Matrix<T> fused_q_parts_;  ///< mu_frobenius_step: the runs' partials of Fᵀ F (k × k each)
};

}  // namespace cunmf::cpu
