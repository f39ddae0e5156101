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

/// Adds `cunmf transform` (H for data on a W read from a file, held fixed) to `app`.
CommandAction add_transform_command(CLI::App& app);

/// Adds `cunmf info` (version, build flavour, CUDA device, OpenMP threads) to `app`.
CommandAction add_info_command(CLI::App& app);

/// The exit codes of `cunmf` (README "Command line"); main.cpp maps each exception to one.
inline constexpr int kExitSuccess = 0;
/// An unexpected failure: out of host memory, or an error of no other kind (a bug).
inline constexpr int kExitInternalError = 1;
/// Invalid input or arguments: a usage error, cunmf::InvalidArgument, an invalid matrix entry.
inline constexpr int kExitUsageError = 2;
/// An I/O problem: cunmf::IoError (a missing, unreadable or malformed file, an unwritable output).
inline constexpr int kExitIoError = 3;
/// Reserved for numerical failures (a cunmf::NumericalError, not thrown yet).
inline constexpr int kExitNumericalError = 4;
/// A device problem: cunmf::DeviceUnavailable, cunmf::CudaError, cunmf::DeviceOutOfMemory.
inline constexpr int kExitDeviceError = 5;

}  // namespace cunmf::cli
