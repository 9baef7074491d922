#pragma once
// The parts of the clang-tidy provider (clang_tidy.cpp) that decide what a hostile repository may pass
// to the tool, exposed for their unit tests. The provider itself is make_clang_tidy() (builtin.hpp).
//
// A cloned repository's compile_commands.json and .clang-tidy are data, never instructions: compiler
// arguments are kept from an allow list (include directories inside the private copy, macros, the
// language and its standard, warnings, a list of -f flags that change how code is parsed) and
// everything else is dropped, so nothing the repository writes can make clang-tidy load a plugin
// (-fplugin=, -Xclang -load), read a response file (@file), write a file (-o, -MF) or read a
// configuration of its own choosing (--config).

#include "core/kinds.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace providers::clang_tidy {

// Maps an include directory as the repository's build named it to the private copy's, or nullopt
// when it lies outside the copy (then the option is dropped).
using IncludeDirMap = std::function<std::optional<std::string>(const std::string& dir)>;

// The compiler arguments of `args` (a compile command without the compiler and the source file) that
// can neither run nor load anything, include directories rewritten by `include_dir`. Does not throw.
std::vector<std::string> safe_arguments(const std::vector<std::string>& args, const IncludeDirMap& include_dir);

// Splits a compile command ("command" in compile_commands.json) into words as a POSIX shell does
// (quotes and backslashes), without any expansion. Does not throw.
std::vector<std::string> split_command(const std::string& command);

// The repository's `.clang-tidy` text reduced to the keys that only select and configure checks
// (Checks, CheckOptions, InheritParentConfig unless `is_root`, ExtraArgs and ExtraArgsBefore through
// safe_arguments without include directories), as YAML for clang-tidy. nullopt with `why` set when the
// text is not a YAML map or a kept key has an unexpected shape. Does not throw.
std::optional<std::string> safe_config(const std::string& text, bool is_root, std::string& why);

// The configuration used when the repository has no root `.clang-tidy` (our default checks).
const std::string& default_config();

// How the loop treats a check's findings: its category, severity ("low", "medium", "high"; a
// diagnostic clang-tidy reports at level Error is "high") and the applicability of its fix-its.
core::Category category_of(const std::string& check);
std::string severity_of(const std::string& check, bool error_level);
core::Safety fix_applicability_of(const std::string& check);

} // namespace providers::clang_tidy
