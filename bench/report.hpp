// The benchmark's report: a row per case, printed as a Markdown table, written as CSV, and, with
// --dump-data, as manifest.json beside the data for the peer scripts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cost_model.hpp"
#include "measurement.hpp"
#include "settings.hpp"

namespace cunmf::bench {

/// One case's description, cost model, measurement and floor.
struct Row {
  std::string kind, loss, dtype, backend, case_id;
  std::int64_t m = 0, n = 0, nnz = 0, k = 0;
  int iters = 0;
  Cost cost;
  Measurement result;
  double floor_seconds = 0.0;  ///< 0 when no bandwidth/peak is known
  bool memory_bound = false;
  /// The model's floor on an H100 SXM (the CUDA backend's paths, TF32 off), whatever ran: what a
  /// CPU-only run predicts for the GPU.
  double h100_floor_seconds = 0.0;
  std::string x_path, w0_path, h0_path;  ///< relative to the dump folder
};

/// `seconds` with a unit: "12.3 us", "4.567 ms", "1.234 s".
std::string format_time(double seconds);

/// Prints the Markdown table of `rows` on standard output; the floor columns say n/a without a
/// roofline.
void print_table(const std::vector<Row>& rows, bool have_roofline);

/// Writes `rows` as CSV to `path`. Throws IoError when the file cannot be written.
void write_csv(const std::string& path, const std::vector<Row>& rows);

/// Writes `dir`/manifest.json: the run's settings and device, and per case its sizes, files, cost
/// and cuNMF's result with the loss trace. Throws IoError when the file cannot be written.
void write_manifest(const std::string& dir, const Settings& s, const std::string& device,
                    const std::vector<Row>& rows);

}  // namespace cunmf::bench
