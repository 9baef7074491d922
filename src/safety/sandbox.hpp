#pragma once
// Running an external fixer against a commit, away from the user's work tree: a private worktree under
// <common-git-dir>/autoloop/worktrees/, removed afterwards; the command gets a scrubbed environment and
// a timeout. (The repository's tests run in safety/validation.hpp's worktree, outside the repository.)

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace safety {

// Removes worktrees left behind by a killed drain.
void prune_worktrees(const std::filesystem::path& repo_dir, const std::filesystem::path& data_dir);

} // namespace safety

namespace safety {

// A file an external fixer changed.
struct ChangedFile {
  std::string path;
  std::string content;
  unsigned mode = 0100644;
};

struct FixerRun {
  bool ok = false;
  std::string error;                  // why not ok
  std::vector<ChangedFile> changed;   // modified tracked files (nothing else is accepted)
};

// Runs an external fixer (argv, never a shell; `paths` appended as arguments, `instruction` on stdin
// and in AUTOLOOP_INSTRUCTION) in a private worktree at `commit`, with a scrubbed environment and a
// timeout, and collects what it changed. Added, deleted, renamed or symlinked files are refused.
FixerRun run_fixer_at(const std::filesystem::path& repo_dir, const std::filesystem::path& data_dir,
                      const std::string& commit, const std::vector<std::string>& argv,
                      const std::vector<std::string>& paths, const std::string& instruction,
                      std::chrono::seconds timeout);

} // namespace safety
