// CSV reading and writing of dense matrices (io.hpp): one matrix row per line, values separated
// by commas, numbers only.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <istream>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "cunmf/io.hpp"
#include "io_support.hpp"
#include "text_reader.hpp"
#include "text_writer.hpp"

namespace cunmf::io {

namespace {

template <class T>
DenseMatrix<T> read_csv_lines(detail::TextReader& reader, bool require_nonnegative) {
  // The row count is known only at the end, so values collect in a vector and are copied into
  // the matrix once (DenseMatrix cannot adopt a vector).
  std::vector<T> values;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::int64_t first_line = 0;
  std::string_view line;
  while (reader.next_line(line)) {
    if (detail::trim(line).empty()) continue;
    std::int64_t column = 0;
    for (std::size_t start = 0;;) {
      const std::size_t comma = line.find(',', start);
      const std::string_view field = detail::trim(
          line.substr(start, comma == std::string_view::npos ? line.npos : comma - start));
      ++column;
      if (field.empty()) reader.fail("column " + std::to_string(column) + ": empty value");
      if (rows == 0) {
        // Name the likely cause when the first row is not numbers: a header line.
        T probe{};
        if (detail::parse_real(field, probe) == detail::ParseStatus::Invalid) {
          reader.fail("column " + std::to_string(column) + ": value " + detail::quoted(field) +
                      " is not a number (a header line is not supported)");
        }
      }
      values.push_back(detail::parse_value<T>(reader, field, column, false, require_nonnegative));
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    if (rows == 0) {
      cols = column;
      first_line = reader.line_number();
    } else if (column != cols) {
      reader.fail("row has " + std::to_string(column) + " values, but the first row (line " +
                  std::to_string(first_line) + ") has " + std::to_string(cols));
    }
    ++rows;
  }
  if (rows == 0) detail::fail(reader.name(), "no values: the file is empty");
  DenseMatrix<T> A(rows, cols);
  std::copy(values.begin(), values.end(), A.data());
  return A;
}

template <class T>
void write_csv_stream(std::ostream& out, const std::string& name, DenseView<const T> A) {
  detail::validate_dense(A, "write_csv");
  detail::TextWriter writer(out, name);
  for (std::int64_t i = 0; i < A.rows; ++i) {
    for (std::int64_t j = 0; j < A.cols; ++j) {
      if (j > 0) writer.put(',');
      writer.put_number(A(i, j));
    }
    writer.put('\n');
  }
  writer.finish();
}

template <class T>
void write_csv_file(const std::filesystem::path& path, DenseView<const T> A) {
  std::ofstream out = detail::open_for_writing(path);
  write_csv_stream(out, path.string(), A);
}

}  // namespace

template <class T>
DenseMatrix<T> read_csv(std::istream& in, const std::string& name, bool require_nonnegative) {
  detail::TextReader reader(in, name);
  return detail::reporting_allocation_failure(
      name, [&] { return read_csv_lines<T>(reader, require_nonnegative); });
}

template <class T>
DenseMatrix<T> read_csv(const std::filesystem::path& path, bool require_nonnegative) {
  std::ifstream in = detail::open_for_reading(path);
  return read_csv<T>(in, path.string(), require_nonnegative);
}

void write_csv(std::ostream& out, const std::string& name, DenseView<const float> A) {
  write_csv_stream(out, name, A);
}
void write_csv(std::ostream& out, const std::string& name, DenseView<const double> A) {
  write_csv_stream(out, name, A);
}
void write_csv(const std::filesystem::path& path, DenseView<const float> A) {
  write_csv_file(path, A);
}
void write_csv(const std::filesystem::path& path, DenseView<const double> A) {
  write_csv_file(path, A);
}

template DenseMatrix<float> read_csv<float>(const std::filesystem::path&, bool);
template DenseMatrix<float> read_csv<float>(std::istream&, const std::string&, bool);
template DenseMatrix<double> read_csv<double>(const std::filesystem::path&, bool);
template DenseMatrix<double> read_csv<double>(std::istream&, const std::string&, bool);

}  // namespace cunmf::io
