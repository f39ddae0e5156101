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

/// The loss a --loss value names: "kl" is KullbackLeibler, "beta" Beta (with --beta), "is"
/// ItakuraSaito; anything else (the option allows only these and "frobenius") Frobenius.
Loss loss_from_name(const std::string& name);

/// The drawn initialization an --init value names: "nndsvd", "nndsvda" or "nndsvdar"; anything
/// else ("random", or "custom", whose factors are given) is Init::Random.
Init init_from_name(const std::string& name);

/// "mu", "cd", "als", "pgd" or "anls-bpp" (the canonical names, as the output reports them).
const char* solver_name(Solver solver);

/// What the solver is, in words: "multiplicative updates", "coordinate descent", "alternating
/// least squares", "projected gradient" or "non-negative least squares by block principal
/// pivoting".
const char* solver_description(Solver solver);

/// The solver a --solver value names: "cd" and its alias "hals" are CoordinateDescent, "als" is
/// AlternatingLeastSquares, "pgd" is ProjectedGradient, "anls-bpp" is AnlsBpp; anything else (the
/// option allows only "mu" besides) is MultiplicativeUpdate.
Solver solver_from_name(const std::string& name);

}  // namespace cunmf::cli
