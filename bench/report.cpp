// The benchmark's report (report.hpp).
#include "report.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace cunmf::bench {

namespace {

/// `text` as a JSON string literal.
std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char e[8];
      std::snprintf(e, sizeof e, "\\u%04x", static_cast<unsigned>(c));
      out += e;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

/// `v` with 10 significant digits for the CSV and the JSON; `null` when it is not finite.
std::string number(double v) {
  if (!std::isfinite(v)) return "null";
  char text[32];
  std::snprintf(text, sizeof text, "%.10g", v);
  return text;
}

}  // namespace

std::string format_time(double seconds) {
  char text[32];
  if (seconds < 1e-3) {
    std::snprintf(text, sizeof text, "%.1f us", seconds * 1e6);
  } else if (seconds < 1.0) {
    std::snprintf(text, sizeof text, "%.3f ms", seconds * 1e3);
  } else {
    std::snprintf(text, sizeof text, "%.3f s", seconds);
  }
  return text;
}

void print_table(const std::vector<Row>& rows, bool have_roofline) {
  std::printf(
      "| case | k | time/iter | GB/s | TFLOP/s | floor | time/floor | H100 floor | final loss |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const Row& r : rows) {
    const double t = r.result.seconds_per_iter;
    std::string floor = "n/a", ratio = "n/a";
    if (have_roofline) {
      floor = format_time(r.floor_seconds) + (r.memory_bound ? " (mem)" : " (flops)");
      char text[32];
      std::snprintf(text, sizeof text, "%.2f", t / r.floor_seconds);
      ratio = text;
    }
    std::printf("| %s %lldx%lld%s %s | %lld | %s | %.3g | %.3g | %s | %s | %s | %.6e |\n",
                r.kind.c_str(), static_cast<long long>(r.m), static_cast<long long>(r.n),
                r.kind == "sparse" ? (" nnz=" + std::to_string(r.nnz)).c_str() : "", r.loss.c_str(),
                static_cast<long long>(r.k), format_time(t).c_str(), r.cost.bytes / t / 1e9,
                r.cost.flops / t / 1e12, floor.c_str(), ratio.c_str(),
                format_time(r.h100_floor_seconds).c_str(), r.result.final_loss);
  }
  std::fflush(stdout);
}

void write_csv(const std::string& path, const std::vector<Row>& rows) {
  std::ofstream out(path);
  if (!out) throw IoError(path + ": cannot open for writing");
  out << "case,kind,loss,dtype,backend,m,n,nnz,k,iters,seconds_per_iter,min_seconds_per_iter,"
         "bytes_per_iter,flops_per_iter,gbytes_per_s,tflops,floor_seconds,time_over_floor,"
         "initial_loss,final_loss,h100_floor_seconds\n";
  for (const Row& r : rows) {
    const double t = r.result.seconds_per_iter;
    out << r.case_id << ',' << r.kind << ',' << r.loss << ',' << r.dtype << ',' << r.backend << ','
        << r.m << ',' << r.n << ',' << r.nnz << ',' << r.k << ',' << r.iters << ',' << number(t)
        << ',' << number(r.result.min_seconds_per_iter) << ',' << number(r.cost.bytes) << ','
        << number(r.cost.flops) << ',' << number(r.cost.bytes / t / 1e9) << ','
        << number(r.cost.flops / t / 1e12) << ','
        << (r.floor_seconds > 0 ? number(r.floor_seconds) : "") << ','
        << (r.floor_seconds > 0 ? number(t / r.floor_seconds) : "") << ','
        << number(r.result.initial_loss) << ',' << number(r.result.final_loss) << ','
        << number(r.h100_floor_seconds) << '\n';
  }
  if (!out) throw IoError(path + ": write failed");
}

void write_manifest(const std::string& dir, const Settings& s, const std::string& device,
                    const std::vector<Row>& rows) {
  std::ostringstream j;
  j << "{\n  \"cunmf_version\": " << json_string(version()) << ",\n"
    << "  \"build\": " << json_string(build_flavor()) << ",\n"
    << "  \"device\": " << json_string(device) << ",\n"
    << "  \"solver\": " << json_string(s.solver) << ",\n"
    << "  \"dtype\": " << json_string(s.dtype) << ",\n"
    << "  \"tf32\": " << (s.tf32 ? "true" : "false") << ",\n"
    << "  \"iters\": " << s.iters << ",\n  \"cases\": [\n";
  for (std::size_t c = 0; c < rows.size(); ++c) {
    const Row& r = rows[c];
    j << "    {\"id\": " << json_string(r.case_id) << ", \"kind\": " << json_string(r.kind)
      << ", \"loss\": " << json_string(r.loss) << ", \"m\": " << r.m << ", \"n\": " << r.n
      << ", \"nnz\": " << r.nnz << ", \"k\": " << r.k << ", \"iters\": " << r.iters
      << ",\n     \"x\": " << json_string(r.x_path) << ", \"w0\": " << json_string(r.w0_path)
      << ", \"h0\": " << json_string(r.h0_path)
      << ",\n     \"bytes_per_iter\": " << number(r.cost.bytes)
      << ", \"flops_per_iter\": " << number(r.cost.flops)
      << ",\n     \"cunmf\": {\"backend\": " << json_string(r.backend)
      << ", \"seconds_per_iter\": " << number(r.result.seconds_per_iter)
      << ", \"initial_loss\": " << number(r.result.initial_loss)
      << ", \"final_loss\": " << number(r.result.final_loss) << ", \"trace\": [";
    for (std::size_t t = 0; t < r.result.trace_losses.size(); ++t) {
      j << (t ? ", " : "") << "[" << r.result.trace_iterations[t] << ", "
        << number(r.result.trace_losses[t]) << "]";
    }
    j << "]}}" << (c + 1 < rows.size() ? "," : "") << "\n";
  }
  j << "  ]\n}\n";
  const std::string path = (std::filesystem::path(dir) / "manifest.json").string();
  std::ofstream out(path);
  out << j.str();
  if (!out) throw IoError(path + ": cannot write");
}

}  // namespace cunmf::bench
