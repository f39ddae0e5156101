// Kernel execution of the emulated CUDA device. A launch is checked at once and queued on its
// stream; when the stream runs, the blocks run one after another, and the threads of a block run
// on one OS thread: each thread runs straight through until it reaches a barrier or a warp
// operation, where it waits (on its own fiber, a Boost.Context fcontext) until every thread the
// operation names has arrived. The order in which threads run between barriers is forward,
// reverse or shuffled (CUNMF_EMU_THREAD_ORDER), so code that needs a barrier it lacks gives
// different answers; the blocks follow it or a seeded shuffle (CUNMF_EMU_SEED), so atomics
// land in a different order from run to run (run_order.hpp). Barrier misuse (divergent barriers,
// barriers that can never complete, warp masks naming absent lanes) ends the kernel with a
// KernelFault instead of hanging.
#include <cxxabi.h>
#include <dlfcn.h>
#include <boost/context/fiber.hpp>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "cunmf_emu/device.hpp"
#include "cunmf_emu/runtime_hooks.hpp"
#include "device_memory.hpp"
#include "fiber_support.hpp"
#include "run_order.hpp"
#include "runtime_internal.hpp"

#define CUNMF_EMU_BUILTIN __thread __attribute__((tls_model("initial-exec")))
CUNMF_EMU_BUILTIN uint3 cunmf_emu_threadIdx = {~0u, ~0u, ~0u};
CUNMF_EMU_BUILTIN uint3 cunmf_emu_blockIdx = {~0u, ~0u, ~0u};
CUNMF_EMU_BUILTIN dim3 cunmf_emu_blockDim = dim3(~0u, ~0u, ~0u);
CUNMF_EMU_BUILTIN dim3 cunmf_emu_gridDim = dim3(~0u, ~0u, ~0u);
#undef CUNMF_EMU_BUILTIN

namespace cunmf_emu::detail {
namespace {

/// The built-in index variables of an emulated thread.
struct ThreadIndex {
  uint3 thread_idx;
  uint3 block_idx;
  dim3 block_dim;
  dim3 grid_dim;
};

[[noreturn]] void outside_kernel(const char* what) {
  std::fprintf(stderr, "cunmf_emu: %s used outside a kernel running on the emulated device\n",
               what);
  std::abort();
}

// ---- Limits of the emulated device (an H100's) ----------------------------------------------

constexpr unsigned kWarpLanes = 32;
constexpr unsigned kMaxThreadsPerBlock = 1024;
constexpr unsigned kMaxBlockDim[3] = {1024, 1024, 64};
constexpr unsigned kMaxGridDim[3] = {2147483647u, 65535u, 65535u};
constexpr std::size_t kStaticSharedLimit = std::size_t{48} << 10;     // nvcc's limit per kernel
constexpr std::size_t kSharedPerBlockLimit = std::size_t{227} << 10;  // static + dynamic
constexpr unsigned char kNanByte = 0xFF;  // 0xFF... is a NaN in float and double
// Shared arenas start on 128 bytes, as kernels/shared_memory.cuh declares the dynamic array
// (__align__(128)), so the 32-byte alignment wmma::load_matrix_sync needs holds there too.
constexpr std::size_t kSharedAlignment = 128;

// ---- Messages -------------------------------------------------------------------------------

std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char* fmt, ...) {
  char buffer[1024];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buffer, sizeof buffer, fmt, args);
  va_end(args);
  return buffer;
}

std::string dims(const uint3& d) { return format("(%u,%u,%u)", d.x, d.y, d.z); }
std::string dims(const dim3& d) { return format("(%u,%u,%u)", d.x, d.y, d.z); }

/// The kernel's (demangled) name when the executable exports it (-rdynamic), else its address.
std::string kernel_name(const void* kernel) {
  Dl_info info{};
  if (dladdr(kernel, &info) != 0 && info.dli_sname != nullptr && info.dli_saddr == kernel) {
    int status = 0;
    char* demangled = abi::__cxa_demangle(info.dli_sname, nullptr, nullptr, &status);
    std::string name = status == 0 && demangled != nullptr ? demangled : info.dli_sname;
    std::free(demangled);
    return name;
  }
  return format("kernel at %p", kernel);
}

std::string type_name(const std::type_info& type) {
  int status = 0;
  char* demangled = abi::__cxa_demangle(type.name(), nullptr, nullptr, &status);
  std::string name = status == 0 && demangled != nullptr ? demangled : type.name();
  std::free(demangled);
  return name;
}

struct Site {
  const char* file = "";
  int line = 0;
};

bool same_site(const Site& a, const Site& b) {
  return a.line == b.line && (a.file == b.file || std::strcmp(a.file, b.file) == 0);
}

std::string where(const Site& site) { return format("%s:%d", site.file, site.line); }

const char* barrier_name(BarrierKind kind) {
  switch (kind) {
    case BarrierKind::plain:
      return "__syncthreads()";
    case BarrierKind::count:
      return "__syncthreads_count()";
    case BarrierKind::all:
      return "__syncthreads_and()";
    case BarrierKind::any:
      return "__syncthreads_or()";
  }
  return "a block barrier";
}

const char* warp_op_name(WarpOp op) {
  switch (op) {
    case WarpOp::sync:
      return "__syncwarp";
    case WarpOp::shfl_idx:
      return "__shfl_sync";
    case WarpOp::shfl_up:
      return "__shfl_up_sync";
    case WarpOp::shfl_down:
      return "__shfl_down_sync";
    case WarpOp::shfl_xor:
      return "__shfl_xor_sync";
    case WarpOp::ballot:
      return "__ballot_sync";
    case WarpOp::any:
      return "__any_sync";
    case WarpOp::all:
      return "__all_sync";
    case WarpOp::match_any:
      return "__match_any_sync";
    case WarpOp::match_all:
      return "__match_all_sync";
    case WarpOp::reduce_add:
      return "__reduce_add_sync";
    case WarpOp::reduce_min:
      return "__reduce_min_sync";
    case WarpOp::reduce_max:
      return "__reduce_max_sync";
    case WarpOp::reduce_and:
      return "__reduce_and_sync";
    case WarpOp::reduce_or:
      return "__reduce_or_sync";
    case WarpOp::reduce_xor:
      return "__reduce_xor_sync";
    case WarpOp::matrix_load:
      return "wmma::load_matrix_sync";
    case WarpOp::matrix_store:
      return "wmma::store_matrix_sync";
    case WarpOp::matrix_mma:
      return "wmma::mma_sync";
  }
  return "a warp operation";
}

bool is_shuffle(WarpOp op) {
  return op == WarpOp::shfl_idx || op == WarpOp::shfl_up || op == WarpOp::shfl_down ||
         op == WarpOp::shfl_xor;
}

// ---- Executor state -------------------------------------------------------------------------

enum class RunState : unsigned char {
  not_started,  // queued, never run
  running,
  waiting,  // at a barrier or warp operation that has not completed
  ready,    // released from a barrier or warp operation, queued to continue
  done,     // returned (or ended by a fault)
};

enum class Wait : unsigned char { none, barrier, warp };

struct Block;

/// Thrown inside a waiting fiber to unwind it when the block ends with a fault.
struct FiberAbort {};

struct EmuThread {
  ThreadIndex index{};
  Block* block = nullptr;
  unsigned linear = 0;  // x + y * blockDim.x + z * blockDim.x * blockDim.y
  RunState state = RunState::not_started;
  Wait wait = Wait::none;
  Site site;                 // where it waits
  std::uint64_t result = 0;  // what its barrier or warp operation returns
  bool abort = false;        // unwind when resumed
  bool on_fiber = false;
  FiberStack stack;
  boost::context::fiber suspended;  // this thread, while it is switched out (fiber threads)
  boost::context::fiber scheduler;  // the scheduler, while this thread runs (fiber threads)
  void* asan_fake_stack = nullptr;
  void* tsan_fiber = nullptr;
};

/// A warp operation some lanes have reached and others have not yet.
struct Collective {
  WarpOp op = WarpOp::sync;
  unsigned mask = 0;
  unsigned arrived = 0;
  Site site;  // of the first lane to arrive
  int value_bytes = 4;
  bool is_signed = false;
  std::uint64_t values[kWarpLanes] = {};
  int args[kWarpLanes] = {};
  int widths[kWarpLanes] = {};
  void* tsan_sync = nullptr;  // TSan: released by each arriving lane, acquired for each at the end
  MatrixCompletion complete = nullptr;  // a warp matrix operation's work (values: operands)
};

struct Warp {
  unsigned lanes = 0;   // the lanes that exist
  unsigned exited = 0;  // lanes that have returned
  std::vector<Collective> pending;
};

struct SharedArray {
  const void* key;
  std::size_t bytes;
  void* data;
};

/// One launch while it runs.
struct Launch {
  LaunchConfig config{};
  void (*body)(const void*) = nullptr;
  const void* closure = nullptr;
  RunOrder order;
  bool direct_threads = true;   // threads may start on the scheduler's own stack
  void* host_tsan = nullptr;    // TSan fiber of the host thread that runs the launch
  char start_sync = 0;          // TSan: released by the host at the start, acquired by every thread
  char end_sync = 0;            // TSan: released by every thread at its end, acquired by the host
  StackPool* stacks = nullptr;  // fiber stacks (without TSan)
  TsanLanes* lanes = nullptr;   // TSan fibers and their stacks (with TSan)
};

/// A ring of the threads that can run, in the order they will run. Each thread is queued at most
/// once (a queued thread is not waiting, so nothing can release it again).
class ReadyQueue {
 public:
  void reset(std::size_t capacity) {
    slots_.assign(capacity, nullptr);
    head_ = size_ = 0;
  }
  void push(EmuThread* t) {
    slots_[(head_ + size_) % slots_.size()] = t;
    ++size_;
  }
  EmuThread* pop() {
    if (size_ == 0) return nullptr;
    EmuThread* t = slots_[head_];
    head_ = (head_ + 1) % slots_.size();
    --size_;
    return t;
  }

 private:
  std::vector<EmuThread*> slots_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

/// One block while it runs. Reused for every block of a launch.
struct Block {
  Launch* launch = nullptr;
  uint3 block_idx{};
  unsigned thread_count = 0;
  std::vector<EmuThread> threads;
  ReadyQueue ready;
  unsigned unfinished = 0;      // threads not done
  EmuThread* direct = nullptr;  // the thread running on the scheduler's stack, if any
  std::exception_ptr fault;
  std::mt19937_64 rng;
  std::vector<EmuThread*> released;  // threads to make ready, in order (scratch)
  // The block barrier in progress.
  unsigned barrier_waiting = 0;
  unsigned barrier_true = 0;
  Site barrier_site;
  BarrierKind barrier_kind = BarrierKind::plain;
  const EmuThread* barrier_first = nullptr;
  void* barrier_sync = nullptr;  // TSan sync object of the block barrier (from tsan_tokens)
  TsanSyncTokens tsan_tokens;
  std::vector<Warp> warps;
  // Shared memory.
  std::vector<SharedArray> statics;
  std::size_t static_bytes = 0;
  void* dynamic = nullptr;
};

// The emulated thread running on this OS thread (null outside kernels), and the stack of the
// scheduler, which ASan must be told about when a fiber switches back to it.
__thread EmuThread* t_current = nullptr;
__thread const void* t_scheduler_stack_bottom = nullptr;
__thread std::size_t t_scheduler_stack_size = 0;

/// Makes `t` the running emulated thread (null: none), built-in variables included.
void set_current(EmuThread* t) {
  t_current = t;
  if (t != nullptr) {
    cunmf_emu_threadIdx = t->index.thread_idx;
    cunmf_emu_blockIdx = t->index.block_idx;
    cunmf_emu_blockDim = t->index.block_dim;
    cunmf_emu_gridDim = t->index.grid_dim;
  } else {
    cunmf_emu_threadIdx = uint3{~0u, ~0u, ~0u};
    cunmf_emu_blockIdx = uint3{~0u, ~0u, ~0u};
    cunmf_emu_blockDim = dim3(~0u, ~0u, ~0u);
    cunmf_emu_gridDim = dim3(~0u, ~0u, ~0u);
  }
}

EmuThread& running_thread(const char* what) {
  if (t_current == nullptr) outside_kernel(what);
  return *t_current;
}

// ---- Faults ---------------------------------------------------------------------------------

std::string fault_prefix(const Block& b, const EmuThread* t) {
  std::string text = "kernel " + kernel_name(b.launch->config.kernel) + " (grid " +
                     dims(b.launch->config.grid) + ", block " + dims(b.launch->config.block) +
                     "): block " + dims(b.block_idx);
  if (t != nullptr) text += ", thread " + dims(t->index.thread_idx);
  return text + ": ";
}

[[noreturn]] void fault(const Block& b, const EmuThread* t, const std::string& what) {
  throw KernelFault(fault_prefix(b, t) + what);
}

std::string lane_list(unsigned mask) { return format("0x%08x", mask); }

/// Where the threads of a block wait, grouped, for the message of a barrier that cannot complete.
std::string describe_waits(const Block& b) {
  struct Group {
    std::string what;
    unsigned count = 0;
    const EmuThread* first = nullptr;
  };
  std::vector<Group> groups;
  for (const EmuThread& t : b.threads) {
    if (t.state != RunState::waiting) continue;
    std::string what;
    if (t.wait == Wait::barrier) {
      what = std::string(barrier_name(b.barrier_kind)) + " at " + where(t.site);
    } else {
      const Warp& w = b.warps[t.linear / kWarpLanes];
      const unsigned bit = 1u << (t.linear % kWarpLanes);
      for (const Collective& c : w.pending) {
        if ((c.arrived & bit) == 0) continue;
        what = format("%s (warp %u, mask %s, lanes still missing %s) at %s", warp_op_name(c.op),
                      t.linear / kWarpLanes, lane_list(c.mask).c_str(),
                      lane_list(c.mask & ~c.arrived).c_str(), where(t.site).c_str());
      }
    }
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&what](const Group& g) { return g.what == what; });
    if (it == groups.end()) {
      groups.push_back(Group{what, 1, &t});
    } else {
      ++it->count;
    }
  }
  std::string text;
  for (const Group& g : groups) {
    text += format("\n  %u thread(s) wait at %s (first: thread %s)", g.count, g.what.c_str(),
                   dims(g.first->index.thread_idx).c_str());
  }
  return text;
}

// ---- Scheduling -----------------------------------------------------------------------------

/// The threads of `b` for which `selected` holds, in the launch's thread order.
template <class Selected>
void select_in_order(Block& b, std::vector<EmuThread*>& out, unsigned first, unsigned count,
                     Selected selected) {
  out.clear();
  for (unsigned i = first; i < first + count; ++i) {
    if (selected(b.threads[i])) out.push_back(&b.threads[i]);
  }
  switch (b.launch->order.threads) {
    case Order::forward:
      break;
    case Order::reverse:
      std::reverse(out.begin(), out.end());
      break;
    case Order::shuffle:
      std::shuffle(out.begin(), out.end(), b.rng);
      break;
  }
}

/// Makes the threads in `b.released` ready (in that order) after the operation whose TSan sync
/// object is `sync`: each acquires what every participant released on arrival. The acquires are
/// made now, on each thread's behalf, because a thread released earlier may run on and release
/// again before a later one runs.
void make_ready(Block& b, void* sync) {
  void* const running = kThreadSanitizer ? tsan_current_fiber() : nullptr;
  for (EmuThread* t : b.released) {
    t->wait = Wait::none;
    t->state = RunState::ready;
    b.ready.push(t);
    if (kThreadSanitizer) {
      if (t->tsan_fiber == running) {
        tsan_acquire(sync);
      } else {
        tsan_switch_to(t->tsan_fiber);
        tsan_acquire(sync);
        tsan_switch_to(running);
      }
    }
  }
}

void release_barrier(Block& b) {
  select_in_order(b, b.released, 0, b.thread_count,
                  [](const EmuThread& t) { return t.wait == Wait::barrier; });
  int result = 0;
  switch (b.barrier_kind) {
    case BarrierKind::plain:
      break;
    case BarrierKind::count:
      result = static_cast<int>(b.barrier_true);
      break;
    case BarrierKind::all:
      result = b.barrier_true == b.barrier_waiting;
      break;
    case BarrierKind::any:
      result = b.barrier_true > 0;
      break;
  }
  for (EmuThread* t : b.released) t->result = static_cast<std::uint64_t>(result);
  b.barrier_waiting = 0;
  b.barrier_true = 0;
  b.barrier_first = nullptr;
  make_ready(b, b.barrier_sync);
}

void schedule(Block& b, EmuThread* self);

/// Switches from the scheduler to fiber thread `t` (creating its fiber the first time) until it
/// waits or returns.
void run_on_fiber(Block& b, EmuThread& t);

/// The running thread `t` waits until its barrier or warp operation completes (it may already have
/// been completed by `t` itself: `t` is then queued and still lets the threads before it run).
void wait_until_released(EmuThread& t) {
  Block& b = *t.block;
  if (&t == b.direct) {
    schedule(b, &t);  // on the scheduler's stack, `t` runs the others itself
  } else {
    tsan_switch_to(b.launch->host_tsan);
    asan_start_switch(&t.asan_fake_stack, t_scheduler_stack_bottom, t_scheduler_stack_size);
    t.scheduler = std::move(t.scheduler).resume();
    asan_finish_switch(t.asan_fake_stack, nullptr, nullptr);
    tsan_ignore_end();  // raised for this fiber by run_on_fiber
    if (t.abort) throw FiberAbort{};
  }
  set_current(&t);
}

/// `t` has returned from the kernel: it no longer holds up the block barrier, and a warp
/// operation still waiting for it can never complete.
void finish_thread(Block& b, EmuThread& t) {
  t.state = RunState::done;
  --b.unfinished;
  const unsigned lane_bit = 1u << (t.linear % kWarpLanes);
  Warp& w = b.warps[t.linear / kWarpLanes];
  w.exited |= lane_bit;
  for (const Collective& c : w.pending) {
    if ((c.mask & lane_bit) != 0) {
      fault(b, &t,
            format("returned while lanes %s of warp %u wait for it at %s (mask %s) at %s",
                   lane_list(c.arrived).c_str(), t.linear / kWarpLanes, warp_op_name(c.op),
                   lane_list(c.mask).c_str(), where(c.site).c_str()));
    }
  }
  if (b.barrier_waiting > 0 && b.barrier_waiting == b.unfinished) release_barrier(b);
}

/// Runs not-yet-started thread `t` on the scheduler's stack: no fiber and no switch unless it
/// waits, in which case it drives the other threads from inside its wait (schedule(b, &t)).
void run_direct(Block& b, EmuThread& t) {
  struct Reset {
    Block& b;
    ~Reset() {
      b.direct = nullptr;
      set_current(nullptr);
    }
  } reset{b};
  b.direct = &t;
  t.state = RunState::running;
  set_current(&t);
  b.launch->body(b.launch->closure);
  finish_thread(b, t);
}

/// Runs queued threads, in queue order, until `self` (the direct thread, waiting) is ready again,
/// or, when `self` is null, until the block has no thread left to run. A fault in another thread
/// is rethrown here when `self` has to be unwound; an empty queue with threads still waiting is a
/// barrier that can never complete.
void schedule(Block& b, EmuThread* self) {
  for (;;) {
    if (b.fault) {
      if (self != nullptr) std::rethrow_exception(b.fault);
      return;
    }
    EmuThread* t = b.ready.pop();
    if (t == nullptr) {
      if (self == nullptr && b.unfinished == 0) return;
      fault(b, nullptr,
            "deadlock: a barrier or warp operation can never complete; the block's threads "
            "wait at:" +
                describe_waits(b));
    }
    if (t == self) {
      t->state = RunState::running;
      return;
    }
    if (t->state == RunState::not_started && b.direct == nullptr && b.launch->direct_threads) {
      run_direct(b, *t);
    } else {
      run_on_fiber(b, *t);
    }
  }
}

/// The body of a fiber thread; returns the scheduler's context to switch to when the thread ends.
/// TSan: entered with this fiber's accesses ignored (run_on_fiber), which it stops only while the
/// kernel runs; it ends ignored, and the scheduler ends that once the switch back is done.
boost::context::fiber fiber_main(EmuThread& t, boost::context::fiber&& scheduler) {
  t.scheduler = std::move(scheduler);
  asan_finish_switch(nullptr, &t_scheduler_stack_bottom, &t_scheduler_stack_size);
  Block& b = *t.block;
  void (*const body)(const void*) = b.launch->body;
  const void* const closure = b.launch->closure;
  set_current(&t);
  bool ignoring = false;
  tsan_ignore_end();
  try {
    body(closure);
    tsan_ignore_begin();
    ignoring = true;
    finish_thread(b, t);
  } catch (const FiberAbort&) {
  } catch (...) {
    if (!ignoring) tsan_ignore_begin();
    ignoring = true;
    if (!b.fault) b.fault = std::current_exception();
  }
  if (!ignoring) tsan_ignore_begin();
  t.state = RunState::done;
  set_current(nullptr);
  tsan_release(&b.launch->end_sync);
  // The TSan fiber stays this thread's until the scheduler switches back, so that the frames
  // Boost.Context leaves now are balanced on this fiber's own TSan stack.
  asan_start_switch(nullptr, t_scheduler_stack_bottom, t_scheduler_stack_size);
  return std::move(t.scheduler);
}

/// Boost.Context stack allocator over a stack the thread already holds (it is returned to the
/// pool by the scheduler once the fiber has ended).
struct HeldStack {
  FiberStack stack;
  boost::context::stack_context allocate() {
    boost::context::stack_context context;
    context.size = stack.size;
    context.sp = stack.bottom + stack.size;
    return context;
  }
  void deallocate(boost::context::stack_context&) noexcept {}
};

void run_on_fiber(Block& b, EmuThread& t) {
  if (t.state == RunState::not_started) {
    if (!kThreadSanitizer) t.stack = b.launch->stacks->acquire();  // else its lane's
    t.on_fiber = true;
    EmuThread* thread = &t;
    // TSan: made under the constructor fiber (see TsanLanes), with its accesses ignored.
    void* const constructor = kThreadSanitizer ? b.launch->lanes->constructor() : nullptr;
    void* const host = b.launch->host_tsan;
    tsan_switch_to(constructor);
    tsan_ignore_begin();
    t.suspended = boost::context::fiber(std::allocator_arg, HeldStack{t.stack},
                                        [thread](boost::context::fiber&& scheduler) {
                                          return fiber_main(*thread, std::move(scheduler));
                                        });
    tsan_ignore_end();
    tsan_switch_to(host);
  }
  // TSan: what runs under the thread's fiber until its own code drops this ignore again (in
  // fiber_main or wait_until_released) is executor bookkeeping.
  tsan_switch_to(t.tsan_fiber);
  tsan_ignore_begin();
  t.state = RunState::running;
  void* fake_stack = nullptr;
  asan_start_switch(&fake_stack, t.stack.bottom, t.stack.size);
  t.suspended = std::move(t.suspended).resume();
  asan_finish_switch(fake_stack, nullptr, nullptr);
  if (t.state == RunState::done) {
    void* const host = b.launch->host_tsan;
    tsan_ignore_end();  // the fiber's last count (fiber_main): a TSan fiber must rest at none
    tsan_switch_to(host);
    if (!kThreadSanitizer) b.launch->stacks->release(t.stack);
    t.stack = FiberStack{};
    t.on_fiber = false;
  }
}

// ---- Blocks ---------------------------------------------------------------------------------

/// A shared-memory arena of `bytes`, every byte kNanByte, aligned to kSharedAlignment. From the
/// heap, so ASan sees overflows and uses after the block; under TSan from a mapping of its own
/// instead, because memory allocated while TSan ignores accesses keeps the history of its last use,
/// which would be another block's.
void* allocate_shared(const Block& b, std::size_t bytes) {
  void* data = nullptr;
  if (kThreadSanitizer) {
    data = mmap(nullptr, std::max<std::size_t>(bytes, 1), PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (data == MAP_FAILED) data = nullptr;
  } else if (posix_memalign(&data, kSharedAlignment, bytes) != 0) {
    data = nullptr;
  }
  if (data == nullptr && (bytes > 0 || kThreadSanitizer)) {
    fault(b, nullptr, format("cannot allocate %zu bytes of shared memory", bytes));
  }
  if (data != nullptr) std::memset(data, kNanByte, bytes);
  return data;
}

void free_shared(void* data, std::size_t bytes) {
  if (kThreadSanitizer) {
    if (data != nullptr) munmap(data, std::max<std::size_t>(bytes, 1));
  } else {
    std::free(data);
  }
}

/// Sets `b` up to run block `block_idx`, the `position`-th block in the launch's run order.
void prepare_block(Block& b, const uint3& block_idx, std::uint64_t block_linear,
                   std::uint64_t position) {
  const LaunchConfig& config = b.launch->config;
  b.block_idx = block_idx;
  b.unfinished = b.thread_count;
  b.direct = nullptr;
  b.fault = nullptr;
  b.rng.seed(b.launch->order.thread_seed ^ mix(block_linear));
  b.barrier_waiting = 0;
  b.barrier_true = 0;
  b.barrier_first = nullptr;
  b.statics.clear();
  b.static_bytes = 0;
  b.dynamic = allocate_shared(b, config.shared_bytes);
  if (kThreadSanitizer) b.barrier_sync = b.tsan_tokens.next();
  for (std::size_t w = 0; w < b.warps.size(); ++w) {
    const unsigned lanes =
        std::min(kWarpLanes, b.thread_count - static_cast<unsigned>(w) * kWarpLanes);
    b.warps[w].lanes = lanes == kWarpLanes ? ~0u : (1u << lanes) - 1;
    b.warps[w].exited = 0;
    b.warps[w].pending.clear();
  }
  unsigned linear = 0;
  for (unsigned z = 0; z < config.block.z; ++z) {
    for (unsigned y = 0; y < config.block.y; ++y) {
      for (unsigned x = 0; x < config.block.x; ++x, ++linear) {
        EmuThread& t = b.threads[linear];
        t.index = ThreadIndex{uint3{x, y, z}, block_idx, config.block, config.grid};
        t.block = &b;
        t.linear = linear;
        t.state = RunState::not_started;
        t.wait = Wait::none;
        t.result = 0;
        t.abort = false;
        t.asan_fake_stack = nullptr;
        if (kThreadSanitizer) {
          const TsanLanes::Lane& lane =
              b.launch->lanes->lane(static_cast<unsigned>(position % TsanLanes::kGroups), linear);
          t.tsan_fiber = lane.fiber;
          t.stack = lane.stack;
          const std::string name =
              "emulated thread " + dims(t.index.thread_idx) + " of block " + dims(block_idx);
          // The thread sees what the host did before the launch, and nothing of other blocks.
          tsan_switch_to(t.tsan_fiber);
          tsan_set_fiber_name(t.tsan_fiber, name.c_str());
          tsan_acquire(&b.launch->start_sync);
          tsan_switch_to(b.launch->host_tsan);
        }
      }
    }
  }
  b.ready.reset(b.thread_count);
  select_in_order(b, b.released, 0, b.thread_count, [](const EmuThread&) { return true; });
  for (EmuThread* t : b.released) b.ready.push(t);
}

/// Unwinds every thread still waiting on its fiber (after a fault), so their stacks and
/// destructors are done with before the block's memory goes.
void abort_waiting_fibers(Block& b) {
  for (EmuThread& t : b.threads) {
    if (t.on_fiber && t.state != RunState::done) {
      t.abort = true;
      run_on_fiber(b, t);
    }
  }
}

void end_block(Block& b) {
  for (const SharedArray& a : b.statics) free_shared(a.data, a.bytes);
  b.statics.clear();
  free_shared(b.dynamic, b.launch->config.shared_bytes);
  b.dynamic = nullptr;
  b.tsan_tokens.reset();  // clears TSan's history of this block's barriers and warp operations
  for (EmuThread& t : b.threads) t.tsan_fiber = nullptr;  // the lanes keep them
}

void run_block(Block& b, const uint3& block_idx, std::uint64_t block_linear,
               std::uint64_t position) {
  prepare_block(b, block_idx, block_linear, position);
  try {
    schedule(b, nullptr);
  } catch (...) {
    if (!b.fault) b.fault = std::current_exception();
  }
  if (b.fault) abort_waiting_fibers(b);
  end_block(b);
  if (b.fault) std::rethrow_exception(b.fault);
}

/// Runs a checked launch to the end, every block in the launch's order. Any fault ends the launch.
void run_launch(const LaunchConfig& config, void (*body)(const void*), const void* closure) {
  TsanIgnoreScope ignore;
  thread_local StackPool stacks;
  thread_local TsanLanes lanes;
  // On the heap rather than the host's stack, whose bytes TSan would see emulated threads touch.
  const auto owned_launch = std::make_unique<Launch>();
  Launch& launch = *owned_launch;
  launch.config = config;
  launch.body = body;
  launch.closure = closure;
  launch.order = read_run_order();
  // Under TSan every thread runs on a TSan fiber of its own: one running on the host's stack
  // would run as the host thread, ordered after everything the host did.
  launch.direct_threads = !kThreadSanitizer;
  launch.host_tsan = tsan_current_fiber();
  launch.stacks = &stacks;
  launch.lanes = &lanes;
  tsan_release(&launch.start_sync);

  const auto owned_block = std::make_unique<Block>();
  Block& block = *owned_block;
  block.launch = &launch;
  block.thread_count = config.block.x * config.block.y * config.block.z;
  block.threads.resize(block.thread_count);
  block.warps.resize((block.thread_count + kWarpLanes - 1) / kWarpLanes);
  block.released.reserve(block.thread_count);

  const std::uint64_t grid_x = config.grid.x;
  const std::uint64_t grid_xy = grid_x * config.grid.y;
  const std::uint64_t block_count = grid_xy * config.grid.z;
  const BlockOrder order(block_count, launch.order.blocks, launch.order.block_seed);
  try {
    for (std::uint64_t k = 0; k < block_count; ++k) {
      const std::uint64_t linear = order(k);
      const uint3 block_idx{static_cast<unsigned>(linear % grid_x),
                            static_cast<unsigned>(linear % grid_xy / grid_x),
                            static_cast<unsigned>(linear / grid_xy)};
      run_block(block, block_idx, linear, k);
    }
  } catch (const KernelFault&) {
    tsan_acquire(&launch.end_sync);
    throw;
  } catch (const std::exception& e) {
    tsan_acquire(&launch.end_sync);
    throw KernelFault("kernel " + kernel_name(config.kernel) + " threw " + type_name(typeid(e)) +
                      ": " + e.what());
  }
  tsan_acquire(&launch.end_sync);
}

}  // namespace

// ---- Entry points from device.hpp -----------------------------------------------------------

int block_barrier(BarrierKind kind, int predicate, const char* file, int line) {
  TsanIgnoreScope ignore;
  EmuThread& t = running_thread(barrier_name(kind));
  Block& b = *t.block;
  const Site site{file, line};
  if (b.barrier_waiting > 0 && (!same_site(site, b.barrier_site) || kind != b.barrier_kind)) {
    fault(b, &t,
          format("divergent barrier: reached %s at %s while %u thread(s) wait at %s at %s "
                 "(first: thread %s); every thread of a block must reach the same barrier",
                 barrier_name(kind), where(site).c_str(), b.barrier_waiting,
                 barrier_name(b.barrier_kind), where(b.barrier_site).c_str(),
                 dims(b.barrier_first->index.thread_idx).c_str()));
  }
  if (b.barrier_waiting == 0) {
    b.barrier_site = site;
    b.barrier_kind = kind;
    b.barrier_first = &t;
  }
  ++b.barrier_waiting;
  if (predicate != 0) ++b.barrier_true;
  t.wait = Wait::barrier;
  t.site = site;
  t.state = RunState::waiting;
  tsan_release(b.barrier_sync);
  if (b.barrier_waiting == b.unfinished) release_barrier(b);
  wait_until_released(t);
  return static_cast<int>(t.result);
}

namespace {

/// The result of completed warp operation `c` for `lane`.
std::uint64_t collective_result(const Collective& c, unsigned lane) {
  const std::uint64_t value_mask =
      c.value_bytes >= 8 ? ~0ull : (std::uint64_t{1} << (8 * c.value_bytes)) - 1;
  const auto lanes_where = [&c](auto predicate) {
    unsigned bits = 0;
    for (unsigned i = 0; i < kWarpLanes; ++i) {
      if ((c.mask >> i & 1u) != 0 && predicate(i)) bits |= 1u << i;
    }
    return bits;
  };
  if (is_shuffle(c.op)) {
    // The source lane as PTX shfl.sync computes it; a lane outside the segment's bounds (or past
    // the warp) reads its own value.
    const unsigned width = static_cast<unsigned>(c.widths[lane]);
    const unsigned first = lane & ~(width - 1);
    const unsigned last = first + width - 1;
    const int arg = c.args[lane];
    long source = lane;
    switch (c.op) {
      case WarpOp::shfl_idx:
        source = first + (static_cast<unsigned>(arg) & (width - 1));
        break;
      case WarpOp::shfl_up:
        source = static_cast<long>(lane) - arg;
        if (arg < 0 || source < static_cast<long>(first)) source = lane;
        break;
      case WarpOp::shfl_down:
        source = static_cast<long>(lane) + arg;
        if (arg < 0 || source > static_cast<long>(last)) source = lane;
        break;
      case WarpOp::shfl_xor:
        source = static_cast<long>(lane ^ static_cast<unsigned>(arg));
        if (source > static_cast<long>(last)) source = lane;
        break;
      default:
        break;
    }
    // A lane that did not take part has no defined value: all bits set, a NaN for floats.
    if ((c.mask >> source & 1u) == 0) return ~0ull;
    return c.values[source];
  }
  const auto as_signed = [&c, value_mask](std::uint64_t v) {
    const std::uint64_t sign = std::uint64_t{1} << (8 * c.value_bytes - 1);
    return static_cast<std::int64_t>(((v & value_mask) ^ sign) - sign);
  };
  std::uint64_t accumulator = 0;
  bool first = true;
  switch (c.op) {
    case WarpOp::sync:
      return 0;
    case WarpOp::ballot:
      return lanes_where([&c](unsigned i) { return c.values[i] != 0; });
    case WarpOp::any:
      return lanes_where([&c](unsigned i) { return c.values[i] != 0; }) != 0;
    case WarpOp::all:
      return lanes_where([&c](unsigned i) { return c.values[i] != 0; }) == c.mask;
    case WarpOp::match_any:
      return lanes_where([&c, lane, value_mask](unsigned i) {
        return ((c.values[i] ^ c.values[lane]) & value_mask) == 0;
      });
    case WarpOp::match_all: {
      const unsigned equal = lanes_where([&c, lane, value_mask](unsigned i) {
        return ((c.values[i] ^ c.values[lane]) & value_mask) == 0;
      });
      return equal == c.mask ? c.mask : 0;
    }
    default:
      break;
  }
  for (unsigned i = 0; i < kWarpLanes; ++i) {
    if ((c.mask >> i & 1u) == 0) continue;
    const std::uint64_t v = c.values[i] & value_mask;
    if (first) {
      accumulator = v;
      first = false;
      continue;
    }
    switch (c.op) {
      case WarpOp::reduce_add:
        accumulator += v;
        break;
      case WarpOp::reduce_and:
        accumulator &= v;
        break;
      case WarpOp::reduce_or:
        accumulator |= v;
        break;
      case WarpOp::reduce_xor:
        accumulator ^= v;
        break;
      case WarpOp::reduce_min:
        if (c.is_signed ? as_signed(v) < as_signed(accumulator) : v < accumulator) accumulator = v;
        break;
      case WarpOp::reduce_max:
        if (c.is_signed ? as_signed(v) > as_signed(accumulator) : v > accumulator) accumulator = v;
        break;
      default:
        break;
    }
  }
  return accumulator & value_mask;
}

void complete_collective(Block& b, unsigned warp, std::size_t index) {
  Warp& w = b.warps[warp];
  const Collective& c = w.pending[index];
  const unsigned first = warp * kWarpLanes;
  for (unsigned lane = 0; lane < kWarpLanes; ++lane) {
    if ((c.mask >> lane & 1u) != 0) b.threads[first + lane].result = collective_result(c, lane);
  }
  const unsigned mask = c.mask;
  select_in_order(
      b, b.released, first, std::min(kWarpLanes, b.thread_count - first),
      [mask, first](const EmuThread& t) { return (mask >> (t.linear - first) & 1u) != 0; });
  make_ready(b, c.tsan_sync);
  w.pending.erase(w.pending.begin() + static_cast<std::ptrdiff_t>(index));
}

/// Runs a completed warp matrix operation's work, on the last lane to arrive, while every lane
/// waits. TSan sees its accesses (a fragment loaded from shared memory that another warp writes
/// without a barrier is a race), ordered after every lane's arrival and before their release.
std::string complete_matrix_operation(const Collective& c) {
  const void* operands[kWarpLanes] = {};
  for (unsigned lane = 0; lane < kWarpLanes; ++lane) {
    if ((c.mask >> lane & 1u) != 0) operands[lane] = reinterpret_cast<const void*>(c.values[lane]);
  }
  tsan_acquire(c.tsan_sync);
  tsan_ignore_end();
  std::string error = c.complete(operands);
  tsan_ignore_begin();
  tsan_release(c.tsan_sync);
  return error;
}

/// A lane's arrival at a warp operation (`complete` set for a matrix operation); returns its
/// result once every lane of the mask has arrived.
std::uint64_t arrive_at_warp_operation(WarpOp op, unsigned mask, std::uint64_t value,
                                       int value_bytes, bool is_signed, int arg, int width,
                                       MatrixCompletion complete, const char* file, int line) {
  TsanIgnoreScope ignore;
  EmuThread& t = running_thread(warp_op_name(op));
  Block& b = *t.block;
  const Site site{file, line};
  const unsigned warp = t.linear / kWarpLanes;
  const unsigned lane = t.linear % kWarpLanes;
  const unsigned bit = 1u << lane;
  Warp& w = b.warps[warp];
  const auto misuse = [&](const std::string& why) {
    fault(b, &t, format("%s at %s: ", warp_op_name(op), where(site).c_str()) + why);
  };
  if ((mask & bit) == 0) {
    misuse(format("the calling lane %u is not in the mask %s", lane, lane_list(mask).c_str()));
  }
  if ((mask & ~w.lanes) != 0) {
    misuse(format("the mask %s names lanes %s, which do not exist (warp %u has lanes %s)",
                  lane_list(mask).c_str(), lane_list(mask & ~w.lanes).c_str(), warp,
                  lane_list(w.lanes).c_str()));
  }
  if ((mask & w.exited) != 0) {
    misuse(format("the mask %s names lanes %s, which have returned", lane_list(mask).c_str(),
                  lane_list(mask & w.exited).c_str()));
  }
  if (is_shuffle(op) && (width < 1 || width > 32 || (width & (width - 1)) != 0)) {
    misuse(format("width %d is not a power of two in [1, 32]", width));
  }
  std::size_t index = w.pending.size();
  for (std::size_t i = 0; i < w.pending.size(); ++i) {
    const Collective& c = w.pending[i];
    if ((c.mask & mask) == 0) continue;
    if (c.mask != mask || c.op != op || c.complete != complete) {
      misuse(
          format("lanes %s already wait at %s with mask %s at %s; lanes named in both masks "
                 "must take part in the same warp operation",
                 lane_list(c.arrived).c_str(), warp_op_name(c.op), lane_list(c.mask).c_str(),
                 where(c.site).c_str()));
    }
    index = i;
  }
  if (index == w.pending.size()) {
    Collective c;
    c.op = op;
    c.mask = mask;
    c.site = site;
    c.value_bytes = value_bytes;
    c.is_signed = is_signed;
    c.complete = complete;
    if (kThreadSanitizer) c.tsan_sync = b.tsan_tokens.next();  // fresh: no earlier history
    w.pending.push_back(c);
  }
  Collective& c = w.pending[index];
  c.values[lane] = value;
  c.args[lane] = arg;
  c.widths[lane] = width;
  c.arrived |= bit;
  t.wait = Wait::warp;
  t.site = site;
  t.state = RunState::waiting;
  tsan_release(c.tsan_sync);
  if (c.arrived == c.mask) {
    if (c.complete != nullptr) {
      const std::string error = complete_matrix_operation(c);
      if (!error.empty()) misuse(error);
    }
    complete_collective(b, warp, index);
  }
  wait_until_released(t);
  return t.result;
}

}  // namespace

std::uint64_t warp_operation(WarpOp op, unsigned mask, std::uint64_t value, int value_bytes,
                             bool is_signed, int arg, int width, const char* file, int line) {
  return arrive_at_warp_operation(op, mask, value, value_bytes, is_signed, arg, width, nullptr,
                                  file, line);
}

void warp_matrix_operation(WarpOp op, unsigned mask, const void* operand, MatrixCompletion complete,
                           const char* file, int line) {
  arrive_at_warp_operation(op, mask, reinterpret_cast<std::uintptr_t>(operand), 8, false, 0, 32,
                           complete, file, line);
}

cudaError_t check_launch(const LaunchConfig& config, const PointerArgument* pointers,
                         std::size_t pointer_count) {
  const auto reject = [&config](cudaError_t error, const std::string& why) {
    std::fprintf(stderr, "cunmf_emu: launch of %s rejected with %s: %s\n",
                 kernel_name(config.kernel).c_str(), cudaGetErrorName(error), why.c_str());
    set_last_error(error);
    return error;
  };
  if (const cudaError_t sticky = sticky_error(); sticky != cudaSuccess) {
    return reject(sticky, "the device is in an error state after an earlier fault");
  }
  if (config.kernel == nullptr) {
    return reject(cudaErrorInvalidDeviceFunction, "the kernel is a null function pointer");
  }
  const dim3& g = config.grid;
  const dim3& k = config.block;
  if (g.x == 0 || g.y == 0 || g.z == 0 || k.x == 0 || k.y == 0 || k.z == 0) {
    return reject(cudaErrorInvalidConfiguration, "empty grid " + dims(g) + " or block " + dims(k));
  }
  if (k.x > kMaxBlockDim[0] || k.y > kMaxBlockDim[1] || k.z > kMaxBlockDim[2] ||
      std::uint64_t{k.x} * k.y * k.z > kMaxThreadsPerBlock) {
    return reject(cudaErrorInvalidConfiguration,
                  "block " + dims(k) + " exceeds (1024,1024,64) or 1024 threads");
  }
  if (g.x > kMaxGridDim[0] || g.y > kMaxGridDim[1] || g.z > kMaxGridDim[2]) {
    return reject(cudaErrorInvalidConfiguration,
                  "grid " + dims(g) + " exceeds (2147483647,65535,65535)");
  }
  const std::size_t shared_limit = max_dynamic_shared_bytes(config.kernel);
  if (config.shared_bytes > shared_limit) {
    return reject(cudaErrorInvalidValue,
                  format("%zu bytes of dynamic shared memory exceed the kernel's limit of %zu "
                         "(raise it with cudaFuncSetAttribute("
                         "cudaFuncAttributeMaxDynamicSharedMemorySize), up to %zu)",
                         config.shared_bytes, shared_limit, kSharedPerBlockLimit));
  }
  if (!is_valid_stream(config.stream)) {
    return reject(cudaErrorInvalidResourceHandle,
                  format("stream %p is not a live stream", static_cast<void*>(config.stream)));
  }
  for (std::size_t i = 0; i < pointer_count; ++i) {
    const PointerArgument& p = pointers[i];
    if (!is_device_pointer(p.value)) {
      return reject(cudaErrorInvalidValue,
                    format("argument %d (%s) = %p is not device memory: it is %s", p.index,
                           type_name(*p.type).c_str(), p.value, describe(p.value).c_str()));
    }
  }
  return cudaSuccess;
}

void submit_launch(const LaunchConfig& config, void (*body)(const void*),
                   std::shared_ptr<const void> closure) {
  enqueue(config.stream, [config, body, closure = std::move(closure)] {
    run_launch(config, body, closure.get());
  });
}

}  // namespace cunmf_emu::detail

namespace cunmf_emu {

void* block_shared(const void* key, std::size_t bytes) {
  using namespace detail;
  TsanIgnoreScope ignore;
  EmuThread& t = running_thread("static shared memory");
  Block& b = *t.block;
  for (const SharedArray& a : b.statics) {
    if (a.key != key) continue;
    if (a.bytes != bytes) {
      fault(b, &t,
            format("static shared array %p asked for as %zu bytes and as %zu bytes", key, a.bytes,
                   bytes));
    }
    return a.data;
  }
  if (b.static_bytes + bytes > kStaticSharedLimit) {
    fault(b, &t,
          format("static shared memory would grow to %zu bytes; a kernel may have at most "
                 "%zu (nvcc rejects more)",
                 b.static_bytes + bytes, kStaticSharedLimit));
  }
  if (b.static_bytes + bytes + b.launch->config.shared_bytes > kSharedPerBlockLimit) {
    fault(b, &t,
          format("static (%zu bytes) and dynamic (%zu bytes) shared memory exceed the "
                 "%zu bytes a block may have",
                 b.static_bytes + bytes, b.launch->config.shared_bytes, kSharedPerBlockLimit));
  }
  void* data = allocate_shared(b, bytes);
  b.statics.push_back(SharedArray{key, bytes, data});
  b.static_bytes += bytes;
  return data;
}

void* dynamic_shared() {
  using namespace detail;
  TsanIgnoreScope ignore;
  EmuThread& t = running_thread("dynamic shared memory");
  return t.block->dynamic;
}

}  // namespace cunmf_emu

void __syncthreads(const char* file, int line) {
  cunmf_emu::detail::block_barrier(cunmf_emu::detail::BarrierKind::plain, 0, file, line);
}

void __trap(const char* file, int line) {
  using namespace cunmf_emu::detail;
  TsanIgnoreScope ignore;
  EmuThread& t = running_thread("__trap()");
  fault(*t.block, &t, format("__trap() at %s:%d", file, line));
}
