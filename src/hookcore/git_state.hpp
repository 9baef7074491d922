#pragma once
// Is a multi-step git operation in progress? During one, hooks only record what to scan and the
// work happens once afterwards (docs/ARCHITECTURE.md §7.2), so a rebase of 50 commits does not start 50 scans.

#include <filesystem>
#include <string>

namespace hookcore {

enum class GitState { normal, rebase, cherry_pick, revert, merge, bisect };

// The operation in progress in one worktree, from the marker files git keeps in its per-worktree
// git dir: rebase-merge/ or rebase-apply/, CHERRY_PICK_HEAD, REVERT_HEAD, sequencer/, MERGE_HEAD,
// BISECT_LOG. REBASE_HEAD is ignored: git leaves it behind after a rebase ends. Never throws.
GitState detect_git_state(const std::filesystem::path& git_dir);

// "normal", "rebase", "cherry-pick", "revert", "merge" or "bisect". Never throws.
std::string to_string(GitState state);

} // namespace hookcore
