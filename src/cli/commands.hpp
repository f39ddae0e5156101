// The `cunmf` subcommands: each adds itself to the parser and returns the exit code when run.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace cunmf::cli {

/// What a subcommand runs once parsing succeeded; returns the process exit code.
using CommandAction = std::function<int()>;

/// Adds `cunmf demo` (a factorization of a built-in planted example) to `app`.
CommandAction add_demo_command(CLI::App& app);

/// Adds `cunmf factorize` (factorize a matrix read from a file, write W and H) to `app`.
CommandAction add_factorize_command(CLI::App& app);

/// Adds `cunmf info` (version, build flavour, CUDA device, OpenMP threads) to `app`.
CommandAction add_info_command(CLI::App& app);

/// Exit codes: 0 success, 1 runtime error, 2 usage error.
inline constexpr int kExitRuntimeError = 1;
inline constexpr int kExitUsageError = 2;

}  // namespace cunmf::cli
