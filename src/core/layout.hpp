#pragma once
// Where git-autoloop keeps its data: one layout of `<git-common-dir>/autoloop/`, the only names of the
// files and directories under it, for both binaries (the static hook links this, standard library only,
// and loop::Paths uses it). A new file under the data dir gets its name here, nowhere else, so that what
// the loop may write or delete can be read in one place.
//
//   queue.db (+ -wal, -shm)    the SQLite queue; queue.db.corrupt-* when moved aside
//   spool/                     one file per hook event, drained by the worker
//   drain.lock                 flock: one drain at a time
//   drain-wait.lock            flock: one worker waits for a running drain
//   scan.lock                  flock: one scan at a time
//   worker.lock                flock: held by the one worker consuming the spool; a hook starts no
//                              other while it is held (hookcore::FileLock::held_elsewhere)
//   STOP                       emergency stop (`git autoloop stop`)
//   trust                      hashes of the tracked files whose commands the user trusted
//   config.yml                 local configuration (trusted)
//   log/                       spdlog files; hook-errors.log, warned (the hook's own)
//   cache/builtin-rules        compiled built-in rules
//   worktrees/                 private worktrees for tests and fixers (removed after each use)
//   notices, notices.<pid>     lines the next hook shows once (the hook takes the file by a rename)
//   last-error                 the last background failure, shown by the next hook
//   hook-latency, .<pid>       what each hook cost its commit, exec to exit (the hook appends a line as it
//                              ends; the worker takes the file by a rename and records the runs)
//   .queue.db.checked          when queue.db last passed its integrity check (size, mtime, inode)
//   rules/                     the user's own rules (trusted like local config)
//   accept/, accept.lock       review --accept: temporary files of one accept; one accept at a time

#include <filesystem>
#include <string>

namespace core {

class Layout {
public:
  // The layout of the data dir `root` (`<common_dir>/autoloop`). Does not touch the file system.
  explicit Layout(std::filesystem::path root) : m_root(std::move(root)) {}
  // The layout of the repository whose common git dir is `common_dir`.
  static Layout of_common_dir(const std::filesystem::path& common_dir) { return Layout(common_dir / "autoloop"); }

  const std::filesystem::path& root() const { return m_root; }
  std::filesystem::path queue_db() const { return m_root / "queue.db"; }
  std::filesystem::path spool() const { return m_root / "spool"; }
  std::filesystem::path drain_lock() const { return m_root / "drain.lock"; }
  std::filesystem::path drain_wait_lock() const { return m_root / "drain-wait.lock"; }
  std::filesystem::path scan_lock() const { return m_root / "scan.lock"; }
  std::filesystem::path worker_lock() const { return m_root / "worker.lock"; }
  std::filesystem::path stop_file() const { return m_root / "STOP"; }
  std::filesystem::path trust_file() const { return m_root / "trust"; }
  std::filesystem::path local_config() const { return m_root / "config.yml"; }
  std::filesystem::path log_dir() const { return m_root / "log"; }
  std::filesystem::path cache_dir() const { return m_root / "cache"; }
  std::filesystem::path builtin_rules_cache() const { return cache_dir() / "builtin-rules"; }
  std::filesystem::path worktrees() const { return m_root / "worktrees"; }
  std::filesystem::path notices() const { return m_root / "notices"; }
  // Where a hook moves notices() before reading it, so lines appended meanwhile wait for the next hook.
  std::filesystem::path notices_taken(long pid) const { return m_root / ("notices." + std::to_string(pid)); }
  std::filesystem::path last_error() const { return m_root / "last-error"; }
  std::filesystem::path hook_latency() const { return m_root / "hook-latency"; }
  std::filesystem::path hook_latency_taken(long pid) const { return m_root / ("hook-latency." + std::to_string(pid)); }
  std::filesystem::path local_rules() const { return m_root / "rules"; }
  std::filesystem::path accept_dir() const { return m_root / "accept"; }
  std::filesystem::path accept_lock() const { return m_root / "accept.lock"; }

private:
  std::filesystem::path m_root;
};

} // namespace core
