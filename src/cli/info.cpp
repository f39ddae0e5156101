// `cunmf info`: the library version, how it was built, the CUDA device it would use (or why there
// is none), and the number of OpenMP threads the CPU backend runs on.
#include <omp.h>

#include <cstdio>
#include <string>

#include "commands.hpp"
#include "cunmf/cunmf.hpp"

namespace cunmf::cli {

namespace {

int run_info() {
  std::printf("cuNMF %s\n", version());
  std::printf("build          %s\n", build_flavor());
  const std::string device = cuda_device_description();
  if (cuda_available() || device.rfind("none", 0) == 0) {
    std::printf("CUDA device    %s\n", device.c_str());
  } else {
    std::printf("CUDA device    none: %s\n", device.c_str());
  }
  std::printf("OpenMP threads %d\n", omp_get_max_threads());
  return 0;
}

}  // namespace

CommandAction add_info_command(CLI::App& app) {
  app.add_subcommand("info", "Show the version, the build, the CUDA device and the CPU threads");
  return [] { return run_info(); };
}

}  // namespace cunmf::cli
