#pragma once
// One Context per invocation: the repository, its configuration, the queue and the log, built once
// in cli and passed by reference (no singletons). Tests build one directly on a temp repository.

#include "core/config.hpp"
#include "core/layout.hpp"
#include "core/log.hpp"
#include "fix/native_check.hpp"
#include "git/repo.hpp"
#include "queue/store.hpp"
#include "safety/trust.hpp"
#include "scan/engine.hpp"
#include "scan/project_linters.hpp"
#include "scan/rule.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace loop {

// Where git-autoloop keeps its data: all under the common git dir, shared by worktrees. The names under
// data_dir come from core::Layout (the hook binary uses the same one).
struct Paths {
  std::filesystem::path git_dir;      // per-worktree
  std::filesystem::path common_dir;
  std::optional<std::filesystem::path> work_tree;
  std::filesystem::path data_dir;     // <common>/autoloop
  core::Layout layout() const { return core::Layout(data_dir); }
  std::filesystem::path db() const { return layout().queue_db(); }
  std::filesystem::path spool() const { return layout().spool(); }
  std::filesystem::path log_dir() const { return layout().log_dir(); }
  std::filesystem::path stop_file() const { return layout().stop_file(); }
  std::filesystem::path local_config() const { return layout().local_config(); }
  std::filesystem::path last_error() const { return layout().last_error(); }
  std::filesystem::path notices() const { return layout().notices(); } // lines the next hook shows once
  std::filesystem::path trust_file() const { return layout().trust_file(); }
  std::filesystem::path drain_lock() const { return layout().drain_lock(); }
  std::filesystem::path drain_wait_lock() const { return layout().drain_wait_lock(); }
  std::filesystem::path scan_lock() const { return layout().scan_lock(); }
  std::filesystem::path builtin_rules_cache() const { return layout().builtin_rules_cache(); }
  // The directory refs/heads/ of the common git dir: side branches live below it.
  std::filesystem::path heads_dir() const { return common_dir / "refs" / "heads"; }
  std::optional<std::filesystem::path> repo_config() const {
    if (!work_tree) return std::nullopt;
    return *work_tree / ".autoloop.yml";
  }
};

struct OpenOptions {
  std::optional<std::filesystem::path> git_dir;   // explicit (the worker); else discovered from cwd / GIT_DIR
  std::vector<std::string> overrides;             // -c key=value
  bool load_config = true;                        // false: defaults only (doctor reports the error itself)
  // Whether opening the queue runs quick_check when the file changed since the last clean check. The worker
  // (after every commit) leaves it to the commands: it recovers from damage its own queries meet.
  bool check_queue = true;
};

class Context {
public:
  // Opens the repository and loads the configuration. Throws git::Error when there is no
  // repository, core::LocatedError for a malformed config file.
  static Context open(const OpenOptions& options);

  git::Repository repo;
  Paths paths;
  core::Config config;
  core::Logger log;

  // The queue, opened on first use. A corrupt database is moved aside (reported once on stderr and
  // in the log) and a fresh one is created; the next scans rebuild it.
  queue::Store& store();
  // Damage found after the queue was opened (a query hit SQLITE_CORRUPT): the same as store() does at
  // open, moving the file aside and starting afresh. The Store reference from before is invalid then.
  void recover_corrupt_store(const queue::CorruptError& e);
  // Whether a corrupt queue was moved aside by store() in this invocation.
  const std::optional<std::filesystem::path>& quarantined() const { return m_quarantined; }

  // Built-in rules, with the repository's rules (ids `repo:<id>`, trusted only while `git autoloop
  // trust` covers their directory's content), the user's local rules (which may replace a built-in
  // of the same id) and the config's switches. Throws core::LocatedError for a malformed rule file, and
  // for a rule id the configuration names that is none of them (core::Error from the environment or -c).
  std::vector<scan::Rule> rules() const;

  // The project's own linter configuration at HEAD (scan/project_linters.hpp): what rules() follows
  // unless `rules.follow_project_linters` is false. None without a commit. Never throws for the
  // files' content.
  scan::ProjectLinters project_linters() const;

  // The repository's rules directory as it is now: `rules.directory`, which lies inside the work tree
  // whoever set it (config load refuses absolute paths and ".."), so a checkout can change its files.
  // Without a work tree `dir` is empty and there are none.
  struct RepositoryRules {
    std::optional<std::filesystem::path> dir;
    std::string display;                       // `dir` relative to the work tree (".autoloop/rules")
    std::vector<scan::RuleFile> files;
    safety::RulesDigest digest;
    bool trusted = false;                      // the trust file records `digest`
  };
  // Throws core::Error when the directory cannot be read.
  RepositoryRules repository_rules() const;

  // The user's own rule directories, trusted like local config: `.git/autoloop/rules/` (no checkout
  // writes there).
  std::vector<std::filesystem::path> local_rules_dirs() const;

  // The hooks directory git really uses (`git rev-parse --git-path hooks`: honours core.hooksPath
  // and linked worktrees). Throws core::Error when git cannot tell.
  std::filesystem::path hooks_dir() const;

  // One matcher per process, built on first use from rules(): compiling queries is the costliest
  // part of a small scan, so batches share it.
  const scan::Engine& engine();

  // One native checker per process (fix/native_check.hpp): its cache of diagnostics per content
  // serves every rebuild of a cycle's chain.
  fix::NativeChecker& native_checker();

  // Why the loop is stopped ("STOP file", "AUTOLOOP=0", "enabled: false"), or nullopt.
  std::optional<std::string> stopped() const;

private:
  Context(git::Repository r, Paths p) : repo(std::move(r)), paths(std::move(p)) {}
  void rebuild_store(const queue::CorruptError& e);
  std::unique_ptr<queue::Store> m_store;
  std::unique_ptr<scan::Engine> m_engine;
  std::unique_ptr<fix::NativeChecker> m_native_checker;
  std::optional<std::filesystem::path> m_quarantined;
  bool m_check_queue = true;
};

// Moves a corrupt queue (and its -wal/-shm) aside, says so on stderr (and in `log` when given), creates a
// fresh one marked for a rescan of HEAD and records the event in last-error (shown once by the next hook).
// Returns where the damaged file went. Call with no connection open on it. Throws queue::Error.
std::filesystem::path set_aside_corrupt_queue(const Paths& paths, const queue::CorruptError& e, core::Logger* log);

// The installed binaries: this program, and the hook binary and the merge driver (autoloop-merge) beside
// it or in ../libexec/git-autoloop/.
struct Binaries {
  std::filesystem::path main;
  std::optional<std::filesystem::path> hook;
  std::optional<std::filesystem::path> merge;
};
Binaries locate_binaries();

// Peak resident memory of this process so far, in KiB.
long peak_rss_kb();

} // namespace loop
