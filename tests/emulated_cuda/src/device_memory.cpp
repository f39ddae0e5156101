// Device memory of the emulated CUDA device: the allocation registry, the NaN fill,
// AddressSanitizer poisoning of device memory while no device work runs, the quarantine of freed
// blocks, the byte counters (current, peak) and the leak report at exit.
#include "device_memory.hpp"

#include <sanitizer/asan_interface.h>  // ASAN_(UN)POISON_MEMORY_REGION: no-ops without ASan

#include <unistd.h>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <sstream>

#include "cunmf_emu/runtime_hooks.hpp"

namespace cunmf_emu::detail {
namespace {

constexpr std::size_t kDefaultCapacity = std::size_t{16} << 30;  // 16 GiB
constexpr std::size_t kAlignment = 256;                          // what cudaMalloc guarantees
// Freed blocks stay allocated (and poisoned) until this many bytes are held, so a stale device
// pointer cannot come back as a fresh host or device address while it is still likely to be used.
constexpr std::size_t kQuarantineBytes = std::size_t{64} << 20;
constexpr std::size_t kQuarantineBlocks = 4096;
constexpr unsigned char kNanByte = 0xFF;  // 0xFFFFFFFF / 0xFF...FF is a NaN in float and double

void poison(const Allocation& a) { ASAN_POISON_MEMORY_REGION(a.base, a.size); }
void unpoison(const Allocation& a) { ASAN_UNPOISON_MEMORY_REGION(a.base, a.size); }

std::size_t read_capacity() {
  const char* text = std::getenv("CUNMF_EMU_DEVICE_MEMORY");
  if (text == nullptr || *text == '\0') return kDefaultCapacity;
  char* end = nullptr;
  const unsigned long long bytes = std::strtoull(text, &end, 10);
  if (*end != '\0' || bytes == 0) {
    std::fprintf(stderr,
                 "cunmf_emu: CUNMF_EMU_DEVICE_MEMORY='%s' is not a positive number of bytes; "
                 "using %zu\n",
                 text, kDefaultCapacity);
    return kDefaultCapacity;
  }
  return static_cast<std::size_t>(bytes);
}

void report_leaks_at_exit();

/// The registry of live and quarantined allocations. Never destroyed (it is reached through a
/// leaked pointer), so device memory freed by other static destructors at exit stays valid.
class Registry {
 public:
  Registry() : capacity_(read_capacity()) {}

  std::size_t capacity() const { return capacity_; }

  cudaError_t allocate(void** ptr, std::size_t size) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (size > capacity_ - current_) return cudaErrorMemoryAllocation;
    void* block = nullptr;
    // posix_memalign takes any size, so ASan's redzone starts right after the requested bytes.
    if (posix_memalign(&block, kAlignment, size) != 0 || block == nullptr) {
      return cudaErrorMemoryAllocation;
    }
    std::memset(block, kNanByte, size);
    const Allocation a{static_cast<const char*>(block), size};
    live_.emplace(address(a.base), size);
    if (work_depth_ == 0) poison(a);
    current_ += size;
    if (current_ > peak_) peak_ = current_;
    if (!leak_check_registered_) {
      // Registered at the first allocation, so it runs after the destructors of statics built
      // before that point (a static that frees device memory at exit is not a leak).
      leak_check_registered_ = true;
      std::atexit(report_leaks_at_exit);
    }
    *ptr = block;
    return cudaSuccess;
  }

  cudaError_t release(void* ptr, const char* api) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto it = live_.find(address(ptr));
    if (it == live_.end()) {
      const std::string where = describe_locked(ptr);
      if (find_freed_locked(ptr)) {
        std::fprintf(stderr, "cunmf_emu: %s: double free of %p, which is %s\n", api, ptr,
                     where.c_str());
      } else {
        std::fprintf(stderr,
                     "cunmf_emu: %s: %p is not the base of a live device allocation; it is %s\n",
                     api, ptr, where.c_str());
      }
      return cudaErrorInvalidValue;
    }
    const Allocation a{reinterpret_cast<const char*>(it->first), it->second};
    live_.erase(it);
    current_ -= a.size;
    // Stale reads of a freed block see NaN, and ASan reports host reads of it (still poisoned).
    unpoison(a);
    std::memset(const_cast<char*>(a.base), kNanByte, a.size);
    poison(a);
    quarantine_.push_back(a);
    quarantine_bytes_ += a.size;
    while (quarantine_bytes_ > kQuarantineBytes || quarantine_.size() > kQuarantineBlocks) {
      const Allocation oldest = quarantine_.front();
      quarantine_.pop_front();
      quarantine_bytes_ -= oldest.size;
      unpoison(oldest);
      std::free(const_cast<char*>(oldest.base));
    }
    return cudaSuccess;
  }

  void release_all() {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& [base, size] : live_) {
      const Allocation a{reinterpret_cast<const char*>(base), size};
      unpoison(a);
      std::free(const_cast<char*>(a.base));
    }
    live_.clear();
    for (const Allocation& a : quarantine_) {
      unpoison(a);
      std::free(const_cast<char*>(a.base));
    }
    quarantine_.clear();
    quarantine_bytes_ = 0;
    current_ = 0;
    peak_ = 0;
  }

  std::optional<Allocation> find_live(const void* p) {
    std::lock_guard<std::mutex> lock(mutex_);
    return find_live_locked(p);
  }

  std::optional<Allocation> find_freed(const void* p) {
    std::lock_guard<std::mutex> lock(mutex_);
    return find_freed_locked(p);
  }

  std::string describe(const void* p) {
    std::lock_guard<std::mutex> lock(mutex_);
    return describe_locked(p);
  }

  void begin_device_work() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (work_depth_++ == 0) {
      for (const auto& [base, size] : live_) {
        unpoison(Allocation{reinterpret_cast<const char*>(base), size});
      }
    }
  }

  void end_device_work() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (--work_depth_ == 0) {
      for (const auto& [base, size] : live_) {
        poison(Allocation{reinterpret_cast<const char*>(base), size});
      }
    }
  }

  Allocation begin_copy(const void* p) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto a = find_live_locked(p);
    if (!a) return Allocation{};
    unpoison(*a);
    return *a;
  }

  void end_copy(const Allocation& a) {
    if (a.base == nullptr) return;
    std::lock_guard<std::mutex> lock(mutex_);
    // Device work started meanwhile (another thread) keeps it addressable; its end poisons it.
    if (work_depth_ == 0 && live_.count(address(a.base)) != 0) poison(a);
  }

  std::size_t current() {
    std::lock_guard<std::mutex> lock(mutex_);
    return current_;
  }
  std::size_t peak() {
    std::lock_guard<std::mutex> lock(mutex_);
    return peak_;
  }
  void reset_peak() {
    std::lock_guard<std::mutex> lock(mutex_);
    peak_ = current_;
  }

  /// Prints the live allocations; returns how many there were.
  std::size_t report_leaks() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (live_.empty()) return 0;
    std::size_t total = 0;
    for (const auto& entry : live_) total += entry.second;
    std::fprintf(stderr,
                 "cunmf_emu: device memory leak: %zu allocation(s), %zu bytes in total, still "
                 "live at exit:\n",
                 live_.size(), total);
    for (const auto& [base, size] : live_) {
      std::fprintf(stderr, "cunmf_emu:   %zu bytes at %p\n", size,
                   reinterpret_cast<const void*>(base));
    }
    std::fprintf(stderr,
                 "cunmf_emu: every cudaMalloc needs its cudaFree (or call cudaDeviceReset before "
                 "exit)\n");
    return live_.size();
  }

 private:
  static std::uintptr_t address(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }

  std::optional<Allocation> find_live_locked(const void* p) const {
    const std::uintptr_t q = address(p);
    auto it = live_.upper_bound(q);
    if (it == live_.begin()) return std::nullopt;
    --it;
    if (q - it->first >= it->second) return std::nullopt;
    return Allocation{reinterpret_cast<const char*>(it->first), it->second};
  }

  std::optional<Allocation> find_freed_locked(const void* p) const {
    const char* q = static_cast<const char*>(p);
    // Newest first: if a block's address range was freed twice, the latest one is meant.
    for (auto it = quarantine_.rbegin(); it != quarantine_.rend(); ++it) {
      if (q >= it->base && q < it->base + it->size) return *it;
    }
    return std::nullopt;
  }

  std::string describe_locked(const void* p) const {
    std::ostringstream out;
    if (const auto a = find_live_locked(p)) {
      out << "inside a live device allocation of " << a->size << " bytes at "
          << static_cast<const void*>(a->base) << " (offset "
          << (static_cast<const char*>(p) - a->base) << ")";
    } else if (const auto f = find_freed_locked(p)) {
      out << "inside a FREED device allocation of " << f->size << " bytes at "
          << static_cast<const void*>(f->base) << " (offset "
          << (static_cast<const char*>(p) - f->base) << ")";
    } else if (p == nullptr) {
      out << "a null pointer";
    } else {
      out << "not device memory (host memory, or device memory freed long ago)";
    }
    return out.str();
  }

  std::mutex mutex_;
  const std::size_t capacity_;
  std::map<std::uintptr_t, std::size_t> live_;  // base -> size
  std::deque<Allocation> quarantine_;           // oldest first
  std::size_t quarantine_bytes_ = 0;
  std::size_t current_ = 0;
  std::size_t peak_ = 0;
  int work_depth_ = 0;
  bool leak_check_registered_ = false;
};

Registry& registry() {
  static Registry* const instance = new Registry();  // never destroyed, see Registry
  return *instance;
}

void report_leaks_at_exit() {
  if (registry().report_leaks() != 0) {
    std::fflush(stderr);
    // A leak fails the process, as a sanitizer's leak report does; _exit because exit() is
    // already running.
    _exit(1);
  }
}

}  // namespace

std::size_t device_capacity() { return registry().capacity(); }

cudaError_t allocate(void** ptr, std::size_t size) { return registry().allocate(ptr, size); }

cudaError_t release(void* ptr, const char* api) { return registry().release(ptr, api); }

void release_all() { registry().release_all(); }

std::optional<Allocation> find_live(const void* p) { return registry().find_live(p); }

std::optional<Allocation> find_freed(const void* p) { return registry().find_freed(p); }

std::string describe(const void* p) { return registry().describe(p); }

bool check_device_range(const void* p, std::size_t bytes, const char* api, const char* what) {
  if (const auto a = find_live(p)) {
    const std::size_t offset = static_cast<std::size_t>(static_cast<const char*>(p) - a->base);
    if (bytes <= a->size - offset) return true;
    std::fprintf(stderr,
                 "cunmf_emu: %s: %s (%p) reaches %zu bytes past the end of its device allocation "
                 "(%zu bytes at %p; access of %zu bytes at offset %zu)\n",
                 api, what, p, bytes - (a->size - offset), a->size,
                 static_cast<const void*>(a->base), bytes, offset);
    return false;
  }
  if (find_freed(p)) {
    std::fprintf(stderr, "cunmf_emu: %s: use after free: %s (%p) is %s\n", api, what, p,
                 describe(p).c_str());
    return false;
  }
  std::fprintf(stderr, "cunmf_emu: %s: %s (%p) must be device memory, but it is %s\n", api, what, p,
               describe(p).c_str());
  return false;
}

DeviceWorkScope::DeviceWorkScope() { registry().begin_device_work(); }
DeviceWorkScope::~DeviceWorkScope() { registry().end_device_work(); }

CopyScope::CopyScope(const void* a, const void* b) {
  touched_[0] = registry().begin_copy(a);
  // One allocation touched twice (a copy inside one buffer) is unpoisoned and poisoned once.
  const auto other = find_live(b);
  const bool same = other && touched_[0].base == other->base;
  touched_[1] = same ? Allocation{} : registry().begin_copy(b);
}

CopyScope::~CopyScope() {
  registry().end_copy(touched_[1]);
  registry().end_copy(touched_[0]);
}

}  // namespace cunmf_emu::detail

namespace cunmf_emu {

bool is_device_pointer(const void* p) { return p == nullptr || detail::find_live(p).has_value(); }

std::size_t peak_device_bytes() { return detail::registry().peak(); }

std::size_t current_device_bytes() { return detail::registry().current(); }

void reset_peak_device_bytes() { detail::registry().reset_peak(); }

}  // namespace cunmf_emu
