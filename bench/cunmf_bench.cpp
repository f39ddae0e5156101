// cunmf_bench: time per multiplicative-update iteration of cuNMF on dense and sparse inputs, both
// losses and several ranks, beside a roofline floor from a per-case model of the bytes moved and
// the flops done (bench/README.md writes the formulas out). Each case runs once to warm up (that
// run also records the loss trace), then `--repeats` times with tol = 0 and a fixed max_iter; the
// median of Result::seconds / iterations is reported. `--dump-data DIR` writes every case's X, W0
// and H0 and a manifest, so that the peer scripts (bench/peers/) run on the same data and init.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "cunmf/cunmf.hpp"

namespace cunmf::bench {

namespace {

// ---------------------------------------------------------------------------------------------
// Settings

/// The H100 SXM figures used when the CUDA backend runs and no --bandwidth/--peak is given.
constexpr double kH100Bandwidth = 3.0e12;  // B/s of HBM3 (3.35e12 nominal)
constexpr double kH100PeakFloat = 67e12;   // flop/s, FP32 (CUDA cores)
constexpr double kH100PeakDouble = 34e12;  // flop/s, FP64 (CUDA cores)
constexpr double kH100PeakTf32 = 495e12;   // flop/s, TF32 tensor cores, dense
/// The rank of the planted structure of the generated matrices.
constexpr std::int64_t kPlantedRank = 16;
/// Relative noise on the planted entries.
constexpr double kNoise = 0.05;

struct Settings {
  std::string backend = "auto";
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

struct Size {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
};

Size parse_size(const std::string& text, const char* flag) {
  const std::size_t x = text.find_first_of("xX");
  try {
    if (x != std::string::npos) {
      std::size_t used_rows = 0, used_cols = 0;
      const std::string rows = text.substr(0, x), cols = text.substr(x + 1);
      Size s{std::stoll(rows, &used_rows), std::stoll(cols, &used_cols)};
      if (used_rows == rows.size() && used_cols == cols.size() && s.rows > 0 && s.cols > 0) {
        return s;
      }
    }
  } catch (const std::exception&) {
  }
  throw InvalidArgument(std::string(flag) + ": expected ROWSxCOLS, e.g. 4096x2048, got '" + text +
                        "'");
}

// ---------------------------------------------------------------------------------------------
// Deterministic data: every value is a function of (seed, stream, index), so the matrices do not
// depend on the number of threads that made them.

std::uint64_t mix(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// Uniform in [0, 1) from (seed, stream, index).
double uniform(std::uint64_t seed, std::uint64_t stream, std::uint64_t index) {
  return static_cast<double>(mix(mix(seed ^ (stream * 0xd1b54a32d192ed03ULL)) + index) >> 11) *
         0x1p-53;
}

enum Stream : std::uint64_t {
  kPlantedW = 1,
  kPlantedH,
  kNoiseStream,
  kSparseRows,
  kInitW,
  kInitH,
};

/// W (m × kPlantedRank) and H (kPlantedRank × n) of the planted structure, uniform in [0, 1).
struct Planted {
  std::vector<double> w, h;  // row-major
  std::int64_t rank = kPlantedRank;
};

Planted planted_factors(std::int64_t m, std::int64_t n, std::uint64_t seed) {
  Planted p;
  p.rank = std::min<std::int64_t>({kPlantedRank, m, n});
  p.w.resize(static_cast<std::size_t>(m * p.rank));
  p.h.resize(static_cast<std::size_t>(p.rank * n));
  for (std::size_t i = 0; i < p.w.size(); ++i) p.w[i] = uniform(seed, kPlantedW, i);
  for (std::size_t i = 0; i < p.h.size(); ++i) p.h[i] = uniform(seed, kPlantedH, i);
  return p;
}

/// (W H)_ij of the planted factors times (1 + kNoise·(2u − 1)).
double planted_entry(const Planted& p, std::int64_t n, std::int64_t i, std::int64_t j,
                     std::uint64_t seed) {
  double v = 0.0;
  for (std::int64_t r = 0; r < p.rank; ++r) v += p.w[i * p.rank + r] * p.h[r * n + j];
  const double u = uniform(seed, kNoiseStream, static_cast<std::uint64_t>(i * n + j));
  return v * (1.0 + kNoise * (2.0 * u - 1.0));
}

template <class T>
DenseMatrix<T> dense_input(Size size, std::uint64_t seed) {
  const Planted p = planted_factors(size.rows, size.cols, seed);
  DenseMatrix<T> X(size.rows, size.cols);
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < size.rows; ++i)
    for (std::int64_t j = 0; j < size.cols; ++j)
      X(i, j) = static_cast<T>(planted_entry(p, size.cols, i, j, seed));
  return X;
}

/// Each row holds about density·cols entries (uniformly between half and one and a half times
/// that, at least one) at random distinct columns; the values are the planted ones there.
template <class T>
CsrMatrix<T, std::int32_t> sparse_input(Size size, double density, std::uint64_t seed) {
  constexpr auto kMax = static_cast<double>(std::numeric_limits<std::int32_t>::max());
  if (static_cast<double>(size.rows) * static_cast<double>(size.cols) * density * 1.5 > kMax ||
      static_cast<double>(size.cols) > kMax) {
    throw InvalidArgument(
        "the sparse case is too large for int32 indices: lower --sparse or "
        "--density");
  }
  const Planted p = planted_factors(size.rows, size.cols, seed);
  std::vector<std::vector<std::int32_t>> columns(static_cast<std::size_t>(size.rows));
  const double mean_count = density * static_cast<double>(size.cols);
#pragma omp parallel for schedule(dynamic, 256)
  for (std::int64_t i = 0; i < size.rows; ++i) {
    const auto row = static_cast<std::uint64_t>(i) << 32;
    const double u = uniform(seed, kSparseRows, row);
    const auto want = std::clamp<std::int64_t>(std::llround(mean_count * (0.5 + u)), 1, size.cols);
    std::vector<std::int32_t>& c = columns[static_cast<std::size_t>(i)];
    std::uint64_t draw = 1;
    while (static_cast<std::int64_t>(c.size()) < want) {
      while (static_cast<std::int64_t>(c.size()) < want) {
        const double v = uniform(seed, kSparseRows, row + draw++);
        c.push_back(static_cast<std::int32_t>(v * static_cast<double>(size.cols)));
      }
      std::sort(c.begin(), c.end());
      c.erase(std::unique(c.begin(), c.end()), c.end());
    }
  }
  CsrMatrix<T, std::int32_t> X;
  X.rows = size.rows;
  X.cols = size.cols;
  X.row_ptr.resize(static_cast<std::size_t>(size.rows + 1), 0);
  for (std::int64_t i = 0; i < size.rows; ++i) {
    X.row_ptr[i + 1] = X.row_ptr[i] + static_cast<std::int32_t>(columns[i].size());
  }
  X.col_idx.resize(static_cast<std::size_t>(X.row_ptr.back()));
  X.values.resize(X.col_idx.size());
#pragma omp parallel for schedule(dynamic, 256)
  for (std::int64_t i = 0; i < size.rows; ++i) {
    std::int64_t at = X.row_ptr[i];
    for (const std::int32_t j : columns[i]) {
      X.col_idx[at] = j;
      X.values[at] = static_cast<T>(planted_entry(p, size.cols, i, j, seed));
      ++at;
    }
  }
  return X;
}

/// W0 (m × k) and H0 (k × n) uniform in [0, 1) scaled by sqrt(mean(X)/k), as the library's
/// random initialization is scaled; from (seed, k).
template <class T>
std::pair<DenseMatrix<T>, DenseMatrix<T>> initial_factors(std::int64_t m, std::int64_t n,
                                                          std::int64_t k, double mean,
                                                          std::uint64_t seed) {
  const double scale = std::sqrt(mean / static_cast<double>(k));
  const std::uint64_t s = seed * 1000003ULL + static_cast<std::uint64_t>(k);
  DenseMatrix<T> W(m, k), H(k, n);
  for (std::int64_t i = 0; i < W.size(); ++i)
    W.data()[i] = static_cast<T>(scale * uniform(s, kInitW, i));
  for (std::int64_t i = 0; i < H.size(); ++i)
    H.data()[i] = static_cast<T>(scale * uniform(s, kInitH, i));
  return {std::move(W), std::move(H)};
}

// ---------------------------------------------------------------------------------------------
// The cost model of one iteration (an H update and a W update); bench/README.md explains it.

struct Cost {
  double bytes = 0.0;
  double flops = 0.0;
};

/// s: bytes per value; idx: bytes per index. Factor traffic assumes that the gathers of W and H
/// rows by the sparse products hit in cache (the model is a floor).
Cost iteration_cost(bool sparse, Loss loss, double m, double n, double nnz, double k, double s,
                    double idx) {
  Cost c;
  const double factors = (m + n) * k;
  if (!sparse && loss == Loss::Frobenius) {
    c.bytes = 2.0 * m * n * s + 9.0 * factors * s;
    c.flops = 4.0 * m * n * k + 4.0 * (m + n) * k * k + 2.0 * factors;
  } else if (!sparse) {
    c.bytes = 10.0 * m * n * s + 8.0 * factors * s;
    c.flops = 8.0 * m * n * k + 2.0 * m * n + 3.0 * factors;
  } else if (loss == Loss::Frobenius) {
    c.bytes = 2.0 * nnz * (s + idx) + (m + n + 2.0) * idx + 9.0 * factors * s;
    c.flops = 4.0 * nnz * k + 4.0 * (m + n) * k * k + 2.0 * factors;
  } else {
    c.bytes = 2.0 * nnz * (3.0 * s + 2.0 * idx) + 2.0 * (m + n + 2.0) * idx + 8.0 * factors * s;
    c.flops = 8.0 * nnz * k + 2.0 * nnz + 3.0 * factors;
  }
  return c;
}

// ---------------------------------------------------------------------------------------------
// Measurement

struct Measurement {
  double seconds_per_iter = 0.0;  ///< median over the repeats
  double min_seconds_per_iter = 0.0;
  double final_loss = 0.0;
  double initial_loss = 0.0;
  std::vector<int> trace_iterations;  ///< the warm-up run's checks
  std::vector<double> trace_losses;
  Backend backend = Backend::Cpu;
};

template <class Matrix, class T>
Measurement measure(const Matrix& X, const DenseMatrix<T>& W0, const DenseMatrix<T>& H0,
                    Options options, const Settings& s) {
  Measurement out;
  options.tol = 0.0;
  options.max_iter = s.iters;
  // Warm-up runs: the first records the loss trace (about 20 checks).
  for (int w = 0; w < std::max(1, s.warmup); ++w) {
    options.check_every = w == 0 ? std::max(1, s.iters / 20) : s.iters;
    const Result<T> r = factorize(X.view(), options, W0.view(), H0.view());
    if (w == 0) {
      out.trace_iterations = r.history_iterations;
      out.trace_losses = r.loss_history;
      out.initial_loss = r.loss_history.front();
    }
  }
  // Timed runs: the loss only after the last iteration.
  options.check_every = std::max(1, s.iters);
  std::vector<double> per_iter;
  for (int rep = 0; rep < std::max(1, s.repeats); ++rep) {
    const Result<T> r = factorize(X.view(), options, W0.view(), H0.view());
    per_iter.push_back(r.seconds / std::max(1, r.iterations));
    out.final_loss = r.loss_history.back();
    out.backend = r.backend;
  }
  std::sort(per_iter.begin(), per_iter.end());
  const std::size_t half = per_iter.size() / 2;
  out.seconds_per_iter =
      per_iter.size() % 2 ? per_iter[half] : 0.5 * (per_iter[half - 1] + per_iter[half]);
  out.min_seconds_per_iter = per_iter.front();
  return out;
}

// ---------------------------------------------------------------------------------------------
// Output

struct Row {
  std::string kind, loss, dtype, backend, case_id;
  std::int64_t m = 0, n = 0, nnz = 0, k = 0;
  int iters = 0;
  Cost cost;
  Measurement result;
  double floor_seconds = 0.0;  ///< 0 when no bandwidth/peak is known
  bool memory_bound = false;
  std::string x_path, w0_path, h0_path;  ///< relative to the dump folder
};

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

std::string number(double v) {
  if (!std::isfinite(v)) return "null";
  char text[32];
  std::snprintf(text, sizeof text, "%.10g", v);
  return text;
}

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
  std::printf("| case | k | time/iter | GB/s | TFLOP/s | floor | time/floor | final loss |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const Row& r : rows) {
    const double t = r.result.seconds_per_iter;
    std::string floor = "n/a", ratio = "n/a";
    if (have_roofline) {
      floor = format_time(r.floor_seconds) + (r.memory_bound ? " (mem)" : " (flops)");
      char text[32];
      std::snprintf(text, sizeof text, "%.2f", t / r.floor_seconds);
      ratio = text;
    }
    std::printf("| %s %lldx%lld%s %s | %lld | %s | %.3g | %.3g | %s | %s | %.6e |\n",
                r.kind.c_str(), static_cast<long long>(r.m), static_cast<long long>(r.n),
                r.kind == "sparse" ? (" nnz=" + std::to_string(r.nnz)).c_str() : "", r.loss.c_str(),
                static_cast<long long>(r.k), format_time(t).c_str(), r.cost.bytes / t / 1e9,
                r.cost.flops / t / 1e12, floor.c_str(), ratio.c_str(), r.result.final_loss);
  }
  std::fflush(stdout);
}

void write_csv(const std::string& path, const std::vector<Row>& rows) {
  std::ofstream out(path);
  if (!out) throw IoError(path + ": cannot open for writing");
  out << "case,kind,loss,dtype,backend,m,n,nnz,k,iters,seconds_per_iter,min_seconds_per_iter,"
         "bytes_per_iter,flops_per_iter,gbytes_per_s,tflops,floor_seconds,time_over_floor,"
         "initial_loss,final_loss\n";
  for (const Row& r : rows) {
    const double t = r.result.seconds_per_iter;
    out << r.case_id << ',' << r.kind << ',' << r.loss << ',' << r.dtype << ',' << r.backend << ','
        << r.m << ',' << r.n << ',' << r.nnz << ',' << r.k << ',' << r.iters << ',' << number(t)
        << ',' << number(r.result.min_seconds_per_iter) << ',' << number(r.cost.bytes) << ','
        << number(r.cost.flops) << ',' << number(r.cost.bytes / t / 1e9) << ','
        << number(r.cost.flops / t / 1e12) << ','
        << (r.floor_seconds > 0 ? number(r.floor_seconds) : "") << ','
        << (r.floor_seconds > 0 ? number(t / r.floor_seconds) : "") << ','
        << number(r.result.initial_loss) << ',' << number(r.result.final_loss) << '\n';
  }
  if (!out) throw IoError(path + ": write failed");
}

void write_manifest(const std::string& dir, const Settings& s, const std::string& device,
                    const std::vector<Row>& rows) {
  std::ostringstream j;
  j << "{\n  \"cunmf_version\": " << json_string(version()) << ",\n"
    << "  \"build\": " << json_string(build_flavor()) << ",\n"
    << "  \"device\": " << json_string(device) << ",\n"
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

// ---------------------------------------------------------------------------------------------
// The suite

template <class T>
int run_suite(const Settings& s) {
  const Backend requested = s.backend == "cpu"    ? Backend::Cpu
                            : s.backend == "cuda" ? Backend::Cuda
                                                  : Backend::Auto;
  const bool on_gpu =
      requested == Backend::Cuda || (requested == Backend::Auto && cuda_available());
  if (requested == Backend::Cuda && !cuda_available()) {
    throw DeviceUnavailable(std::string("--backend cuda: ") + cuda_device_description());
  }
  const std::string device = on_gpu ? cuda_device_description() : "cpu";

  // Roofline: the user's figures, else the H100's on the GPU, else none.
  double bandwidth = s.bandwidth, peak = s.peak;
  std::string roofline_source = "given";
  if (on_gpu && bandwidth == 0.0) {
    bandwidth = kH100Bandwidth;
    roofline_source = "H100 defaults";
  }
  if (on_gpu && peak == 0.0) {
    peak = std::is_same_v<T, double> ? kH100PeakDouble : s.tf32 ? kH100PeakTf32 : kH100PeakFloat;
    roofline_source = "H100 defaults";
  }
  const bool have_roofline = bandwidth > 0.0 && peak > 0.0;

  std::printf("# cuNMF %s benchmark (%s build)\n\n", version(), build_flavor());
  std::printf(
      "backend %s (%s), %s%s, %d iterations per run, tol = 0; median of %d runs after "
      "%d warm-up\n",
      on_gpu ? "cuda" : "cpu", device.c_str(), s.dtype.c_str(), s.tf32 ? " + TF32" : "", s.iters,
      s.repeats, s.warmup);
  if (have_roofline) {
    std::printf("roofline: %.3g B/s, %.3g flop/s (%s)\n\n", bandwidth, peak,
                roofline_source.c_str());
  } else {
    std::printf("roofline: none on the CPU unless --bandwidth and --peak are given\n\n");
  }
  std::fflush(stdout);

  const std::string dump = s.dump_data;
  if (!dump.empty()) std::filesystem::create_directories(dump);
  const double value_bytes = sizeof(T);
  const double index_bytes = sizeof(std::int32_t);

  Options base;
  base.backend = requested;
  base.device = s.device;
  base.allow_tf32 = s.tf32;
  base.solver = Solver::MultiplicativeUpdate;

  std::vector<Row> rows;
  for (const std::string& kind : s.kinds) {
    const bool sparse = kind == "sparse";
    const Size size = parse_size(sparse ? s.sparse : s.dense, sparse ? "--sparse" : "--dense");
    std::variant<DenseMatrix<T>, CsrMatrix<T, std::int32_t>> X;
    double mean = 0.0;
    std::int64_t nnz = 0;
    std::string folder;
    char name[96];
    if (sparse) {
      auto A = sparse_input<T>(size, s.density, s.seed);
      for (const T v : A.values) mean += v;
      mean /= static_cast<double>(size.rows) * static_cast<double>(size.cols);
      nnz = A.nnz();
      std::snprintf(name, sizeof name, "sparse_%lldx%lld_nnz%lld",
                    static_cast<long long>(size.rows), static_cast<long long>(size.cols),
                    static_cast<long long>(nnz));
      X = std::move(A);
    } else {
      auto A = dense_input<T>(size, s.seed);
      for (std::int64_t i = 0; i < A.size(); ++i) mean += A.data()[i];
      mean /= static_cast<double>(A.size());
      nnz = A.size();
      std::snprintf(name, sizeof name, "dense_%lldx%lld", static_cast<long long>(size.rows),
                    static_cast<long long>(size.cols));
      X = std::move(A);
    }
    folder = name;
    const std::string x_file = folder + (sparse ? "/X.mtx" : "/X.npy");
    if (!dump.empty()) {
      std::filesystem::create_directories(std::filesystem::path(dump) / folder);
      const std::string path = (std::filesystem::path(dump) / x_file).string();
      if (sparse) {
        io::write_matrix_market(path, std::get<CsrMatrix<T, std::int32_t>>(X).view());
      } else {
        io::write_npy(path, std::get<DenseMatrix<T>>(X).view());
      }
    }

    for (const std::int64_t k : s.ranks) {
      if (k > std::min(size.rows, size.cols)) {
        std::fprintf(stderr, "skipping k = %lld: above min(m, n) of %s\n",
                     static_cast<long long>(k), name);
        continue;
      }
      const auto init = initial_factors<T>(size.rows, size.cols, k, mean, s.seed);
      const DenseMatrix<T>& W0 = init.first;
      const DenseMatrix<T>& H0 = init.second;
      const std::string k_folder = folder + "/k" + std::to_string(k);
      if (!dump.empty()) {
        std::filesystem::create_directories(std::filesystem::path(dump) / k_folder);
        io::write_npy((std::filesystem::path(dump) / k_folder / "W0.npy").string(), W0.view());
        io::write_npy((std::filesystem::path(dump) / k_folder / "H0.npy").string(), H0.view());
      }
      for (const std::string& loss_name : s.losses) {
        Options options = base;
        options.rank = k;
        options.loss = loss_name == "kl" ? Loss::KullbackLeibler : Loss::Frobenius;
        Row row;
        row.kind = kind;
        row.loss = loss_name;
        row.dtype = s.dtype;
        row.m = size.rows;
        row.n = size.cols;
        row.nnz = nnz;
        row.k = k;
        row.iters = s.iters;
        row.case_id = folder + "_k" + std::to_string(k) + "_" + loss_name;
        row.x_path = x_file;
        row.w0_path = k_folder + "/W0.npy";
        row.h0_path = k_folder + "/H0.npy";
        row.result = std::visit([&](const auto& A) { return measure(A, W0, H0, options, s); }, X);
        row.backend = row.result.backend == Backend::Cuda ? "cuda" : "cpu";
        row.cost = iteration_cost(sparse, options.loss, double(size.rows), double(size.cols),
                                  double(nnz), double(k), value_bytes, index_bytes);
        if (have_roofline) {
          const double memory = row.cost.bytes / bandwidth, compute = row.cost.flops / peak;
          row.floor_seconds = std::max(memory, compute);
          row.memory_bound = memory >= compute;
        }
        std::fprintf(stderr, "done: %s (%s/iteration)\n", row.case_id.c_str(),
                     format_time(row.result.seconds_per_iter).c_str());
        rows.push_back(std::move(row));
      }
    }
  }

  print_table(rows, have_roofline);
  if (!s.csv.empty()) write_csv(s.csv, rows);
  if (!dump.empty()) write_manifest(dump, s, device, rows);
  return 0;
}

}  // namespace

}  // namespace cunmf::bench

int main(int argc, char** argv) {
  using cunmf::bench::Settings;
  Settings s;
  CLI::App app{"cuNMF benchmark: time per MU iteration against a roofline floor", "cunmf_bench"};
  app.add_option("--backend", s.backend, "auto, cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  app.add_flag("--quick", s.quick,
               "Tiny sizes, 10 iterations, on the CPU backend unless --backend says otherwise: a "
               "smoke test that runs in seconds");
  app.add_option("--dense", s.dense, "Dense X size ROWSxCOLS")->capture_default_str();
  app.add_option("--sparse", s.sparse, "Sparse X size ROWSxCOLS")->capture_default_str();
  app.add_option("--density", s.density, "Fraction of stored entries of the sparse X")
      ->check(CLI::Range(1e-9, 1.0))
      ->capture_default_str();
  app.add_option("--ranks", s.ranks, "Ranks k")->delimiter(',')->check(CLI::PositiveNumber);
  app.add_option("--losses", s.losses, "Losses")
      ->delimiter(',')
      ->check(CLI::IsMember({"frobenius", "kl"}));
  app.add_option("--kinds", s.kinds, "Inputs")
      ->delimiter(',')
      ->check(CLI::IsMember({"dense", "sparse"}));
  app.add_option("--iters", s.iters, "Iterations per run (fixed: tol = 0)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--warmup", s.warmup, "Warm-up runs (the first records the loss trace)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--repeats", s.repeats, "Timed runs; the median is reported")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--dtype", s.dtype, "float32 or float64")
      ->check(CLI::IsMember({"float32", "float64"}))
      ->capture_default_str();
  app.add_flag("--tf32", s.tf32, "Let cuBLAS use TF32 tensor cores");
  app.add_option("--device", s.device, "CUDA device ordinal");
  app.add_option("--bandwidth", s.bandwidth,
                 "Memory bandwidth for the floor, B/s (default on CUDA: 3.0e12, an H100)");
  app.add_option("--peak", s.peak,
                 "Peak flop/s for the floor (default on CUDA: 67e12 fp32, 34e12 fp64, 495e12 "
                 "TF32 on an H100)");
  app.add_option("--csv", s.csv, "Also write the results as CSV to this file");
  app.add_option("--dump-data", s.dump_data,
                 "Write each case's X (.npy dense, .mtx sparse), W0.npy, H0.npy and "
                 "manifest.json (with cuNMF's results and loss traces) under this folder");
  app.add_option("--seed", s.seed, "Seed of the data and the initial factors")
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (s.quick) {
    if (app.count("--backend") == 0) s.backend = "cpu";
    if (app.count("--dense") == 0) s.dense = "256x192";
    if (app.count("--sparse") == 0) s.sparse = "2000x1000";
    if (app.count("--density") == 0) s.density = 0.02;
    if (app.count("--iters") == 0) s.iters = 10;
  }
  try {
    return s.dtype == "float64" ? cunmf::bench::run_suite<double>(s)
                                : cunmf::bench::run_suite<float>(s);
  } catch (const cunmf::InvalidArgument& e) {
    std::fprintf(stderr, "cunmf_bench: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cunmf_bench: %s\n", e.what());
    return 1;
  }
}
