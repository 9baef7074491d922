#pragma once
// The built-in providers' factories, one per file of this folder (provider.cpp lists them).

#include "providers/provider.hpp"

#include <memory>
#include <string>
#include <vector>

namespace providers {

// ruff.cpp: ruff's WebAssembly build in node, through tools/providers/ruff-check.mjs.
std::unique_ptr<Provider> make_ruff();
// biome.cpp: Biome's native binary from its npm package, rdjson and default reporters.
std::unique_ptr<Provider> make_biome();
// clang_tidy.cpp: Debian's clang-tidy, fix-its exported as YAML.
std::unique_ptr<Provider> make_clang_tidy();
// The same with the compiler flags for files the repository's compile_commands.json does not list
// (make_clang_tidy(): `-std=c++17`); they pass the same filter as the repository's (clang_tidy.hpp).
std::unique_ptr<Provider> make_clang_tidy(std::vector<std::string> configured_flags);

} // namespace providers
