// The out-of-line parts of TextReader and of token parsing (text_reader.hpp).
#include "text_reader.hpp"

#include <cerrno>
#include <cmath>
#include <istream>

namespace cunmf::io::detail {

namespace {
// Large enough that reading costs one system call per ~10^4 lines, small enough to stay cached.
constexpr std::size_t kBlockBytes = std::size_t{1} << 20;
}  // namespace

TextReader::TextReader(std::istream& in, std::string name)
    : in_(in), name_(std::move(name)), buffer_(kBlockBytes) {
  // The size lets readers reject a size line that promises more values than the rest of the
  // file can hold before allocating for them.
  stream_remaining_ = detail::remaining_bytes(in_);
}

std::optional<std::int64_t> TextReader::remaining_bytes() const {
  if (!stream_remaining_) return std::nullopt;
  return *stream_remaining_ + static_cast<std::int64_t>(end_ - begin_);
}

bool TextReader::refill() {
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);  // one line fills the buffer
  if (!in_.good()) return false;
  errno = 0;
  in_.read(buffer_.data() + end_, static_cast<std::streamsize>(buffer_.size() - end_));
  const auto got = static_cast<std::size_t>(in_.gcount());
  if (in_.bad()) {
    const int error = errno;
    detail::fail(name_, "read error after line " + std::to_string(line_) +
                            (error != 0 ? std::string(": ") + std::strerror(error) : ""));
  }
  end_ += got;
  bytes_read_ += static_cast<std::int64_t>(got);
  if (stream_remaining_) *stream_remaining_ -= static_cast<std::int64_t>(got);
  return got > 0;
}

std::string quoted(std::string_view token) {
  constexpr std::size_t kShown = 40;
  if (token.size() <= kShown) return "'" + std::string(token) + "'";
  return "'" + std::string(token.substr(0, kShown)) + "...'";
}

template <class T>
ParseStatus parse_real_out_of_range(std::string_view token, T& value) {
  // long double has the exponent range of neither float nor double's limits, so it tells an
  // underflow (acceptable: rounds to a subnormal or 0) from an overflow (an error).
  long double wide = 0;
  const char* end = token.data() + token.size();
  const auto [ptr, ec] = std::from_chars(token.data(), end, wide);
  if (ec != std::errc() || ptr != end) return ParseStatus::OutOfRange;
  if (std::fabs(wide) > static_cast<long double>(std::numeric_limits<T>::max())) {
    return ParseStatus::OutOfRange;
  }
  value = static_cast<T>(wide);
  return ParseStatus::Ok;
}

template ParseStatus parse_real_out_of_range<float>(std::string_view, float&);
template ParseStatus parse_real_out_of_range<double>(std::string_view, double&);

void fail_value(const TextReader& reader, std::string_view token, std::int64_t column,
                const std::string& problem) {
  const std::string where = column != 0 ? "column " + std::to_string(column) + ": " : "";
  reader.fail(where + "value " + quoted(token) + " " + problem);
}

}  // namespace cunmf::io::detail
