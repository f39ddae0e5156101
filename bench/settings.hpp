// The settings of a cunmf_bench run (its command-line options) and the size of a generated input.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cunmf::bench {

/// What the command line asked for; see main() for each option's meaning.
struct Settings {
  std::string backend = "auto";
  std::string solver = "mu";  ///< "mu" or "cd" (Frobenius losses only)
  bool quick = false;
  std::string dense = "16384x8192";
  std::string sparse = "200000x50000";
  double density = 1e-3;
  std::vector<std::int64_t> ranks = {16, 32, 64, 128};
  std::vector<std::string> losses = {"frobenius", "kl"};
  std::vector<std::string> kinds = {"dense", "sparse"};
  int iters = 100;
  int warmup = 1;
  int repeats = 3;
  std::string dtype = "float32";
  bool tf32 = false;
  int device = 0;
  double bandwidth = 0.0;  ///< B/s; 0: the H100 default on CUDA, none on the CPU
  double peak = 0.0;       ///< flop/s; likewise
  std::string csv;
  std::string dump_data;
  std::uint64_t seed = 1;
};

/// Rows and columns of a generated input (--dense, --sparse).
struct Size {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
};

}  // namespace cunmf::bench
