// The subset of the ZIP format that NumPy's .npz archives use, as cuNMF writes them: ZIP64 records,
// stored (uncompressed) entries, CRC-32 from zlib. The writer makes archives that numpy.load and
// Python's zipfile read; the reader takes exactly what the writer makes and refuses anything else
// with an IoError naming the byte offset (a compressed entry, a bad signature, a size beyond the
// file, a CRC mismatch), allocating nothing beyond the file's own bytes.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace cunmf::io::detail {

/// One member of an archive: its name and its bytes.
struct ArchiveEntry {
  std::string name;
  std::string bytes;
};

/// Writes `entries` as a ZIP64 archive of stored entries to `out`; `name` stands for the file in
/// messages. Throws IoError when a write fails.
void write_stored_zip(std::ostream& out, const std::string& name,
                      const std::vector<ArchiveEntry>& entries);

/// The entries of a ZIP archive of stored entries held in `archive` (a whole file's bytes), in
/// their order. Throws IoError naming `name` and the byte offset of what is wrong.
std::vector<ArchiveEntry> read_stored_zip(std::string_view archive, const std::string& name);

}  // namespace cunmf::io::detail
