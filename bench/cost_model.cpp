// The cost model of one MU iteration (cost_model.hpp).
#include "cost_model.hpp"

namespace cunmf::bench {

Cost iteration_cost(bool sparse, Loss loss, double m, double n, double nnz, double k, double s,
                    double idx, bool fused_kl) {
  Cost c;
  const double factors = (m + n) * k;
  if (!sparse && loss == Loss::Frobenius) {
    c.bytes = 2.0 * m * n * s + 9.0 * factors * s;
    c.flops = 4.0 * m * n * k + 4.0 * (m + n) * k * k + 2.0 * factors;
  } else if (!sparse) {
    c.bytes = (fused_kl ? 2.0 : 10.0) * m * n * s + 8.0 * factors * s;
    c.flops = 8.0 * m * n * k + 2.0 * m * n + 3.0 * factors;
  } else if (loss == Loss::Frobenius) {
    c.bytes = 2.0 * nnz * (s + idx) + (m + n + 2.0) * idx + 9.0 * factors * s;
    c.flops = 4.0 * nnz * k + 4.0 * (m + n) * k * k + 2.0 * factors;
  } else {
    // One pass over the stored entries per half-step: both backends fuse the quotient and the
    // product (up to rank 256 on the CUDA backend).
    c.bytes = 2.0 * nnz * (s + idx) + (m + n + 2.0) * idx + 8.0 * factors * s;
    c.flops = 8.0 * nnz * k + 2.0 * nnz + 3.0 * factors;
  }
  return c;
}

}  // namespace cunmf::bench
