// Timing one benchmark case (measurement.hpp).
#include "measurement.hpp"

#include <algorithm>
#include <cstdint>

namespace cunmf::bench {

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

template Measurement measure(const DenseMatrix<float>&, const DenseMatrix<float>&,
                             const DenseMatrix<float>&, Options, const Settings&);
template Measurement measure(const DenseMatrix<double>&, const DenseMatrix<double>&,
                             const DenseMatrix<double>&, Options, const Settings&);
template Measurement measure(const CsrMatrix<float, std::int32_t>&, const DenseMatrix<float>&,
                             const DenseMatrix<float>&, Options, const Settings&);
template Measurement measure(const CsrMatrix<double, std::int32_t>&, const DenseMatrix<double>&,
                             const DenseMatrix<double>&, Options, const Settings&);

}  // namespace cunmf::bench
