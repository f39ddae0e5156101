// CUNMF_UNROLL: `#pragma unroll` for nvcc, where loops over small register arrays must unroll for
// the arrays to stay in registers; nothing in the emulated build (g++ does not know the pragma).
#pragma once

#if defined(__CUDACC__)
#define CUNMF_UNROLL _Pragma("unroll")
#else
#define CUNMF_UNROLL
#endif
