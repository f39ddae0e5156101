// The CPU backend's host entry: the factors as Eigen panels, the chosen solver, the factors back.
#include "../cpu/backend.hpp"  // first: it configures Eigen

#include "../solvers/solve.hpp"
#include "backend_entries.hpp"

namespace cunmf::detail {

template <class T, class Index>
RunSummary run_on_cpu(const Operand<T, Index>& X, HostFactors<T>& f, const Options& options,
                      const RunStart<T>& start) {
  using Backend = cpu::Backend<T>;
  Backend backend;
  auto W = Backend::from_column_major(f.w.data(), f.m, f.k);
  auto Ht = Backend::from_column_major(f.ht.data(), f.n, f.k);
  RunSummary summary = solve(backend, X, W, Ht, options, start);
  Backend::to_column_major(W, f.w.data());
  Backend::to_column_major(Ht, f.ht.data());
  return summary;
}

#define CUNMF_INSTANTIATE_RUN_ON_CPU(T, Index)                                        \
  template RunSummary run_on_cpu<T, Index>(const Operand<T, Index>&, HostFactors<T>&, \
                                           const Options&, const RunStart<T>&);
CUNMF_INSTANTIATE_RUN_ON_CPU(float, std::int32_t)
CUNMF_INSTANTIATE_RUN_ON_CPU(float, std::int64_t)
CUNMF_INSTANTIATE_RUN_ON_CPU(double, std::int32_t)
CUNMF_INSTANTIATE_RUN_ON_CPU(double, std::int64_t)
#undef CUNMF_INSTANTIATE_RUN_ON_CPU

}  // namespace cunmf::detail
