#pragma once
// The merge driver git runs for one conflicted file (merge.autoloop.driver, %O %A %B %L %P): reads the
// three versions, merges them (merge::three_way) and writes the result into %A. Two entry points share
// it: the lean `autoloop-merge` binary that `git autoloop install` registers (src/merge/main.cpp: it
// links only the merge, the parser and the grammars, statically, so that a file costs about what
// `git merge-file` costs), and `git-autoloop merge-driver`, kept for drivers registered before it.

#include "git/repo.hpp"
#include "scan/language.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace merge {

// The driver's exit codes, as git reads them: 0 merged, 1 conflicts left, anything else an error.
inline constexpr int k_driver_clean = 0;
inline constexpr int k_driver_conflicts = 1;
inline constexpr int k_driver_error = 2;

// One call of the driver, as git makes it.
struct DriverArgs {
  std::string base, ours, theirs;              // %O %A %B: files; the result replaces `ours`
  std::string marker_size;                     // %L, as given (validated by run_driver)
  std::string path;                            // %P: the path in the repository (decides the language)
  std::optional<git::ConflictStyle> style;     // default: merge.conflictStyle
  std::optional<std::array<std::string, 3>> labels;  // ours, base, theirs; default: "ours", "base", "theirs"
};

// Runs the driver. Returns k_driver_clean or k_driver_conflicts; throws core::Fatal with
// k_driver_error when an input is unreadable or %L is not a marker size (nothing is touched then), or
// when the merge fails (git's own line merge is left in %A first, so nothing is lost).
int run_driver(const DriverArgs& args);

// "merge", "diff3", "zdiff3" → the style; nullopt for anything else.
std::optional<git::ConflictStyle> parse_style(std::string_view name);

// "OURS,BASE,THEIRS" → the three labels; nullopt unless there are exactly three.
std::optional<std::array<std::string, 3>> parse_labels(const std::string& text);

// merge.conflictStyle as git sees it from the current directory (the repository's config, the user's,
// the system's, `git -c`): read from the files themselves (core::git_config_get), or from `git config`
// when they hold something that reader does not follow. "merge" when unset or unknown. Never throws.
git::ConflictStyle configured_style();

// The language the driver merges `path` as: by its extension, except a ".h" header, which is C or C++
// by the C++ sources at HEAD of the repository the process runs in, else by `ours` alone. Never throws.
const scan::LanguageProfile* driver_language(const std::string& path, const std::string& ours);

} // namespace merge
