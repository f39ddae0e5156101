// The problem every backend solves, in one orientation: a column-major X_int (M×N) ≈ W_int (M×k)
// · H_int (k×N). A row-major user X (m×n) is a column-major Xᵀ, so it is solved as Xᵀ ≈ HᵀWᵀ
// without copying X (DESIGN.md): then W_int = Hᵀ and H_int = Wᵀ, whose column-major storage is
// exactly the user's row-major H and W. Also: argument validation and the initial factors.
#pragma once

#include <cstdint>
#include <vector>

#include "cunmf/factorize.hpp"
#include "cunmf/matrix.hpp"
#include "cunmf/options.hpp"

namespace cunmf::detail {

/// The smallest value a denominator may take: one that is exactly 0 is replaced by this (as
/// scikit-learn does, float32 machine epsilon for every precision so backends agree).
inline constexpr double kEpsilon = 1.1920928955078125e-07;

/// X_int in column-major order and the factor shapes.
template <class T>
struct ColMajorProblem {
  const T* x = nullptr;     ///< M × N, column-major, leading dimension M
  std::int64_t M = 0, N = 0, k = 0;
  bool transposed = false;  ///< the user's X was row-major: X_int = Xᵀ, W_int = Hᵀ, H_int = Wᵀ
};

/// Factors in the backend orientation: w is M × k and h is k × N, both column-major.
template <class T>
struct ColMajorFactors {
  std::vector<T> w;
  std::vector<T> h;
};

/// Throws InvalidArgument unless the options are usable for an m × n matrix.
void validate_options(const Options& options, std::int64_t m, std::int64_t n);

/// Throws InvalidArgument unless every entry of A is finite and ≥ 0; `what` names the matrix in
/// the message, which gives the first offending (row, column) in A's own indexing.
template <class T>
void validate_nonnegative(DenseView<const T> A, const char* what);

/// Throws the InvalidArgument for entry `index` (in storage order) of a rows × cols matrix in
/// `layout`, whose value is `value`, naming its (row, column).
[[noreturn]] void throw_invalid_entry(const char* what, double value, std::int64_t index,
                                      std::int64_t rows, std::int64_t cols, Layout layout);

/// Throws InvalidArgument unless A is rows × cols; `what` names the matrix in the message.
template <class T>
void validate_shape(DenseView<const T> A, std::int64_t rows, std::int64_t cols, const char* what);

/// The backend orientation of a user matrix X.
template <class T>
ColMajorProblem<T> make_problem(DenseView<const T> X, std::int64_t rank);

/// The backend-orientation factors of a user's W (m×k) and H (k×n), in any layout.
template <class T>
ColMajorFactors<T> to_backend(const ColMajorProblem<T>& p, DenseView<const T> W,
                              DenseView<const T> H);

/// Random initial factors from the seed: uniform [0, 1) scaled by sqrt(mean(X) / k). Drawn in the
/// user's orientation, so row- and column-major X give the same start.
template <class T>
ColMajorFactors<T> random_factors(DenseView<const T> X, const ColMajorProblem<T>& p,
                                  std::uint64_t seed);

/// The random W (m×k) and H (k×n), row-major, every backend and input type starts from:
/// uniform [0, 1) scaled by sqrt(mean / k), drawn from `seed`.
template <class T>
void random_user_factors(double mean, std::int64_t m, std::int64_t n, std::int64_t k,
                         std::uint64_t seed, DenseMatrix<T>& W, DenseMatrix<T>& H);

/// As random_factors, given mean(X) (for inputs that live on the device).
template <class T>
ColMajorFactors<T> random_factors_from_mean(double mean, const ColMajorProblem<T>& p,
                                            std::uint64_t seed);

/// Moves backend factors into the user's row-major W (m×k) and H (k×n).
template <class T>
void to_user(const ColMajorProblem<T>& p, ColMajorFactors<T>&& f, Result<T>& result);

}  // namespace cunmf::detail
