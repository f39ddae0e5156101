// The progress line of `cunmf factorize` (progress.hpp).
#include "progress.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <sstream>

#include <unistd.h>

namespace cunmf::cli {

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string format_duration(double seconds) {
  char text[48];
  if (!std::isfinite(seconds) || seconds < 0.0) return "?";
  if (seconds < 1e-3) {
    std::snprintf(text, sizeof text, "%.3g us", seconds * 1e6);
  } else if (seconds < 1.0) {
    std::snprintf(text, sizeof text, "%.3g ms", seconds * 1e3);
  } else if (seconds < 60.0) {
    std::snprintf(text, sizeof text, "%.1f s", seconds);
  } else if (seconds < 3600.0) {
    const auto whole = static_cast<long long>(seconds);
    std::snprintf(text, sizeof text, "%lld min %02lld s", whole / 60, whole % 60);
  } else {
    const auto minutes = static_cast<long long>(seconds / 60.0);
    std::snprintf(text, sizeof text, "%lld h %02lld min", minutes / 60, minutes % 60);
  }
  return text;
}

ProgressLine::ProgressLine(bool enabled, int max_iter, double tol)
    : enabled_(enabled), max_iter_(max_iter), tol_(tol) {}

ProgressLine::~ProgressLine() { finish(); }

void ProgressLine::update(int iteration, double loss) {
  if (!enabled_) return;
  const double now = now_seconds();
  if (!previous_loss_ || iteration <= start_iteration_) {
    start_seconds_ = now;
    start_iteration_ = iteration;
  }
  std::ostringstream line;
  line << "iteration " << iteration << "/" << max_iter_;
  char text[64];
  std::snprintf(text, sizeof text, "  loss %.6e", loss);
  line << text;
  if (previous_loss_ && *previous_loss_ != 0.0) {
    std::snprintf(text, sizeof text, "  change %.2e", (*previous_loss_ - loss) / *previous_loss_);
    line << text;
  }
  const double elapsed = now - start_seconds_;
  const int done = iteration - start_iteration_;
  if (done > 0 && elapsed > 0.0) {
    const double rate = done / elapsed;
    std::snprintf(text, sizeof text, rate < 100.0 ? "  %.3g it/s" : "  %.0f it/s", rate);
    line << text;
    if (iteration < max_iter_) {
      line << "  ETA " << (tol_ > 0.0 ? "<= " : "")
           << format_duration((max_iter_ - iteration) / rate);
    }
  }
  previous_loss_ = loss;

  std::string shown = line.str();
  const std::size_t width = shown.size();
  // Spaces over what is left of a longer previous line.
  if (width < printed_width_) shown.append(printed_width_ - width, ' ');
  std::fprintf(stderr, "\r%s", shown.c_str());
  std::fflush(stderr);
  printed_width_ = width;
}

void ProgressLine::finish() {
  if (printed_width_ == 0) return;
  std::fputc('\n', stderr);
  std::fflush(stderr);
  printed_width_ = 0;
  previous_loss_.reset();
}

}  // namespace cunmf::cli
