// Helpers of the tests of the `cunmf` command: running the built executable (CUNMF_CLI_PATH) as
// a child process in a scratch folder named after the test, and checking what it printed.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

#include "cunmf/cunmf.hpp"
#include "test_support.hpp"

#ifndef CUNMF_CLI_PATH
#error "CUNMF_CLI_PATH must name the built cunmf executable"
#endif
#ifndef CUNMF_TEST_TMP_DIR
#error "CUNMF_TEST_TMP_DIR must name a scratch folder in the build tree"
#endif

namespace cunmf::test {

/// What a run of the command gave.
struct ChildRun {
  int exit_code = -1;  ///< the exit status; -1 when the process did not exit normally
  std::string out;     ///< standard output
  std::string err;     ///< standard error
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// `text` quoted for the POSIX shell.
inline std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (const char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// A fresh folder named after the running test (CTest runs tests in parallel), removed afterwards.
class Scratch {
 public:
  Scratch() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::path(CUNMF_TEST_TMP_DIR) /
            (std::string(info->test_suite_name()) + "." + info->name());
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~Scratch() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }

  /// The names in the folder, sorted, but for the stdout.txt and stderr.txt of run().
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& entry : std::filesystem::directory_iterator(path_)) {
      const std::string name = entry.path().filename().string();
      if (name != "stdout.txt" && name != "stderr.txt") out.push_back(name);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  /// Runs `cunmf args...` with standard input from `stdin_path` (or /dev/null); `shell_prefix`
  /// (shell commands ending in ';', e.g. a ulimit) runs first in the same shell.
  ChildRun run(const std::vector<std::string>& args, const std::string& stdin_path = "",
               const std::string& shell_prefix = "") const {
    std::string command = shell_prefix + shell_quote(CUNMF_CLI_PATH);
    for (const std::string& arg : args) command += " " + shell_quote(arg);
    const std::string out_path = file("stdout.txt");
    const std::string err_path = file("stderr.txt");
    command += " < " + shell_quote(stdin_path.empty() ? "/dev/null" : stdin_path) + " > " +
               shell_quote(out_path) + " 2> " + shell_quote(err_path);
    const int status = std::system(command.c_str());
    ChildRun r;
    r.exit_code = status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = read_file(out_path);
    r.err = read_file(err_path);
    return r;
  }

 private:
  std::filesystem::path path_;
};

/// The number of lines of `text` (a last line without a newline counts).
inline int line_count(const std::string& text) {
  int lines = 0;
  for (const char c : text) lines += c == '\n';
  return lines + (!text.empty() && text.back() != '\n');
}

/// Success when `text` contains every one of `parts`.
inline ::testing::AssertionResult contains_all(const std::string& text,
                                               std::initializer_list<std::string> parts) {
  for (const std::string& part : parts) {
    if (text.find(part) == std::string::npos) {
      return ::testing::AssertionFailure()
             << "\"" << text << "\" does not contain \"" << part << "\"";
    }
  }
  return ::testing::AssertionSuccess();
}

/// A usage or runtime error: the expected exit code and one line on standard error that starts
/// with "cunmf: " and contains every one of `parts`, nothing on standard output.
inline ::testing::AssertionResult is_error(const ChildRun& r, int exit_code,
                                           std::initializer_list<std::string> parts) {
  if (r.exit_code != exit_code) {
    return ::testing::AssertionFailure()
           << "exit code " << r.exit_code << ", expected " << exit_code << "; stderr: " << r.err;
  }
  if (line_count(r.err) != 1 || r.err.rfind("cunmf: ", 0) != 0) {
    return ::testing::AssertionFailure() << "stderr is not one 'cunmf: ' line: \"" << r.err << "\"";
  }
  if (!r.out.empty()) return ::testing::AssertionFailure() << "stdout: " << r.out;
  return contains_all(r.err, parts);
}

/// The value of `"key": value` in the summary JSON (the text up to the next ',' or newline),
/// or an empty string when the key is missing. Enough for the flat objects cunmf writes.
inline std::string json_value(const std::string& json, const std::string& key) {
  const std::string needle = "\"" + key + "\": ";
  const std::size_t at = json.find(needle);
  if (at == std::string::npos) return {};
  const std::size_t begin = at + needle.size();
  const std::size_t end = json.find_first_of(",\n", begin);
  return json.substr(begin, end - begin);
}

/// The exact rank-3 planted 40 × 30 matrix the dense tests factorize.
inline DenseMatrix<double> planted_input() { return planted_matrix<double>(40, 30, 3, 0.0, 11); }

}  // namespace cunmf::test
