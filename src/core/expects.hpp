// CUNMF_EXPECTS(cond, message): the argument check of public entry points (DESIGN.md rule 4).
#pragma once

#include <string>

#include "cunmf/errors.hpp"

/// Throws cunmf::InvalidArgument("cunmf: " + message) unless cond holds; `message` (anything that
/// concatenates with std::string) is evaluated only when cond fails.
#define CUNMF_EXPECTS(cond, message)                                                 \
  do {                                                                               \
    if (!(cond)) throw ::cunmf::InvalidArgument(std::string("cunmf: ") + (message)); \
  } while (0)
