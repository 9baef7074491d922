#pragma once
// One drain cycle (docs/ARCHITECTURE.md §1, §7.3-7.5): under an exclusive lock, rebuild `autoloop/<branch>` on
// the branch's tip from the pending fixes, add at most N new ones, validate them (size, no
// destruction, re-parse, line endings, then the repository's tests in a private worktree, bisecting
// a failing batch), and publish the side branch with one compare-and-swap. Killed at any point, the
// side branch is at its checkpoint or at the recorded plan, and the next drain finishes the record.

#include "loop/context.hpp"

#include <functional>
#include <string>
#include <vector>

namespace loop {

struct DrainOptions {
  int max = -1;                 // new fixes this cycle; -1: max_improvements_per_cycle
  std::string trigger = "manual";
  // `drain --sweep RULE [PATH...]` (fix/sweep.hpp): the cycle applies only RULE's findings under
  // `sweep_paths` (repository-relative), one commit per file or directory ("file" | "directory"), every
  // group of them unless `max` is set. Empty: sweep.rules of the configuration, beside single fixes.
  std::string sweep_rule;
  std::vector<std::string> sweep_paths;
  std::string sweep_by = "file";
  // Told each step of the cycle as it starts ("fix 2/5: python/compare-to-none a.py", "testing 5 fixes"):
  // a foreground drain on a terminal draws it as a progress line. Empty: nothing is told.
  std::function<void(const std::string&)> progress;
};

struct DrainResult {
  bool busy = false;            // another drain holds the lock
  bool skipped = false;         // stopped, paused, detached HEAD, ...
  std::string why;              // for skipped / rolled back
  std::string next_step;        // for skipped and paused: what to run to go on ("`git autoloop resume`")
  bool paused = false;          // the loop is paused: this cycle tripped the breaker, or it was paused before
  int untrusted = 0;            // new fixes held because test_command is not trusted
  // When no new fix was proposed (and nothing was rolled back): why, one line per reason (fix::idle_reasons).
  std::vector<std::string> idle;
  std::string branch, side_ref, tip;
  int applied = 0;              // new fixes published
  int kept = 0;                 // pending fixes carried over
  int failed = 0;
  int resolved = 0;             // pending fixes whose finding is gone
  bool rolled_back = false;
  int untested = 0;             // new fixes test_budget left untested (they stay open)
  bool tests_blocked = false;   // the tests fail on the base (or their setup does): `why`; no fix was blamed
  int test_runs = 0;            // runs of the tests this cycle (the base's included)
  double test_seconds = 0;
  int64_t cycle = 0;
};

// Runs one cycle. Throws only for repository or database failures (the cycle is then recovered by
// the next drain).
DrainResult drain(Context& ctx, const DrainOptions& options);

// A cycle recover() finished: published when the side branch already held its plan (its fixes are then
// applied), otherwise nothing of it was published.
struct RecoveredCycle {
  int64_t id = 0;
  std::string branch;
  bool published = false;
  int applied = 0;
};

// Finishes the records of cycles a kill or a signal interrupted (Cycle::interrupted says `reason`, or
// that the drain ended before its cycle did); with `cleanup`, also removes what such a kill left on disk
// (private worktrees, stale side-branch ref locks; only inside the directories they belong to). drain()
// passes cleanup = false while the loop is stopped. Call with the drain lock held.
std::vector<RecoveredCycle> recover(Context& ctx, bool cleanup = true, const std::string& reason = "");

// After core::Interrupted left drain(): takes the drain lock again (waiting a moment) and recovers what
// the interrupted drain left, the cycle recorded as "interrupted by <signal>". Returns one line for the
// user: which cycle was recorded, and whether anything was published.
std::string finish_interrupted_drain(Context& ctx, int signal);

// The fixes the gates refused in the latest cycle on `branch` that refused any (the size cap, the
// destructive-change gate, the re-parse, the native check, the tests, ...), newest first: one line each,
// "#12 python/compare-to-none a.py:3: check_failed: <what the check says>", at most `limit`.
std::vector<std::string> recent_refusals(Context& ctx, const std::string& branch, size_t limit = 5);

// A refusal's detail for display: its first line, and at most `tail_lines` last non-blank lines of the rest
// (what the refusing tests or check printed last). Does not throw but for allocation.
struct FailureDetail {
  std::string head;
  std::vector<std::string> tail;
};
FailureDetail split_failure(const std::string& detail, size_t tail_lines = 4);

// Seconds until a drain is due for the current branch (0: due now): scan_interval after the last
// cycle (at once when there was none), and `debounce` seconds after the last commit, so a burst of
// commits gives one cycle. nullopt when there is no branch to drain (detached or unborn HEAD).
std::optional<double> seconds_until_drain(Context& ctx);
bool drain_due(Context& ctx);

// The side branch name for `branch` ("autoloop/main"), and its full ref ("refs/heads/autoloop/main").
// Throws core::Error when that is not a valid ref name under refs/heads/<side_branch_prefix> (git's
// rules, checked by libgit2 too): every ref the loop writes is named here.
std::string side_branch_name(const core::Config& config, const std::string& branch);
std::string side_branch_ref(const core::Config& config, const std::string& branch);

} // namespace loop
