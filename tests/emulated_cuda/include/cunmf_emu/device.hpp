// The device side of the emulated CUDA device, forced first (-include) into every translation unit
// that links cunmf_emulated_cuda: it decides what the CUDA keywords mean when g++ compiles CUDA
// code as host C++, and declares the built-in variables, barriers, warp intrinsics and the launch
// entry that run kernels on the CPU (kernel_execution.cpp). Atomics and arithmetic intrinsics are
// in device_intrinsics.hpp, included at the end.
#pragma once

// crt/host_defines.h defines these only when the host compiler has not, so ours must come first.
// Kernels and device functions are plain host functions here.
#define __global__
#define __device__
#define __host__
#define __constant__
#define __launch_bounds__(...)
// Raw shared memory would compile into a thread-private local array or a static shared by every
// block, both silently wrong: project code gets shared memory from kernels/shared_memory.cuh.
#define __shared__ \
  _Pragma("GCC error \"raw __shared__ is not emulated: use kernels/shared_memory.cuh\"")
// __noinline__ is deliberately left undefined: libstdc++ spells __attribute__((__noinline__)),
// which no definition of the macro can survive.

// The built-in index variables are thread-local variables of the OS thread, which the executor
// sets to the running emulated thread's values at every switch. The macros rename the
// identifiers, and do so before any CUDA header, so that the headers' own uses of these names
// (cusparse.h parameters, cudaLaunchConfig_t members) are renamed alike and still compile.
#define threadIdx cunmf_emu_threadIdx
#define blockIdx cunmf_emu_blockIdx
#define blockDim cunmf_emu_blockDim
#define gridDim cunmf_emu_gridDim

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>

// host_defines.h redefines __forceinline__ with always_inline, which can refuse to compile where
// inlining is impossible; a hint is all the emulation needs.
#undef __forceinline__
#define __forceinline__ inline

/// threadIdx, blockIdx, blockDim and gridDim of the emulated thread that runs; every bit set
/// outside a kernel, so that host code reading them fails loudly.
#define CUNMF_EMU_BUILTIN extern __thread __attribute__((tls_model("initial-exec")))
CUNMF_EMU_BUILTIN uint3 cunmf_emu_threadIdx;
CUNMF_EMU_BUILTIN uint3 cunmf_emu_blockIdx;
CUNMF_EMU_BUILTIN dim3 cunmf_emu_blockDim;
CUNMF_EMU_BUILTIN dim3 cunmf_emu_gridDim;
#undef CUNMF_EMU_BUILTIN

/// The warp size, a constant (not a macro, so that cudaDeviceProp::warpSize still compiles).
constexpr int warpSize = 32;

namespace cunmf_emu {

namespace detail {

/// What a block-wide barrier computes besides synchronizing (__syncthreads_count/_and/_or).
enum class BarrierKind : unsigned char { plain, count, all, any };

/// Block barrier of the running thread; returns the barrier's reduction of `predicate`.
int block_barrier(BarrierKind kind, int predicate, const char* file, int line);

/// The warp-level operations, all synchronizing the lanes named by their mask.
enum class WarpOp : unsigned char {
  sync,
  shfl_idx,
  shfl_up,
  shfl_down,
  shfl_xor,
  ballot,
  any,
  all,
  match_any,
  match_all,
  reduce_add,
  reduce_min,
  reduce_max,
  reduce_and,
  reduce_or,
  reduce_xor,
  matrix_load,   // nvcuda::wmma::load_matrix_sync (wmma.hpp)
  matrix_store,  // nvcuda::wmma::store_matrix_sync
  matrix_mma,    // nvcuda::wmma::mma_sync
};

/// One warp operation of the running thread: `value` holds its operand's bytes (`value_bytes` of
/// them, `is_signed` for integer min/max), `arg` the source lane, delta or lane mask of a shuffle,
/// `width` a shuffle's segment. Returns the bytes of this lane's result.
std::uint64_t warp_operation(WarpOp op, unsigned mask, std::uint64_t value, int value_bytes,
                             bool is_signed, int arg, int width, const char* file, int line);

/// Completes a warp matrix operation: given every lane's operand (indexed by lane), does the work
/// of all lanes at once and returns why the operation is misused, or an empty string.
using MatrixCompletion = std::string (*)(const void* const* operands);

/// A warp-collective matrix operation of the running thread (the emulated nvcuda::wmma): the
/// lanes of `mask` synchronize as for the other warp operations, and when the last one arrives
/// `complete` runs once, with each lane's `operand`, before any lane goes on. Lanes whose masks
/// overlap must pass the same `complete`; a non-empty answer from it is a fault.
void warp_matrix_operation(WarpOp op, unsigned mask, const void* operand, MatrixCompletion complete,
                           const char* file, int line);

template <class T>
std::uint64_t to_bits(T value) {
  static_assert(std::is_trivially_copyable_v<T> && sizeof(T) <= 8,
                "warp intrinsics take trivially copyable values of at most 8 bytes");
  std::uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof(T));
  return bits;
}

template <class T>
T from_bits(std::uint64_t bits) {
  T value;
  std::memcpy(&value, &bits, sizeof(T));
  return value;
}

template <class T>
T warp_value_operation(WarpOp op, unsigned mask, T value, int arg, int width, const char* file,
                       int line) {
  return from_bits<T>(warp_operation(op, mask, to_bits(value), sizeof(T), std::is_signed_v<T>, arg,
                                     width, file, line));
}

/// A launch's configuration as launch_kernel received it.
struct LaunchConfig {
  const void* kernel;
  dim3 grid;
  dim3 block;
  std::size_t shared_bytes;
  cudaStream_t stream;
};

/// A pointer argument of a launch, checked to be device memory.
struct PointerArgument {
  int index;
  const void* value;
  const std::type_info* type;
};

/// Checks a launch as a GPU does before queueing it; returns the error a GPU would return (and
/// records it as the last error), or cudaSuccess.
cudaError_t check_launch(const LaunchConfig& config, const PointerArgument* pointers,
                         std::size_t pointer_count);

/// Queues the checked launch on its stream; every emulated thread calls `body(closure)`.
void submit_launch(const LaunchConfig& config, void (*body)(const void*),
                   std::shared_ptr<const void> closure);

template <class P>
constexpr bool is_data_pointer_v =
    std::is_pointer_v<P> && !std::is_function_v<std::remove_pointer_t<P>>;

/// A kernel and its arguments, copied by value at the launch.
template <class... Params>
struct KernelClosure {
  void (*kernel)(Params...);
  std::tuple<Params...> args;

  static void run(const void* self) {
    const auto& closure = *static_cast<const KernelClosure*>(self);
    std::apply(closure.kernel, closure.args);
  }
};

template <class P>
void collect_pointer(PointerArgument*& out, int index, const P& arg) {
  if constexpr (is_data_pointer_v<P>) {
    *out++ = PointerArgument{index, static_cast<const void*>(arg), &typeid(P)};
  }
}

}  // namespace detail

/// Launches `kernel` on the emulated device, as `kernel<<<grid, block, shared_bytes, stream>>>`
/// does: checks the configuration now (block and grid limits of an H100, dynamic shared memory
/// against max_dynamic_shared_bytes, pointer arguments against live device allocations), copies
/// the arguments and queues the kernel on `stream`, where it runs when the host synchronizes.
/// Returns the error a GPU returns for a rejected launch (also kept as the last error), else
/// cudaSuccess. Each argument is converted to its parameter's type, as a <<<>>> launch does.
template <class... Params, class... Args>
cudaError_t launch_kernel(void (*kernel)(Params...), dim3 grid, dim3 block,
                          std::size_t shared_bytes, cudaStream_t stream, Args... args) {
  static_assert(sizeof...(Params) == sizeof...(Args), "wrong number of kernel arguments");
  static_assert((!std::is_reference_v<Params> && ...),
                "kernel parameters are copied to the device: they cannot be references");
  static_assert((std::is_convertible_v<Args, Params> && ...),
                "kernel arguments must convert to the kernel's parameter types");
  using Closure = detail::KernelClosure<Params...>;
  auto closure = std::make_shared<const Closure>(
      Closure{kernel, std::tuple<Params...>(static_cast<Params>(std::move(args))...)});
  const detail::LaunchConfig config{reinterpret_cast<const void*>(kernel), grid, block,
                                    shared_bytes, stream};
  detail::PointerArgument pointers[sizeof...(Params) + 1];
  detail::PointerArgument* end = pointers;
  std::apply(
      [&end](const Params&... params) {
        [[maybe_unused]] int index = 0;
        (detail::collect_pointer(end, index++, params), ...);
      },
      closure->args);
  const cudaError_t status =
      detail::check_launch(config, pointers, static_cast<std::size_t>(end - pointers));
  if (status != cudaSuccess) return status;
  detail::submit_launch(config, &Closure::run, std::move(closure));
  return cudaSuccess;
}

/// Static shared memory of the running block: the array named by `key` (one per key per block),
/// `bytes` long, filled with 0xFF bytes (NaN) when the block first asks for it.
void* block_shared(const void* key, std::size_t bytes);

/// Dynamic shared memory of the running block: the launch's shared_bytes, filled with 0xFF bytes.
void* dynamic_shared();

}  // namespace cunmf_emu

// ---- Barriers and warp intrinsics ---------------------------------------------------------------
// The trailing file and line default to the caller's location (GCC evaluates __builtin_FILE() in a
// default argument at the call), so a fault names the barrier or warp operation in the kernel.

/// Block-wide barrier. Every thread of the block that has not returned must reach this same
/// __syncthreads(); threads waiting at different ones, or a barrier that can never complete, end
/// the kernel with a fault naming the call sites.
void __syncthreads(const char* file = __builtin_FILE(), int line = __builtin_LINE());

/// __syncthreads() that also returns how many threads passed a non-zero predicate.
inline int __syncthreads_count(int predicate, const char* file = __builtin_FILE(),
                               int line = __builtin_LINE()) {
  return ::cunmf_emu::detail::block_barrier(::cunmf_emu::detail::BarrierKind::count, predicate,
                                            file, line);
}
/// __syncthreads() that also returns whether every thread passed a non-zero predicate.
inline int __syncthreads_and(int predicate, const char* file = __builtin_FILE(),
                             int line = __builtin_LINE()) {
  return ::cunmf_emu::detail::block_barrier(::cunmf_emu::detail::BarrierKind::all, predicate, file,
                                            line);
}
/// __syncthreads() that also returns whether any thread passed a non-zero predicate.
inline int __syncthreads_or(int predicate, const char* file = __builtin_FILE(),
                            int line = __builtin_LINE()) {
  return ::cunmf_emu::detail::block_barrier(::cunmf_emu::detail::BarrierKind::any, predicate, file,
                                            line);
}

/// Synchronizes the lanes of the warp named by `mask`. Each calling lane must be in `mask`, and
/// every lane in `mask` must exist and not have returned, or the kernel faults.
inline void __syncwarp(unsigned mask = 0xffffffffu, const char* file = __builtin_FILE(),
                       int line = __builtin_LINE()) {
  ::cunmf_emu::detail::warp_operation(::cunmf_emu::detail::WarpOp::sync, mask, 0, 4, false, 0, 32,
                                      file, line);
}

/// `var` of lane `src_lane` (modulo `width`, within this lane's segment of `width` lanes). A
/// source lane outside `mask` gives an undefined value: here all bits set (NaN for floats).
template <class T>
T __shfl_sync(unsigned mask, T var, int src_lane, int width = 32,
              const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
  return ::cunmf_emu::detail::warp_value_operation(::cunmf_emu::detail::WarpOp::shfl_idx, mask, var,
                                                   src_lane, width, file, line);
}
/// `var` of the lane `delta` below this one in its segment; this lane's own `var` when none is.
template <class T>
T __shfl_up_sync(unsigned mask, T var, unsigned delta, int width = 32,
                 const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
  return ::cunmf_emu::detail::warp_value_operation(::cunmf_emu::detail::WarpOp::shfl_up, mask, var,
                                                   static_cast<int>(delta), width, file, line);
}
/// `var` of the lane `delta` above this one in its segment; this lane's own `var` when none is.
template <class T>
T __shfl_down_sync(unsigned mask, T var, unsigned delta, int width = 32,
                   const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
  return ::cunmf_emu::detail::warp_value_operation(::cunmf_emu::detail::WarpOp::shfl_down, mask,
                                                   var, static_cast<int>(delta), width, file, line);
}
/// `var` of lane (this lane XOR `lane_mask`); this lane's own `var` when that lane lies in a later
/// segment.
template <class T>
T __shfl_xor_sync(unsigned mask, T var, int lane_mask, int width = 32,
                  const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
  return ::cunmf_emu::detail::warp_value_operation(::cunmf_emu::detail::WarpOp::shfl_xor, mask, var,
                                                   lane_mask, width, file, line);
}

/// Bit i set when lane i is in `mask` and passed a non-zero predicate.
inline unsigned __ballot_sync(unsigned mask, int predicate, const char* file = __builtin_FILE(),
                              int line = __builtin_LINE()) {
  return static_cast<unsigned>(::cunmf_emu::detail::warp_operation(
      ::cunmf_emu::detail::WarpOp::ballot, mask, predicate != 0, 4, false, 0, 32, file, line));
}
/// Non-zero when any lane in `mask` passed a non-zero predicate.
inline int __any_sync(unsigned mask, int predicate, const char* file = __builtin_FILE(),
                      int line = __builtin_LINE()) {
  return static_cast<int>(::cunmf_emu::detail::warp_operation(
      ::cunmf_emu::detail::WarpOp::any, mask, predicate != 0, 4, false, 0, 32, file, line));
}
/// Non-zero when every lane in `mask` passed a non-zero predicate.
inline int __all_sync(unsigned mask, int predicate, const char* file = __builtin_FILE(),
                      int line = __builtin_LINE()) {
  return static_cast<int>(::cunmf_emu::detail::warp_operation(
      ::cunmf_emu::detail::WarpOp::all, mask, predicate != 0, 4, false, 0, 32, file, line));
}

/// The lanes of `mask` whose `value` equals this lane's.
template <class T>
unsigned __match_any_sync(unsigned mask, T value, const char* file = __builtin_FILE(),
                          int line = __builtin_LINE()) {
  return static_cast<unsigned>(::cunmf_emu::detail::warp_operation(
      ::cunmf_emu::detail::WarpOp::match_any, mask, ::cunmf_emu::detail::to_bits(value), sizeof(T),
      false, 0, 32, file, line));
}
/// `mask` when every lane of `mask` has the same `value` (and *pred = 1), else 0 (*pred = 0).
template <class T>
unsigned __match_all_sync(unsigned mask, T value, int* pred, const char* file = __builtin_FILE(),
                          int line = __builtin_LINE()) {
  const auto result = static_cast<unsigned>(::cunmf_emu::detail::warp_operation(
      ::cunmf_emu::detail::WarpOp::match_all, mask, ::cunmf_emu::detail::to_bits(value), sizeof(T),
      false, 0, 32, file, line));
  *pred = result != 0;
  return result;
}

/// Warp reductions over the lanes of `mask` (sm_80 and later).
#define CUNMF_EMU_WARP_REDUCE(name, op, type)                                                      \
  inline type name(unsigned mask, type value, const char* file = __builtin_FILE(),                 \
                   int line = __builtin_LINE()) {                                                  \
    return ::cunmf_emu::detail::warp_value_operation(::cunmf_emu::detail::WarpOp::op, mask, value, \
                                                     0, 32, file, line);                           \
  }
CUNMF_EMU_WARP_REDUCE(__reduce_add_sync, reduce_add, int)
CUNMF_EMU_WARP_REDUCE(__reduce_add_sync, reduce_add, unsigned)
CUNMF_EMU_WARP_REDUCE(__reduce_min_sync, reduce_min, int)
CUNMF_EMU_WARP_REDUCE(__reduce_min_sync, reduce_min, unsigned)
CUNMF_EMU_WARP_REDUCE(__reduce_max_sync, reduce_max, int)
CUNMF_EMU_WARP_REDUCE(__reduce_max_sync, reduce_max, unsigned)
CUNMF_EMU_WARP_REDUCE(__reduce_and_sync, reduce_and, unsigned)
CUNMF_EMU_WARP_REDUCE(__reduce_or_sync, reduce_or, unsigned)
CUNMF_EMU_WARP_REDUCE(__reduce_xor_sync, reduce_xor, unsigned)
#undef CUNMF_EMU_WARP_REDUCE

/// Ends the kernel with a fault, as the trap instruction does.
[[noreturn]] void __trap(const char* file = __builtin_FILE(), int line = __builtin_LINE());

#include "cunmf_emu/device_intrinsics.hpp"
