// The library version and build flavour.
#include "cunmf/version.hpp"

namespace cunmf {

const char* version() { return CUNMF_VERSION; }

const char* build_flavor() {
#if defined(CUNMF_CUDA_EMULATION)
  return "cuda-emulated";
#elif defined(CUNMF_WITH_CUDA)
  return "cuda";
#else
  return "cpu";
#endif
}

}  // namespace cunmf
