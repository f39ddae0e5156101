// Options of a factorization: loss, solver, backend, stopping rule and seed.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "sparse.hpp"

namespace cunmf {

/// The objective minimized.
/// (Values are append-only: checkpoint files store them.)
enum class Loss {
  Frobenius,        ///< ½‖X − WH‖²_F (the β-divergence with β = 2)
  KullbackLeibler,  ///< generalized KL divergence Σ x log(x / wh) − x + wh (β = 1)
  /// The β-divergence of Options::beta (Févotte & Idier, Neural Computation 2011):
  /// Σ (x^β + (β − 1)(wh)^β − β·x·(wh)^(β−1)) / (β(β − 1)), scikit-learn's NMF(beta_loss=β).
  /// β = 2 and β = 1 are exactly the Frobenius and KL losses (their paths run); β = 0 is
  /// Itakura–Saito. Multiplicative updates only (with scikit-learn's exponent γ(β), so that the
  /// divergence never increases). For β ≤ 0 every entry of X must be positive: d_β(0 | wh) is
  /// infinite there (InvalidArgument otherwise; a CSR X with fewer stored entries than m·n has
  /// zeros).
  Beta,
  /// The Itakura–Saito divergence Σ x/wh − log(x/wh) − 1 (Loss::Beta with β = 0): invariant to the
  /// scale of X, for audio power spectra. X must be positive everywhere.
  ItakuraSaito,
};

/// The algorithm that updates W and H.
/// (Values are append-only: checkpoint files store them.)
enum class Solver {
  MultiplicativeUpdate,  ///< Lee–Seung multiplicative updates
  /// Coordinate descent. Frobenius: HALS (Cichocki & Phan 2009): each iteration sweeps the
  /// columns of W in order, giving each the closed-form non-negative update from X·Hᵀ and H·Hᵀ
  /// (scikit-learn's NMF(solver="cd", shuffle=False)), then does the same for H. KL: each entry
  /// of W, then of H, gets one projected Newton step in cyclic order (Hsieh & Dhillon 2011,
  /// without variable selection), W·H kept up to date at the non-zeros of X.
  CoordinateDescent,
  /// Projected alternating least squares, Frobenius only: W ← max(0, XHᵀ(HHᵀ + δI)⁻¹), then
  /// H ← max(0, (WᵀW + δI)⁻¹WᵀX), each by a Cholesky solve with the k × k Gram matrix; the ridge
  /// δ = 4·ε·trace(Gram) (ε of the working precision) keeps a singular Gram solvable.
  AlternatingLeastSquares,
  /// Alternating projected gradient with the Armijo rule along the projection arc (C.-J. Lin,
  /// Neural Computation 2007), Frobenius only: each half-step takes up to 20 steps
  /// F ← max(0, F − α∇f) on its non-negative least-squares subproblem, α searched by powers of 10
  /// for sufficient decrease, until the projected gradient has shrunk 1000-fold; the loss never
  /// increases.
  ProjectedGradient,
  /// Alternating non-negative least squares by block principal pivoting (Kim & Park, SIAM J. Sci.
  /// Comput. 2011), Frobenius only: each half-step solves its non-negative least-squares problem
  /// exactly, row by row of the factor, pivoting whole blocks of variables between the passive
  /// (free) and active (zero) sets, warm-started from the factor's current zero pattern; rows
  /// that share a passive set share one Cholesky factorization of that part of the Gram matrix
  /// (with als's ridge δ, so a singular Gram is solvable). The loss never increases.
  AnlsBpp,
};

/// Where the factorization runs.
enum class Backend {
  Auto,  ///< the CUDA device when one is present, else the CPU
  Cpu,   ///< the CPU path (Eigen, multithreaded)
  Cuda,  ///< the CUDA device; throws DeviceUnavailable when there is none
};

/// How W and H are initialized when no W0/H0 are given.
enum class Init {
  Random,    ///< uniform in [0, 1) scaled by sqrt(mean(X) / k), from `seed`
  Nndsvd,    ///< NNDSVD (Boutsidis & Gallopoulos 2008) from a truncated SVD of X; zeros stay
  Nndsvda,   ///< NNDSVD with its zeros replaced by mean(X) (better for MU, which keeps zeros)
  Nndsvdar,  ///< NNDSVD with its zeros replaced by small random values |mean(X)·z|/100
};

/// Tensor cores for float32 products on the CUDA backend (compute capability 8.0 or later). The CPU
/// backend, float64 and older GPUs ignore it and compute in full precision.
/// (Values are append-only.)
enum class TensorCoreMode {
  Off,  ///< full fp32 products on CUDA cores (the default)
  /// TF32: product inputs rounded to 10 mantissa bits (to nearest, relative error ≤ 2^-11), fp32
  /// accumulation; products to about 1e-3 relative. cuBLAS GEMMs run in
  /// CUBLAS_TF32_TENSOR_OP_MATH, and dense KL's fused product (ranks ≤ 128) on TF32 tensor cores.
  /// What allow_tf32 = true selects.
  Tf32,
  /// 3xTF32: each fp32 operand of dense KL's fused product (ranks ≤ 128) is split into two TF32
  /// terms, hi = tf32(a) and lo = tf32(a − hi), and a·b is computed as hi·hi + hi·lo + lo·hi on
  /// tensor cores: fp32-level accuracy (about 1e-6 relative per product) for three tensor-core
  /// products in place of one. cuBLAS has no 3xTF32 mode, so the cuBLAS GEMMs (Frobenius products,
  /// Gram matrices, dense KL above the fused kernel's rank) stay in full fp32
  /// (CUBLAS_DEFAULT_MATH).
  Tf32x3,
};

/// Periodic snapshots of a run (cunmf/checkpoint.hpp), so that an interrupted run can be resumed
/// where its last snapshot left it.
struct CheckpointOptions {
  /// The file written (an .npz archive, replaced atomically each time); empty: no snapshots.
  std::string path;
  /// Write after every this many iterations (≥ 1 when `path` is set); a run that stops at such an
  /// iteration (max_iter or converged) writes no snapshot there: its result is the output.
  int every = 0;
};

/// Options of cunmf::factorize.
struct Options {
  /// k: columns of W, rows of H; 1 ≤ k ≤ min(m, n).
  std::int64_t rank = 0;
  Loss loss = Loss::Frobenius;
  /// β of Loss::Beta (finite; ignored by the other losses). The default, 2, is the Frobenius loss.
  double beta = 2.0;
  Solver solver = Solver::MultiplicativeUpdate;
  Backend backend = Backend::Auto;
  Init init = Init::Random;
  /// Iterations at most (0 returns the initial factors).
  int max_iter = 200;
  /// Stop when the loss decreased by less than tol (relative) between two checks; 0 runs exactly
  /// max_iter iterations.
  double tol = 1e-4;
  /// Compute the loss every this many iterations (and after the last).
  int check_every = 10;
  /// Seed of the random initialization.
  std::uint64_t seed = 0;
  /// CUDA device ordinal for Backend::Cuda and Backend::Auto.
  int device = 0;
  /// Let float products use TF32 tensor cores (faster; products to ~1e-3 relative): the older
  /// spelling of tensor_cores = TensorCoreMode::Tf32, which it selects while tensor_cores is Off.
  /// Together with tensor_cores = Tf32x3 it is an InvalidArgument (two different accuracies).
  bool allow_tf32 = false;
  /// Tensor cores for float products on the CUDA backend: Off, TF32 or 3xTF32 (TensorCoreMode).
  TensorCoreMode tensor_cores = TensorCoreMode::Off;
  /// L1/L2 regularization with scikit-learn's names and meaning (NMF(alpha_W, alpha_H, l1_ratio),
  /// scikit-learn ≥ 1.2): for X of m × n, the objective gains
  ///   n·alpha_W·(l1_ratio·‖W‖₁ + ½(1 − l1_ratio)·‖W‖²_F)
  ///   + m·alpha_H·(l1_ratio·‖H‖₁ + ½(1 − l1_ratio)·‖H‖²_F),
  /// so that the penalty grows with the data as the loss does. L1 (l1_ratio = 1) makes the factors
  /// sparse; L2 (l1_ratio = 0) keeps them small. Every solver and loss supports it; the loss
  /// history is then this whole objective. alpha_W, alpha_H ≥ 0 and l1_ratio in [0, 1], all
  /// finite; alpha_H unset means alpha_H = alpha_W.
  double alpha_W = 0.0;
  std::optional<double> alpha_H;
  double l1_ratio = 0.0;
  /// nsNMF (Pascual-Montano et al., IEEE TPAMI 2006): X ≈ W S H with the smoothing matrix
  /// S = (1 − θ)I + (θ/k)11ᵀ, θ = nsnmf_theta in [0, 1]. S mixes every component into the others
  /// by θ, so to fit X the factors must grow sparser (parts-based, localized) as θ grows. Every
  /// solver and loss takes it (each half-step is the plain one with the other factor smoothed);
  /// the loss is that of W·(S H), and Result::S holds S. θ = 0 is plain NMF, bit for bit.
  double nsnmf_theta = 0.0;
  /// Graph-regularized NMF (GNMF: Cai, He, Han & Huang, "Graph regularized nonnegative matrix
  /// factorization for data representation", IEEE TPAMI 33(8), 2011): for a sparse non-negative
  /// symmetric affinity A (n × n) between the n columns (samples) of X, the objective gains
  ///   (graph_lambda / 2)·tr(H L Hᵀ) = (graph_lambda / 4)·Σ_jl A_jl ‖h_j − h_l‖²,
  /// L = D − A the graph Laplacian (D = diag of A's row sums), so that samples close in the graph
  /// get close coefficients. Only the multiplicative-update solver takes it (the paper's rules):
  /// Frobenius H ← H ⊙ (WᵀX + λ H A) ⊘ (WᵀW H + λ H D); KL: row r of H solves the sparse
  /// M-matrix system (Σ_i W_ir·I + λL) h_r = h_r ⊙ (Wᵀ(X ⊘ WH))_r (by conjugate gradients); W's
  /// rule is the plain one. Other solvers and losses refuse graph_lambda > 0 (InvalidArgument).
  /// The loss history is the whole objective.
  /// `graph` is empty (0 × 0) or n × n with finite, non-negative, symmetric entries (cunmf::
  /// knn_graph builds one); graph_lambda ≥ 0 and finite, and > 0 needs a graph. graph_lambda = 0
  /// ignores the graph: the plain iterates, bit for bit.
  CsrMatrix<double, std::int64_t> graph;
  double graph_lambda = 0.0;
  /// Called at every check, and for the initial loss (iteration 0), with the iteration and the
  /// loss; for progress display. May be empty.
  std::function<void(int iteration, double loss)> on_check;
  /// Snapshots of the run in progress; off by default.
  CheckpointOptions checkpoint;
  /// Cancellation: when set, polled after every iteration (on the thread that called factorize);
  /// returning true stops the run by throwing cunmf::Cancelled (nothing is returned or written,
  /// the caller's W0/H0 untouched). It must be cheap (an iteration can take well under a
  /// millisecond) and may itself throw to abort. May be empty.
  std::function<bool()> should_stop;
};

/// The tensor-core mode `options` select: tensor_cores, or Tf32 when it is Off and allow_tf32 is
/// set.
inline TensorCoreMode tensor_core_mode(const Options& options) {
  return options.tensor_cores == TensorCoreMode::Off && options.allow_tf32 ? TensorCoreMode::Tf32
                                                                           : options.tensor_cores;
}

}  // namespace cunmf
