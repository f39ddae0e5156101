// The live handles of an emulated library (cuBLAS, cuSOLVER): each handle is an opaque pointer to
// a `Settings` made by create(), valid until destroy(). Calls look their handle up here, so a null,
// destroyed or made-up handle is recognised (the libraries' NOT_INITIALIZED). Private to the
// emulated device.
#pragma once

#include <cuda_runtime_api.h>

#include <mutex>
#include <unordered_set>

namespace cunmf_emu::detail {

template <class Settings>
class HandleRegistry {
 public:
  /// A new live handle with default settings.
  Settings* create() {
    auto* settings = new Settings();
    std::lock_guard<std::mutex> lock(mutex_);
    live_.insert(settings);
    return settings;
  }

  /// Deletes a live handle; false when `handle` is not one. As the real libraries do, it first
  /// waits for the device, since work queued with the handle may still be pending.
  bool destroy(const void* handle) {
    if (!update(handle, [](Settings&) {})) return false;
    cudaDeviceSynchronize();
    std::lock_guard<std::mutex> lock(mutex_);
    const auto found = live_.find(static_cast<const Settings*>(handle));
    if (found == live_.end()) return false;  // destroyed by another thread meanwhile
    live_.erase(found);
    delete static_cast<const Settings*>(handle);
    return true;
  }

  /// Copies a live handle's settings out (work queued by a call uses the settings of that call);
  /// false when `handle` is not a live handle.
  bool find(const void* handle, Settings* settings) const {
    std::lock_guard<std::mutex> lock(mutex_);
    if (handle == nullptr || live_.count(static_cast<const Settings*>(handle)) == 0) return false;
    *settings = *static_cast<const Settings*>(handle);
    return true;
  }

  /// The number of live handles.
  std::size_t size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return live_.size();
  }

  /// Calls change(settings) on a live handle under the registry's lock; false when `handle` is not
  /// a live handle.
  template <class Change>
  bool update(const void* handle, Change change) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (handle == nullptr || live_.count(static_cast<const Settings*>(handle)) == 0) return false;
    change(*const_cast<Settings*>(static_cast<const Settings*>(handle)));
    return true;
  }

 private:
  mutable std::mutex mutex_;
  std::unordered_set<const Settings*> live_;
};

}  // namespace cunmf_emu::detail
