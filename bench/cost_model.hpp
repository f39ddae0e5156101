// The cost model of one MU iteration (an H update and a W update): the bytes moved and the flops
// done, from which the roofline floor follows. bench/README.md writes the formulas out.
#pragma once

#include "cunmf/cunmf.hpp"

namespace cunmf::bench {

/// The bytes moved and the flops done by one iteration.
struct Cost {
  double bytes = 0.0;
  double flops = 0.0;
};

/// The cost of one iteration on an m × n X with nnz stored entries (sparse) at rank k. s: bytes
/// per value; idx: bytes per index. Factor traffic assumes that the gathers of W and H rows by the
/// sparse products hit in cache (the model is a floor). fused_kl: dense KL reads X once per
/// half-step and writes nothing m × n (the CUDA backend's fused kernel).
Cost iteration_cost(bool sparse, Loss loss, double m, double n, double nnz, double k, double s,
                    double idx, bool fused_kl = false);

}  // namespace cunmf::bench
