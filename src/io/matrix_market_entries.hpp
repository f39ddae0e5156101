// Parsing the entries of a Matrix Market file, once per format: for_each_coordinate_entry
// (`row column [value]` lines) and for_each_array_value (values column by column), each handing
// the entries to a visitor that fills a CSR or a dense matrix.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cunmf/io.hpp"
#include "text_reader.hpp"

namespace cunmf::io::detail {

/// Parses a 1-based index token and checks it against [1, limit]; returns it 0-based.
inline std::int64_t parse_index(const TextReader& reader, std::string_view token,
                                std::int64_t limit, const char* what) {
  std::int64_t index = 0;
  const ParseStatus status = parse_integer(token, index);
  if (status == ParseStatus::Invalid) {
    reader.fail(std::string(what) + " index " + quoted(token) + " is not an integer");
  }
  if (status == ParseStatus::OutOfRange || index < 1 || index > limit) {
    reader.fail(std::string(what) + " index " + std::string(token) + " out of range [1, " +
                std::to_string(limit) + "]");
  }
  return index - 1;
}

/// Calls visit(row, col, value) (0-based indices) for every entry of a coordinate file, in file
/// order, checking each line and the entry count.
template <class T, class Visit>
void for_each_coordinate_entry(TextReader& reader, const MatrixMarketHeader& header,
                               bool require_nonnegative, Visit&& visit) {
  const bool pattern = header.field == MatrixMarketField::Pattern;
  const bool integer_only = header.field == MatrixMarketField::Integer;
  const char* expected = pattern ? "expected 'row column'" : "expected 'row column value'";
  std::int64_t count = 0;
  std::string_view line;
  while (reader.next_line(line)) {
    Tokens tokens(line);
    std::string_view token;
    if (!tokens.next(token) || token.front() == '%') continue;  // blank or comment
    if (count == header.nnz) {
      reader.fail("more entries than the " + std::to_string(header.nnz) +
                  " declared on the size line");
    }
    const std::int64_t i = parse_index(reader, token, header.rows, "row");
    if (!tokens.next(token)) reader.fail(std::string("missing column index: ") + expected);
    const std::int64_t j = parse_index(reader, token, header.cols, "column");
    T value = T(1);
    if (!pattern) {
      if (!tokens.next(token)) reader.fail(std::string("missing value: ") + expected);
      value = parse_value<T>(reader, token, 0, integer_only, require_nonnegative);
    }
    if (tokens.next(token)) {
      reader.fail("unexpected " + quoted(token) + " after the entry: " + expected);
    }
    visit(i, j, value);
    ++count;
  }
  if (count < header.nnz) {
    reader.fail("end of file after " + std::to_string(count) + " of the " +
                std::to_string(header.nnz) + " entries declared on the size line");
  }
}

/// Calls visit(row, col, value) for every value of an array file, column by column (for a
/// symmetric matrix, the lower triangle of each column), checking the value count. Several
/// values on one line are accepted.
template <class T, class Visit>
void for_each_array_value(TextReader& reader, const MatrixMarketHeader& header,
                          bool require_nonnegative, Visit&& visit) {
  const bool symmetric = header.symmetry == MatrixMarketSymmetry::Symmetric;
  const bool integer_only = header.field == MatrixMarketField::Integer;
  std::int64_t count = 0;
  std::int64_t i = 0;
  std::int64_t j = 0;
  std::string_view line;
  while (reader.next_line(line)) {
    Tokens tokens(line);
    std::string_view token;
    while (tokens.next(token)) {
      if (token.front() == '%') break;  // a comment line
      if (count == header.nnz) {
        reader.fail("more values than the " + std::to_string(header.nnz) + " of a " +
                    std::to_string(header.rows) + " x " + std::to_string(header.cols) +
                    (symmetric ? " symmetric array" : " array"));
      }
      visit(i, j, parse_value<T>(reader, token, 0, integer_only, require_nonnegative));
      ++count;
      if (++i == header.rows) {
        ++j;
        i = symmetric ? j : 0;
      }
    }
  }
  if (count < header.nnz) {
    reader.fail("end of file after " + std::to_string(count) + " of the " +
                std::to_string(header.nnz) + " values of a " + std::to_string(header.rows) + " x " +
                std::to_string(header.cols) + (symmetric ? " symmetric array" : " array"));
  }
}

}  // namespace cunmf::io::detail
