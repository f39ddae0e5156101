// Loss reductions: per-block partial sums in double, then one block adds them to the accumulator
// in a fixed order. No float atomics, so results do not depend on scheduling. A float run's
// residual and KL terms are evaluated and summed by each thread in float, compensated
// (loss_terms.cuh: no double arithmetic per entry); every other sum is taken in double.
#include <type_traits>

#include "elementwise.cuh"
#include "grid.cuh"
#include "launch.cuh"
#include "loss_terms.cuh"
#include "losses.cuh"
#include "reduce.cuh"

namespace cunmf::detail {

namespace {

template <class T>
struct SquaredResidualTerm {
  __device__ auto operator()(T x, T wh) const { return squared_residual_in(x, wh); }
};
template <class T>
struct KullbackLeiblerTerm {
  __device__ auto operator()(T x, T wh) const { return kl_term_in(x, wh); }
};
template <class T>
struct ValueTerm {
  __device__ double operator()(T x, T) const { return static_cast<double>(x); }
};
template <class T>
struct ProductTerm {
  __device__ double operator()(T x, T y) const {
    return static_cast<double>(x) * static_cast<double>(y);
  }
};

template <class T>
struct BetaTerm {
  double beta;
  __device__ double operator()(T x, T wh) const {
    return beta_term(static_cast<double>(x), static_cast<double>(wh), beta);
  }
};
template <class T>
struct BetaPowerTerm {
  double beta;
  __device__ double operator()(T wh, T) const {
    return beta_power_term(static_cast<double>(wh), beta);
  }
};

/// Each thread sums term(x[i], wh[i]) over i ≡ thread index (mod grid size); block b writes the
/// sum of its threads to partials[b].
template <class T, class Term>
__global__ void partial_sums_kernel(const T* __restrict__ x, const T* __restrict__ wh,
                                    std::int64_t count, double* __restrict__ partials, Term term) {
  const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  ThreadSum<std::invoke_result_t<Term, T, T>> thread_sum;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < count; i += step) {
    thread_sum.add(term(x[i], wh == nullptr ? T(0) : wh[i]));
  }
  const double sum = block_sum(thread_sum.total());
  if (threadIdx.x == 0) partials[blockIdx.x] = sum;
}

/// One block: *accumulator += Σ partials[0 .. count), each thread summing a strided slice.
__global__ void add_partials_kernel(const double* __restrict__ partials, int count,
                                    double* __restrict__ accumulator) {
  double sum = 0.0;
  for (int i = threadIdx.x; i < count; i += blockDim.x) sum += partials[i];
  sum = block_sum(sum);
  if (threadIdx.x == 0) *accumulator += sum;
}

template <class T, class Term>
void accumulate(Term term, const T* x, const T* wh, std::int64_t count, double* partials,
                double* accumulator, cudaStream_t stream) {
  const unsigned blocks = grid_blocks(count, kLossPartials);
  launch(partial_sums_kernel<T, Term>, blocks, kBlockThreads, 0, stream, x, wh, count, partials,
         term);
  add_partials(partials, static_cast<int>(blocks), accumulator, stream);
}

}  // namespace

void add_partials(const double* partials, int count, double* accumulator, cudaStream_t stream) {
  launch(add_partials_kernel, 1, kBlockThreads, 0, stream, partials, count, accumulator);
}

template <class T>
void accumulate_loss_terms(LossTerm term, const T* x, const T* wh, std::int64_t count,
                           double* partials, double* accumulator, cudaStream_t stream,
                           double beta) {
  if (count <= 0) return;
  switch (term) {
    case LossTerm::SquaredResidual:
      return accumulate(SquaredResidualTerm<T>{}, x, wh, count, partials, accumulator, stream);
    case LossTerm::KullbackLeibler:
      return accumulate(KullbackLeiblerTerm<T>{}, x, wh, count, partials, accumulator, stream);
    case LossTerm::Product:
      return accumulate(ProductTerm<T>{}, x, wh, count, partials, accumulator, stream);
    case LossTerm::Beta:
      return accumulate(BetaTerm<T>{beta}, x, wh, count, partials, accumulator, stream);
    case LossTerm::BetaPower:
      return accumulate(BetaPowerTerm<T>{beta}, x, static_cast<const T*>(nullptr), count,
                        partials, accumulator, stream);
    case LossTerm::Value:
      return accumulate(ValueTerm<T>{}, x, static_cast<const T*>(nullptr), count, partials,
                        accumulator, stream);
  }
}

template void accumulate_loss_terms<float>(LossTerm, const float*, const float*, std::int64_t,
                                           double*, double*, cudaStream_t, double);
template void accumulate_loss_terms<double>(LossTerm, const double*, const double*, std::int64_t,
                                            double*, double*, cudaStream_t, double);

}  // namespace cunmf::detail
