// concat(parts...): the parts streamed into one string, for the argument checks' messages
// (validation.cpp, graph_validation.cpp).
#pragma once

#include <sstream>
#include <string>

namespace cunmf::detail {

template <class... Parts>
std::string concat(const Parts&... parts) {
  std::ostringstream s;
  (s << ... << parts);
  return s.str();
}

}  // namespace cunmf::detail
