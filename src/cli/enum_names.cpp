// The names `cunmf` gives the library's enums (enum_names.hpp).
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

Backend backend_from_name(const std::string& name) {
  return name == "cpu" ? Backend::Cpu : name == "cuda" ? Backend::Cuda : Backend::Auto;
}

Loss loss_from_name(const std::string& name) {
  return name == "kl"     ? Loss::KullbackLeibler
         : name == "beta" ? Loss::Beta
         : name == "is"   ? Loss::ItakuraSaito
                          : Loss::Frobenius;
}

Init init_from_name(const std::string& name) {
  return name == "nndsvd"     ? Init::Nndsvd
         : name == "nndsvda"  ? Init::Nndsvda
         : name == "nndsvdar" ? Init::Nndsvdar
                              : Init::Random;
}

const char* solver_name(Solver solver) {
  switch (solver) {
    case Solver::MultiplicativeUpdate:
      return "mu";
    case Solver::CoordinateDescent:
      return "cd";
    case Solver::AlternatingLeastSquares:
      return "als";
    case Solver::ProjectedGradient:
      return "pgd";
    case Solver::AnlsBpp:
      return "anls-bpp";
  }
  return "?";
}

const char* solver_description(Solver solver) {
  switch (solver) {
    case Solver::MultiplicativeUpdate:
      return "multiplicative updates";
    case Solver::CoordinateDescent:
      return "coordinate descent";
    case Solver::AlternatingLeastSquares:
      return "alternating least squares";
    case Solver::ProjectedGradient:
      return "projected gradient";
    case Solver::AnlsBpp:
      return "non-negative least squares by block principal pivoting";
  }
  return "?";
}

Solver solver_from_name(const std::string& name) {
  if (name == "cd" || name == "hals") return Solver::CoordinateDescent;
  if (name == "als") return Solver::AlternatingLeastSquares;
  if (name == "pgd") return Solver::ProjectedGradient;
  if (name == "anls-bpp") return Solver::AnlsBpp;
  return Solver::MultiplicativeUpdate;
}

}  // namespace cunmf::cli
