// The CUDA runtime subset of the emulated device: the device and its properties, memory,
// copies and memsets, streams (per-stream FIFO queues that run only when the host waits), events,
// errors (last and sticky), function attributes and cudaDeviceReset. The functions have the exact
// C signatures of <cuda_runtime_api.h> and replace libcudart at link time.
#include <cuda_runtime_api.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cunmf_emu/runtime_hooks.hpp"
#include "device_memory.hpp"
#include "run_order.hpp"
#include "runtime_internal.hpp"

namespace cunmf_emu::detail {
namespace {

// ---- The emulated device's fixed properties (an H100 SXM's limits) ----------------------------
constexpr const char* kDeviceName = "emulated CUDA device (testing only, no GPU)";
constexpr int kMaxThreadsPerBlock = 1024;
constexpr int kMaxBlockDim[3] = {1024, 1024, 64};
constexpr int kMaxGridDim[3] = {2147483647, 65535, 65535};
constexpr std::size_t kSharedPerBlock = 48 * 1024;
constexpr std::size_t kSharedPerBlockOptin = 227 * 1024;
constexpr std::size_t kSharedPerMultiprocessor = 228 * 1024;
constexpr std::size_t kReservedSharedPerBlock = 1024;
constexpr int kWarpSize = 32;
constexpr int kMultiprocessors = 132;
constexpr int kMaxThreadsPerMultiprocessor = 2048;
constexpr int kMaxBlocksPerMultiprocessor = 32;
constexpr int kRegisters = 65536;
constexpr int kL2CacheBytes = 50 * 1024 * 1024;
constexpr int kMemoryBusWidth = 5120;
constexpr std::size_t kConstantMemory = 64 * 1024;
constexpr int kComputeMajor = 9;
constexpr int kComputeMinor = 0;
constexpr int kVersion = 13000;  // CUDA 13.0, for both the driver and the runtime
constexpr int kMaxPitch = 2147483647;
constexpr int kAsyncEngines = 2;

struct AttributeValue {
  cudaDeviceAttr attr;
  int value;
};
// The attributes cudaDeviceGetAttribute answers; the same values as cudaGetDeviceProperties.
constexpr AttributeValue kAttributes[] = {
    {cudaDevAttrMaxThreadsPerBlock, kMaxThreadsPerBlock},
    {cudaDevAttrMaxBlockDimX, kMaxBlockDim[0]},
    {cudaDevAttrMaxBlockDimY, kMaxBlockDim[1]},
    {cudaDevAttrMaxBlockDimZ, kMaxBlockDim[2]},
    {cudaDevAttrMaxGridDimX, kMaxGridDim[0]},
    {cudaDevAttrMaxGridDimY, kMaxGridDim[1]},
    {cudaDevAttrMaxGridDimZ, kMaxGridDim[2]},
    {cudaDevAttrMaxSharedMemoryPerBlock, static_cast<int>(kSharedPerBlock)},
    {cudaDevAttrTotalConstantMemory, static_cast<int>(kConstantMemory)},
    {cudaDevAttrWarpSize, kWarpSize},
    {cudaDevAttrMaxPitch, kMaxPitch},
    {cudaDevAttrMaxRegistersPerBlock, kRegisters},
    {cudaDevAttrMultiProcessorCount, kMultiprocessors},
    {cudaDevAttrIntegrated, 0},
    {cudaDevAttrConcurrentKernels, 1},
    {cudaDevAttrEccEnabled, 1},
    {cudaDevAttrPciBusId, 0},
    {cudaDevAttrPciDeviceId, 0},
    {cudaDevAttrPciDomainId, 0},
    {cudaDevAttrGlobalMemoryBusWidth, kMemoryBusWidth},
    {cudaDevAttrL2CacheSize, kL2CacheBytes},
    {cudaDevAttrMaxThreadsPerMultiProcessor, kMaxThreadsPerMultiprocessor},
    {cudaDevAttrAsyncEngineCount, kAsyncEngines},
    {cudaDevAttrUnifiedAddressing, 1},
    {cudaDevAttrComputeCapabilityMajor, kComputeMajor},
    {cudaDevAttrComputeCapabilityMinor, kComputeMinor},
    {cudaDevAttrStreamPrioritiesSupported, 1},
    {cudaDevAttrMaxSharedMemoryPerMultiprocessor, static_cast<int>(kSharedPerMultiprocessor)},
    {cudaDevAttrMaxRegistersPerMultiprocessor, kRegisters},
    {cudaDevAttrManagedMemory, 1},
    {cudaDevAttrCooperativeLaunch, 1},
    {cudaDevAttrMaxSharedMemoryPerBlockOptin, static_cast<int>(kSharedPerBlockOptin)},
    {cudaDevAttrMaxBlocksPerMultiprocessor, kMaxBlocksPerMultiprocessor},
    {cudaDevAttrReservedSharedMemoryPerBlock, static_cast<int>(kReservedSharedPerBlock)},
    {cudaDevAttrMemoryPoolsSupported, 1},
    {cudaDevAttrClusterLaunch, 1},
};

// ---- Streams and events --------------------------------------------------------------------
//
// Every stream is a FIFO of work items, numbered 1, 2, ... in queue order. Nothing runs when it
// is queued: a stream runs its items, in order, when the host waits for it (cudaStreamSynchronize,
// cudaEventSynchronize of an event recorded on it, cudaDeviceSynchronize, a synchronous copy).
// An item may have to wait for other streams first ("after"): cudaStreamWaitEvent queues such an
// item, and the legacy default stream adds them implicitly (see queue_work). Items only ever wait
// for work queued before them, so running the prerequisites first can never loop.

struct Stream;

/// "Stream `stream` must have run its items up to number `seq`."
struct Prerequisite {
  std::shared_ptr<Stream> stream;
  std::uint64_t seq = 0;
};

struct WorkItem {
  std::uint64_t seq = 0;
  std::function<void()> work;
  std::vector<Prerequisite> after;
};

struct Stream {
  bool is_default = false;
  bool non_blocking = false;  // cudaStreamNonBlocking: no implicit sync with the legacy stream
  bool destroyed = false;     // cudaStreamDestroy'd; kept until its queued work has run
  std::uint64_t queued = 0;   // number of the last item queued
  std::uint64_t done = 0;     // number of the last item run (or dropped after a fault)
  std::deque<WorkItem> items;
  bool idle() const { return done >= queued; }
};

struct Event {
  bool timing = true;
  bool recorded = false;
  std::shared_ptr<Stream> stream;  // where it was last recorded
  std::uint64_t seq = 0;           // its record item in that stream
  std::uint64_t generation = 0;    // which cudaEventRecord call is the current one
  bool has_time = false;
  std::chrono::steady_clock::time_point time;
  bool complete() const { return !recorded || stream->done >= seq; }
};

/// The device's mutable state. The recursive mutex is held while work runs, so the device runs
/// one item at a time in a well-defined order, as one in-order GPU engine would.
struct Device {
  std::recursive_mutex mutex;
  std::shared_ptr<Stream> default_stream = std::make_shared<Stream>();
  std::vector<std::shared_ptr<Stream>> streams;  // created ones, in creation order
  std::unordered_map<cudaEvent_t, std::shared_ptr<Event>> events;

  Device() { default_stream->is_default = true; }
};

Device& device() {
  static Device* const instance = new Device();  // never destroyed: usable from static dtors
  return *instance;
}

std::atomic<int> g_sticky_error{cudaSuccess};
std::mutex g_fault_mutex;
std::string g_fault_message;  // guarded by g_fault_mutex
thread_local cudaError_t t_last_error = cudaSuccess;

std::mutex g_attribute_mutex;
std::unordered_map<const void*, std::size_t> g_max_dynamic_shared;  // by g_attribute_mutex

cudaError_t sticky() { return static_cast<cudaError_t>(g_sticky_error.load()); }

/// Records `error` as the thread's last error (as every failing runtime call does) and returns it.
cudaError_t report(cudaError_t error) {
  if (error != cudaSuccess) t_last_error = error;
  return error;
}

bool is_default_handle(cudaStream_t handle) {
  return handle == nullptr || handle == cudaStreamLegacy || handle == cudaStreamPerThread;
}

cudaStream_t handle_of(const Stream* s) {
  return reinterpret_cast<cudaStream_t>(const_cast<Stream*>(s));
}

/// The stream behind a handle; null when the handle is not a live stream. Caller holds the mutex.
std::shared_ptr<Stream> find_stream(cudaStream_t handle) {
  Device& d = device();
  // cudaStreamPerThread is treated as the legacy default stream: one host thread drives the
  // emulated device in the tests, and the two differ only in how they order across threads.
  if (is_default_handle(handle)) return d.default_stream;
  for (const auto& s : d.streams) {
    if (!s->destroyed && handle_of(s.get()) == handle) return s;
  }
  return nullptr;
}

std::shared_ptr<Event> find_event(cudaEvent_t handle) {
  const auto it = device().events.find(handle);
  return it == device().events.end() ? nullptr : it->second;
}

/// Drops every queued item of every stream (after a fault, or at cudaDeviceReset): a faulted
/// context runs nothing more.
void drop_all_work() {
  Device& d = device();
  auto drop = [](Stream& s) {
    s.items.clear();
    s.done = s.queued;
  };
  drop(*d.default_stream);
  for (const auto& s : d.streams) drop(*s);
}

void record_fault(const std::string& message) {
  std::fprintf(stderr, "cunmf_emu: device fault: %s\n", message.c_str());
  std::fprintf(stderr, "cunmf_emu: run order: %s (set both to replay it)\n",
               run_order_settings().c_str());
  std::fprintf(stderr,
               "cunmf_emu: the device is now in an error state: later calls return "
               "cudaErrorLaunchFailure until cudaDeviceReset\n");
  std::fflush(stderr);
  {
    std::lock_guard<std::mutex> lock(g_fault_mutex);
    g_fault_message = message;
  }
  g_sticky_error.store(cudaErrorLaunchFailure);
  drop_all_work();
}

void run_item(std::function<void()>& work) {
  if (sticky() != cudaSuccess) return;
  try {
    work();
  } catch (const KernelFault& fault) {
    record_fault(fault.what());
  } catch (const std::exception& e) {
    // Any other exception escaping device work is an emulator bug; it still must not unwind
    // through the C API, so it ends the context like a fault.
    record_fault(std::string("unexpected exception in device work: ") + e.what());
  }
}

/// Runs `s` up to item `up_to`, prerequisites first. Caller holds the mutex and a DeviceWorkScope.
void run_stream(Stream& s, std::uint64_t up_to) {
  while (s.done < up_to && !s.items.empty()) {
    WorkItem item = std::move(s.items.front());
    s.items.pop_front();
    for (const Prerequisite& p : item.after) run_stream(*p.stream, p.seq);
    run_item(item.work);
    if (s.done < item.seq) s.done = item.seq;  // a fault may have moved it past already
  }
}

/// run_stream with device memory addressable while the work runs (the host's view of device
/// memory is only unpoisoned when there is work to run).
void synchronize_stream(Stream& s, std::uint64_t up_to) {
  if (s.done >= up_to || s.items.empty()) return;
  DeviceWorkScope scope;
  run_stream(s, up_to);
}

/// Runs every stream to its end (cudaDeviceSynchronize) and forgets destroyed, drained streams.
void run_all() {
  Device& d = device();
  auto pending = [&d] {
    bool any = !d.default_stream->idle();
    for (const auto& s : d.streams) any = any || !s->idle();
    return any;
  };
  if (pending()) {
    DeviceWorkScope scope;
    do {  // in creation order, each stream's prerequisites first; again if work queued work
      run_stream(*d.default_stream, d.default_stream->queued);
      const auto streams = d.streams;
      for (const auto& s : streams) run_stream(*s, s->queued);
    } while (pending());
  }
  std::vector<std::shared_ptr<Stream>> kept;
  for (auto& s : d.streams) {
    if (!s->destroyed) kept.push_back(std::move(s));
  }
  d.streams = std::move(kept);
}

/// Queues `work` on `s` after `after`. The legacy default stream orders itself against the
/// blocking streams: its work waits for what they had queued, and theirs waits for its. Returns
/// the item's number. Caller holds the mutex. After a fault nothing is queued (the context is
/// dead), but numbering still advances so events stay consistent.
std::uint64_t queue_work(const std::shared_ptr<Stream>& s, std::function<void()> work,
                         std::vector<Prerequisite> after = {}) {
  Device& d = device();
  if (s->is_default) {
    for (const auto& other : d.streams) {
      if (!other->non_blocking && !other->idle()) after.push_back({other, other->queued});
    }
  } else if (!s->non_blocking && !d.default_stream->idle()) {
    after.push_back({d.default_stream, d.default_stream->queued});
  }
  const std::uint64_t seq = ++s->queued;
  if (sticky() != cudaSuccess) {
    s->done = seq;
    return seq;
  }
  s->items.push_back(WorkItem{seq, std::move(work), std::move(after)});
  return seq;
}

// ---- Copies -------------------------------------------------------------------------------

const char* kind_name(cudaMemcpyKind kind) {
  constexpr const char* kNames[] = {"cudaMemcpyHostToHost", "cudaMemcpyHostToDevice",
                                    "cudaMemcpyDeviceToHost", "cudaMemcpyDeviceToDevice",
                                    "cudaMemcpyDefault"};
  const int k = static_cast<int>(kind);
  return (k >= 0 && k < 5) ? kNames[k] : "an unknown cudaMemcpyKind";
}

/// Checks that `p` (argument `what` of `api`) is host memory, as `kind` says it is.
cudaError_t check_host_side(const void* p, const char* api, const char* what, cudaMemcpyKind kind) {
  if (find_live(p)) {
    std::fprintf(stderr,
                 "cunmf_emu: %s: wrong copy direction: %s says %s is host memory, but %s (%p) is "
                 "%s\n",
                 api, kind_name(kind), what, what, p, describe(p).c_str());
    return cudaErrorInvalidValue;
  }
  if (find_freed(p)) {
    std::fprintf(stderr, "cunmf_emu: %s: use after free: %s (%p) is %s\n", api, what, p,
                 describe(p).c_str());
    return cudaErrorInvalidValue;
  }
  return cudaSuccess;
}

/// Checks a copy's pointers against its kind (all of it, before anything runs).
cudaError_t check_copy(void* dst, const void* src, std::size_t count, cudaMemcpyKind kind,
                       const char* api) {
  if (dst == nullptr || src == nullptr) {
    std::fprintf(stderr, "cunmf_emu: %s: null %s pointer for a copy of %zu bytes\n", api,
                 dst == nullptr ? "dst" : "src", count);
    return cudaErrorInvalidValue;
  }
  if (kind == cudaMemcpyDefault) {
    // Unified addressing: the pointers say where they are; a freed one is still an error.
    const bool dst_device = find_live(dst) || find_freed(dst);
    const bool src_device = find_live(src) || find_freed(src);
    kind = dst_device ? (src_device ? cudaMemcpyDeviceToDevice : cudaMemcpyHostToDevice)
                      : (src_device ? cudaMemcpyDeviceToHost : cudaMemcpyHostToHost);
  }
  const bool dst_device = kind == cudaMemcpyHostToDevice || kind == cudaMemcpyDeviceToDevice;
  const bool src_device = kind == cudaMemcpyDeviceToHost || kind == cudaMemcpyDeviceToDevice;
  if (kind != cudaMemcpyHostToHost && !dst_device && !src_device) {
    std::fprintf(stderr, "cunmf_emu: %s: %d is not a cudaMemcpyKind\n", api,
                 static_cast<int>(kind));
    return cudaErrorInvalidMemcpyDirection;
  }
  // Check the host sides first: a device pointer where host memory belongs is the likelier
  // mistake (a swapped direction) and deserves that name rather than "not device memory".
  if (!src_device) {
    if (const cudaError_t e = check_host_side(src, api, "src", kind)) return e;
  }
  if (!dst_device) {
    if (const cudaError_t e = check_host_side(dst, api, "dst", kind)) return e;
  }
  if (src_device && !check_device_range(src, count, api, "src")) return cudaErrorInvalidValue;
  if (dst_device && !check_device_range(dst, count, api, "dst")) return cudaErrorInvalidValue;
  return cudaSuccess;
}

/// True for a checked copy that brings device bytes to the host (its kind agrees with this).
bool hands_to_host(const void* dst, const void* src) {
  return find_live(src).has_value() && !find_live(dst).has_value();
}

}  // namespace

cudaError_t sticky_error() { return sticky(); }

bool is_valid_stream(cudaStream_t stream) {
  std::lock_guard<std::recursive_mutex> lock(device().mutex);
  return find_stream(stream) != nullptr;
}

}  // namespace cunmf_emu::detail

// ---- The hooks the kernel executor uses (runtime_hooks.hpp) ----------------------------------

namespace cunmf_emu {

void enqueue(cudaStream_t stream, std::function<void()> work) {
  using namespace detail;
  std::lock_guard<std::recursive_mutex> lock(device().mutex);
  const auto s = find_stream(stream);
  if (!s) {
    std::fprintf(stderr, "cunmf_emu: work queued on %p, which is not a live stream; dropped\n",
                 static_cast<void*>(stream));
    report(cudaErrorInvalidResourceHandle);
    return;
  }
  queue_work(s, std::move(work));
}

void set_last_error(cudaError_t error) { detail::report(error); }

std::size_t live_streams() {
  std::lock_guard<std::recursive_mutex> lock(detail::device().mutex);
  std::size_t live = 0;
  for (const auto& s : detail::device().streams) live += s->destroyed ? 0 : 1;
  return live;
}

std::size_t max_dynamic_shared_bytes(const void* kernel) {
  std::lock_guard<std::mutex> lock(detail::g_attribute_mutex);
  const auto it = detail::g_max_dynamic_shared.find(kernel);
  return it == detail::g_max_dynamic_shared.end() ? detail::kSharedPerBlock : it->second;
}

std::string last_fault_message() {
  std::lock_guard<std::mutex> lock(detail::g_fault_mutex);
  return detail::g_fault_message;
}

}  // namespace cunmf_emu

namespace cunmf_emu::detail {
namespace {

struct ErrorText {
  cudaError_t code;
  const char* name;
  const char* text;
};
// The names and descriptions libcudart 13.0 gives for the codes the emulated device can return
// or that the project's code may meet.
constexpr ErrorText kErrorTexts[] = {
    {cudaSuccess, "cudaSuccess", "no error"},
    {cudaErrorInvalidValue, "cudaErrorInvalidValue", "invalid argument"},
    {cudaErrorMemoryAllocation, "cudaErrorMemoryAllocation", "out of memory"},
    {cudaErrorInitializationError, "cudaErrorInitializationError", "initialization error"},
    {cudaErrorCudartUnloading, "cudaErrorCudartUnloading", "driver shutting down"},
    {cudaErrorInvalidConfiguration, "cudaErrorInvalidConfiguration",
     "invalid configuration argument"},
    {cudaErrorInvalidPitchValue, "cudaErrorInvalidPitchValue", "invalid pitch argument"},
    {cudaErrorInvalidSymbol, "cudaErrorInvalidSymbol", "invalid device symbol"},
    {cudaErrorInvalidHostPointer, "cudaErrorInvalidHostPointer", "invalid host pointer"},
    {cudaErrorInvalidDevicePointer, "cudaErrorInvalidDevicePointer", "invalid device pointer"},
    {cudaErrorInvalidMemcpyDirection, "cudaErrorInvalidMemcpyDirection",
     "invalid copy direction for memcpy"},
    {cudaErrorInvalidDeviceFunction, "cudaErrorInvalidDeviceFunction", "invalid device function"},
    {cudaErrorNoDevice, "cudaErrorNoDevice", "no CUDA-capable device is detected"},
    {cudaErrorInvalidDevice, "cudaErrorInvalidDevice", "invalid device ordinal"},
    {cudaErrorInvalidKernelImage, "cudaErrorInvalidKernelImage", "device kernel image is invalid"},
    {cudaErrorDeviceUninitialized, "cudaErrorDeviceUninitialized", "invalid device context"},
    {cudaErrorNoKernelImageForDevice, "cudaErrorNoKernelImageForDevice",
     "no kernel image is available for execution on the device"},
    {cudaErrorInvalidResourceHandle, "cudaErrorInvalidResourceHandle", "invalid resource handle"},
    {cudaErrorIllegalState, "cudaErrorIllegalState",
     "the operation cannot be performed in the present state"},
    {cudaErrorSymbolNotFound, "cudaErrorSymbolNotFound", "named symbol not found"},
    {cudaErrorNotReady, "cudaErrorNotReady", "device not ready"},
    {cudaErrorIllegalAddress, "cudaErrorIllegalAddress",
     "an illegal memory access was encountered"},
    {cudaErrorLaunchOutOfResources, "cudaErrorLaunchOutOfResources",
     "too many resources requested for launch"},
    {cudaErrorLaunchTimeout, "cudaErrorLaunchTimeout", "the launch timed out and was terminated"},
    {cudaErrorContextIsDestroyed, "cudaErrorContextIsDestroyed", "context is destroyed"},
    {cudaErrorAssert, "cudaErrorAssert", "device-side assert triggered"},
    {cudaErrorHardwareStackError, "cudaErrorHardwareStackError", "hardware stack error"},
    {cudaErrorIllegalInstruction, "cudaErrorIllegalInstruction",
     "an illegal instruction was encountered"},
    {cudaErrorMisalignedAddress, "cudaErrorMisalignedAddress", "misaligned address"},
    {cudaErrorInvalidAddressSpace, "cudaErrorInvalidAddressSpace",
     "operation not supported on global/shared address space"},
    {cudaErrorInvalidPc, "cudaErrorInvalidPc", "invalid program counter"},
    {cudaErrorLaunchFailure, "cudaErrorLaunchFailure", "unspecified launch failure"},
    {cudaErrorCooperativeLaunchTooLarge, "cudaErrorCooperativeLaunchTooLarge",
     "too many blocks in cooperative launch"},
    {cudaErrorNotPermitted, "cudaErrorNotPermitted", "operation not permitted"},
    {cudaErrorNotSupported, "cudaErrorNotSupported", "operation not supported"},
    {cudaErrorStreamCaptureUnsupported, "cudaErrorStreamCaptureUnsupported",
     "operation not permitted when stream is capturing"},
    {cudaErrorUnknown, "cudaErrorUnknown", "unknown error"},
};
const ErrorText* find_error_text(cudaError_t error) {
  for (const ErrorText& e : kErrorTexts) {
    if (e.code == error) return &e;
  }
  return nullptr;
}

}  // namespace
}  // namespace cunmf_emu::detail

// ---- The CUDA runtime API --------------------------------------------------------------------
// Inside extern "C" so that a signature differing from the toolkit's header is a compile error
// (two C functions of one name) rather than a silent C++ overload.

namespace d = cunmf_emu::detail;
using cunmf_emu::detail::report;

extern "C" {

// Devices ---------------------------------------------------------------------------------------

cudaError_t cudaGetDeviceCount(int* count) {
  if (count == nullptr) return report(cudaErrorInvalidValue);
  *count = d::device_present() ? 1 : 0;
  return d::device_present() ? cudaSuccess : report(cudaErrorNoDevice);
}

cudaError_t cudaGetDevice(int* device) {
  if (device == nullptr) return report(cudaErrorInvalidValue);
  *device = 0;
  return cudaSuccess;
}

cudaError_t cudaSetDevice(int device) {
  if (!d::device_present()) return report(cudaErrorNoDevice);
  return device == 0 ? cudaSuccess : report(cudaErrorInvalidDevice);
}

cudaError_t cudaGetDeviceProperties(cudaDeviceProp* prop, int device) {
  if (prop == nullptr) return report(cudaErrorInvalidValue);
  if (device != 0) return report(cudaErrorInvalidDevice);
  std::memset(prop, 0, sizeof(*prop));
  std::strncpy(prop->name, d::kDeviceName, sizeof(prop->name) - 1);
  prop->totalGlobalMem = d::device_capacity();
  prop->sharedMemPerBlock = d::kSharedPerBlock;
  prop->regsPerBlock = d::kRegisters;
  prop->warpSize = d::kWarpSize;
  prop->memPitch = d::kMaxPitch;
  prop->maxThreadsPerBlock = d::kMaxThreadsPerBlock;
  for (int i = 0; i < 3; ++i) {
    prop->maxThreadsDim[i] = d::kMaxBlockDim[i];
    prop->maxGridSize[i] = d::kMaxGridDim[i];
  }
  prop->totalConstMem = d::kConstantMemory;
  prop->major = d::kComputeMajor;
  prop->minor = d::kComputeMinor;
  prop->textureAlignment = 512;
  prop->texturePitchAlignment = 32;
  prop->multiProcessorCount = d::kMultiprocessors;
  prop->canMapHostMemory = 1;
  prop->surfaceAlignment = 512;
  prop->concurrentKernels = 1;
  prop->ECCEnabled = 1;
  prop->asyncEngineCount = d::kAsyncEngines;
  prop->unifiedAddressing = 1;
  prop->memoryBusWidth = d::kMemoryBusWidth;
  prop->l2CacheSize = d::kL2CacheBytes;
  prop->maxThreadsPerMultiProcessor = d::kMaxThreadsPerMultiprocessor;
  prop->streamPrioritiesSupported = 1;
  prop->globalL1CacheSupported = 1;
  prop->localL1CacheSupported = 1;
  prop->sharedMemPerMultiprocessor = d::kSharedPerMultiprocessor;
  prop->regsPerMultiprocessor = d::kRegisters;
  prop->managedMemory = 1;
  prop->computePreemptionSupported = 1;
  prop->cooperativeLaunch = 1;
  prop->sharedMemPerBlockOptin = d::kSharedPerBlockOptin;
  prop->maxBlocksPerMultiProcessor = d::kMaxBlocksPerMultiprocessor;
  prop->reservedSharedMemPerBlock = d::kReservedSharedPerBlock;
  prop->memoryPoolsSupported = 1;
  prop->clusterLaunch = 1;
  return cudaSuccess;
}

cudaError_t cudaDeviceGetAttribute(int* value, cudaDeviceAttr attr, int device) {
  if (value == nullptr) return report(cudaErrorInvalidValue);
  if (device != 0) return report(cudaErrorInvalidDevice);
  for (const d::AttributeValue& a : d::kAttributes) {
    if (a.attr == attr) {
      *value = a.value;
      return cudaSuccess;
    }
  }
  std::fprintf(stderr,
               "cunmf_emu: cudaDeviceGetAttribute: attribute %d is not emulated (add it to "
               "kAttributes in runtime.cpp if the project needs it)\n",
               static_cast<int>(attr));
  return report(cudaErrorNotSupported);
}

cudaError_t cudaDriverGetVersion(int* driverVersion) {
  if (driverVersion == nullptr) return report(cudaErrorInvalidValue);
  *driverVersion = cunmf_emu::detail::kVersion;
  return cudaSuccess;
}

cudaError_t cudaRuntimeGetVersion(int* runtimeVersion) {
  if (runtimeVersion == nullptr) return report(cudaErrorInvalidValue);
  *runtimeVersion = cunmf_emu::detail::kVersion;
  return cudaSuccess;
}

cudaError_t cudaDeviceSynchronize(void) {
  std::lock_guard<std::recursive_mutex> lock(d::device().mutex);
  d::run_all();
  return report(d::sticky());
}

cudaError_t cudaDeviceReset(void) {
  std::lock_guard<std::recursive_mutex> lock(d::device().mutex);
  // Queued work is abandoned, not run: the reset is immediate, as the real one is.
  d::drop_all_work();
  d::device().streams.clear();
  d::device().events.clear();
  d::release_all();
  {
    std::lock_guard<std::mutex> fault_lock(d::g_fault_mutex);
    d::g_fault_message.clear();
  }
  {
    std::lock_guard<std::mutex> attribute_lock(d::g_attribute_mutex);
    d::g_max_dynamic_shared.clear();
  }
  d::g_sticky_error.store(cudaSuccess);
  d::t_last_error = cudaSuccess;
  return cudaSuccess;
}

// Errors ----------------------------------------------------------------------------------------

cudaError_t cudaGetLastError(void) {
  // A sticky error is returned and stays; any other error is returned once and cleared.
  const cudaError_t sticky = cunmf_emu::detail::sticky();
  if (sticky != cudaSuccess) return sticky;
  const cudaError_t last = cunmf_emu::detail::t_last_error;
  cunmf_emu::detail::t_last_error = cudaSuccess;
  return last;
}

cudaError_t cudaPeekAtLastError(void) {
  const cudaError_t sticky = cunmf_emu::detail::sticky();
  return sticky != cudaSuccess ? sticky : cunmf_emu::detail::t_last_error;
}

const char* cudaGetErrorName(cudaError_t error) {
  const auto* e = cunmf_emu::detail::find_error_text(error);
  return e != nullptr ? e->name : "unrecognized error code";
}

const char* cudaGetErrorString(cudaError_t error) {
  const auto* e = cunmf_emu::detail::find_error_text(error);
  return e != nullptr ? e->text : "unrecognized error code";
}

// Function attributes -----------------------------------------------------------------------------

cudaError_t cudaFuncSetAttribute(const void* func, cudaFuncAttribute attr, int value) {
  if (func == nullptr) return report(cudaErrorInvalidDeviceFunction);
  switch (attr) {
    case cudaFuncAttributeMaxDynamicSharedMemorySize:
      if (value < 0 || static_cast<std::size_t>(value) > d::kSharedPerBlockOptin) {
        std::fprintf(stderr,
                     "cunmf_emu: cudaFuncSetAttribute: %d bytes of dynamic shared memory is "
                     "outside [0, %zu]\n",
                     value, d::kSharedPerBlockOptin);
        return report(cudaErrorInvalidValue);
      }
      {
        std::lock_guard<std::mutex> lock(d::g_attribute_mutex);
        d::g_max_dynamic_shared[func] = static_cast<std::size_t>(value);
      }
      return cudaSuccess;
    case cudaFuncAttributePreferredSharedMemoryCarveout:
      // A performance hint: accepted and ignored, as the range check is all that is observable.
      return (value >= -1 && value <= 100) ? cudaSuccess : report(cudaErrorInvalidValue);
    default:
      std::fprintf(stderr, "cunmf_emu: cudaFuncSetAttribute: attribute %d is not emulated\n",
                   static_cast<int>(attr));
      return report(cudaErrorNotSupported);
  }
}

// Memory ------------------------------------------------------------------------------------------

cudaError_t cudaMalloc(void** devPtr, size_t size) {
  if (devPtr == nullptr) return report(cudaErrorInvalidValue);
  if (const cudaError_t sticky = d::sticky()) return sticky;
  if (size == 0) {
    // As the real runtime: success, and a null pointer that cudaFree accepts.
    *devPtr = nullptr;
    return cudaSuccess;
  }
  return report(d::allocate(devPtr, size));
}

cudaError_t cudaFree(void* devPtr) {
  if (devPtr == nullptr) return cudaSuccess;
  std::lock_guard<std::recursive_mutex> lock(d::device().mutex);
  d::run_all();  // cudaFree waits for the device, so queued work still sees the memory
  if (const cudaError_t e = d::release(devPtr, "cudaFree")) return report(e);
  // After a fault the memory is still reclaimed, but the call reports the dead context.
  return report(d::sticky());
}

cudaError_t cudaMemGetInfo(size_t* free, size_t* total) {
  if (free == nullptr || total == nullptr) return report(cudaErrorInvalidValue);
  *total = d::device_capacity();
  *free = *total - cunmf_emu::current_device_bytes();
  return cudaSuccess;
}

cudaError_t cudaMemcpy(void* dst, const void* src, size_t count, cudaMemcpyKind kind) {
  if (const cudaError_t sticky = d::sticky()) return sticky;
  if (count == 0) return cudaSuccess;
  if (const cudaError_t e = d::check_copy(dst, src, count, kind, "cudaMemcpy")) return report(e);
  std::lock_guard<std::recursive_mutex> lock(d::device().mutex);
  d::run_all();  // legacy default stream semantics: the copy follows all queued work
  if (const cudaError_t sticky = d::sticky()) return report(sticky);
  d::CopyScope scope(dst, src);
  std::memmove(dst, src, count);
  if (d::hands_to_host(dst, src)) d::add_to_host_digest(dst, count);
  return cudaSuccess;
}

cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t count, cudaMemcpyKind kind,
                            cudaStream_t stream) {
  if (const cudaError_t sticky = d::sticky()) return sticky;
  std::lock_guard<std::recursive_mutex> lock(d::device().mutex);
  const auto s = d::find_stream(stream);
  if (!s) return report(cudaErrorInvalidResourceHandle);
  if (count == 0) return cudaSuccess;
  if (const cudaError_t e = d::check_copy(dst, src, count, kind, "cudaMemcpyAsync")) {
    return report(e);
  }
  // Host memory is treated as pinned: both sides are read and written when the copy runs, so a
  // host buffer read or reused before the stream is synchronized shows up in the tests.
  d::queue_work(s, [dst, src, count, to_host = d::hands_to_host(dst, src)] {
    std::memmove(dst, src, count);
    if (to_host) d::add_to_host_digest(dst, count);
  });
  return cudaSuccess;
}

cudaError_t cudaMemset(void* devPtr, int value, size_t count) {
  if (const cudaError_t sticky = d::sticky()) return sticky;
  if (count == 0) return cudaSuccess;
  if (!d::check_device_range(devPtr, count, "cudaMemset", "devPtr")) {
    return report(cudaErrorInvalidValue);
  }
  std::lock_guard<std::recursive_mutex> lock(d::device().mutex);
  d::run_all();
  if (const cudaError_t sticky = d::sticky()) return report(sticky);
  d::CopyScope scope(devPtr, nullptr);
  std::memset(devPtr, value & 0xFF, count);
  return cudaSuccess;
}

cudaError_t cudaMemsetAsync(void* devPtr, int value, size_t count, cudaStream_t stream) {
  if (const cudaError_t sticky = d::sticky()) return sticky;
  std::lock_guard<std::recursive_mutex> lock(d::device().mutex);
  const auto s = d::find_stream(stream);
  if (!s) return report(cudaErrorInvalidResourceHandle);
  if (count == 0) return cudaSuccess;
  if (!d::check_device_range(devPtr, count, "cudaMemsetAsync", "devPtr")) {
    return report(cudaErrorInvalidValue);
  }
  d::queue_work(s, [devPtr, value, count] { std::memset(devPtr, value & 0xFF, count); });
  return cudaSuccess;
}

// Streams
// -------------------------------------------------------------------------------------------

cudaError_t cudaStreamCreateWithFlags(cudaStream_t* pStream, unsigned int flags) {
  if (pStream == nullptr || (flags & ~static_cast<unsigned>(cudaStreamNonBlocking)) != 0) {
    return report(cudaErrorInvalidValue);
  }
  if (const cudaError_t sticky = d::sticky()) return sticky;
  std::lock_guard<std::recursive_mutex> lock(d::device().mutex);
  auto s = std::make_shared<d::Stream>();
  s->non_blocking = (flags & cudaStreamNonBlocking) != 0;
  *pStream = d::handle_of(s.get());
  d::device().streams.push_back(std::move(s));
  return cudaSuccess;
}

cudaError_t cudaStreamCreate(cudaStream_t* pStream) {
  return cudaStreamCreateWithFlags(pStream, cudaStreamDefault);
}

cudaError_t cudaStreamDestroy(cudaStream_t stream) {
  std::lock_guard<std::recursive_mutex> lock(d::device().mutex);
  if (d::is_default_handle(stream)) return report(cudaErrorInvalidResourceHandle);
  const auto s = d::find_stream(stream);
  if (!s) return report(cudaErrorInvalidResourceHandle);
  // As on a GPU the call returns at once and queued work still runs (when the device is next
  // synchronized); the handle is invalid from now on.
  s->destroyed = true;
  if (s->idle()) {
    auto& streams = d::device().streams;
    for (auto it = streams.begin(); it != streams.end(); ++it) {
      if (*it == s) {
        streams.erase(it);
        break;
      }
    }
  }
  return cudaSuccess;
}

cudaError_t cudaStreamSynchronize(cudaStream_t stream) {
  std::lock_guard<std::recursive_mutex> lock(d::device().mutex);
  const auto s = d::find_stream(stream);
  if (!s) return report(cudaErrorInvalidResourceHandle);
  d::synchronize_stream(*s, s->queued);
  return report(d::sticky());
}

cudaError_t cudaStreamQuery(cudaStream_t stream) {
  std::lock_guard<std::recursive_mutex> lock(d::device().mutex);
  const auto s = d::find_stream(stream);
  if (!s) return report(cudaErrorInvalidResourceHandle);
  if (const cudaError_t sticky = d::sticky()) return sticky;
  if (s->idle()) return cudaSuccess;
  // The emulated device only makes progress when the host waits; a query that finds work pending
  // runs it but still answers "not ready" this once, so polling loops see both answers and end.
  d::synchronize_stream(*s, s->queued);
  return cudaErrorNotReady;
}

cudaError_t cudaStreamWaitEvent(cudaStream_t stream, cudaEvent_t event, unsigned int flags) {
  if (flags != cudaEventWaitDefault && flags != cudaEventWaitExternal) {
    return report(cudaErrorInvalidValue);
  }
  std::lock_guard<std::recursive_mutex> lock(d::device().mutex);
  const auto s = d::find_stream(stream);
  const auto e = d::find_event(event);
  if (!s || !e) return report(cudaErrorInvalidResourceHandle);
  if (const cudaError_t sticky = d::sticky()) return sticky;
  if (!e->recorded) return cudaSuccess;  // waiting for a never-recorded event waits for nothing
  // The wait is for the record as of now; a later cudaEventRecord does not move it.
  d::queue_work(s, [] {}, {d::Prerequisite{e->stream, e->seq}});
  return cudaSuccess;
}

// Events ------------------------------------------------------------------------------------------

cudaError_t cudaEventCreateWithFlags(cudaEvent_t* event, unsigned int flags) {
  constexpr unsigned kKnown =
      cudaEventBlockingSync | cudaEventDisableTiming | cudaEventInterprocess;
  if (event == nullptr || (flags & ~kKnown) != 0 ||
      ((flags & cudaEventInterprocess) != 0 && (flags & cudaEventDisableTiming) == 0)) {
    return report(cudaErrorInvalidValue);
  }
  if (const cudaError_t sticky = d::sticky()) return sticky;
  std::lock_guard<std::recursive_mutex> lock(d::device().mutex);
  auto e = std::make_shared<d::Event>();
  e->timing = (flags & cudaEventDisableTiming) == 0;
  *event = reinterpret_cast<cudaEvent_t>(e.get());
  d::device().events.emplace(*event, std::move(e));
  return cudaSuccess;
}

cudaError_t cudaEventCreate(cudaEvent_t* event) {
  return cudaEventCreateWithFlags(event, cudaEventDefault);
}

cudaError_t cudaEventDestroy(cudaEvent_t event) {
  std::lock_guard<std::recursive_mutex> lock(d::device().mutex);
  // A pending record keeps its own reference, so destroying an event before it completes is safe.
  if (d::device().events.erase(event) == 0) return report(cudaErrorInvalidResourceHandle);
  return cudaSuccess;
}

cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream) {
  std::lock_guard<std::recursive_mutex> lock(d::device().mutex);
  const auto e = d::find_event(event);
  const auto s = d::find_stream(stream);
  if (!e || !s) return report(cudaErrorInvalidResourceHandle);
  if (const cudaError_t sticky = d::sticky()) return sticky;
  const std::uint64_t generation = ++e->generation;
  e->recorded = true;
  e->has_time = false;
  e->stream = s;
  e->seq = d::queue_work(s, [e, generation] {
    if (e->generation != generation) return;  // re-recorded since: that record is the event now
    e->time = std::chrono::steady_clock::now();
    e->has_time = true;
  });
  return cudaSuccess;
}

cudaError_t cudaEventQuery(cudaEvent_t event) {
  std::lock_guard<std::recursive_mutex> lock(d::device().mutex);
  const auto e = d::find_event(event);
  if (!e) return report(cudaErrorInvalidResourceHandle);
  if (const cudaError_t sticky = d::sticky()) return sticky;
  if (e->complete()) return cudaSuccess;
  d::synchronize_stream(*e->stream, e->seq);  // as cudaStreamQuery: "not ready" this once
  return cudaErrorNotReady;
}

cudaError_t cudaEventSynchronize(cudaEvent_t event) {
  std::lock_guard<std::recursive_mutex> lock(d::device().mutex);
  const auto e = d::find_event(event);
  if (!e) return report(cudaErrorInvalidResourceHandle);
  // Only up to the event: work queued after the record stays queued.
  if (e->recorded) d::synchronize_stream(*e->stream, e->seq);
  return report(d::sticky());
}

cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t start, cudaEvent_t end) {
  if (ms == nullptr) return report(cudaErrorInvalidValue);
  std::lock_guard<std::recursive_mutex> lock(d::device().mutex);
  const auto a = d::find_event(start);
  const auto b = d::find_event(end);
  if (!a || !b) return report(cudaErrorInvalidResourceHandle);
  if (const cudaError_t sticky = d::sticky()) return sticky;
  if (!a->timing || !b->timing || !a->recorded || !b->recorded) {
    return report(cudaErrorInvalidResourceHandle);
  }
  if (!a->complete() || !b->complete() || !a->has_time || !b->has_time) {
    return report(cudaErrorNotReady);
  }
  // The host time the emulated device spent between the two records when it ran them.
  *ms = std::chrono::duration<float, std::milli>(b->time - a->time).count();
  return cudaSuccess;
}

}  // extern "C"
