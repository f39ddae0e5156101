// The names the `cunmf` command gives the library's enums: the values of its --backend, --loss and
// --solver options, and the backend and solver in its output.
#pragma once

#include <string>

#include "cunmf/cunmf.hpp"

namespace cunmf::cli {

/// "cpu" or "cuda" (or "auto").
const char* backend_name(Backend backend);

/// The backend a --backend value names: "cpu" or "cuda"; anything else (the option allows only
/// "auto" besides) is Backend::Auto.
Backend backend_from_name(const std::string& name);

/// The loss a --loss value names: "kl" is KullbackLeibler; anything else (the option allows only
/// "frobenius" besides) is Frobenius.
Loss loss_from_name(const std::string& name);

/// The solver a --solver value names: "als" is AlternatingLeastSquares; anything else (the option
/// allows only "mu" besides) is MultiplicativeUpdate.
Solver solver_from_name(const std::string& name);

/// The solver in words, for the summary ("multiplicative updates", ...).
const char* solver_description(Solver solver);

}  // namespace cunmf::cli
