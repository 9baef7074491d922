#pragma once
// Reading git's configuration without running git. The merge driver runs once per conflicted file and
// a `git config` child costs as much as the rest of its work, so it reads the files git would read
// itself. The reader follows git-config(1) "CONFIGURATION FILE" (sections and subsections, case rules,
// quoting, escapes, continuation lines, comments) and `include.path`; anything else it meets
// (`includeIf`, a syntax error git would reject, an environment it cannot read) makes a lookup come
// back "not understood", and the caller asks git itself rather than guess. Standard library only.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace core {

// One `name = value` line: the key as git canonicalises it (section and name lower-case, the
// subsection as written: "merge.conflictstyle", `merge.Autoloop.driver`), and its value; a bare
// `name` without `=` has no value (git reads it as boolean true).
struct GitConfigEntry {
  std::string key;
  std::optional<std::string> value;
};

// The entries of one config file's text, in order; nullopt on a syntax error (git refuses the file).
std::optional<std::vector<GitConfigEntry>> parse_git_config(std::string_view text);

// Where the configuration of one lookup comes from.
struct GitConfigSources {
  std::optional<std::filesystem::path> common_dir;  // the repository's shared git dir (its `config`); none outside one
  std::optional<std::filesystem::path> git_dir;     // the work tree's own git dir (`config.worktree`)
  std::map<std::string, std::string> env;           // HOME, XDG_CONFIG_HOME and GIT_CONFIG_*: see git_config_environment
};

// The variables of this process's environment that decide which files git reads (HOME,
// XDG_CONFIG_HOME, GIT_CONFIG_NOSYSTEM, GIT_CONFIG_SYSTEM, GIT_CONFIG_GLOBAL, GIT_CONFIG_PARAMETERS,
// GIT_CONFIG_COUNT and its GIT_CONFIG_KEY_<n>/GIT_CONFIG_VALUE_<n>).
std::map<std::string, std::string> git_config_environment();

// What a lookup found.
struct GitConfigValue {
  bool understood = true;            // false: something on the way was not followed; ask git instead
  std::optional<std::string> value;  // the last value of the key ("" for a bare name); nullopt when unset
};

// `key` ("section.name" or "section.subsection.name", section and name in any case) as
// `git config --get` gives it: system file (unless GIT_CONFIG_NOSYSTEM; GIT_CONFIG_SYSTEM names
// it), global files (GIT_CONFIG_GLOBAL, else $XDG_CONFIG_HOME/git/config then ~/.gitconfig), the
// repository's config, config.worktree when extensions.worktreeConfig is on, then the command line's
// `git -c` (GIT_CONFIG_PARAMETERS) and GIT_CONFIG_COUNT; the last value wins. Never throws.
GitConfigValue git_config_get(std::string_view key, const GitConfigSources& sources);

} // namespace core
