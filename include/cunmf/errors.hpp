// The exception types cuNMF throws. Every error derives from cunmf::Error; nothing aborts.
#pragma once

#include <stdexcept>
#include <string>

namespace cunmf {

/// Base of every exception thrown by cuNMF.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// An argument was invalid: bad shape, rank, option, or a negative/NaN/Inf matrix entry.
class InvalidArgument : public Error {
 public:
  using Error::Error;
};

/// A CUDA runtime, cuBLAS or cuSPARSE call failed. The message reads
/// `file:line: expression: error-name: description`.
class CudaError : public Error {
 public:
  using Error::Error;
};

/// The device ran out of memory while cuNMF allocated its buffers; the message says how many
/// bytes were asked for and how many were free.
class DeviceOutOfMemory : public CudaError {
 public:
  using CudaError::CudaError;
};
/// The former name of DeviceOutOfMemory.
using OutOfMemory = DeviceOutOfMemory;

/// The CUDA backend was requested but no usable device exists (or cuNMF was built without CUDA).
class DeviceUnavailable : public Error {
 public:
  using Error::Error;
};

/// The computation produced a non-finite value (a NaN or an infinite loss, which any non-finite
/// factor entry causes); the message names the iteration and the cause. Never silently returned.
class NumericalError : public Error {
 public:
  using Error::Error;
};

/// The run was stopped because Options::should_stop returned true; the message names the
/// iteration after which it stopped.
class Cancelled : public Error {
 public:
  using Error::Error;
};

/// A file could not be read or written: the message names the file, the place and the problem.
class IoError : public Error {
 public:
  using Error::Error;
};

/// A file holds an entry its matrix may not: a negative, NaN or infinite value where a
/// non-negative matrix is required (`require_nonnegative` of the readers). The message names the
/// file, the place and the value. It is an IoError (the file is bad), and the `cunmf` command
/// reports it as invalid input (exit 2).
class InvalidEntryError : public IoError {
 public:
  using IoError::IoError;
};

}  // namespace cunmf
