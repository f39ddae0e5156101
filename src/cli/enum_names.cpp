// The names of the library's enums in the output of `cunmf` (enum_names.hpp).
#include "enum_names.hpp"

namespace cunmf::cli {

const char* backend_name(Backend backend) {
  switch (backend) {
    case Backend::Auto:
      return "auto";
    case Backend::Cpu:
      return "cpu";
    case Backend::Cuda:
      return "cuda";
  }
  return "?";
}

}  // namespace cunmf::cli
