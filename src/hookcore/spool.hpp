#pragma once
// The event spool: what a hook hands to the background worker. The hook cannot open the SQLite queue
// (it links only the standard library, to stay within ~2 ms), so it drops one small file per event into
// `<git-common-dir>/autoloop/spool/` and the worker drains them into the queue.
//
// One entry per file, named `<time_ns, 20 digits>-<pid>-<counter>.ev` so that names sort by time. A file
// is written under a dot-prefixed temporary name and renamed into place: readers see whole files or none.
// Format, one field per line, unknown keys ignored so newer hooks and older workers can coexist:
//
//   autoloop-spool 1            header and format version
//   event post-commit           the hook that recorded it
//   commit <id>                 zero or more: commits to scan
//   range <old-id> <new-id>     zero or more: commits in old..new to scan
//   deferred 1                  recorded during a rebase/merge/...; the next normal hook triggers the work
//   git_dir /abs/.git           the per-worktree git dir (backslash and newline escaped as \\ and \n)
//   time_ns 1732575600123456789 wall clock when recorded
//   hook_us 812                 microseconds the hook had spent when it recorded this
//   end                         a file without it is corrupt (e.g. truncated by a crash)
//
// The hook's own helpers live here too (entry from hook arguments, error log) so that they are unit-tested.

#include "hookcore/repo_locate.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hookcore {

struct SpoolEntry {
  std::string event;                                        // hook name, or "corrupt" from spool_read
  std::vector<std::string> commits;
  std::vector<std::pair<std::string, std::string>> ranges;  // old, new
  bool deferred = false;
  std::string git_dir;
  long long time_ns = 0;                                    // 0: spool_append stamps the current time
  long long hook_us = 0;
  std::string file;                                         // set by spool_read / spool_append
};

// `<common_dir>/autoloop`, the root of everything autoloop keeps per repository. Never throws.
std::filesystem::path autoloop_dir(const RepoLocation& repo);

// Writes `entry` as a new file in `spool_dir` (created if missing) and returns its path. Not fsynced:
// a crash may lose or truncate an entry (read back as "corrupt"), never half-show one. Throws core::Error.
std::filesystem::path spool_append(const std::filesystem::path& spool_dir, SpoolEntry entry);

// All complete entries, oldest first; temporary files are skipped, files that do not parse come back with
// event "corrupt" (and their file) so the caller can remove them. A missing dir is empty. Throws core::Error
// only when the directory exists but cannot be listed.
std::vector<SpoolEntry> spool_read(const std::filesystem::path& spool_dir);

// Removes the entries' files; already-removed ones are fine (two workers may race). Never throws.
void spool_remove(const std::vector<SpoolEntry>& entries);

// True when `spool_dir` holds no entry files (or does not exist). Never throws.
bool spool_empty(const std::filesystem::path& spool_dir);

// Serialises / parses the format above; parse returns nullopt for anything malformed. Never throw.
std::string format_spool_entry(const SpoolEntry& entry);
std::optional<SpoolEntry> parse_spool_entry(std::string_view text);

// The entry a hook records, before the state check: post-commit → HEAD; post-merge → HEAD plus the
// range ORIG_HEAD..HEAD when ORIG_HEAD differs; post-rewrite → every <new> id of the "<old> <new> [extra]"
// lines on stdin. nullopt for hooks that record nothing (pre-push). Throws core::Error when HEAD cannot
// be resolved for post-commit/post-merge.
std::optional<SpoolEntry> hook_entry(std::string_view hook, const std::vector<std::string>& args,
                                     std::string_view stdin_bytes, const RepoLocation& repo);

// Whether the entry must wait: true in a rebase/cherry-pick/revert/merge/bisect, except for the
// post-rewrite that ends a rebase (git runs it while rebase-merge/ still exists). Never throws.
bool hook_should_defer(std::string_view hook, const std::vector<std::string>& args, const RepoLocation& repo);

// Appends a timestamped line to `<log_dir>/hook-errors.log` (rotated at 1 MiB) and returns true when
// `message` was never shown before, remembering it in `<log_dir>/warned`, so each distinct problem reaches
// the terminal once. Never throws: when nothing can be recorded it returns true.
bool record_hook_error(const std::filesystem::path& log_dir, std::string_view hook, std::string_view message);

} // namespace hookcore
