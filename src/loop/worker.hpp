#pragma once
// The background worker the hooks start: drains the spool of recorded hook events into one scan
// per batch, then (once the drain lands) runs a cycle when one is due.

#include "loop/context.hpp"
#include "scan/scanner.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace loop {

struct WorkerResult {
  int batches = 0;          // scan runs done (one per batch of spool entries)
  int entries = 0;          // spool entries consumed
  scan::ScanStats stats;
  bool lock_busy = false;   // another worker was already at it
  int caught_up = 0;        // commits no hook recorded, found on local branches and scanned
};

// Processes the spool until it is empty, then catches up on commits of local branches that no hook
// recorded (made while stopped, on a full disk, without the binary), at most 200 a run. During a rebase, cherry-pick, merge or bisect only entries
// that are final (post-rewrite, or recorded outside such a state) are taken; the rest wait.
// Never throws for a scan failure: it is logged, recorded in `runs` and in <data>/last-error.
// One worker consumes the spool at a time (worker.lock; the hook starts none while it is held): another
// one returns at once with lock_busy, as does one that waited `scan_lock_wait` in vain for the scan lock.
WorkerResult run_worker(Context& ctx, std::chrono::milliseconds scan_lock_wait = std::chrono::minutes(10));

// Scans `commits` now under the scan lock (pre-push, scan --commit) and records a run of `kind`.
scan::ScanStats scan_now(Context& ctx, const std::vector<std::string>& commits, const std::string& kind,
                         bool force = false, std::vector<scan::Located>* out = nullptr);

// When the worker cannot open its repository (most likely a malformed .autoloop.yml): the hook events
// stay in the spool for after the fix, and `message` goes to <data>/last-error for the next hook to show
// once. `git_dir` as the hook passed it (--git-dir); nothing is written when it is empty or names no
// repository. Never throws.
void record_open_failure(const std::string& git_dir, const std::string& message);

} // namespace loop
