#include "safety/sandbox.hpp"

#include "core/fs.hpp"
#include "core/layout.hpp"
#include "core/process.hpp"

namespace safety {

void prune_worktrees(const std::filesystem::path& repo_dir, const std::filesystem::path& data_dir) {
  // Only the data dir's own worktrees/ (a symlink there is removed as a link, never followed).
  core::remove_all_inside(data_dir, core::Layout(data_dir).worktrees());
  core::run_process({"git", "worktree", "prune"}, core::git_process_options(repo_dir, std::chrono::minutes(2)));
}

} // namespace safety
