// The names the `cunmf` command gives the library's enums in its output.
#pragma once

#include "cunmf/cunmf.hpp"

namespace cunmf::cli {

/// "cpu" or "cuda" (or "auto").
const char* backend_name(Backend backend);

}  // namespace cunmf::cli
