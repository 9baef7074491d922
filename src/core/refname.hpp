#pragma once
// Ref names the loop builds (side branches `refs/heads/<side_branch_prefix><branch>`), checked by git's
// rules (git-check-ref-format(1)) without libgit2, so that configuration loading can refuse a prefix
// before anything is named with it. src/git checks the finished names once more with libgit2
// (git::normalize_ref_name) before they are used.

#include <optional>
#include <string>
#include <string_view>

namespace core {

// The longest side_branch_prefix accepted: ref names become file names under refs/heads/, whose
// components the file system limits (255 bytes), and a branch name still has to fit after it.
inline constexpr size_t k_max_side_branch_prefix = 100;

// Why `name` is not a valid full ref name by git-check-ref-format(1) (without --allow-onelevel or
// --refspec-pattern), or nullopt when it is one. Does not throw.
std::optional<std::string> ref_name_problem(std::string_view name);

// Why `prefix` cannot start the names of side branches, or nullopt when it can: it must be non-empty, at
// most k_max_side_branch_prefix bytes, not start with '/' or '-', and `refs/heads/<prefix><branch>`
// must be a valid ref name for an ordinary branch name (no "..", no "//", no component starting with
// '.' or ending in ".lock", no control characters, space, ~ ^ : ? * [ \, no "@{"). Does not throw.
std::optional<std::string> side_branch_prefix_problem(std::string_view prefix);

} // namespace core
