// The digest of what the emulated device hands to the host (include/cunmf_emu/host_digest.hpp).
// Each transfer is hashed on its own and the hashes are added, so the digest does not depend on
// the order in which host threads receive their results, only on the bytes.
#include "cunmf_emu/host_digest.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "run_order.hpp"
#include "runtime_internal.hpp"

namespace cunmf_emu::detail {
namespace {

std::atomic<std::uint64_t> g_value{0};
std::atomic<std::uint64_t> g_copies{0};
std::atomic<std::uint64_t> g_bytes{0};

/// FNV-1a over 8-byte words: each step is a bijection of the running hash, so two transfers that
/// differ in a single word always hash differently.
std::uint64_t hash_bytes(const unsigned char* data, std::size_t bytes) {
  constexpr std::uint64_t kPrime = 0x100000001b3ull;
  std::uint64_t h = 0xcbf29ce484222325ull;
  std::size_t i = 0;
  for (; i + 8 <= bytes; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, data + i, 8);
    h = (h ^ word) * kPrime;
  }
  for (; i < bytes; ++i) h = (h ^ data[i]) * kPrime;
  return h;
}

/// The name ctest gives the test this process runs: "binary:Suite.Case" for a gtest case run with
/// --gtest_filter (gtest_discover_tests' TEST_PREFIX is the binary's name), otherwise the
/// binary's name followed by its arguments.
std::string test_name() {
  std::ifstream file("/proc/self/cmdline", std::ios::binary);
  const std::string cmdline((std::istreambuf_iterator<char>(file)),
                            std::istreambuf_iterator<char>());
  std::vector<std::string> args;
  for (std::size_t begin = 0; begin < cmdline.size();) {
    const std::size_t end = cmdline.find('\0', begin);
    args.push_back(
        cmdline.substr(begin, end == std::string::npos ? std::string::npos : end - begin));
    begin = end == std::string::npos ? cmdline.size() : end + 1;
  }
  if (args.empty()) return "unknown";
  std::string name = args[0].substr(args[0].find_last_of('/') + 1);
  constexpr const char* kFilter = "--gtest_filter=";
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i].rfind(kFilter, 0) == 0) return name + ":" + args[i].substr(std::strlen(kFilter));
  }
  for (std::size_t i = 1; i < args.size(); ++i) name += " " + args[i];
  for (char& c : name) {
    if (c == '\t' || c == '\n') c = ' ';  // the file's separators
  }
  return name;
}

/// Appends "<test name>\t<digest>\t<copies>\t<bytes>" to CUNMF_EMU_DIGEST_DIR/<pid>.digest at exit
/// (appends: a pid used again by a later process adds a line instead of hiding one).
struct WriteDigestAtExit {
  ~WriteDigestAtExit() {
    const char* dir = std::getenv("CUNMF_EMU_DIGEST_DIR");
    if (dir == nullptr || *dir == '\0') return;
    const std::string path = std::string(dir) + "/" + std::to_string(getpid()) + ".digest";
    std::FILE* file = std::fopen(path.c_str(), "a");
    if (file == nullptr) {
      std::fprintf(stderr, "cunmf_emu: cannot write the host digest to %s\n", path.c_str());
      return;
    }
    const HostDigest d = host_digest();
    std::fprintf(file, "%s\t%016llx\t%llu\t%llu\n", test_name().c_str(),
                 static_cast<unsigned long long>(d.value),
                 static_cast<unsigned long long>(d.copies),
                 static_cast<unsigned long long>(d.bytes));
    std::fclose(file);
  }
} g_write_digest_at_exit;

}  // namespace

void add_to_host_digest(const void* data, std::size_t bytes) {
  const std::uint64_t h = hash_bytes(static_cast<const unsigned char*>(data), bytes);
  g_value.fetch_add(mix(h ^ mix(bytes)), std::memory_order_relaxed);
  g_copies.fetch_add(1, std::memory_order_relaxed);
  g_bytes.fetch_add(bytes, std::memory_order_relaxed);
}

}  // namespace cunmf_emu::detail

namespace cunmf_emu {

HostDigest host_digest() {
  using namespace detail;
  HostDigest d;
  d.value = g_value.load(std::memory_order_relaxed);
  d.copies = g_copies.load(std::memory_order_relaxed);
  d.bytes = g_bytes.load(std::memory_order_relaxed);
  return d;
}

}  // namespace cunmf_emu
