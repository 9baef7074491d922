#include "loop/catch_up.hpp"

#include "loop/worker.hpp"
#include "hookcore/lock.hpp"
#include "hookcore/spool.hpp"

#include <algorithm>

namespace loop {

std::optional<std::string> scan_pending_events(Context& ctx, std::chrono::seconds wait) {
  if (ctx.stopped()) return std::nullopt;
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + wait;
  for (;;) {
    // 1. Wait for a scan under way: the worker holding the lock loops until the spool is empty.
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    std::optional<hookcore::FileLock> lock =
        hookcore::FileLock::acquire(ctx.paths.scan_lock(), std::max(left, std::chrono::milliseconds(0)));
    if (!lock)
      return "a background scan is still running after " + std::to_string(wait.count()) +
             " s; this drain works on what is scanned so far";
    const bool pending = !hookcore::spool_empty(ctx.paths.spool());
    lock.reset(); // run_worker takes it itself
    if (!pending) return std::nullopt;
    // 2. Scan them here. A worker that took the lock in between is waited for in turn.
    const WorkerResult scanned =
        run_worker(ctx, std::max(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()),
                                 std::chrono::milliseconds(0)));
    if (scanned.lock_busy) continue;
    ctx.log.info("drain: scanned {} hook event(s) first ({} commits)", scanned.entries, scanned.stats.commits);
    return std::nullopt;
  }
}

} // namespace loop
