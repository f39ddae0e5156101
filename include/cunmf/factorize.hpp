// cunmf::factorize: X (m×n, ≥ 0) ≈ W (m×k, ≥ 0) · H (k×n, ≥ 0) on the CPU or the CUDA device.
#pragma once

#include <vector>

#include "matrix.hpp"
#include "options.hpp"
#include "sparse.hpp"

namespace cunmf {

/// What a factorization run did, whatever the backend: the loss history and the counts.
struct RunSummary {
  std::vector<double> loss_history;     ///< [0]: loss of the initial factors, then one per check
  std::vector<int> history_iterations;  ///< the iteration at which each history entry was taken
  int iterations = 0;                   ///< iterations run
  bool converged = false;               ///< stopped because the relative decrease fell below tol
  double seconds = 0.0;                 ///< wall time of the iterations (device work included)
};

/// The outcome of a factorization: the factors and the run's summary.
template <class T>
struct Result : RunSummary {
  DenseMatrix<T> W;  ///< m × k, row-major
  DenseMatrix<T> H;  ///< k × n, row-major
  /// k × k: nsNMF's smoothing matrix, X ≈ W S H (Options::nsnmf_theta); the identity otherwise.
  DenseMatrix<T> S;
  Backend backend = Backend::Cpu;  ///< the backend that ran (never Auto)
};

/// Factorizes X with a random initialization drawn from `options.seed`.
/// Throws InvalidArgument for a bad X (empty, negative/NaN/Inf entry: the first offending position
/// is named) or bad options (rank 0 or > min(m, n), check_every < 1, max_iter < 0, tol < 0),
/// DeviceUnavailable when Backend::Cuda has no device, DeviceOutOfMemory / CudaError on device
/// failure.
Result<float> factorize(DenseView<const float> X, const Options& options);
Result<double> factorize(DenseView<const double> X, const Options& options);

/// Factorizes X starting from W0 (m×k) and H0 (k×n), which must be non-negative and finite; their
/// shapes must match X and options.rank. Throws as above.
Result<float> factorize(DenseView<const float> X, const Options& options, DenseView<const float> W0,
                        DenseView<const float> H0);
Result<double> factorize(DenseView<const double> X, const Options& options,
                         DenseView<const double> W0, DenseView<const double> H0);

/// Factorizes a sparse CSR X (T = float or double, Index = std::int32_t or std::int64_t) with a
/// random initialization from options.seed. X is never densified: W·H is evaluated only at its
/// non-zeros, and a CSR copy of Xᵀ is built once (memory: see the README). Column indices must be
/// sorted and unique within each row (InvalidArgument names the first row that is not); otherwise
/// throws as the dense overloads do.
template <class T, class Index>
Result<T> factorize(CsrView<const T, Index> X, const Options& options);

/// As above, starting from W0 (m×k) and H0 (k×n).
template <class T, class Index>
Result<T> factorize(CsrView<const T, Index> X, const Options& options, DenseView<const T> W0,
                    DenseView<const T> H0);

/// H (k × n) for X (m × n) ≈ W H with W (m × k) fixed: new columns (samples) of data that W was
/// fitted on, given their own coefficients. Runs the H half-steps of options.solver for
/// options.loss (with H's penalty, alpha_H) under the stopping rule of options; the history is the
/// objective with W held. This is scikit-learn's NMF.transform for data whose samples are the
/// columns of X (scikit-learn's samples are rows: its transform(X) is our transform of Xᵀ with W
/// = components_ᵀ, giving Hᵀ). H starts from H0 when given; otherwise from sqrt(mean(X) / k) in
/// every entry, or from zeros for the Frobenius loss with every solver but mu (scikit-learn's
/// starts: MU cannot leave a zero). k is W's columns and may exceed n (options.rank is ignored);
/// options.init, seed and checkpoint do not apply (a checkpoint is refused). The Result's W is a
/// copy of the given W. Throws as factorize does, and InvalidArgument when W does not have m
/// rows or is negative or not finite.
Result<float> transform(DenseView<const float> X, DenseView<const float> W, const Options& options);
Result<double> transform(DenseView<const double> X, DenseView<const double> W,
                         const Options& options);
Result<float> transform(DenseView<const float> X, DenseView<const float> W, const Options& options,
                        DenseView<const float> H0);
Result<double> transform(DenseView<const double> X, DenseView<const double> W,
                         const Options& options, DenseView<const double> H0);
template <class T, class Index>
Result<T> transform(CsrView<const T, Index> X, DenseView<const T> W, const Options& options);
template <class T, class Index>
Result<T> transform(CsrView<const T, Index> X, DenseView<const T> W, const Options& options,
                    DenseView<const T> H0);

/// W·H, the data that the factors describe (scikit-learn's inverse_transform), as an m × n
/// row-major matrix; W is m × k, H is k × n, both finite. Throws InvalidArgument when the inner
/// dimensions differ.
DenseMatrix<float> inverse_transform(DenseView<const float> W, DenseView<const float> H);
DenseMatrix<double> inverse_transform(DenseView<const double> W, DenseView<const double> H);

/// True when this build has the CUDA backend and a CUDA device (real or emulated) is usable.
bool cuda_available();

/// A one-line description of the CUDA device that Backend::Cuda would use, or why there is none.
const char* cuda_device_description();

}  // namespace cunmf
