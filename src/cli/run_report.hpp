// What `cunmf factorize` and `cunmf transform` were asked (FactorizeSettings) and what they report
// at the end: the summary on standard output and as JSON (--summary).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cunmf/cunmf.hpp"
#include "matrix_files.hpp"

namespace cunmf::cli {

/// The options of `cunmf factorize` and `cunmf transform` as parsed.
struct FactorizeSettings {
  /// transform: W is read from `w` and held; only H is computed (cunmf::transform).
  bool transform = false;
  std::string w;
  std::string input;
  std::int64_t rank = 0;
  std::string loss = "frobenius";
  double beta = 2.0;  ///< β of --loss beta
  std::string solver = "mu";
  std::string init = "random";
  std::string init_w;
  std::string init_h;
  int max_iter = 200;
  double tol = 1e-4;
  int check_every = 10;
  std::uint64_t seed = 0;
  std::string backend = "auto";
  int device = 0;
  std::string dtype = "float32";
  bool tf32 = false;
  bool tf32x3 = false;
  double alpha_w = 0.0;
  std::optional<double> alpha_h;
  double l1_ratio = 0.0;
  double nsnmf_theta = 0.0;
  /// Graph regularization: the affinity from a Matrix Market file, or the k-nearest-neighbour
  /// graph of X's columns (knn > 0) weighted by graph_weight; its weight graph_lambda.
  std::string graph;
  std::int64_t knn = 0;
  std::string graph_weight = "binary";
  std::optional<double> graph_lambda;
  std::string out_w;
  std::string out_h;
  std::string summary;
  std::string checkpoint;
  int checkpoint_every = 0;
  std::string resume;
  bool quiet = false;
  bool progress = false;
  std::string format;
};

/// What the summary reports, whatever the input's form.
struct Outcome {
  Shape shape;
  bool sparse = false;
  std::string index_type;  ///< "int32"/"int64" for a sparse input
  int iterations = 0;
  bool converged = false;
  double final_loss = 0.0;
  double seconds = 0.0;
  Backend backend = Backend::Cpu;
  FitQuality quality;  ///< of W·H; a measure is empty when undefined (X all zero or constant)
  std::vector<double> loss_history;
  std::vector<int> history_iterations;
  std::int64_t w_rows = 0, w_cols = 0, h_rows = 0, h_cols = 0;
};

/// Prints the summary of a finished run on standard output.
void print_summary(const FactorizeSettings& s, const Outcome& o);

/// The summary as a JSON object (the --summary file).
std::string summary_json(const FactorizeSettings& s, const Outcome& o);

}  // namespace cunmf::cli
