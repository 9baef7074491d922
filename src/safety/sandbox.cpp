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

FixerRun run_fixer_at(const std::filesystem::path& repo_dir, const std::filesystem::path& data_dir,
                      const std::string& commit, const std::vector<std::string>& argv,
                      const std::vector<std::string>& paths, const std::string& instruction,
                      std::chrono::seconds timeout) {
  FixerRun run;
  std::filesystem::path dir = core::Layout(data_dir).worktrees() / ("fix-" + std::to_string(::getpid()) + "-" + commit.substr(0, 12));
  // A private worktree is made inside the data dir, never through a symlink out of it.
  if (!core::is_inside(data_dir, dir)) {
    run.error = dir.string() + " leaves " + data_dir.string() + "; not making a worktree there";
    return run;
  }
  std::filesystem::create_directories(dir.parent_path());
  auto add = core::run_process({"git", "worktree", "add", "--detach", "--force", "--quiet", dir.string(), commit},
                               git_options(repo_dir));
  if (!add.ok()) {
    run.error = "cannot create a private worktree: " + add.err;
    return run;
  }
  auto cleanup = [&] {
    core::run_process({"git", "worktree", "remove", "--force", dir.string()}, git_options(repo_dir));
    core::remove_all_inside(core::Layout(data_dir).worktrees(), dir);
  };
  std::vector<std::string> command = argv;
  command.insert(command.end(), paths.begin(), paths.end());
  core::ProcessOptions o;
  o.cwd = dir;
  o.scrub_env = true;
  o.env["AUTOLOOP_INSTRUCTION"] = instruction;
  o.input = instruction + "\n";
  o.timeout = timeout;
  core::ProcessResult r;
  try {
    r = core::run_process(command, o);
  } catch (const std::exception& e) {
    run.error = e.what();
    cleanup();
    return run;
  }
  if (!r.ok()) {
    run.error = r.timed_out ? "the fixer timed out" : "the fixer exited " + std::to_string(r.exit_code) + ": " + r.err.substr(0, 300);
    cleanup();
    return run;
  }
  auto status = core::run_process({"git", "status", "--porcelain=v1", "-z", "--untracked-files=all"}, git_options(dir));
  // Entries: "XY path\0"; only " M" (modified in the work tree) is accepted.
  size_t at = 0;
  while (at + 3 < status.out.size()) {
    size_t end = status.out.find('\0', at);
    if (end == std::string::npos) break;
    std::string xy = status.out.substr(at, 2), path = status.out.substr(at + 3, end - at - 3);
    at = end + 1;
    if (xy != " M") {
      run.error = "the fixer may only modify tracked files (" + xy + " " + path + ")";
      cleanup();
      return run;
    }
    std::filesystem::path file = dir / path;
    if (std::filesystem::is_symlink(file)) {
      run.error = "the fixer turned " + path + " into a symlink";
      cleanup();
      return run;
    }
    auto content = core::read_file(file);
    if (!content) continue;
    bool exec = (std::filesystem::status(file).permissions() & std::filesystem::perms::owner_exec) != std::filesystem::perms::none;
    run.changed.push_back({path, *content, exec ? 0100755u : 0100644u});
  }
  cleanup();
  run.ok = true;
  if (run.changed.empty()) {
    run.ok = false;
    run.error = "the fixer changed nothing";
  }
  return run;
}

void prune_worktrees(const std::filesystem::path& repo_dir, const std::filesystem::path& data_dir) {
  // Only the data dir's own worktrees/ (a symlink there is removed as a link, never followed).
  core::remove_all_inside(data_dir, core::Layout(data_dir).worktrees());
  core::run_process({"git", "worktree", "prune"}, git_options(repo_dir));
}

} // namespace safety
