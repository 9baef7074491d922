#include "safety/sandbox.hpp"

#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/layout.hpp"
#include "core/process.hpp"

#include <unistd.h>

namespace safety {

namespace {

core::ProcessOptions git_options(const std::filesystem::path& repo_dir) {
  core::ProcessOptions o;
  o.cwd = repo_dir;
  core::unset_git_environment(o);
  o.timeout = std::chrono::minutes(2);
  return o;
}

} // namespace

void prune_worktrees(const std::filesystem::path& repo_dir, const std::filesystem::path& data_dir) {
  // Only the data dir's own worktrees/ (a symlink there is removed as a link, never followed).
  core::remove_all_inside(data_dir, core::Layout(data_dir).worktrees());
  core::run_process({"git", "worktree", "prune"}, git_options(repo_dir));
}

} // namespace safety
