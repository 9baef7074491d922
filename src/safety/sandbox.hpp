#pragma once
// Running the repository's own tests against a fix commit, away from the user's work tree: a
// private worktree under <common-git-dir>/autoloop/worktrees/, removed afterwards; the command gets a
// scrubbed environment and a timeout.

#include <chrono>
#include <filesystem>
#include <string>

namespace safety {

struct TestRun {
  bool passed = false;
  bool timed_out = false;
  int exit_code = -1;
  double duration_ms = 0;
  std::string output_tail;   // the last lines of stdout+stderr, for the log and the attempt
};

// Checks out `commit` in a private worktree and runs `command` (with /bin/sh -c) there.
// Throws core::Error when the worktree cannot be made.
TestRun run_tests_at(const std::filesystem::path& repo_dir, const std::filesystem::path& data_dir,
                     const std::string& commit, const std::string& command, std::chrono::seconds timeout);

// Removes worktrees left behind by a killed drain.
void prune_worktrees(const std::filesystem::path& repo_dir, const std::filesystem::path& data_dir);

} // namespace safety
