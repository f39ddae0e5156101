// cunmf_bench: time per iteration of cuNMF's multiplicative updates (or, with --solver cd, its
// coordinate descent; with --solver als, its projected alternating least squares; with --solver
// pgd, its projected gradient; with --solver anls-bpp, its block principal pivoting) on dense and
// sparse inputs, both losses and several ranks, beside a roofline floor from a per-case model of
// the bytes moved and the flops done (bench/README.md writes the formulas out). Each case runs once
// to warm up (that run also records the loss trace), then `--repeats` times with tol = 0 and a
// fixed max_iter; the median of Result::seconds / iterations is reported. `--dump-data DIR` writes
// every case's X, W0 and H0 and a manifest, so that the peer scripts (bench/peers/) run on the same
// data and init. This file holds the options and the suite of cases; the data, the cost model, the
// timing and the report have a file each.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "cost_model.hpp"
#include "cunmf/cunmf.hpp"
#include "measurement.hpp"
#include "report.hpp"
#include "settings.hpp"
#include "synthetic_data.hpp"

namespace cunmf::bench {

namespace {

/// The H100 SXM figures used when the CUDA backend runs and no --bandwidth/--peak is given.
constexpr double kH100Bandwidth = 3.0e12;  // B/s of HBM3 (3.35e12 nominal)
constexpr double kH100PeakFloat = 67e12;   // flop/s, FP32 (CUDA cores)
constexpr double kH100PeakDouble = 34e12;  // flop/s, FP64 (CUDA cores)
constexpr double kH100PeakTf32 = 495e12;   // flop/s, TF32 tensor cores, dense

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

  std::printf("# cuNMF %s benchmark (%s build), solver %s\n\n", version(), build_flavor(),
              s.solver.c_str());
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
  // The cost model is MU's; a cd iteration does the same products with X and the same Grams, and
  // its sweep (~2k² flops a row) replaces MU's F·Gram product (as many), so its floor is the same.
  // An als iteration too: the same products and Grams, its Cholesky solve ~2k² flops a row.
  // anls-bpp: the same products and Grams; its pivoting (a Cholesky of a passive block per row
  // group and step) is not modelled, so MU's floor is a lower bound for it.
  // pgd: the same products and Grams; its inner steps (a few F·Gram products and reductions of the
  // k-panels each) are not modelled, so MU's floor is a lower bound for it.
  // cd with KL forms W·H at X's entries once per half-step and then, per coordinate, ~5 flops per
  // entry > 0 (gradient, curvature, update): ~6k flops an entry against MU KL's ~4k, and reads each
  // row of X k times from cache; MU's KL model stays its floor (a lower bound, loosely).
  base.solver = s.solver == "cd"         ? Solver::CoordinateDescent
                : s.solver == "als"      ? Solver::AlternatingLeastSquares
                : s.solver == "pgd"      ? Solver::ProjectedGradient
                : s.solver == "anls-bpp" ? Solver::AnlsBpp
                                         : Solver::MultiplicativeUpdate;

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
        // The CUDA backend fuses dense KL up to rank 32, or 128 on TF32 tensor cores in float
        // (cuda/dense_primitives.cpp); the H100 floor is the TF32-off path's.
        const bool fused_kl = k <= (std::is_same_v<T, float> && s.tf32 ? 128 : 32);
        const bool fused_kl_on_h100 = k <= 32;
        row.cost =
            iteration_cost(sparse, options.loss, double(size.rows), double(size.cols), double(nnz),
                           double(k), value_bytes, index_bytes, on_gpu && fused_kl);
        const Cost on_h100 =
            iteration_cost(sparse, options.loss, double(size.rows), double(size.cols), double(nnz),
                           double(k), value_bytes, index_bytes, fused_kl_on_h100);
        row.h100_floor_seconds = std::max(
            on_h100.bytes / kH100Bandwidth,
            on_h100.flops / (std::is_same_v<T, double> ? kH100PeakDouble : kH100PeakFloat));
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
  CLI::App app{"cuNMF benchmark: time per iteration against a roofline floor", "cunmf_bench"};
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
  app.add_option("--solver", s.solver,
                 "mu (multiplicative updates), cd (coordinate descent, also named hals), als "
                 "(projected alternating least squares), pgd (projected gradient) or anls-bpp "
                 "(block principal pivoting); cd, als, pgd and anls-bpp: the losses default to "
                 "frobenius; als, pgd and anls-bpp: Frobenius only")
      ->check(CLI::IsMember({"mu", "cd", "hals", "als", "pgd", "anls-bpp"}))
      ->capture_default_str();
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
  if (s.solver == "hals") s.solver = "cd";
  if (s.solver != "mu") {
    if (app.count("--losses") == 0) s.losses = {"frobenius"};
    if (s.solver != "cd" && std::find(s.losses.begin(), s.losses.end(), "kl") != s.losses.end()) {
      std::fprintf(stderr, "cunmf_bench: --solver %s supports only --losses frobenius\n",
                   s.solver.c_str());
      return 2;
    }
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
