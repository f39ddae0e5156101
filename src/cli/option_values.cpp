// The numeric option checks of the `cunmf` command (option_values.hpp).
#include "option_values.hpp"

#include <cmath>
#include <exception>
#include <string>

#include "json.hpp"

namespace cunmf::cli {

CLI::Validator integer_at_least(long long minimum) {
  const std::string bound = std::to_string(minimum);
  return CLI::Validator(
      [minimum, bound](std::string& text) -> std::string {
        std::size_t used = 0;
        long long value = 0;
        try {
          value = std::stoll(text, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (used == 0 || used != text.size()) {
          return "expected a whole number >= " + bound + ", got '" + text + "'";
        }
        if (value < minimum) return "must be >= " + bound + ", got " + text;
        return {};
      },
      "INT>=" + bound);
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
