// The end of a `cunmf factorize` or `cunmf transform` run: its summary on standard output and as
// JSON.
#include "run_report.hpp"

#include <cstdio>

#include "enum_names.hpp"
#include "json.hpp"
#include "progress.hpp"

namespace cunmf::cli {

namespace {

std::string format_optional(const std::optional<double>& value, const char* format) {
  if (!value) return "n/a";
  char text[64];
  std::snprintf(text, sizeof text, format, *value);
  return text;
}

std::string gpu_name(const Outcome& o) {
  return o.backend == Backend::Cuda ? cuda_device_description() : "none";
}

std::string input_description(const FactorizeSettings& s, const Outcome& o) {
  char text[256];
  if (o.sparse) {
    std::snprintf(text, sizeof text, "sparse CSR %lld x %lld, %lld non-zeros, %s indices",
                  static_cast<long long>(o.shape.rows), static_cast<long long>(o.shape.cols),
                  static_cast<long long>(o.shape.nnz), o.index_type.c_str());
  } else {
    std::snprintf(text, sizeof text, "dense %lld x %lld", static_cast<long long>(o.shape.rows),
                  static_cast<long long>(o.shape.cols));
  }
  return (s.input == "-" ? std::string("<stdin>") : s.input) + " (" + text + ")";
}

/// The β of the run's loss: --beta for --loss beta, else the β that the loss is.
double beta_of(const FactorizeSettings& s) {
  if (s.loss == "beta") return s.beta;
  return s.loss == "kl" ? 1.0 : s.loss == "is" ? 0.0 : 2.0;
}

}  // namespace

void print_summary(const FactorizeSettings& s, const Outcome& o) {
  const double per_iteration = o.iterations > 0 ? o.seconds / o.iterations : 0.0;
  std::printf("input               %s\n", input_description(s, o).c_str());
  std::printf("rank                %lld\n", static_cast<long long>(o.w_cols));
  std::string loss = s.loss;
  if (s.loss == "beta") {
    char beta[32];
    std::snprintf(beta, sizeof beta, "%g", s.beta);
    loss = std::string("beta-divergence (beta = ") + beta + ")";
  } else if (s.loss == "is") {
    loss = "itakura-saito (beta = 0)";
  }
  std::printf("loss                %s, %s, %s\n", loss.c_str(),
              solver_description(solver_from_name(s.solver)), s.dtype.c_str());
  std::printf("iterations          %d (converged: %s)\n", o.iterations, o.converged ? "yes" : "no");
  std::printf("final loss          %.6e\n", o.final_loss);
  std::printf("relative error      %s\n",
              format_optional(o.quality.relative_error, "%.6f").c_str());
  std::printf("explained variance  %s\n",
              format_optional(o.quality.explained_variance, "%.6f").c_str());
  std::printf("kl divergence       %.6e\n", o.quality.kl_divergence);
  std::printf("sparsity (Hoyer)    W %s, H %s\n",
              format_optional(o.quality.hoyer_w, "%.4f").c_str(),
              format_optional(o.quality.hoyer_h, "%.4f").c_str());
  std::printf("exact zeros         W %.2f%%, H %.2f%%\n", 100.0 * o.quality.zeros_w,
              100.0 * o.quality.zeros_h);
  std::printf("time                %s (%s/iteration)\n", format_duration(o.seconds).c_str(),
              o.iterations > 0 ? format_duration(per_iteration).c_str() : "n/a");
  std::printf("backend             %s\n", backend_name(o.backend));
  std::printf("gpu                 %s\n", gpu_name(o).c_str());
  std::printf("output              W %s%s (%lld x %lld), H %s (%lld x %lld)\n",
              s.transform ? "given in " : "", s.transform ? s.w.c_str() : s.out_w.c_str(),
              static_cast<long long>(o.w_rows), static_cast<long long>(o.w_cols), s.out_h.c_str(),
              static_cast<long long>(o.h_rows), static_cast<long long>(o.h_cols));
  std::fflush(stdout);
}

std::string summary_json(const FactorizeSettings& s, const Outcome& o) {
  JsonObject json;
  json.add("cunmf_version", version())
      .add("command", s.transform ? "transform" : "factorize")
      .add("input", s.input)
      .add("sparse", o.sparse)
      .add("rows", o.shape.rows)
      .add("cols", o.shape.cols)
      .add("nnz", o.shape.nnz)
      .add("rank", o.w_cols)
      .add("loss", s.loss)
      .add("beta", beta_of(s))
      .add("alpha_w", s.alpha_w)
      .add("alpha_h", s.alpha_h.value_or(s.alpha_w))
      .add("l1_ratio", s.l1_ratio)
      .add("nsnmf_theta", s.nsnmf_theta)
      .add("graph_lambda", s.graph_lambda.value_or(0.0))
      .add("solver", solver_name(solver_from_name(s.solver)))
      .add("dtype", s.dtype)
      .add("iterations", o.iterations)
      .add("converged", o.converged)
      .add("final_loss", o.final_loss)
      .add("relative_error", o.quality.relative_error)
      .add("explained_variance", o.quality.explained_variance)
      .add("kl_divergence", o.quality.kl_divergence)
      .add("hoyer_sparsity_w", o.quality.hoyer_w)
      .add("hoyer_sparsity_h", o.quality.hoyer_h)
      .add("zero_fraction_w", o.quality.zeros_w)
      .add("zero_fraction_h", o.quality.zeros_h)
      .add("seconds", o.seconds)
      .add("seconds_per_iteration",
           o.iterations > 0 ? std::optional<double>(o.seconds / o.iterations) : std::nullopt)
      .add("backend", backend_name(o.backend))
      .add("gpu", gpu_name(o))
      .add(s.transform ? "w" : "out_w", s.transform ? s.w : s.out_w)
      .add("out_h", s.out_h)
      .add("history_iterations", o.history_iterations)
      .add("loss_history", o.loss_history);
  return json.str();
}

}  // namespace cunmf::cli
