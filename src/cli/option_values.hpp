// CLI11 checks of numeric option values, with messages that name the value given.
#pragma once

#include <CLI/CLI.hpp>

#include <limits>

namespace cunmf::cli {

/// A CLI11 check that the value is a whole number (decimal digits after an optional '-', nothing
/// else) from `minimum` to `maximum`; its message names the value.
CLI::Validator integer_in_range(long long minimum,
                                long long maximum = std::numeric_limits<long long>::max());
/// A CLI11 check that the value is a whole number from 0 to 2⁶⁴ − 1 (decimal digits only: no
/// sign, so that "-1" does not wrap around); its message names the value.
CLI::Validator unsigned_64_bit_integer();
/// A CLI11 check that the value is a finite number >= `minimum`; its message names the value.
CLI::Validator number_at_least(double minimum);

}  // namespace cunmf::cli
