// The progress of a factorization on standard error: the in-place progress line, and short
// human-readable durations (also used by the summary).
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace cunmf::cli {

/// True when standard error is a terminal.
bool stderr_is_terminal();

/// The progress line of a factorization on standard error, rewritten in place (`\r`) at each
/// check: iteration, loss, relative change since the previous check, iterations per second and
/// the time left until max_iter (an upper bound when tol can stop the run earlier).
class ProgressLine {
 public:
  /// Prints nothing when `enabled` is false.
  ProgressLine(bool enabled, int max_iter, double tol);
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;
  /// Ends the line if one was printed.
  ~ProgressLine();

  /// Shows the check at `iteration` with `loss`.
  void update(int iteration, double loss);
  /// Ends the line (a newline) if one was printed; later updates start a new one.
  void finish();

 private:
  bool enabled_;
  int max_iter_;
  double tol_;
  double start_seconds_ = 0.0;
  int start_iteration_ = 0;
  std::optional<double> previous_loss_;
  std::size_t printed_width_ = 0;
};

/// Seconds on a steady clock (for rates).
double now_seconds();

/// `seconds` as a short human duration: "850 ms", "12.3 s", "4 min 05 s", "2 h 03 min".
std::string format_duration(double seconds);

}  // namespace cunmf::cli
