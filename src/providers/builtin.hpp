#pragma once
// The built-in providers' factories, one per file of this folder (provider.cpp lists them).

#include "providers/provider.hpp"

#include <memory>

namespace providers {

// ruff.cpp: ruff's WebAssembly build in node, through tools/providers/ruff-check.mjs.
std::unique_ptr<Provider> make_ruff();
// biome.cpp: Biome's native binary from its npm package, rdjson and default reporters.
std::unique_ptr<Provider> make_biome();
// clang_tidy.cpp: Debian's clang-tidy, fix-its exported as YAML.

} // namespace providers
