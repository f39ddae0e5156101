// Checking and writing the output files of `cunmf factorize` all or nothing (output_files.hpp).
#include "output_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

#include "cunmf/errors.hpp"

namespace cunmf::cli {

namespace {

namespace fs = std::filesystem;

/// `path` made absolute with every symbolic link of its existing part followed (a link as the
/// last part included), and `.`/`..` removed: the file a write to `path` would reach.
fs::path resolved(const std::string& path) {
  std::error_code error;
  const fs::path absolute = fs::absolute(path, error).lexically_normal();
  // weakly_canonical leaves a relative path relative when no part of it exists yet.
  fs::path out = fs::weakly_canonical(absolute, error);
  return error ? absolute : out;
}

/// True when `a` and `b` name the same file: the same device and inode when both exist, else the
/// same resolved path.
bool same_file(const std::string& a, const std::string& b) {
  std::error_code error;
  if (fs::exists(a, error) && fs::exists(b, error)) {
    const bool same = fs::equivalent(a, b, error);
    return same && !error;
  }
  return resolved(a) == resolved(b);
}

std::string system_error_text(int error) { return std::strerror(error); }

/// The start of the message of every problem with `output`.
std::string cannot_write(const NamedPath& output) {
  return output.flag + ": cannot write '" + output.path + "': ";
}

/// A new, empty file in `folder` whose name starts with "." and `name` (so that it sorts beside
/// the destination and is hidden); returns its path and its open descriptor, or sets `error`.
std::pair<fs::path, int> create_unique_file(const fs::path& folder, const std::string& name,
                                            int& error) {
  // Keep the name within NAME_MAX (255) with room for the suffix.
  std::string pattern = (folder / ("." + name.substr(0, 200) + ".cunmf-XXXXXX")).string();
  const int fd = ::mkstemp(pattern.data());
  error = fd < 0 ? errno : 0;
  return {fs::path(pattern), fd};
}

/// The permissions a new output gets: those of the file it replaces, else those that creating it
/// would give (0666 less the umask).
mode_t output_mode(const fs::path& destination) {
  struct stat info {};
  if (::stat(destination.c_str(), &info) == 0) return info.st_mode & 0777;
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return 0666 & ~mask;
}

/// Writes `path`'s data to disk; returns 0 or the errno of the failure.
int sync_file(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  const int error = ::fsync(fd) == 0 ? 0 : errno;
  ::close(fd);
  return error;
}

/// Throws IoError unless a file can be written at `output.path`: its folder exists and takes a
/// new file, and nothing but a regular file is there already.
void check_writable(const NamedPath& output) {
  const fs::path destination = resolved(output.path);
  std::error_code error;
  const fs::file_status status = fs::status(destination, error);
  if (fs::exists(status) && !fs::is_regular_file(status)) {
    throw IoError(cannot_write(output) + (fs::is_directory(status)
                                              ? "it is a folder"
                                              : "it exists and is not a regular file"));
  }
  const fs::path given_folder = fs::path(output.path).parent_path();
  const fs::path folder = destination.parent_path();
  const std::string folder_name = (given_folder.empty() ? folder : given_folder).string();
  if (!fs::is_directory(folder, error)) {
    throw IoError(cannot_write(output) + "folder '" + folder_name + "' " +
                  (fs::exists(folder, error) ? "is not a folder" : "does not exist"));
  }
  int create_error = 0;
  const auto [probe, fd] =
      create_unique_file(folder, destination.filename().string(), create_error);
  if (fd < 0) {
    throw IoError(cannot_write(output) + "cannot create a file in folder '" + folder_name +
                  "': " + system_error_text(create_error));
  }
  ::close(fd);
  fs::remove(probe, error);
}

}  // namespace

void check_outputs(const std::vector<NamedPath>& outputs, const std::vector<NamedPath>& inputs) {
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    for (std::size_t j = i + 1; j < outputs.size(); ++j) {
      if (same_file(outputs[i].path, outputs[j].path)) {
        throw InvalidArgument(outputs[i].flag + " '" + outputs[i].path + "' and " +
                              outputs[j].flag + " '" + outputs[j].path +
                              "' are the same file: each output needs its own");
      }
    }
    for (const NamedPath& input : inputs) {
      if (input.path.empty() || input.path == "-") continue;
      if (same_file(outputs[i].path, input.path)) {
        throw InvalidArgument(outputs[i].flag + " '" + outputs[i].path + "' is the file of " +
                              input.flag + " '" + input.path +
                              "': writing it would overwrite the input");
      }
    }
  }
  for (const NamedPath& output : outputs) check_writable(output);
}

OutputTransaction::~OutputTransaction() {
  if (!committed_) discard();
}

void OutputTransaction::write(const NamedPath& output,
                              const std::function<void(const std::string&)>& write_to) {
  Staged entry{output, resolved(output.path), {}, false};
  int error = 0;
  const auto [temporary, fd] = create_unique_file(entry.destination.parent_path(),
                                                  entry.destination.filename().string(), error);
  if (fd < 0) {
    throw IoError(cannot_write(output) +
                  "cannot create a temporary file in its folder: " + system_error_text(error));
  }
  entry.temporary = temporary;
  staged_.push_back(entry);  // from here on, discard() removes it
  const int chmod_error = ::fchmod(fd, output_mode(entry.destination)) == 0 ? 0 : errno;
  ::close(fd);
  if (chmod_error != 0) {
    throw IoError(cannot_write(output) + "cannot set the permissions of its temporary file: " +
                  system_error_text(chmod_error));
  }
  try {
    write_to(temporary.string());
  } catch (const IoError& e) {
    throw IoError(cannot_write(output) + e.what());
  }
}

void OutputTransaction::commit() {
  for (const Staged& entry : staged_) {
    if (const int error = sync_file(entry.temporary); error != 0) {
      const NamedPath output = entry.output;
      discard();
      throw IoError(cannot_write(output) + "flushing it to disk failed: " +
                    system_error_text(error) + "; no output of the run was left");
    }
  }
  for (Staged& entry : staged_) {
    if (::rename(entry.temporary.c_str(), entry.destination.c_str()) != 0) {
      const int error = errno;
      const NamedPath output = entry.output;
      discard();
      throw IoError(cannot_write(output) + "moving the written file into place failed: " +
                    system_error_text(error) + "; no output of the run was left");
    }
    entry.renamed = true;
  }
  committed_ = true;
}

void OutputTransaction::discard() noexcept {
  for (const Staged& entry : staged_) {
    std::error_code ignored;
    fs::remove(entry.renamed ? entry.destination : entry.temporary, ignored);
  }
  staged_.clear();
}

}  // namespace cunmf::cli
