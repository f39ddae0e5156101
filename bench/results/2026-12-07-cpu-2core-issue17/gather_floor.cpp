// The floor of the sparse MU Frobenius iteration's two loops on this machine, one thread: the
// gather N = X·Hᵀ (row i of N += x_ij · row j of Hᵀ over row i's stored entries) and the scatter
// P = Xᵀ·W (row j of P += x_ij · row i of W), each as a plain loop alone, k = 20, float64, on X's
// real pattern and, for comparison, with its column indices folded into [0, fold) so that Hᵀ and P
// stay in L1/L2. Build: g++ -O3 -march=native -fopenmp-simd gather_floor.cpp -o gather_floor
// Input: rp.bin (int64 row pointers), ci.bin (int32 columns), v.bin (float64 values), from
// export_csr.py. Usage: ./gather_floor [fold]
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <vector>

template <class T>
std::vector<T> load(const char* path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  const std::size_t count = static_cast<std::size_t>(in.tellg()) / sizeof(T);
  in.seekg(0);
  std::vector<T> v(count);
  in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(count * sizeof(T)));
  return v;
}

int main(int argc, char** argv) {
  const auto row_ptr = load<std::int64_t>("rp.bin");
  auto col = load<std::int32_t>("ci.bin");
  const auto val = load<double>("v.bin");
  const std::int64_t m = static_cast<std::int64_t>(row_ptr.size()) - 1;
  const int k = 20;
  const int n = *std::max_element(col.begin(), col.end()) + 1;
  const int fold = argc > 1 ? std::atoi(argv[1]) : n;
  for (auto& c : col) c %= fold;
  std::vector<double> Ht(std::size_t(n) * k, 0.5), N(std::size_t(m) * k), P(std::size_t(n) * k),
      W(std::size_t(m) * k, 0.25);
  const double entries = static_cast<double>(val.size());
  for (int repeat = 0; repeat < 5; ++repeat) {
    const auto t0 = std::chrono::steady_clock::now();
    for (std::int64_t i = 0; i < m; ++i) {
      double* c = &N[std::size_t(i) * k];
      std::fill(c, c + k, 0.0);
      for (std::int64_t e = row_ptr[i]; e < row_ptr[i + 1]; ++e) {
        const double* b = &Ht[std::size_t(col[e]) * k];
        const double x = val[e];
#pragma omp simd
        for (int r = 0; r < k; ++r) c[r] += x * b[r];
      }
    }
    const auto t1 = std::chrono::steady_clock::now();
    std::fill(P.begin(), P.end(), 0.0);
    for (std::int64_t i = 0; i < m; ++i) {
      const double* f = &W[std::size_t(i) * k];
      for (std::int64_t e = row_ptr[i]; e < row_ptr[i + 1]; ++e) {
        double* p = &P[std::size_t(col[e]) * k];
        const double x = val[e];
#pragma omp simd
        for (int r = 0; r < k; ++r) p[r] += x * f[r];
      }
    }
    const auto t2 = std::chrono::steady_clock::now();
    const double gather = std::chrono::duration<double, std::milli>(t1 - t0).count();
    const double scatter = std::chrono::duration<double, std::milli>(t2 - t1).count();
    std::printf("fold %d: gather %.2f ms (%.1f ns/entry), scatter %.2f ms (%.1f ns/entry) [%g]\n",
                fold, gather, gather * 1e6 / entries, scatter, scatter * 1e6 / entries,
                N[5] + P[7]);
  }
}
