// Checkpoints: a run's state after some iterations — W, H, the iteration count and the loss
// history — written to one file atomically, and a factorization resumed from it. A resumed run
// reaches the same iterates, bit for bit, as the uninterrupted run with the same options, input
// and backend: every solver's state is its factors, and the loss history carries what the
// stopping rule compares.
//
// The file is a NumPy .npz archive (ZIP64, stored entries, CRC-32 checked on reading), so that
// `numpy.load(path)` opens it too: W.npy (m × k), H.npy (k × n), loss_history.npy and
// history_iterations.npy (each a column), and state.npy, a column of float64 holding
// [format version (2), iterations, converged (0/1), loss, solver (the values of enums Loss and
// Solver, which only ever grow at their ends), seconds, β]; version 1 files, without β, are read
// too.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <string>

#include "factorize.hpp"

namespace cunmf {

/// A run's state after `iterations` iterations (RunSummary's fields, as a Result has them at that
/// point), with the options it must be resumed with.
template <class T>
struct Checkpoint : RunSummary {
  DenseMatrix<T> W;  ///< m × k, row-major
  DenseMatrix<T> H;  ///< k × n, row-major
  Loss loss = Loss::Frobenius;
  double beta = 2.0;  ///< Options::beta of Loss::Beta (2 for Frobenius, 1 for KL)
  Solver solver = Solver::MultiplicativeUpdate;
};

namespace io {

/// Writes `checkpoint` to `path` atomically: to a temporary file in the same folder, flushed to
/// disk, then renamed over `path`, so that `path` holds either the previous checkpoint or this
/// one, never a part. Throws IoError naming the path when it cannot be written (nothing is left
/// behind), InvalidArgument for an inconsistent checkpoint (shapes, history lengths).
void write_checkpoint(const std::filesystem::path& path, const Checkpoint<float>& checkpoint);
void write_checkpoint(const std::filesystem::path& path, const Checkpoint<double>& checkpoint);

/// Reads a checkpoint that write_checkpoint wrote, converting the factors to T. Throws IoError
/// naming the file and the byte offset when it is not such an archive (a missing entry, a
/// compressed or truncated one, a CRC mismatch, an unknown format version, a history that does
/// not match its iterations), and for negative, NaN or infinite factors. Allocates only for
/// bytes the file holds.
template <class T>
Checkpoint<T> read_checkpoint(const std::filesystem::path& path);
/// The same, reading `in` to its end; `name` stands for the file in messages.
template <class T>
Checkpoint<T> read_checkpoint(std::istream& in, const std::string& name);

}  // namespace io

/// Resumes a factorization from `from`: continues from its factors and history to
/// options.max_iter iterations in all, under the same stopping rule, writing further checkpoints
/// when options.checkpoint asks. Throws InvalidArgument when `from` does not fit X and options
/// (W's and H's shapes, rank, loss, solver, iterations beyond max_iter), then as the other
/// overloads of factorize do.
Result<float> factorize(DenseView<const float> X, const Options& options,
                        const Checkpoint<float>& from);
Result<double> factorize(DenseView<const double> X, const Options& options,
                         const Checkpoint<double>& from);
template <class T, class Index>
Result<T> factorize(CsrView<const T, Index> X, const Options& options, const Checkpoint<T>& from);

}  // namespace cunmf
