// `cunmf factorize`: reads X from a Matrix Market, .npy or CSV file (or Matrix Market from
// standard input), factorizes it — a coordinate file as sparse CSR, never densified — writes W and
// H, shows progress on standard error, and prints a summary (also as JSON with --summary).
// `cunmf transform` is the same run with a given W held fixed: it writes H only.
#include <cstdio>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "commands.hpp"
#include "cunmf/cunmf.hpp"
#include "enum_names.hpp"
#include "json.hpp"
#include "matrix_files.hpp"
#include "option_values.hpp"
#include "output_files.hpp"
#include "progress.hpp"
#include "run_report.hpp"

namespace cunmf::cli {

namespace {

Options make_options(const FactorizeSettings& s) {
  Options options;
  options.rank = s.rank;
  options.loss = loss_from_name(s.loss);
  options.beta = s.beta;
  options.solver = solver_from_name(s.solver);
  options.backend = backend_from_name(s.backend);
  options.init = init_from_name(s.init);
  options.max_iter = s.max_iter;
  options.tol = s.tol;
  options.check_every = s.check_every;
  options.seed = s.seed;
  options.device = s.device;
  options.allow_tf32 = s.tf32;
  if (s.tf32x3) options.tensor_cores = TensorCoreMode::Tf32x3;
  options.alpha_W = s.alpha_w;
  options.alpha_H = s.alpha_h;
  options.l1_ratio = s.l1_ratio;
  options.nsnmf_theta = s.nsnmf_theta;
  options.graph_lambda = s.graph_lambda.value_or(0.0);
  options.checkpoint = {s.checkpoint, s.checkpoint_every};
  return options;
}

/// The files the run writes, with their flags.
std::vector<NamedPath> outputs_of(const FactorizeSettings& s) {
  std::vector<NamedPath> outputs = {{"--out-h", s.out_h}};
  if (!s.transform) outputs.push_back({"--out-w", s.out_w});
  if (!s.summary.empty()) outputs.push_back({"--summary", s.summary});
  if (!s.checkpoint.empty()) outputs.push_back({"--checkpoint", s.checkpoint});
  return outputs;
}

/// Checks what can be checked before reading anything, so that a usage error costs no time and
/// the run cannot end unable to write its result or having overwritten an input.
FileFormat check_arguments(const FactorizeSettings& s) {
  if (s.init == "custom" && (s.init_w.empty() || s.init_h.empty())) {
    throw InvalidArgument("--init custom needs both --init-w and --init-h");
  }
  if (!s.transform && s.init != "custom" && (!s.init_w.empty() || !s.init_h.empty())) {
    throw InvalidArgument("--init-w and --init-h need --init custom");
  }
  if (!s.resume.empty() && s.init == "custom") {
    throw InvalidArgument(
        "--resume starts from the checkpoint's factors: it excludes --init custom");
  }
  if ((!s.graph.empty() || s.knn > 0) != s.graph_lambda.has_value()) {
    throw InvalidArgument(
        "--graph-lambda and a graph go together: give --graph-lambda with --graph FILE or "
        "--knn K, and either of these with --graph-lambda");
  }
  if (!s.graph.empty()) format_from_path(s.graph, "--graph");
  if (s.checkpoint.empty() != (s.checkpoint_every == 0)) {
    throw InvalidArgument("--checkpoint FILE and --checkpoint-every N go together");
  }
  for (const auto& [flag, path] :
       {std::pair{"--checkpoint", s.checkpoint}, {"--resume", s.resume}}) {
    if (!path.empty() && std::filesystem::path(path).extension() != ".npz") {
      throw InvalidArgument(std::string(flag) + " '" + path + "': a checkpoint is an .npz file");
    }
  }
  if (!s.init_w.empty()) format_from_path(s.init_w, "--init-w");
  if (!s.init_h.empty()) format_from_path(s.init_h, "--init-h");
  if (!s.transform) format_from_path(s.out_w, "--out-w");
  if (s.transform) format_from_path(s.w, "--w");
  format_from_path(s.out_h, "--out-h");
  FileFormat format = FileFormat::MatrixMarket;
  if (!s.format.empty()) {
    format = format_from_name(s.format);
  } else if (s.input != "-") {
    format = format_from_path(s.input, "INPUT");
  }
  // Last, as it tries the output folders: every usage error above costs no file system change.
  // --resume may name the --checkpoint file: it is read whole before the first snapshot replaces
  // it.
  check_outputs(outputs_of(s), {{"INPUT", s.input},
                                {"--w", s.w},
                                {"--init-w", s.init_w},
                                {"--init-h", s.init_h},
                                {"--resume", s.resume == s.checkpoint ? "" : s.resume}});
  return format;
}

/// The affinity of --graph FILE (Matrix Market, entries non-negative) or of --knn K (built from
/// X's columns on the backend the factorization runs on), or none.
template <class T>
CsrMatrix<double, std::int64_t> graph_of(const FactorizeSettings& s, const InputMatrix<T>& X,
                                         const Options& options) {
  if (!s.graph.empty()) {
    if (format_from_path(s.graph, "--graph") != FileFormat::MatrixMarket) {
      throw InvalidArgument("--graph '" + s.graph +
                            "': the affinity is a Matrix Market (.mtx) file");
    }
    return io::read_matrix_market_csr<double, std::int64_t>(s.graph, true);
  }
  if (s.knn == 0) return {};
  const GraphWeight weighting = s.graph_weight == "heat"     ? GraphWeight::Heat
                                : s.graph_weight == "cosine" ? GraphWeight::Cosine
                                                             : GraphWeight::Binary;
  return std::visit(
      [&](const auto& A) {
        return knn_graph(A.view(), s.knn, weighting, options.backend, options.device);
      },
      X);
}

/// Reads the input, factorizes it and writes W and H into `outputs` (not yet in place).
template <class T>
Outcome run_factorization(const FactorizeSettings& s, FileFormat format,
                          OutputTransaction& outputs) {
  const InputMatrix<T> X = read_input<T>(s.input, format);
  std::optional<DenseMatrix<T>> W0, H0, W;
  std::optional<Checkpoint<T>> from;
  if (!s.resume.empty()) from = io::read_checkpoint<T>(s.resume);
  if (s.init == "custom") {
    W0 = read_dense<T>(s.init_w, "--init-w");
    H0 = read_dense<T>(s.init_h, "--init-h");
  }
  if (s.transform) W = read_dense<T>(s.w, "--w");
  if (s.transform && !s.init_h.empty()) H0 = read_dense<T>(s.init_h, "--init-h");

  Options options = make_options(s);
  options.graph = graph_of(s, X, options);
  const bool show_progress = !s.quiet && (s.progress || stderr_is_terminal());
  ProgressLine progress(show_progress, s.max_iter, s.tol);
  options.on_check = [&progress](int iteration, double loss) { progress.update(iteration, loss); };

  Outcome out;
  out.shape = shape_of<T>(X);
  const Result<T> r = std::visit(
      [&](const auto& A) -> Result<T> {
        using A_t = std::decay_t<decltype(A)>;
        if constexpr (std::is_same_v<A_t, DenseMatrix<T>>) {
          if (W && H0) return transform(A.view(), W->view(), options, H0->view());
          if (W) return transform(A.view(), W->view(), options);
          if (from) return factorize(A.view(), options, *from);
          if (W0) return factorize(A.view(), options, W0->view(), H0->view());
          return factorize(A.view(), options);
        } else {
          out.sparse = true;
          out.index_type = std::is_same_v<typename decltype(A.row_ptr)::value_type, std::int32_t>
                               ? "int32"
                               : "int64";
          if (W && H0) return transform(A.view(), W->view(), options, H0->view());
          if (W) return transform(A.view(), W->view(), options);
          if (from) return factorize(A.view(), options, *from);
          if (W0) return factorize(A.view(), options, W0->view(), H0->view());
          return factorize(A.view(), options);
        }
      },
      X);
  progress.finish();

  if (!s.transform) {
    outputs.write({"--out-w", s.out_w}, [&](const std::string& path) {
      write_dense<T>(path, format_from_path(s.out_w, "--out-w"), r.W.view());
    });
  }
  outputs.write({"--out-h", s.out_h}, [&](const std::string& path) {
    write_dense<T>(path, format_from_path(s.out_h, "--out-h"), r.H.view());
  });

  out.iterations = r.iterations;
  out.converged = r.converged;
  out.final_loss = r.loss_history.empty() ? 0.0 : r.loss_history.back();
  out.seconds = r.seconds;
  out.backend = r.backend;
  out.loss_history = r.loss_history;
  out.history_iterations = r.history_iterations;
  out.w_rows = r.W.rows();
  out.w_cols = r.W.cols();
  out.h_rows = r.H.rows();
  out.h_cols = r.H.cols();
  // The metrics of a sparse X evaluate W·H only at its non-zeros; one that is undefined (X all
  // zero, X constant) is empty, and the summary says n/a.
  std::visit(
      [&](const auto& A) {
        out.quality = fit_quality(A.view(), r.W.view(), r.H.view());
        if (s.nsnmf_theta == 0.0) return;
        // nsNMF: the fit is of W (S H); the sparsity measures stay those of H itself.
        const FitQuality smoothed =
            fit_quality(A.view(), r.W.view(), inverse_transform(r.S.view(), r.H.view()).view());
        out.quality.relative_error = smoothed.relative_error;
        out.quality.explained_variance = smoothed.explained_variance;
        out.quality.kl_divergence = smoothed.kl_divergence;
      },
      X);
  return out;
}

int run_factorize(const FactorizeSettings& s) {
  const FileFormat format = check_arguments(s);
  // All or nothing: W, H and the summary go to temporary files, renamed into place together.
  OutputTransaction outputs;
  const Outcome outcome = s.dtype == "float64" ? run_factorization<double>(s, format, outputs)
                                               : run_factorization<float>(s, format, outputs);
  if (!s.summary.empty()) {
    outputs.write({"--summary", s.summary}, [&](const std::string& path) {
      write_text_file(path, summary_json(s, outcome));
    });
  }
  outputs.commit();
  if (!s.quiet) print_summary(s, outcome);
  return kExitSuccess;
}

/// The options that `cunmf factorize` and `cunmf transform` share: the solver and its stopping
/// rule, where and in what precision it runs, H's penalty, and the run's reporting.
void add_run_options(CLI::App* cmd, FactorizeSettings* s) {
  cmd->add_option("--loss", s->loss,
                  "Loss minimized: frobenius, kl (generalized Kullback-Leibler), beta (the "
                  "beta-divergence of --beta; mu only) or is (Itakura-Saito, beta = 0; mu only; "
                  "X must be positive everywhere)")
      ->check(CLI::IsMember({"frobenius", "kl", "beta", "is"}))
      ->capture_default_str();
  cmd->add_option("--beta", s->beta,
                  "beta of --loss beta: 2 is the Frobenius loss, 1 KL, 0 Itakura-Saito; for "
                  "beta <= 0 X must be positive everywhere")
      ->capture_default_str();
  cmd->add_option("--solver", s->solver,
                  "Solver: mu (multiplicative updates), cd (coordinate descent, also named "
                  "hals), als (projected alternating least squares), pgd (projected gradient) or "
                  "anls-bpp (exact alternating non-negative least squares by block principal "
                  "pivoting); als, pgd and anls-bpp: Frobenius loss only")
      ->check(CLI::IsMember({"mu", "cd", "hals", "als", "pgd", "anls-bpp"}))
      ->capture_default_str();
  cmd->add_option("--max-iter", s->max_iter, "Iterations at most")
      ->check(integer_in_range(0, std::numeric_limits<int>::max()))
      ->capture_default_str();
  cmd->add_option("--tol", s->tol,
                  "Stop when the loss decreases by less than this (relative) "
                  "between checks; 0 runs exactly --max-iter iterations")
      ->check(number_at_least(0.0))
      ->capture_default_str();
  cmd->add_option("--check-every", s->check_every, "Compute the loss every N iterations")
      ->check(integer_in_range(1, std::numeric_limits<int>::max()))
      ->capture_default_str();
  cmd->add_option("--backend", s->backend, "Where to run: auto (the GPU when present), cpu, cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}))
      ->capture_default_str();
  cmd->add_option("--device", s->device, "CUDA device ordinal")
      ->check(integer_in_range(0, std::numeric_limits<int>::max()))
      ->capture_default_str();
  cmd->add_option("--dtype", s->dtype, "Precision of the computation")
      ->check(CLI::IsMember({"float32", "float64"}))
      ->capture_default_str();
  auto* tf32 = cmd->add_flag(
      "--tf32", s->tf32,
      "Let float32 products use TF32 tensor cores: cuBLAS GEMMs and dense KL's fused product "
      "(~1e-3 relative)");
  cmd->add_flag("--tf32x3", s->tf32x3,
                "3xTF32 tensor cores for dense KL's fused float32 product (fp32-level accuracy); "
                "cuBLAS GEMMs stay fp32")
      ->excludes(tf32);
  cmd->add_option("--alpha-h", s->alpha_h,
                  "Regularization of H (scikit-learn's alpha_H): adds m*alpha_H*(l1_ratio*|H|_1 + "
                  "0.5*(1 - l1_ratio)*|H|_F^2) to the objective (factorize: default --alpha-w)")
      ->check(number_at_least(0.0));
  cmd->add_option("--l1-ratio", s->l1_ratio,
                  "Share of L1 in the regularization: 0 is L2 only, 1 is L1 only (sparse factors)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--nsnmf-theta", s->nsnmf_theta,
                  "nsNMF smoothing theta in [0, 1]: X ~ W S H with S = (1 - theta) I + theta/k; "
                  "larger theta gives sparser (more localized) factors; H is written without S")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  auto* graph = cmd->add_option(
      "--graph", s->graph,
      "Graph-regularized NMF (Cai et al. 2011, mu only): the affinity A (n x n, symmetric, "
      "non-negative; .mtx) between the n columns of INPUT; adds graph_lambda/2 * tr(H L H^T), "
      "L = D - A, to the objective");
  cmd->add_option("--knn", s->knn,
                  "Graph-regularized NMF with the K-nearest-neighbour graph of INPUT's columns "
                  "(instead of --graph)")
      ->check(integer_in_range(1))
      ->excludes(graph);
  cmd->add_option("--graph-weight", s->graph_weight,
                  "Edge weights of the --knn graph: binary, heat (exp(-d^2/sigma^2), sigma^2 the "
                  "mean d^2 over the edges) or cosine")
      ->check(CLI::IsMember({"binary", "heat", "cosine"}))
      ->capture_default_str();
  cmd->add_option("--graph-lambda", s->graph_lambda,
                  "Weight lambda >= 0 of the graph term (with --graph or --knn)")
      ->check(number_at_least(0.0));
  cmd->add_option("--summary", s->summary, "Also write the summary as JSON to this file");
  auto* quiet = cmd->add_flag("-q,--quiet", s->quiet, "No progress line and no summary on stdout");
  cmd->add_flag("--progress", s->progress,
                "Show the progress line even when standard error is not a terminal")
      ->excludes(quiet);
  cmd->add_option("--format", s->format, "Format of INPUT, overriding its extension")
      ->check(CLI::IsMember({"mtx", "npy", "csv"}));
}

}  // namespace

CommandAction add_factorize_command(CLI::App& app) {
  auto s = std::make_shared<FactorizeSettings>();
  CLI::App* cmd = app.add_subcommand("factorize", "Factorize a matrix read from a file");
  cmd->add_option("INPUT", s->input,
                  "Matrix to factorize: .mtx (coordinate: sparse; array: dense), .npy, .csv; "
                  "'-' reads Matrix Market from standard input")
      ->required();
  cmd->add_option("-k,--rank", s->rank, "Rank k of the factorization")
      ->required()
      ->check(integer_in_range(1));
  cmd->add_option("--init", s->init,
                  "Initialization: random (from --seed), nndsvd, nndsvda (zeros filled with the "
                  "mean; better for mu), nndsvdar (zeros filled with small random values), or "
                  "custom (--init-w, --init-h)")
      ->check(CLI::IsMember({"random", "nndsvd", "nndsvda", "nndsvdar", "custom"}))
      ->capture_default_str();
  cmd->add_option("--init-w", s->init_w, "Initial W (m x k) for --init custom (.npy/.mtx/.csv)");
  cmd->add_option("--init-h", s->init_h, "Initial H (k x n) for --init custom (.npy/.mtx/.csv)");
  cmd->add_option("--seed", s->seed, "Seed of the random initialization")
      ->check(unsigned_64_bit_integer())
      ->capture_default_str();
  add_run_options(cmd, s.get());
  cmd->add_option("--alpha-w", s->alpha_w,
                  "Regularization of W (scikit-learn's alpha_W): adds n*alpha_W*(l1_ratio*|W|_1 + "
                  "0.5*(1 - l1_ratio)*|W|_F^2) to the objective")
      ->check(number_at_least(0.0))
      ->capture_default_str();
  cmd->add_option("--out-w", s->out_w, "Where to write W (m x k): .npy, .mtx or .csv")->required();
  cmd->add_option("--out-h", s->out_h, "Where to write H (k x n): .npy, .mtx or .csv")->required();
  cmd->add_option("--checkpoint", s->checkpoint,
                  "Write the run's state (W, H, iteration, loss history) to this .npz file "
                  "every --checkpoint-every iterations, replacing it atomically");
  cmd->add_option("--checkpoint-every", s->checkpoint_every, "Iterations between checkpoints")
      ->check(integer_in_range(1, std::numeric_limits<int>::max()));
  cmd->add_option("--resume", s->resume,
                  "Continue the run saved in this checkpoint (.npz), with the options that wrote "
                  "it: the result is the uninterrupted run's");
  return [s] { return run_factorize(*s); };
}

CommandAction add_transform_command(CLI::App& app) {
  auto s = std::make_shared<FactorizeSettings>();
  s->transform = true;
  CLI::App* cmd = app.add_subcommand(
      "transform", "H for new columns of data on a fixed W (W read from a file, H written)");
  cmd->add_option("INPUT", s->input,
                  "Data X (m x n): .mtx (coordinate: sparse; array: dense), .npy, .csv; '-' reads "
                  "Matrix Market from standard input")
      ->required();
  cmd->add_option("--w", s->w, "The fixed W (m x k): .npy, .mtx or .csv")->required();
  cmd->add_option("--init-h", s->init_h,
                  "Initial H (k x n); default: sqrt(mean(X)/k) everywhere, or zeros for the "
                  "Frobenius loss with every solver but mu");
  add_run_options(cmd, s.get());
  cmd->add_option("--out-h", s->out_h, "Where to write H (k x n): .npy, .mtx or .csv")->required();
  return [s] { return run_factorize(*s); };
}

}  // namespace cunmf::cli
