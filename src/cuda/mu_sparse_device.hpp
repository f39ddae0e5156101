// The device-resident multiplicative-update solver for a CSR X: cuSPARSE SpMM for the products
// with X and Xᵀ (a CSR copy of Xᵀ is kept, so no product is transposed), our kernels for W·H at the
// non-zeros, cuBLAS for the k×k Gram products. Nothing m×n is formed.
#pragma once

#include <cstdint>

#include "../solver_loop.hpp"
#include "cunmf/cuda/context.hpp"

namespace cunmf::cuda_backend {

/// A CSR matrix in device memory (zero-based, sorted columns, no duplicates).
template <class T, class Index>
struct DeviceCsr {
  std::int64_t rows = 0, cols = 0, nnz = 0;
  const Index* row_ptr = nullptr;
  const Index* col_idx = nullptr;
  const T* values = nullptr;
};

/// Runs MU on X (m×n) with xt its transpose (n×m), from w (W, row-major m×k) and h (H,
/// column-major k×n) in device memory, updated in place. The user's H is updated first.
template <class T, class Index>
detail::LoopOutcome run_mu_sparse_device(const cuda::Context& ctx, const DeviceCsr<T, Index>& x,
                                         const DeviceCsr<T, Index>& xt, std::int64_t k, T* w,
                                         T* h, const Options& options);

}  // namespace cunmf::cuda_backend
