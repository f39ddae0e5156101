// A small JSON writer for the `cunmf factorize --summary` file: string and number literals, an
// object built field by field, and writing the text to a file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cunmf::cli {

/// `text` as a JSON string literal: quoted, with `"`, `\` and control characters escaped.
std::string json_string(std::string_view text);
/// `value` as a JSON number with every digit (%.17g); `null` when it is NaN or infinite.
std::string json_number(double value);

/// A JSON object built field by field, in insertion order, printed with two-space indentation.
class JsonObject {
 public:
  JsonObject& add(const std::string& key, const std::string& value);
  JsonObject& add(const std::string& key, const char* value);
  JsonObject& add(const std::string& key, double value);
  JsonObject& add(const std::string& key, std::int64_t value);
  JsonObject& add(const std::string& key, int value);
  JsonObject& add(const std::string& key, bool value);
  /// A number, or null when `value` is empty.
  JsonObject& add(const std::string& key, std::optional<double> value);
  /// An array of numbers.
  JsonObject& add(const std::string& key, const std::vector<double>& values);
  JsonObject& add(const std::string& key, const std::vector<int>& values);
  /// The object as text, ending in a newline.
  std::string str() const;

 private:
  JsonObject& add_raw(const std::string& key, std::string json);
  std::vector<std::pair<std::string, std::string>> fields_;
};

/// Writes `text` to `path`. Throws IoError naming the file when it cannot be written.
void write_text_file(const std::string& path, const std::string& text);

}  // namespace cunmf::cli
