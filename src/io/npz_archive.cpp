// Stored ZIP64 archives (npz_archive.hpp). Layout (PKWARE APPNOTE 6.3, sections 4.3 and 4.5): per
// entry a local header, its name, a ZIP64 extra field with the sizes, the bytes; then a central
// directory entry per member, the ZIP64 end-of-central-directory record, its locator and the
// classic end record. Every size and offset field of the classic records holds its "see ZIP64"
// value, so one layout serves entries of any size.
#include "npz_archive.hpp"

#include <zlib.h>

#include "io_support.hpp"

namespace cunmf::io::detail {

namespace {

constexpr std::uint32_t kLocalHeader = 0x04034b50;
constexpr std::uint32_t kCentralHeader = 0x02014b50;
constexpr std::uint32_t kZip64End = 0x06064b50;
constexpr std::uint32_t kZip64Locator = 0x07064b50;
constexpr std::uint32_t kEnd = 0x06054b50;
constexpr std::uint16_t kVersion = 45;  // ZIP64
constexpr std::uint16_t kZip64ExtraId = 0x0001;
constexpr std::uint32_t kSeeZip64 = 0xFFFFFFFF;
// A fixed time stamp (1980-01-01 00:00, DOS format), so that the same state gives the same bytes.
constexpr std::uint16_t kDosTime = 0;
constexpr std::uint16_t kDosDate = (0 << 9) | (1 << 5) | 1;
constexpr std::size_t kLocalHeaderBytes = 30;

/// Little-endian fields appended to a byte string.
class Record {
 public:
  Record& u16(std::uint64_t v) { return put(v, 2); }
  Record& u32(std::uint64_t v) { return put(v, 4); }
  Record& u64(std::uint64_t v) { return put(v, 8); }
  Record& text(const std::string& s) {
    bytes_ += s;
    return *this;
  }
  const std::string& bytes() const { return bytes_; }

 private:
  Record& put(std::uint64_t v, int width) {
    for (int i = 0; i < width; ++i) bytes_.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
    return *this;
  }
  std::string bytes_;
};

std::uint32_t crc_of(std::string_view bytes) {
  return static_cast<std::uint32_t>(
      crc32_z(0L, reinterpret_cast<const Bytef*>(bytes.data()), bytes.size()));
}

/// Little-endian fields read from an archive, each bounds-checked against the archive's end.
class Cursor {
 public:
  Cursor(std::string_view archive, const std::string& name, std::size_t at)
      : archive_(archive), name_(name), at_(at) {}
  std::size_t at() const { return at_; }
  std::uint64_t u16() { return get(2); }
  std::uint64_t u32() { return get(4); }
  std::uint64_t u64() { return get(8); }
  /// The next `count` bytes; IoError when fewer are left.
  std::string_view take(std::uint64_t count, const char* what) {
    if (count > archive_.size() - at_) {
      fail_at_byte(name_, static_cast<std::int64_t>(at_),
                   std::string(what) + " of " + std::to_string(count) +
                       " bytes runs past the end of the file (" +
                       std::to_string(archive_.size()) + " bytes)");
    }
    const std::string_view out = archive_.substr(at_, count);
    at_ += count;
    return out;
  }

 private:
  std::uint64_t get(int width) {
    const std::string_view b = take(static_cast<std::uint64_t>(width), "a header field");
    std::uint64_t v = 0;
    for (int i = width - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[i]);
    return v;
  }
  std::string_view archive_;
  const std::string& name_;
  std::size_t at_;
};

/// Reads one local entry at the cursor (its signature already consumed).
ArchiveEntry read_local_entry(Cursor& in, const std::string& name) {
  const std::size_t start = in.at() - 4;
  const auto fail_here = [&](const std::string& what) {
    fail_at_byte(name, static_cast<std::int64_t>(start), what);
  };
  in.u16();  // version needed: checked implicitly by the fields we accept
  const std::uint64_t flags = in.u16();
  const std::uint64_t method = in.u16();
  in.u16();  // time
  in.u16();  // date
  const std::uint64_t crc = in.u32();
  std::uint64_t compressed = in.u32();
  std::uint64_t size = in.u32();
  const std::uint64_t name_length = in.u16();
  const std::uint64_t extra_length = in.u16();
  if (method != 0) fail_here("entry is compressed (method " + std::to_string(method) + ")");
  if ((flags & 0x9) != 0) fail_here("entry is encrypted or has a trailing data descriptor");
  ArchiveEntry entry;
  entry.name = std::string(in.take(name_length, "an entry name"));
  Cursor extra(in.take(extra_length, "an extra field"), name, 0);
  while (extra.at() + 4 <= extra_length) {
    const std::uint64_t id = extra.u16();
    const std::uint64_t length = extra.u16();
    if (id == kZip64ExtraId && (size == kSeeZip64 || compressed == kSeeZip64)) {
      if (size == kSeeZip64) size = extra.u64();
      if (compressed == kSeeZip64) compressed = extra.u64();
      break;
    }
    extra.take(length, "an extra field");
  }
  if (size == kSeeZip64 || compressed == kSeeZip64) fail_here("ZIP64 sizes missing");
  if (compressed != size) fail_here("stored entry whose sizes differ");
  entry.bytes = std::string(in.take(size, ("entry '" + entry.name + "'").c_str()));
  if (crc_of(entry.bytes) != crc) fail_here("CRC-32 mismatch in entry '" + entry.name + "'");
  return entry;
}

}  // namespace

void write_stored_zip(std::ostream& out, const std::string& name,
                      const std::vector<ArchiveEntry>& entries) {
  Record directory;
  std::uint64_t offset = 0;
  for (const ArchiveEntry& e : entries) {
    const std::uint32_t crc = crc_of(e.bytes);
    const std::uint64_t size = e.bytes.size();
    Record local;
    local.u32(kLocalHeader).u16(kVersion).u16(0).u16(0).u16(kDosTime).u16(kDosDate).u32(crc);
    local.u32(kSeeZip64).u32(kSeeZip64).u16(e.name.size()).u16(20).text(e.name);
    local.u16(kZip64ExtraId).u16(16).u64(size).u64(size);
    out.write(local.bytes().data(), static_cast<std::streamsize>(local.bytes().size()));
    out.write(e.bytes.data(), static_cast<std::streamsize>(size));

    directory.u32(kCentralHeader).u16(kVersion).u16(kVersion).u16(0).u16(0).u16(kDosTime);
    directory.u16(kDosDate).u32(crc).u32(kSeeZip64).u32(kSeeZip64).u16(e.name.size()).u16(28);
    directory.u16(0).u16(0).u16(0).u32(0).u32(kSeeZip64).text(e.name);
    directory.u16(kZip64ExtraId).u16(24).u64(size).u64(size).u64(offset);
    offset += local.bytes().size() + size;
  }
  const std::uint64_t count = entries.size();
  Record end;
  end.u32(kZip64End).u64(44).u16(kVersion).u16(kVersion).u32(0).u32(0).u64(count).u64(count);
  end.u64(directory.bytes().size()).u64(offset);
  end.u32(kZip64Locator).u32(0).u64(offset + directory.bytes().size()).u32(1);
  end.u32(kEnd).u16(0).u16(0).u16(0xFFFF).u16(0xFFFF).u32(kSeeZip64).u32(kSeeZip64).u16(0);
  out.write(directory.bytes().data(), static_cast<std::streamsize>(directory.bytes().size()));
  out.write(end.bytes().data(), static_cast<std::streamsize>(end.bytes().size()));
  finish_writing(out, name);
}

std::vector<ArchiveEntry> read_stored_zip(std::string_view archive, const std::string& name) {
  std::vector<ArchiveEntry> entries;
  Cursor in(archive, name, 0);
  // The local entries come first; the central directory repeats what they say and is not needed
  // to read an archive that has no data descriptors.
  while (archive.size() - in.at() >= 4) {
    const std::size_t at = in.at();
    const std::uint64_t signature = in.u32();
    if (signature == kCentralHeader) return entries;
    if (signature != kLocalHeader) {
      fail_at_byte(name, static_cast<std::int64_t>(at),
                   entries.empty() ? "not a ZIP (.npz) archive" : "bad entry signature");
    }
    if (archive.size() - at < kLocalHeaderBytes) {
      fail_at_byte(name, static_cast<std::int64_t>(at), "truncated entry header");
    }
    entries.push_back(read_local_entry(in, name));
  }
  fail_at_byte(name, static_cast<std::int64_t>(in.at()),
               "the archive ends without its central directory (truncated file)");
}

}  // namespace cunmf::io::detail
