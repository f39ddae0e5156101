// The test hooks for failures a real GPU shows only under conditions a test cannot arrange
// (runtime_hooks.hpp): a machine without a device, a library handle that cannot be created.
#include <atomic>

#include "cunmf_emu/runtime_hooks.hpp"
#include "runtime_internal.hpp"

namespace cunmf_emu::detail {
namespace {

std::atomic<bool> g_device_present{true};
// One flag per Library: set by fail_next_handle_creation, cleared by the creation it fails.
std::atomic<bool> g_fail_creation[3] = {false, false, false};

std::atomic<bool>& creation_flag(Library library) {
  return g_fail_creation[static_cast<int>(library)];
}

}  // namespace

bool device_present() { return g_device_present.load(); }

bool take_handle_creation_failure(Library library) {
  return creation_flag(library).exchange(false);
}

}  // namespace cunmf_emu::detail

namespace cunmf_emu {

void set_device_present(bool present) { detail::g_device_present.store(present); }

void fail_next_handle_creation(Library library) { detail::creation_flag(library).store(true); }

std::size_t live_library_handles() {
  return detail::live_cublas_handles() + detail::live_cusparse_handles() +
         detail::live_cusolver_handles();
}

}  // namespace cunmf_emu
