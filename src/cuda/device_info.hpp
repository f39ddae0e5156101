// Device discovery for the CUDA backend, declared without CUDA types.
#pragma once

namespace cunmf::cuda_backend {

/// True when a CUDA device (real or emulated) is usable.
bool device_available();

/// One line naming the device, or why there is none.
const char* device_description();

}  // namespace cunmf::cuda_backend
