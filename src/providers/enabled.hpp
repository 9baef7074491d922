#pragma once
// What the configuration makes of the providers (docs/ARCHITECTURE.md §9): which are enabled (names
// checked against the built-in ones, with did-you-mean, where they were written), where their tools
// are, and which of their rules are switched off by rules.disable/enable (ids or prefixes).
//
// Depends on core/ only, as the providers do.

#include "core/config.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace providers {

// Throws for the first name of `providers:` that is no built-in provider: core::LocatedError at the
// item in a file ("providers: unknown provider 'ruf' (did you mean 'ruff'?)"), core::Error for the
// environment or the command line. `known` are the names allowed (provider_names() by default).
void check_configured_providers(const core::Config& config);
void check_configured_providers(const core::Config& config, const std::vector<std::string>& known);

// The provider tool directory: $AUTOLOOP_PROVIDER_DIR, else ${XDG_DATA_HOME:-$HOME/.local/share}/
// git-autoloop/providers (from `env`, an environment snapshot). Does not throw.
std::filesystem::path tool_root(const std::map<std::string, std::string>& env);
// One provider's own subdirectory of the tool directory (RunOptions::tool_dir), from the process's environment.
std::filesystem::path tool_dir_of(const std::string& provider);

// The provider a rule id belongs to ("ruff" for "ruff/B006"), or "" when its first segment names
// none of `known` (provider_names() by default). Does not throw.
std::string provider_of_rule(const std::string& rule_id);
std::string provider_of_rule(const std::string& rule_id, const std::vector<std::string>& known);

// Whether `pattern` (a rule id or a prefix of one) selects `rule_id`: equal, or a prefix that ends where
// a part of the id ends or a letter run turns into digits ("ruff/E" selects ruff/E501, not ruff/ERA001;
// "biome/lint/style" selects biome/lint/style/useConst; "clang-tidy/modernize" selects
// clang-tidy/modernize-use-nullptr). Does not throw.
bool selects(const std::string& pattern, const std::string& rule_id);

// Whether a provider's rule is on under rules.disable and rules.enable: the most specific entry that
// selects it decides (enable on a tie); on when none does. Does not throw.
bool provider_rule_enabled(const core::Config& config, const std::string& rule_id);

// The repository files a provider's tool honours (ruff.toml, pyproject.toml, biome.json, .clang-tidy,
// compile_commands.json), which the caller reads (bounded) from the commit of the blobs.
const std::vector<std::string>& tool_config_files();
inline constexpr size_t k_max_tool_config_bytes = 1u << 20;

} // namespace providers
