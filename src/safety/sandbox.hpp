#pragma once
// The private worktrees generators run in (fix/generator.hpp), under <common-git-dir>/autoloop/worktrees/:
// what a killed drain leaves behind is removed. (The repository's tests run in safety/validation.hpp's
// worktree, outside the repository.)

#include <filesystem>

namespace safety {

// Removes worktrees left behind by a killed drain.
void prune_worktrees(const std::filesystem::path& repo_dir, const std::filesystem::path& data_dir);

} // namespace safety
