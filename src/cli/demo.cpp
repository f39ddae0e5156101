// `cunmf demo`: factorizes a built-in example — planted non-negative rank-k factors plus noise —
// on the best backend available, printing the loss at each check and the final quality and speed.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <random>
#include <string>

#include "commands.hpp"
#include "cunmf/cunmf.hpp"
#include "enum_names.hpp"

namespace cunmf::cli {

namespace {

struct DemoSettings {
  std::int64_t rows = 3000;
  std::int64_t cols = 2000;
  std::int64_t rank = 16;
  double noise = 0.01;
  std::string loss = "frobenius";
  std::string backend = "auto";
  std::string dtype = "float32";
  int max_iter = 200;
  double tol = 1e-5;
  std::uint64_t seed = 7;
};

/// X = W·H + noise·U(0, 1)·mean(WH), with W and H uniform in [0, 1): non-negative, rank k plus
/// a little full-rank noise.
template <class T>
DenseMatrix<T> planted_matrix(const DemoSettings& s) {
  std::mt19937_64 engine(s.seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  DenseMatrix<T> W(s.rows, s.rank), H(s.rank, s.cols), X(s.rows, s.cols);
  for (std::int64_t i = 0; i < W.size(); ++i) W.data()[i] = static_cast<T>(uniform(engine));
  for (std::int64_t i = 0; i < H.size(); ++i) H.data()[i] = static_cast<T>(uniform(engine));
  const double mean_product = 0.25 * static_cast<double>(s.rank);  // E[w·h] = 1/4 per term
  for (std::int64_t i = 0; i < s.rows; ++i) {
    for (std::int64_t j = 0; j < s.cols; ++j) {
      double v = 0.0;
      for (std::int64_t r = 0; r < s.rank; ++r) v += double(W(i, r)) * double(H(r, j));
      X(i, j) = static_cast<T>(v + s.noise * mean_product * uniform(engine));
    }
  }
  return X;
}

template <class T>
int run_demo(const DemoSettings& s) {
  Options options;
  options.rank = s.rank;
  options.loss = loss_from_name(s.loss);
  options.backend = backend_from_name(s.backend);
  options.max_iter = s.max_iter;
  options.tol = s.tol;
  options.seed = s.seed;
  options.check_every = 10;
  options.on_check = [](int iteration, double loss) {
    std::printf("  iteration %5d   loss %.6e\n", iteration, loss);
    std::fflush(stdout);
  };

  const DenseMatrix<T> X = planted_matrix<T>(s);
  const bool gpu =
      options.backend == Backend::Cuda || (options.backend == Backend::Auto && cuda_available());
  std::printf(
      "cuNMF %s demo: X %lld x %lld (planted rank %lld + %.0f%% noise), k = %lld, %s loss, "
      "multiplicative updates, %s\n",
      version(), static_cast<long long>(s.rows), static_cast<long long>(s.cols),
      static_cast<long long>(s.rank), 100 * s.noise, static_cast<long long>(s.rank),
      s.loss == "kl" ? "KL" : "Frobenius", s.dtype.c_str());
  std::printf("backend: %s%s%s\n", gpu ? "cuda: " : "cpu", gpu ? cuda_device_description() : "",
              gpu ? "" : " (Eigen, OpenMP)");

  const Result<T> r = factorize(X.view(), options);
  const double per_iteration = r.iterations > 0 ? r.seconds / r.iterations : 0.0;
  std::printf("done on %s: %d iterations in %.3f s (%.3f ms/iteration), converged: %s\n",
              backend_name(r.backend), r.iterations, r.seconds, 1e3 * per_iteration,
              r.converged ? "yes" : "no");
  std::printf("relative error ||X - WH||_F / ||X||_F = %.6f\n",
              relative_error(X.view(), r.W.view(), r.H.view()));
  return 0;
}

}  // namespace

CommandAction add_demo_command(CLI::App& app) {
  auto settings = std::make_shared<DemoSettings>();
  CLI::App* demo = app.add_subcommand("demo", "Factorize a built-in planted example");
  demo->add_option("--rows,--size", settings->rows, "Rows of the example")
      ->check(CLI::PositiveNumber);
  demo->add_option("--cols", settings->cols, "Columns of the example (default: 2/3 of rows)");
  demo->add_option("-k,--rank", settings->rank, "Rank")->check(CLI::PositiveNumber);
  demo->add_option("--loss", settings->loss, "Loss")->check(CLI::IsMember({"frobenius", "kl"}));
  demo->add_option("--backend", settings->backend, "Backend")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  demo->add_option("--dtype", settings->dtype, "Precision")
      ->check(CLI::IsMember({"float32", "float64"}));
  demo->add_option("--max-iter", settings->max_iter, "Iterations at most")
      ->check(CLI::NonNegativeNumber);
  demo->add_option("--tol", settings->tol, "Relative decrease of the loss that stops")
      ->check(CLI::NonNegativeNumber);
  demo->add_option("--seed", settings->seed, "Seed of the example and the initialization");
  return [settings, demo] {
    if (demo->count("--cols") == 0 && demo->count("--rows") > 0) {
      settings->cols = std::max<std::int64_t>(1, settings->rows * 2 / 3);
    }
    return settings->dtype == "float64" ? run_demo<double>(*settings) : run_demo<float>(*settings);
  };
}

}  // namespace cunmf::cli
