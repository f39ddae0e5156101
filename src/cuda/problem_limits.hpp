// Limits the CUDA backend puts on problem sizes.
#pragma once

#include <climits>
#include <cstdint>
#include <string>

#include "cunmf/errors.hpp"

namespace cunmf::cuda_backend {

/// cuBLAS's 32-bit API takes int dimensions: throws InvalidArgument for larger ones.
inline void check_blas_dimensions(std::int64_t rows, std::int64_t cols) {
  if (rows <= INT_MAX && cols <= INT_MAX) return;
  throw InvalidArgument("cunmf: the CUDA backend takes at most " + std::to_string(INT_MAX) +
                        " rows and columns; X is " + std::to_string(rows) + " x " +
                        std::to_string(cols));
}

}  // namespace cunmf::cuda_backend
