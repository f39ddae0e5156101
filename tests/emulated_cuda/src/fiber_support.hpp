// What the kernel executor needs around its fibers: stacks with a guard region below them, and the
// AddressSanitizer and ThreadSanitizer annotations that keep the sanitizers correct across fiber
// switches (each is a no-op in a build without that sanitizer). Private to kernel_execution.cpp.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#define CUNMF_EMU_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CUNMF_EMU_ASAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define CUNMF_EMU_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CUNMF_EMU_TSAN 1
#endif
#endif

#if defined(CUNMF_EMU_ASAN)
#include <sanitizer/common_interface_defs.h>
#endif
#if defined(CUNMF_EMU_TSAN)
#include <sanitizer/tsan_interface.h>
// ThreadSanitizer's dynamic annotations (tsan_interface_ann), not declared in a public header.
extern "C" {
void AnnotateIgnoreReadsBegin(const char* file, int line);
void AnnotateIgnoreReadsEnd(const char* file, int line);
void AnnotateIgnoreWritesBegin(const char* file, int line);
void AnnotateIgnoreWritesEnd(const char* file, int line);
}
#endif

namespace cunmf_emu::detail {

#if defined(CUNMF_EMU_TSAN)
inline constexpr bool kThreadSanitizer = true;
#else
inline constexpr bool kThreadSanitizer = false;
#endif

// ---- Stacks ---------------------------------------------------------------------------------

/// Usable bytes of a fiber stack. Generous, because sanitizer frames are large and a sanitizer
/// report is printed on the stack of the fiber that fails; pages never touched cost nothing.
inline constexpr std::size_t kFiberStackBytes = std::size_t{256} << 10;
/// Inaccessible bytes below each stack, so that an overflow faults (and ASan reports a
/// stack-overflow) instead of running into the neighbouring mapping; larger than any likely frame.
inline constexpr std::size_t kGuardBytes = std::size_t{64} << 10;

/// One fiber stack: [bottom, bottom + size) usable, a guard region below it.
struct FiberStack {
  void* mapping = nullptr;
  char* bottom = nullptr;
  std::size_t size = 0;
};

inline FiberStack map_fiber_stack() {
  const std::size_t total = kGuardBytes + kFiberStackBytes;
  void* mapping = mmap(nullptr, total, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  if (mapping == MAP_FAILED || mprotect(mapping, kGuardBytes, PROT_NONE) != 0) {
    std::fprintf(stderr, "cunmf_emu: cannot map a %zu-byte fiber stack\n", total);
    std::abort();
  }
  return FiberStack{mapping, static_cast<char*>(mapping) + kGuardBytes, kFiberStackBytes};
}

inline void unmap_fiber_stack(const FiberStack& stack) {
  if (stack.mapping != nullptr) munmap(stack.mapping, kGuardBytes + kFiberStackBytes);
}

/// Fiber stacks of one OS thread, kept for reuse: a fiber that finished has returned from every
/// frame, so its stack is clean for the next. (Not under ThreadSanitizer: see TsanLanes.)
class StackPool {
 public:
  StackPool() = default;
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;
  ~StackPool() {
    for (const FiberStack& stack : free_) unmap_fiber_stack(stack);
  }

  FiberStack acquire() {
    if (free_.empty()) return map_fiber_stack();
    FiberStack stack = free_.back();
    free_.pop_back();
    return stack;
  }

  void release(FiberStack stack) { free_.push_back(stack); }

 private:
  std::vector<FiberStack> free_;
};

// ---- AddressSanitizer: tell it which stack runs ---------------------------------------------

/// Before a switch: `fake_stack` saves the current fiber's fake stack (null when it is ending).
inline void asan_start_switch([[maybe_unused]] void** fake_stack,
                              [[maybe_unused]] const void* bottom,
                              [[maybe_unused]] std::size_t size) {
#if defined(CUNMF_EMU_ASAN)
  __sanitizer_start_switch_fiber(fake_stack, bottom, size);
#endif
}

/// After a switch, on the new stack; reports the stack that was left.
inline void asan_finish_switch([[maybe_unused]] void* fake_stack,
                               [[maybe_unused]] const void** old_bottom,
                               [[maybe_unused]] std::size_t* old_size) {
#if defined(CUNMF_EMU_ASAN)
  __sanitizer_finish_switch_fiber(fake_stack, old_bottom, old_size);
#endif
}

// ---- ThreadSanitizer: one TSan fiber per emulated thread -------------------------------------

inline void* tsan_current_fiber() {
#if defined(CUNMF_EMU_TSAN)
  return __tsan_get_current_fiber();
#else
  return nullptr;
#endif
}

inline void tsan_set_fiber_name([[maybe_unused]] void* fiber, [[maybe_unused]] const char* name) {
#if defined(CUNMF_EMU_TSAN)
  __tsan_set_fiber_name(fiber, name);
#endif
}

inline void* tsan_create_fiber([[maybe_unused]] const char* name) {
#if defined(CUNMF_EMU_TSAN)
  void* fiber = __tsan_create_fiber(0);
  __tsan_set_fiber_name(fiber, name);
  return fiber;
#else
  return nullptr;
#endif
}

inline void tsan_destroy_fiber([[maybe_unused]] void* fiber) {
#if defined(CUNMF_EMU_TSAN)
  if (fiber != nullptr) __tsan_destroy_fiber(fiber);
#endif
}

/// Switches TSan's notion of the running thread, implying no synchronization: emulated threads
/// are ordered only by the barriers and warp operations they pass.
inline void tsan_switch_to([[maybe_unused]] void* fiber) {
#if defined(CUNMF_EMU_TSAN)
  __tsan_switch_to_fiber(fiber, __tsan_switch_to_fiber_no_sync);
#endif
}

inline void tsan_release([[maybe_unused]] void* sync) {
#if defined(CUNMF_EMU_TSAN)
  __tsan_release(sync);
#endif
}

inline void tsan_acquire([[maybe_unused]] void* sync) {
#if defined(CUNMF_EMU_TSAN)
  __tsan_acquire(sync);
#endif
}

/// Starts (and ends) ignoring the memory accesses of the current TSan fiber; the count nests and
/// must be back to zero when a fiber is destroyed. The executor's own bookkeeping is shared by all
/// emulated threads of the one OS thread and is not kernel data, so it runs ignored, whichever
/// emulated thread's fiber is current. Synchronization annotations still count.
inline void tsan_ignore_begin() {
#if defined(CUNMF_EMU_TSAN)
  AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
  AnnotateIgnoreWritesBegin(__FILE__, __LINE__);
#endif
}

inline void tsan_ignore_end() {
#if defined(CUNMF_EMU_TSAN)
  AnnotateIgnoreWritesEnd(__FILE__, __LINE__);
  AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
#endif
}

/// tsan_ignore_begin() for the lifetime of the scope (on the fiber current at both ends).
class TsanIgnoreScope {
 public:
  TsanIgnoreScope() { tsan_ignore_begin(); }
  ~TsanIgnoreScope() { tsan_ignore_end(); }
  TsanIgnoreScope(const TsanIgnoreScope&) = delete;
  TsanIgnoreScope& operator=(const TsanIgnoreScope&) = delete;
};

// ---- ThreadSanitizer lanes -----------------------------------------------------------------

/// Under ThreadSanitizer, the identity and stack an emulated thread runs with: a TSan fiber and a
/// stack used by that fiber alone (TSan would take two fibers' use of the same stack bytes for a
/// race). Making a TSan fiber costs about half a millisecond, so lanes are kept and reused by
/// later blocks; a block uses the lanes of group (its position in the run order) % kGroups, so
/// the kGroups blocks that run one after another get distinct lanes and TSan checks them against
/// each other. (A block and the block kGroups later share lanes, which orders them for TSan.)
///
/// Boost.Context enters a new fiber's entry function once when the fiber is made, and that frame
/// never returns; so that it does not pile up on the lanes' TSan shadow stacks, fibers are made
/// under a separate constructor fiber. Its own shadow stack grows by a frame per fiber (and TSan
/// records that stack each time it starts ignoring accesses), so it is remade every
/// kConstructorUses fibers.
class TsanLanes {
 public:
  static constexpr unsigned kGroups = 3;
  static constexpr unsigned kLanesPerGroup = 1024;  // a block's most threads

  struct Lane {
    void* fiber = nullptr;
    FiberStack stack;
    unsigned uses = 0;
  };

  TsanLanes() = default;
  TsanLanes(const TsanLanes&) = delete;
  TsanLanes& operator=(const TsanLanes&) = delete;
  ~TsanLanes() {
    for (Lane& lane : lanes_) retire(lane);
    tsan_destroy_fiber(constructor_);
  }

  /// The TSan fiber to make Boost.Context fibers under.
  void* constructor() {
    if (constructor_uses_ >= kConstructorUses) {
      tsan_destroy_fiber(constructor_);
      constructor_ = nullptr;
    }
    if (constructor_ == nullptr) {
      constructor_ = tsan_create_fiber("emulated device: fiber constructor");
      constructor_uses_ = 0;
    }
    ++constructor_uses_;
    return constructor_;
  }

  /// The lane of thread `thread` in group `group`, made the first time and remade after
  /// kMaxUses uses, which bounds what a lane's TSan fiber accumulates (its history, and frames
  /// left on its shadow stack when a fault unwinds it).
  const Lane& lane(unsigned group, unsigned thread) {
    if (lanes_.empty()) lanes_.resize(kGroups * kLanesPerGroup);
    Lane& lane = lanes_[group * kLanesPerGroup + thread];
    if (lane.uses >= kMaxUses) retire(lane);
    if (lane.fiber == nullptr) {
      lane.fiber = tsan_create_fiber("emulated thread");
      lane.stack = map_fiber_stack();
    }
    ++lane.uses;
    return lane;
  }

 private:
  static constexpr unsigned kMaxUses = 4096;
  static constexpr unsigned kConstructorUses = 256;

  static void retire(Lane& lane) {
    tsan_destroy_fiber(lane.fiber);
    unmap_fiber_stack(lane.stack);  // unmapping also clears TSan's record of the stack bytes
    lane = Lane{};
  }

  std::vector<Lane> lanes_;
  void* constructor_ = nullptr;
  unsigned constructor_uses_ = 0;
};

/// Under ThreadSanitizer, addresses to synchronize on (barriers, warp operations), fresh for each
/// block. Memory freed while TSan ignores accesses keeps its synchronization history, so these
/// come from mappings of their own, whose unmapping at the block's end clears that history:
/// otherwise the next block would inherit this one's and TSan would see them ordered.
class TsanSyncTokens {
 public:
  TsanSyncTokens() = default;
  TsanSyncTokens(const TsanSyncTokens&) = delete;
  TsanSyncTokens& operator=(const TsanSyncTokens&) = delete;
  ~TsanSyncTokens() { reset(); }

  void* next() {
    if (regions_.empty() || used_ == kRegionBytes) {
      void* region = mmap(nullptr, kRegionBytes, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
      if (region == MAP_FAILED) {
        std::fprintf(stderr, "cunmf_emu: cannot map TSan synchronization addresses\n");
        std::abort();
      }
      regions_.push_back(static_cast<char*>(region));
      used_ = 0;
    }
    void* token = regions_.back() + used_;
    used_ += kTokenBytes;
    return token;
  }

  void reset() {
    for (char* region : regions_) munmap(region, kRegionBytes);
    regions_.clear();
    used_ = 0;
  }

 private:
  static constexpr std::size_t kRegionBytes = std::size_t{64} << 10;
  static constexpr std::size_t kTokenBytes = 8;  // TSan keeps one sync object per 8 bytes
  std::vector<char*> regions_;
  std::size_t used_ = 0;
};

}  // namespace cunmf_emu::detail
