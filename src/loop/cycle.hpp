#pragma once
// One cycle of the loop: scan what was committed since the last cycle, then drain when the drain may
// run. The worker the hooks start runs one after each commit and waits for the drain to be due
// (wait_until_due); `git autoloop run --every DURATION` runs one every DURATION and drains at once,
// unless the machine is busy.

#include "hookcore/lock.hpp"
#include "loop/context.hpp"
#include "loop/drain.hpp"
#include "loop/worker.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace loop {

// When a cycle drains, once its scan is done.
enum class DrainWhen {
  due, // when the schedule says so (wait_until_due): the worker after a commit
  now, // at once unless the machine is busy: `run --every`, whose period is the schedule
};

struct CycleOptions {
  DrainWhen when = DrainWhen::now;
  std::string trigger = "run"; // recorded with the drain's cycle: "schedule" (the worker), "run"
  // Also scan the commits on HEAD's first-parent line that no scan has seen (at most 200, oldest first):
  // `run` may work where no hook records the commits.
  bool scan_head = false;
};

struct CycleResult {
  WorkerResult scan;                  // the hook events consumed and the commits caught up on
  std::optional<std::string> stopped; // why the loop must end (stop_reason); nothing was drained
  std::optional<std::string> busy;    // DrainWhen::now: the machine is busy, no drain
  std::optional<DrainResult> drain;   // the drain, when one ran (it may itself be busy or skipped)
};

// Runs one cycle:
//  1. Nothing when the loop must stop (stop_reason).
//  2. The scan: the spool of hook events (run_worker), then, with `scan_head`, HEAD's unscanned commits.
//  3. Whether to drain. DrainWhen::due: not when another worker holds the scan lock (it sees to the
//     drain), else wait_until_due(). DrainWhen::now: not when the loop must stop meanwhile, nor when the
//     machine is busy (schedule::busy_reason).
//  4. The drain, under a core::InterruptGuard: a signal ends its tests and throws core::Interrupted
//     (finish_interrupted_drain then records the cycle).
// Throws what run_worker and drain throw.
CycleResult run_cycle(Context& ctx, const CycleOptions& options);

// The worker's wait for a due drain. Only one worker waits (the drain-wait lock); it gives up as soon
// as a newer hook event arrives, whose worker takes over (waiting a moment for the lock, which the
// leaving waiter is about to release). Returns the lock, to hold until the drain is over, once the
// drain is due and the machine not busy; nullopt when this worker leaves the drain:
//  - another worker holds the lock for half a second, or the loop is stopped or paused;
//  - there is no branch to drain (detached or unborn HEAD);
//  - the drain is due later than the debounce (scan_interval: a later hook sees to it);
//  - a hook event arrived during the wait;
//  - the machine stayed busy for an hour (`drain_deferred` in the queue's state says why meanwhile).
std::optional<hookcore::FileLock> wait_until_due(Context& ctx);

// Why the loop must end now ("SIGTERM received" under a core::InterruptGuard, "STOP file", ...), or nullopt.
std::optional<std::string> stop_reason(const Context& ctx);

// Sleeps for `period`, looking at stop_reason() a few times a second. Returns it when it says stop
// (then at once), else nullopt after `period`.
std::optional<std::string> sleep_unless_stopped(const Context& ctx, std::chrono::milliseconds period);

} // namespace loop
