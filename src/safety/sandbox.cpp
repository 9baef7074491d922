#include "safety/sandbox.hpp"

#include "core/error.hpp"
#include "core/process.hpp"

#include <unistd.h>

namespace safety {

namespace {

core::ProcessOptions git_options(const std::filesystem::path& repo_dir) {
  core::ProcessOptions o;
  o.cwd = repo_dir;
  for (const char* v : {"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX", "GIT_COMMON_DIR"}) o.env[v] = std::nullopt;
  o.timeout = std::chrono::minutes(2);
  return o;
}

} // namespace

TestRun run_tests_at(const std::filesystem::path& repo_dir, const std::filesystem::path& data_dir,
                     const std::string& commit, const std::string& command, std::chrono::seconds timeout) {
  std::filesystem::path dir = data_dir / "worktrees" / ("test-" + std::to_string(::getpid()) + "-" + commit.substr(0, 12));
  std::filesystem::create_directories(dir.parent_path());
  auto add = core::run_process({"git", "worktree", "add", "--detach", "--force", "--quiet", dir.string(), commit},
                               git_options(repo_dir));
  if (!add.ok()) throw core::Error("cannot create a private worktree: " + add.err);
  TestRun run;
  core::ProcessOptions o;
  o.cwd = dir;
  o.scrub_env = true;
  o.timeout = timeout;
  auto t0 = std::chrono::steady_clock::now();
  core::ProcessResult r = core::run_process({"/bin/sh", "-c", command}, o);
  run.duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  run.exit_code = r.exit_code;
  run.timed_out = r.timed_out;
  run.passed = r.ok();
  std::string out = r.out + r.err;
  run.output_tail = out.size() > 2000 ? out.substr(out.size() - 2000) : out;
  core::run_process({"git", "worktree", "remove", "--force", dir.string()}, git_options(repo_dir));
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return run;
}

void prune_worktrees(const std::filesystem::path& repo_dir, const std::filesystem::path& data_dir) {
  std::error_code ec;
  std::filesystem::remove_all(data_dir / "worktrees", ec);
  core::run_process({"git", "worktree", "prune"}, git_options(repo_dir));
}

} // namespace safety
