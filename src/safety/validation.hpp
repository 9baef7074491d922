#pragma once
// The place where a repository's own tests run for the loop's fixes: one git worktree per repository,
// outside the repository and outside any dot-directory (test suites refuse or skip paths with a
// dot-directory in them, and need the ignored files a plain checkout lacks), kept between cycles.
//
//   <root>/<repo-name>-<hash of the common git dir>/tree      the worktree (git worktree add --detach)
//   <root>/<repo-name>-<hash of the common git dir>/setup     what test_setup last prepared (a stamp)
//
// <root> is validation.worktree_dir, else $XDG_CACHE_HOME/git-autoloop/worktrees when that path holds no
// dot-directory, else ${TMPDIR:-/var/tmp}/git-autoloop-<uid>/worktrees (a directory only we own).
// Before each run the tree is checked out at the commit (--force) and cleaned (`git clean -ffd`: ignored
// files such as node_modules stay). test_setup runs when the lockfiles or the command changed since it
// last succeeded; without a test_setup, validation.link_dirs of the user's worktree are symlinked in
// while the lockfiles at the tested commit equal the user's copies.
// A ValidationTree unwound by an exception (an interrupted drain) removes its worktree.

#include "core/config.hpp"

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace git {
class Repository;
}

namespace safety {

struct TestRun {
  bool passed = false;
  bool timed_out = false;
  int exit_code = -1;
  double duration_ms = 0;
  std::string output_tail;                 // the last 2,000 bytes of stdout+stderr
};

// Why a tree could not be prepared: the test_setup failed or timed out. No fix is to blame.
struct SetupFailure {
  std::string what;      // "test_setup fails at <sha12> (exit 1)" / "... times out ..."
  std::string output_tail;
};

// The parent directory of the validation worktrees for `config` and the environment `env` (a snapshot
// of the process environment). Pure: nothing is created.
std::filesystem::path worktree_root(const core::Config& config, const std::map<std::string, std::string>& env);

// The directory of one repository's tree under `root` (it may not exist).
std::filesystem::path validation_home(const std::filesystem::path& root, const std::filesystem::path& work_tree,
                                      const std::filesystem::path& common_dir);

// Removes the repository's validation worktree, its registration and its setup stamp, when they exist
// (uninstall). True when there was one. Nothing outside `validation_home()` is removed.
bool remove_validation_tree(const std::filesystem::path& root, const std::filesystem::path& work_tree,
                            const std::filesystem::path& common_dir);

// Whether a path has a component starting with '.' ("/home/u/.cache/x" has).
bool has_dot_directory(const std::filesystem::path& path);

class ValidationTree {
public:
  struct Options {
    std::filesystem::path work_tree;   // the user's worktree (where link_dirs come from)
    std::filesystem::path common_dir;  // the repository's common git dir (names the tree)
    std::filesystem::path root;        // worktree_root()
    std::string test_command;          // what a run runs (/bin/sh -c)
    std::string test_setup;            // empty = none
    std::string coverage_report;       // relative path of the run's coverage report, removed before each run
    std::vector<std::string> link_dirs;
    std::vector<std::string> lockfiles;
    std::chrono::seconds timeout{600};
  };

  // Makes or reuses the repository's tree. Throws core::Error when the root is unusable (not a
  // directory we own, a symlink on the way) or git cannot add the worktree.
  ValidationTree(const git::Repository& repo, Options options);
  ~ValidationTree();
  ValidationTree(const ValidationTree&) = delete;
  ValidationTree& operator=(const ValidationTree&) = delete;

  // Checks out `commit`, prepares the tree (setup or links) and runs the tests. A failed setup is
  // returned as SetupFailure, not as a failed test run.
  struct Outcome {
    std::optional<TestRun> run;
    std::optional<SetupFailure> setup_failed;
  };
  Outcome run_tests(const std::string& commit);

  const std::filesystem::path& dir() const { return m_tree; }
  // The dependency directories linked for the last run (for the cache key of the base's result).
  const std::vector<std::string>& linked() const { return m_linked; }
  // How the tree was prepared for the last run: "test_setup ran", "test_setup cached", "linked node_modules", "".
  const std::string& prepared() const { return m_prepared; }

  // What, besides the commit and the commands, decides a run's result: the dependency directories
  // that would be linked for `commit` (none with a test_setup). For caching the base's result.
  std::string environment(const std::string& commit) const;

  // Removes the repository's tree and its registration (uninstall, a tree that cannot be reused).
  void remove();

private:
  std::string lockfile_stamp(const std::string& commit) const;
  bool lockfiles_match_user(const std::string& commit) const;
  void checkout(const std::string& commit);
  std::optional<SetupFailure> prepare(const std::string& commit);

  const git::Repository& m_repo;
  Options m_options;
  std::filesystem::path m_home;   // <root>/<name>-<hash>
  std::filesystem::path m_tree;   // m_home/tree
  std::vector<std::string> m_linked;
  std::string m_prepared;
  int m_uncaught = 0;
};

} // namespace safety
