#include "providers/enabled.hpp"

#include "core/suggest.hpp"
#include "providers/provider.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace providers {

void check_configured_providers(const core::Config& config) { check_configured_providers(config, provider_names()); }

void check_configured_providers(const core::Config& config, const std::vector<std::string>& known) {
  for (const std::string& name : config.providers) {
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    auto origin = config.origin.find("providers." + name);
    std::string message = "providers: unknown provider '" + name + "'";
    if (auto near = core::closest(name, known)) {
      message += " (did you mean '" + *near + "'?)";
    } else {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      message += list.empty() ? " (this build has no providers)" : " (the providers are " + list + ")";
    }
    core::fail_at_origin(origin == config.origin.end() ? "default" : origin->second, message);
  }
}

std::filesystem::path tool_root(const std::map<std::string, std::string>& env) {
  auto get = [&](const char* name) {
    auto it = env.find(name);
    return it == env.end() ? std::string() : it->second;
  };
  if (auto dir = get("AUTOLOOP_PROVIDER_DIR"); !dir.empty()) return dir;
  std::filesystem::path data = get("XDG_DATA_HOME");
  if (data.empty() || data.is_relative()) data = std::filesystem::path(get("HOME")) / ".local" / "share";
  return data / "git-autoloop" / "providers";
}

std::filesystem::path tool_dir_of(const std::string& provider) {
  std::map<std::string, std::string> env;
  for (const char* name : {"AUTOLOOP_PROVIDER_DIR", "XDG_DATA_HOME", "HOME"})
    if (const char* value = std::getenv(name)) env[name] = value;
  return tool_root(env) / provider;
}

std::string provider_of_rule(const std::string& rule_id) { return provider_of_rule(rule_id, provider_names()); }

std::string provider_of_rule(const std::string& rule_id, const std::vector<std::string>& known) {
  const std::string first = rule_id.substr(0, rule_id.find('/'));
  if (first.size() == rule_id.size()) return "";
  return std::find(known.begin(), known.end(), first) != known.end() ? first : "";
}

bool selects(const std::string& pattern, const std::string& rule_id) {
  if (pattern.empty() || rule_id.compare(0, pattern.size(), pattern) != 0) return false;
  if (rule_id.size() == pattern.size()) return true;
  const unsigned char last = static_cast<unsigned char>(pattern.back());
  const unsigned char next = static_cast<unsigned char>(rule_id[pattern.size()]);
  // Inside a run of letters is inside a word ("ruff/E" is not "ruff/ERA"); anywhere else is a boundary.
  return !(std::isalpha(last) && std::isalpha(next));
}

bool provider_rule_enabled(const core::Config& config, const std::string& rule_id) {
  size_t disabled = 0, enabled = 0; // the longest selecting entry of each list (0: none)
  for (const auto& p : config.rules.disable)
    if (selects(p, rule_id)) disabled = std::max(disabled, p.size());
  for (const auto& p : config.rules.enable)
    if (selects(p, rule_id)) enabled = std::max(enabled, p.size());
  return disabled == 0 || enabled >= disabled;
}

const std::vector<std::string>& tool_config_files() {
  static const std::vector<std::string> files = {"ruff.toml",  ".ruff.toml",  "pyproject.toml",         "biome.json",
                                                 "biome.jsonc", ".clang-tidy", "compile_commands.json"};
  return files;
}

} // namespace providers
