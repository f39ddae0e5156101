// detail::launch: the only place a kernel is launched (DESIGN.md rule 5). Under nvcc it is the
// triple-chevron launch followed by a launch check; in the emulated build the emulated device runs
// the kernel on the CPU. A Debug build synchronizes after each launch so a fault is reported at
// the launch that caused it.
#pragma once

#include <cuda_runtime.h>

#include "cuda_check.cuh"

namespace cunmf::detail {

/// Launches `kernel` on `stream` with the given configuration and checks the launch.
/// Throws cunmf::CudaError when the launch is rejected (bad configuration, earlier fault).
template <class... Params, class... Args>
void launch(void (*kernel)(Params...), dim3 grid, dim3 block, std::size_t shared_bytes,
            cudaStream_t stream, Args&&... args) {
#if defined(CUNMF_CUDA_EMULATION)
  CUNMF_CUDA_CHECK(::cunmf_emu::launch_kernel(kernel, grid, block, shared_bytes, stream,
                                              static_cast<Params>(args)...));
#else
  kernel<<<grid, block, shared_bytes, stream>>>(static_cast<Params>(args)...);
  CUNMF_CUDA_CHECK(cudaPeekAtLastError());
#endif
#if !defined(NDEBUG)
  CUNMF_CUDA_CHECK(cudaStreamSynchronize(stream));
#endif
}

}  // namespace cunmf::detail
