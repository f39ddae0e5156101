// The API example of the README, built against an installed cuNMF: it must compile and run.
#include <cunmf/cunmf.hpp>

#include <cstdio>
#include <random>
#include <vector>

int main() {
  const std::int64_t m = 60, n = 40, k = 8;
  std::mt19937 engine(1);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<double> x(m * n);  // row-major, non-negative
  for (double& v : x) v = uniform(engine);
  cunmf::DenseView<const double> X{x.data(), m, n, cunmf::Layout::RowMajor};

  cunmf::Options opt;
  opt.rank = 8;
  opt.loss = cunmf::Loss::KullbackLeibler;
  opt.solver = cunmf::Solver::MultiplicativeUpdate;
  opt.backend = cunmf::Backend::Cpu;
  opt.max_iter = 200; opt.tol = 1e-4; opt.check_every = 10; opt.seed = 7;
  cunmf::Result<double> r = cunmf::factorize(X, opt);

  std::vector<double> w0(m * k, 0.5), h0(k * n, 0.5);
  cunmf::DenseView<const double> W0{w0.data(), m, k, cunmf::Layout::RowMajor};
  cunmf::DenseView<const double> H0{h0.data(), k, n, cunmf::Layout::RowMajor};
  cunmf::Result<double> s = cunmf::factorize(X, opt, W0, H0);

  const double e = cunmf::relative_error(X, r.W, r.H);
  const double d = cunmf::kl_divergence(X, r.W, r.H);
  std::printf("W %lld x %lld, H %lld x %lld, %d iterations, relative error %.4f, KL %.4f, "
              "custom-init iterations %d\n",
              static_cast<long long>(r.W.rows()), static_cast<long long>(r.W.cols()),
              static_cast<long long>(r.H.rows()), static_cast<long long>(r.H.cols()), r.iterations,
              e, d, s.iterations);
  const bool ok = r.W.rows() == m && r.H.cols() == n && e > 0.0 && e < 1.0 && !r.loss_history.empty();
  return ok ? 0 : 1;
}
