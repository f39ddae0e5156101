// Atomics and arithmetic intrinsics of the emulated CUDA device (included by device.hpp). Atomics
// are real atomic operations (relaxed, as CUDA's are), so ThreadSanitizer does not report them;
// the fast-math intrinsics compute the correctly rounded host function, which is within the
// intrinsics' documented error bounds.
#pragma once

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>

// ---- Atomics ------------------------------------------------------------------------------------

namespace cunmf_emu::detail {

/// Atomically replaces *address with update(*address); returns the old value.
template <class T, class Update>
T atomic_update(T* address, Update update) {
  T old;
  __atomic_load(address, &old, __ATOMIC_RELAXED);
  T desired = update(old);
  while (!__atomic_compare_exchange(address, &old, &desired, false, __ATOMIC_RELAXED,
                                    __ATOMIC_RELAXED)) {
    desired = update(old);
  }
  return old;
}

}  // namespace cunmf_emu::detail

#define CUNMF_EMU_ATOMIC_FETCH(name, builtin, type) \
  inline type name(type* address, type value) { return builtin(address, value, __ATOMIC_RELAXED); }
CUNMF_EMU_ATOMIC_FETCH(atomicAdd, __atomic_fetch_add, int)
CUNMF_EMU_ATOMIC_FETCH(atomicAdd, __atomic_fetch_add, unsigned)
CUNMF_EMU_ATOMIC_FETCH(atomicAdd, __atomic_fetch_add, unsigned long long)
CUNMF_EMU_ATOMIC_FETCH(atomicSub, __atomic_fetch_sub, int)
CUNMF_EMU_ATOMIC_FETCH(atomicSub, __atomic_fetch_sub, unsigned)
CUNMF_EMU_ATOMIC_FETCH(atomicAnd, __atomic_fetch_and, int)
CUNMF_EMU_ATOMIC_FETCH(atomicAnd, __atomic_fetch_and, unsigned)
CUNMF_EMU_ATOMIC_FETCH(atomicAnd, __atomic_fetch_and, unsigned long long)
CUNMF_EMU_ATOMIC_FETCH(atomicOr, __atomic_fetch_or, int)
CUNMF_EMU_ATOMIC_FETCH(atomicOr, __atomic_fetch_or, unsigned)
CUNMF_EMU_ATOMIC_FETCH(atomicOr, __atomic_fetch_or, unsigned long long)
CUNMF_EMU_ATOMIC_FETCH(atomicXor, __atomic_fetch_xor, int)
CUNMF_EMU_ATOMIC_FETCH(atomicXor, __atomic_fetch_xor, unsigned)
CUNMF_EMU_ATOMIC_FETCH(atomicXor, __atomic_fetch_xor, unsigned long long)
CUNMF_EMU_ATOMIC_FETCH(atomicExch, __atomic_exchange_n, int)
CUNMF_EMU_ATOMIC_FETCH(atomicExch, __atomic_exchange_n, unsigned)
CUNMF_EMU_ATOMIC_FETCH(atomicExch, __atomic_exchange_n, unsigned long long)
#undef CUNMF_EMU_ATOMIC_FETCH

#define CUNMF_EMU_ATOMIC_UPDATE(name, type, expression)                                           \
  inline type name(type* address, type value) {                                                   \
    return ::cunmf_emu::detail::atomic_update(address, [value](type old) { return expression; }); \
  }
CUNMF_EMU_ATOMIC_UPDATE(atomicAdd, float, old + value)
CUNMF_EMU_ATOMIC_UPDATE(atomicAdd, double, old + value)
CUNMF_EMU_ATOMIC_UPDATE(atomicExch, float, (static_cast<void>(old), value))
CUNMF_EMU_ATOMIC_UPDATE(atomicMin, int, old < value ? old : value)
CUNMF_EMU_ATOMIC_UPDATE(atomicMin, unsigned, old < value ? old : value)
CUNMF_EMU_ATOMIC_UPDATE(atomicMin, long long, old < value ? old : value)
CUNMF_EMU_ATOMIC_UPDATE(atomicMin, unsigned long long, old < value ? old : value)
CUNMF_EMU_ATOMIC_UPDATE(atomicMax, int, old > value ? old : value)
CUNMF_EMU_ATOMIC_UPDATE(atomicMax, unsigned, old > value ? old : value)
CUNMF_EMU_ATOMIC_UPDATE(atomicMax, long long, old > value ? old : value)
CUNMF_EMU_ATOMIC_UPDATE(atomicMax, unsigned long long, old > value ? old : value)
// CUDA's wrapping increment and decrement: ((old >= value) ? 0 : old + 1), and
// ((old == 0 || old > value) ? value : old - 1).
CUNMF_EMU_ATOMIC_UPDATE(atomicInc, unsigned, old >= value ? 0u : old + 1u)
CUNMF_EMU_ATOMIC_UPDATE(atomicDec, unsigned, (old == 0u || old > value) ? value : old - 1u)
#undef CUNMF_EMU_ATOMIC_UPDATE

#define CUNMF_EMU_ATOMIC_CAS(type)                                                 \
  inline type atomicCAS(type* address, type compare, type value) {                 \
    __atomic_compare_exchange_n(address, &compare, value, false, __ATOMIC_RELAXED, \
                                __ATOMIC_RELAXED);                                 \
    return compare;                                                                \
  }
CUNMF_EMU_ATOMIC_CAS(int)
CUNMF_EMU_ATOMIC_CAS(unsigned)
CUNMF_EMU_ATOMIC_CAS(unsigned long long)
CUNMF_EMU_ATOMIC_CAS(unsigned short)
#undef CUNMF_EMU_ATOMIC_CAS

/// Memory fences. All emulated threads of a launch share one OS thread, so ordering against the
/// compiler is all a fence needs (and ThreadSanitizer rejects thread fences).
inline void __threadfence() { __atomic_signal_fence(__ATOMIC_SEQ_CST); }
inline void __threadfence_block() { __atomic_signal_fence(__ATOMIC_SEQ_CST); }
inline void __threadfence_system() { __atomic_signal_fence(__ATOMIC_SEQ_CST); }

// ---- Loads, clocks ------------------------------------------------------------------------------

/// Read-only cached load: a plain load here.
template <class T>
inline T __ldg(const T* address) {
  return *address;
}

inline long long clock64() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
inline void __nanosleep(unsigned) {}

// ---- Floating point -----------------------------------------------------------------------------

inline float __expf(float x) { return std::exp(x); }
inline float __exp10f(float x) { return std::pow(10.0f, x); }
inline float __logf(float x) { return std::log(x); }
inline float __log2f(float x) { return std::log2(x); }
inline float __log10f(float x) { return std::log10(x); }
inline float __powf(float x, float y) { return std::pow(x, y); }
inline float __sinf(float x) { return std::sin(x); }
inline float __cosf(float x) { return std::cos(x); }
inline float __tanf(float x) { return std::tan(x); }
inline void __sincosf(float x, float* s, float* c) {
  *s = std::sin(x);
  *c = std::cos(x);
}
inline float __fdividef(float x, float y) { return x / y; }
inline float fdividef(float x, float y) { return x / y; }
inline float rsqrtf(float x) { return 1.0f / std::sqrt(x); }
inline double rsqrt(double x) { return 1.0 / std::sqrt(x); }
inline float rcbrtf(float x) { return 1.0f / std::cbrt(x); }
inline double rcbrt(double x) { return 1.0 / std::cbrt(x); }
inline float __saturatef(float x) { return x > 0.0f ? (x < 1.0f ? x : 1.0f) : 0.0f; }

// Explicitly rounded arithmetic: the host's default rounding is round-to-nearest-even, and these
// are never contracted into a fused multiply-add, as the _rn intrinsics promise.
inline float __fadd_rn(float x, float y) { return x + y; }
inline float __fsub_rn(float x, float y) { return x - y; }
inline float __fmul_rn(float x, float y) { return x * y; }
inline float __fdiv_rn(float x, float y) { return x / y; }
inline float __frcp_rn(float x) { return 1.0f / x; }
inline float __fsqrt_rn(float x) { return std::sqrt(x); }
inline float __fmaf_rn(float x, float y, float z) { return std::fma(x, y, z); }
inline double __dadd_rn(double x, double y) { return x + y; }
inline double __dsub_rn(double x, double y) { return x - y; }
inline double __dmul_rn(double x, double y) { return x * y; }
inline double __ddiv_rn(double x, double y) { return x / y; }
inline double __drcp_rn(double x) { return 1.0 / x; }
inline double __dsqrt_rn(double x) { return std::sqrt(x); }
inline double __fma_rn(double x, double y, double z) { return std::fma(x, y, z); }

// ---- Conversions and reinterpretations ----------------------------------------------------------
// A NaN or out-of-range value converted to an integer is undefined behaviour here, which UBSan
// (float-cast-overflow) reports; a GPU would saturate silently.

inline int __float2int_rn(float x) { return static_cast<int>(std::nearbyint(x)); }
inline int __float2int_rz(float x) { return static_cast<int>(x); }
inline int __float2int_rd(float x) { return static_cast<int>(std::floor(x)); }
inline int __float2int_ru(float x) { return static_cast<int>(std::ceil(x)); }
inline unsigned __float2uint_rn(float x) { return static_cast<unsigned>(std::nearbyint(x)); }
inline unsigned __float2uint_rz(float x) { return static_cast<unsigned>(x); }
inline long long __float2ll_rn(float x) { return static_cast<long long>(std::nearbyint(x)); }
inline int __double2int_rn(double x) { return static_cast<int>(std::nearbyint(x)); }
inline long long __double2ll_rn(double x) { return static_cast<long long>(std::nearbyint(x)); }
inline float __double2float_rn(double x) { return static_cast<float>(x); }
inline float __int2float_rn(int x) { return static_cast<float>(x); }
inline float __uint2float_rn(unsigned x) { return static_cast<float>(x); }
inline double __int2double_rn(int x) { return static_cast<double>(x); }

namespace cunmf_emu::detail {
template <class To, class From>
inline To bit_copy(From from) {
  static_assert(sizeof(To) == sizeof(From));
  To to;
  std::memcpy(&to, &from, sizeof(To));
  return to;
}
}  // namespace cunmf_emu::detail

inline int __float_as_int(float x) { return ::cunmf_emu::detail::bit_copy<int>(x); }
inline unsigned __float_as_uint(float x) { return ::cunmf_emu::detail::bit_copy<unsigned>(x); }
inline float __int_as_float(int x) { return ::cunmf_emu::detail::bit_copy<float>(x); }
inline float __uint_as_float(unsigned x) { return ::cunmf_emu::detail::bit_copy<float>(x); }
inline long long __double_as_longlong(double x) {
  return ::cunmf_emu::detail::bit_copy<long long>(x);
}
inline double __longlong_as_double(long long x) { return ::cunmf_emu::detail::bit_copy<double>(x); }
inline int __double2hiint(double x) {
  return static_cast<int>(::cunmf_emu::detail::bit_copy<unsigned long long>(x) >> 32);
}
inline int __double2loint(double x) {
  return static_cast<int>(::cunmf_emu::detail::bit_copy<unsigned long long>(x) & 0xffffffffu);
}

// ---- Integer bit operations ---------------------------------------------------------------------

inline int __popc(unsigned x) { return __builtin_popcount(x); }
inline int __popcll(unsigned long long x) { return __builtin_popcountll(x); }
inline int __clz(int x) { return x == 0 ? 32 : __builtin_clz(static_cast<unsigned>(x)); }
inline int __clzll(long long x) {
  return x == 0 ? 64 : __builtin_clzll(static_cast<unsigned long long>(x));
}
inline int __ffs(int x) { return __builtin_ffs(x); }
inline int __ffsll(long long x) { return __builtin_ffsll(x); }
inline unsigned __brev(unsigned x) {
  unsigned r = 0;
  for (int i = 0; i < 32; ++i) r |= ((x >> i) & 1u) << (31 - i);
  return r;
}
inline unsigned long long __brevll(unsigned long long x) {
  return (static_cast<unsigned long long>(__brev(static_cast<unsigned>(x))) << 32) |
         __brev(static_cast<unsigned>(x >> 32));
}
inline int __mulhi(int x, int y) { return static_cast<int>((static_cast<long long>(x) * y) >> 32); }
inline unsigned __umulhi(unsigned x, unsigned y) {
  return static_cast<unsigned>((static_cast<unsigned long long>(x) * y) >> 32);
}
inline long long __mul64hi(long long x, long long y) {
  return static_cast<long long>((static_cast<__int128>(x) * y) >> 64);
}
inline unsigned long long __umul64hi(unsigned long long x, unsigned long long y) {
  return static_cast<unsigned long long>((static_cast<unsigned __int128>(x) * y) >> 64);
}
// The low 24 bits of each operand (sign-extended), and the low 32 bits of their product.
inline int __mul24(int x, int y) {
  const auto low24 = [](int v) { return static_cast<int>(static_cast<unsigned>(v) << 8) >> 8; };
  return static_cast<int>(static_cast<unsigned>(low24(x)) * static_cast<unsigned>(low24(y)));
}
inline unsigned __umul24(unsigned x, unsigned y) { return (x & 0xffffffu) * (y & 0xffffffu); }
