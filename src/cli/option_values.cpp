// The numeric option checks of the `cunmf` command (option_values.hpp).
#include "option_values.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <string>
#include <system_error>

#include "json.hpp"

namespace cunmf::cli {

CLI::Validator integer_in_range(long long minimum, long long maximum) {
  const std::string low = std::to_string(minimum);
  const std::string high = std::to_string(maximum);
  const std::string range = maximum == std::numeric_limits<long long>::max()
                                ? ">= " + low
                                : "from " + low + " to " + high;
  return CLI::Validator(
      [minimum, maximum, range](std::string& text) -> std::string {
        long long value = 0;
        const char* end = text.data() + text.size();
        const auto [ptr, error] = std::from_chars(text.data(), end, value);
        if (text.empty() || ptr != end ||
            (error != std::errc() && error != std::errc::result_out_of_range)) {
          return "expected a whole number " + range + ", got '" + text + "'";
        }
        if (error == std::errc::result_out_of_range || value < minimum || value > maximum) {
          return "must be " + range + ", got " + text;
        }
        return {};
      },
      maximum == std::numeric_limits<long long>::max() ? "INT>=" + low
                                                       : "INT in [" + low + ", " + high + "]");
}

CLI::Validator unsigned_64_bit_integer() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        std::uint64_t value = 0;
        const char* end = text.data() + text.size();
        const auto [ptr, error] = std::from_chars(text.data(), end, value);
        const bool digits_only = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
          return c >= '0' && c <= '9';
        });
        if (!digits_only || ptr != end) {
          return "expected a whole number from 0 to 18446744073709551615, got '" + text + "'";
        }
        if (error != std::errc()) return "must be <= 18446744073709551615, got " + text;
        return {};
      },
      "UINT64");
}

CLI::Validator number_at_least(double minimum) {
  const std::string bound = json_number(minimum);
  return CLI::Validator(
      [minimum, bound](std::string& text) -> std::string {
        std::size_t used = 0;
        double value = 0.0;
        try {
          value = std::stod(text, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (used == 0 || used != text.size() || !std::isfinite(value)) {
          return "expected a finite number >= " + bound + ", got '" + text + "'";
        }
        if (value < minimum) return "must be >= " + bound + ", got " + text;
        return {};
      },
      "NUMBER>=" + bound);
}

}  // namespace cunmf::cli
