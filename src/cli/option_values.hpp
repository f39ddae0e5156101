// CLI11 checks of numeric option values, with messages that name the value given.
#pragma once

#include <CLI/CLI.hpp>

namespace cunmf::cli {

/// A CLI11 check that the value is a whole number >= `minimum`; its message names the value.
CLI::Validator integer_at_least(long long minimum);
/// A CLI11 check that the value is a finite number >= `minimum`; its message names the value.
CLI::Validator number_at_least(double minimum);

}  // namespace cunmf::cli
