// The digest of every byte the emulated device hands to the host: device-to-host copies
// (cudaMemcpy, cudaMemcpyAsync when it runs) and cuBLAS results written through host pointers.
// scripts/test-emulated.sh runs every GPU test under two seeded orders and compares the digests:
// a float atomicAdd in a reduction rounds differently in each order, which no test of one run can
// see. Internal to the emulated device and its tests; not for project code.
#pragma once

#include <cstdint>

namespace cunmf_emu {

struct HostDigest {
  std::uint64_t value = 0;   // independent of the order of the copies (concurrent host threads)
  std::uint64_t copies = 0;  // how many transfers went into it
  std::uint64_t bytes = 0;
};

/// What this process has received from the device so far. When CUNMF_EMU_DIGEST_DIR names a
/// directory, the process appends its digest there at exit, to <pid>.digest.
HostDigest host_digest();

}  // namespace cunmf_emu
