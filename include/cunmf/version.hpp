// The library version and how it was built.
#pragma once

namespace cunmf {

/// The library version, "MAJOR.MINOR.PATCH".
const char* version();

/// The build configuration: "cpu", "cuda" or "cuda-emulated".
const char* build_flavor();

}  // namespace cunmf
