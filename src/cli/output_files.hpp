// The output files of `cunmf factorize`, written all or nothing: checked before the run (their
// folders exist and take new files; no output is another output or an input), then each written
// to a temporary file beside its destination and renamed into place once every one was written.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace cunmf::cli {

/// A file the command reads or writes, with the flag that named it (for messages).
struct NamedPath {
  std::string flag;  ///< e.g. "--out-w", "INPUT"
  std::string path;  ///< as given on the command line
};

/// Checks, before anything is computed, that `outputs` can be written without clobbering
/// anything. Throws InvalidArgument when two outputs are the same file or an output is one of
/// `inputs` — the same file, not just the same name: compared by device and inode when both
/// exist, by canonical path otherwise (`-`, standard input, is no file and is skipped). Throws
/// IoError when an output's folder does not exist or takes no new file (tried by creating and
/// removing a temporary file there), or when an output exists and is not a regular file.
void check_outputs(const std::vector<NamedPath>& outputs, const std::vector<NamedPath>& inputs);

/// Writes a run's output files all or nothing. write() writes each to a temporary file in the
/// folder of its destination; commit() renames them all into place. Unless commit() succeeds, no
/// output of the run is left: the temporaries are removed (by commit() when a rename fails, else
/// by the destructor), and so are the destinations that a failed commit() had already replaced.
class OutputTransaction {
 public:
  OutputTransaction() = default;
  OutputTransaction(const OutputTransaction&) = delete;
  OutputTransaction& operator=(const OutputTransaction&) = delete;
  /// Removes the temporaries unless commit() succeeded. Never throws.
  ~OutputTransaction();

  /// Creates a temporary file beside `output.path` (beside the file a symbolic link names) and
  /// calls `write_to(temporary path)`, which writes the whole content. Throws IoError naming the
  /// flag and the destination when the temporary cannot be created or write_to throws IoError.
  void write(const NamedPath& output, const std::function<void(const std::string&)>& write_to);

  /// Flushes every temporary to disk and renames it to its destination, in the order written.
  /// Throws IoError naming the destination when one fails; then nothing of the run is left.
  void commit();

 private:
  struct Staged {
    NamedPath output;
    std::filesystem::path destination;  ///< resolved: a symbolic link is followed
    std::filesystem::path temporary;
    bool renamed = false;
  };
  /// Removes every temporary still present and every destination already renamed into place.
  void discard() noexcept;

  std::vector<Staged> staged_;
  bool committed_ = false;
};

}  // namespace cunmf::cli
