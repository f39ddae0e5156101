// Parsing the head of a Matrix Market file: the banner
// ("%%MatrixMarket matrix <format> <field> <symmetry>") and the size line, with the comment lines
// between them.
#pragma once

#include "cunmf/io.hpp"
#include "text_reader.hpp"

namespace cunmf::io::detail {

/// Reads the banner and the size line, leaving `reader` at the first entry. Throws IoError naming
/// the line of a problem (a missing or unsupported banner, a malformed size line).
MatrixMarketHeader parse_matrix_market_header(TextReader& reader);

}  // namespace cunmf::io::detail
