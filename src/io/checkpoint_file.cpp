// Checkpoint files (cunmf/checkpoint.hpp): an .npz archive of .npy members, written to a temporary
// file beside the destination, flushed and renamed over it.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "cunmf/checkpoint.hpp"
#include "cunmf/errors.hpp"
#include "cunmf/io.hpp"
#include "io_support.hpp"
#include "npz_archive.hpp"

namespace cunmf::io {

namespace {

namespace fs = std::filesystem;

/// Version 2 added β (the loss's, for Loss::Beta); version 1 files (Frobenius or KL) stay readable.
constexpr double kFormatVersion = 2;
/// The largest values of enums Loss and Solver (their values are append-only: files stay
/// readable).
constexpr double kLastLoss = static_cast<double>(Loss::ItakuraSaito);
constexpr double kLastSolver = static_cast<double>(Solver::AnlsBpp);
/// The entries of state.npy, in order (version 1 ends before kBetaField).
enum StateField {
  kVersionField,
  kIterations,
  kConverged,
  kLossField,
  kSolverField,
  kSeconds,
  kBetaField,
  kStateFields
};
constexpr std::size_t kVersion1Fields = kBetaField;

template <class T>
std::string npy_bytes(DenseView<const T> A, const std::string& name) {
  std::ostringstream out;
  write_npy(out, name, A);
  return std::move(out).str();
}

std::string column_npy(const std::vector<double>& values, const std::string& name) {
  return npy_bytes(DenseView<const double>{values.data(), static_cast<std::int64_t>(values.size()),
                                           1, Layout::ColMajor},
                   name);
}

template <class T>
void check_consistent(const Checkpoint<T>& c) {
  const bool shapes = c.W.cols() == c.H.rows() && c.W.cols() > 0;
  const bool history = !c.loss_history.empty() &&
                       c.loss_history.size() == c.history_iterations.size() && c.iterations >= 0;
  if (!shapes || !history) {
    throw InvalidArgument("cunmf::io::write_checkpoint: inconsistent checkpoint (W " +
                          std::to_string(c.W.rows()) + " x " + std::to_string(c.W.cols()) + ", H " +
                          std::to_string(c.H.rows()) + " x " + std::to_string(c.H.cols()) + ", " +
                          std::to_string(c.loss_history.size()) + " losses for " +
                          std::to_string(c.history_iterations.size()) + " iterations)");
  }
}

/// Writes `bytes` to `path` all or nothing: a temporary file in the same folder (so the rename
/// cannot cross file systems), flushed to disk, then renamed over `path`.
void write_atomically(const fs::path& path, const std::string& bytes) {
  const fs::path folder = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::string temporary = (folder / ("." + path.filename().string() + ".cunmf-XXXXXX")).string();
  const int fd = ::mkstemp(temporary.data());
  if (fd < 0) {
    detail::fail(path.string(), std::string("cannot create a temporary file in its folder: ") +
                                    std::strerror(errno));
  }
  const auto give_up = [&](const char* what, int error) {
    ::close(fd);
    ::unlink(temporary.c_str());
    detail::fail(path.string(), std::string(what) + std::strerror(error));
  };
  // mkstemp creates 0600; a checkpoint gets the permissions any new file would.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  if (::fchmod(fd, 0666 & ~mask) != 0) give_up("cannot set permissions: ", errno);
  for (std::size_t done = 0; done < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) give_up("writing failed: ", n < 0 ? errno : EIO);
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) give_up("flushing to disk failed: ", errno);
  if (::close(fd) != 0) {
    const int error = errno;
    ::unlink(temporary.c_str());
    detail::fail(path.string(), std::string("closing failed: ") + std::strerror(error));
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temporary.c_str());
    detail::fail(path.string(),
                 std::string("moving the written file into place failed: ") + std::strerror(error));
  }
}

template <class T>
void write_checkpoint_file(const fs::path& path, const Checkpoint<T>& c) {
  check_consistent(c);
  const std::string name = path.string();
  std::vector<double> iterations(c.history_iterations.begin(), c.history_iterations.end());
  std::vector<double> state(kStateFields);
  state[kVersionField] = kFormatVersion;
  state[kIterations] = c.iterations;
  state[kConverged] = c.converged ? 1 : 0;
  state[kLossField] = static_cast<double>(c.loss);
  state[kSolverField] = static_cast<double>(c.solver);
  state[kSeconds] = c.seconds;
  state[kBetaField] = c.beta;
  const std::vector<detail::ArchiveEntry> entries = {
      {"W.npy", npy_bytes(c.W.view(), name)},
      {"H.npy", npy_bytes(c.H.view(), name)},
      {"loss_history.npy", column_npy(c.loss_history, name)},
      {"history_iterations.npy", column_npy(iterations, name)},
      {"state.npy", column_npy(state, name)},
  };
  std::ostringstream archive;
  detail::write_stored_zip(archive, name, entries);
  write_atomically(path, std::move(archive).str());
}

/// Every byte of `in`: memory grows only with the bytes that arrive.
std::string all_bytes(std::istream& in, const std::string& name) {
  std::string bytes;
  char chunk[1 << 16];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    bytes.append(chunk, static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) detail::fail(name, "reading failed");
  return bytes;
}

const detail::ArchiveEntry& entry_named(const std::vector<detail::ArchiveEntry>& entries,
                                        const std::string& member, const std::string& name) {
  for (const auto& e : entries) {
    if (e.name == member) return e;
  }
  detail::fail(name, "not a cuNMF checkpoint: it has no entry '" + member + "'");
}

template <class T>
DenseMatrix<T> member_matrix(const std::vector<detail::ArchiveEntry>& entries,
                             const std::string& member, const std::string& name,
                             bool require_nonnegative) {
  std::istringstream in(entry_named(entries, member, name).bytes);
  return read_npy<T>(in, name + ":" + member, require_nonnegative);
}

std::vector<double> member_column(const std::vector<detail::ArchiveEntry>& entries,
                                  const std::string& member, const std::string& name) {
  const DenseMatrix<double> m = member_matrix<double>(entries, member, name, false);
  if (m.cols() != 1) detail::fail(name + ":" + member, "expected one column");
  return {m.data(), m.data() + m.rows()};
}

/// A whole number in [0, limit] stored as a double, or IoError naming what it is.
int whole_number(double value, double limit, const std::string& name, const char* what) {
  if (!(value >= 0 && value <= limit && std::floor(value) == value)) {
    detail::fail(name, std::string("state: ") + what + " is " + detail::format_number(value));
  }
  return static_cast<int>(value);
}

}  // namespace

void write_checkpoint(const fs::path& path, const Checkpoint<float>& checkpoint) {
  write_checkpoint_file(path, checkpoint);
}
void write_checkpoint(const fs::path& path, const Checkpoint<double>& checkpoint) {
  write_checkpoint_file(path, checkpoint);
}

template <class T>
Checkpoint<T> read_checkpoint(const fs::path& path) {
  std::ifstream in = detail::open_for_reading(path);
  return read_checkpoint<T>(in, path.string());
}

template <class T>
Checkpoint<T> read_checkpoint(std::istream& in, const std::string& name) {
  const std::string bytes = all_bytes(in, name);
  const auto entries = detail::read_stored_zip(bytes, name);
  const std::vector<double> state = member_column(entries, "state.npy", name);
  const bool version_1 = state.size() == kVersion1Fields && state[kVersionField] == 1.0;
  if (!version_1 && (state.size() != kStateFields || state[kVersionField] != kFormatVersion)) {
    detail::fail(name + ":state.npy", "unknown checkpoint format (expected version 2 with " +
                                          std::to_string(kStateFields) + " fields, or 1 with " +
                                          std::to_string(kVersion1Fields) + ")");
  }
  Checkpoint<T> c;
  c.W = member_matrix<T>(entries, "W.npy", name, true);
  c.H = member_matrix<T>(entries, "H.npy", name, true);
  c.loss_history = member_column(entries, "loss_history.npy", name);
  constexpr double kMaxInt = 2147483647.0;
  for (double it : member_column(entries, "history_iterations.npy", name)) {
    c.history_iterations.push_back(whole_number(it, kMaxInt, name, "a history iteration"));
  }
  c.iterations = whole_number(state[kIterations], kMaxInt, name, "the iteration count");
  c.converged = whole_number(state[kConverged], 1, name, "the converged flag") == 1;
  c.loss = static_cast<Loss>(
      whole_number(state[kLossField], version_1 ? 1 : kLastLoss, name, "the loss"));
  c.beta = version_1 ? (c.loss == Loss::Frobenius ? 2.0 : 1.0) : state[kBetaField];
  if (!std::isfinite(c.beta)) detail::fail(name + ":state.npy", "the loss's beta is not finite");
  c.solver =
      static_cast<Solver>(whole_number(state[kSolverField], kLastSolver, name, "the solver"));
  c.seconds = state[kSeconds];
  const bool consistent = c.W.cols() == c.H.rows() && c.W.cols() > 0 && !c.loss_history.empty() &&
                          c.loss_history.size() == c.history_iterations.size() &&
                          c.history_iterations.back() <= c.iterations;
  if (!consistent) {
    detail::fail(name, "inconsistent checkpoint: W is " + std::to_string(c.W.rows()) + " x " +
                           std::to_string(c.W.cols()) + ", H " + std::to_string(c.H.rows()) +
                           " x " + std::to_string(c.H.cols()) + ", " +
                           std::to_string(c.loss_history.size()) + " losses for " +
                           std::to_string(c.history_iterations.size()) +
                           " iterations, the last of which is beyond the iteration count");
  }
  return c;
}

template Checkpoint<float> read_checkpoint<float>(const fs::path&);
template Checkpoint<double> read_checkpoint<double>(const fs::path&);
template Checkpoint<float> read_checkpoint<float>(std::istream&, const std::string&);
template Checkpoint<double> read_checkpoint<double>(std::istream&, const std::string&);

}  // namespace cunmf::io
