#include "loop/cycle.hpp"

#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/interrupt.hpp"
#include "hookcore/spool.hpp"
#include "loop/notify.hpp"
#include "loop/provider_scan.hpp"
#include "schedule/load.hpp"

#include <thread>
#include <vector>

namespace loop {

namespace {

using Clock = std::chrono::steady_clock;

// How many unscanned commits of HEAD one cycle scans at most.
constexpr size_t k_head_commits_per_cycle = 200;

// Commits on HEAD's first-parent line that no scan has seen yet, oldest first (at most `limit`).
std::vector<std::string> unscanned_head_commits(Context& ctx, size_t limit) {
  std::vector<std::string> commits;
  auto head = ctx.repo.resolve_commit("HEAD");
  for (auto c = head; c && commits.size() < limit;) {
    if (ctx.store().is_commit_scanned(*c)) break;
    commits.push_back(*c);
    auto parents = ctx.repo.commit_info(*c).parents;
    c = parents.empty() ? std::nullopt : std::optional<std::string>(parents.front());
  }
  return {commits.rbegin(), commits.rend()};
}

std::optional<std::string> machine_busy(const Context& ctx) {
  return schedule::busy_reason(ctx.config.autonomous_loop.max_load_per_cpu, schedule::current_load());
}

// SIGTERM (a logout, a shutdown, `kill`) during the drain: the tests' processes are ended, the cycle is
// recorded as interrupted and the private worktree cleaned, as for a foreground drain. A drain that
// fails is an `error` notification and the last error (`status`, the next hook: nobody watches a background
// drain's output), then thrown on.
DrainResult interruptible_drain(Context& ctx, const std::string& trigger) {
  DrainOptions options;
  options.trigger = trigger;
  core::InterruptGuard guard;
  try {
    return drain(ctx, options);
  } catch (const std::exception& e) {
    notify_error(ctx, "drain", e.what());
    try {
      core::write_file_atomic(ctx.paths.last_error(), std::string("drain failed: ") + e.what() + "\n");
    } catch (const std::exception&) {
      // a full disk: the notification above is all there is
    }
    throw;
  }
}

} // namespace

CycleResult run_cycle(Context& ctx, const CycleOptions& options) {
  CycleResult result;
  if ((result.stopped = stop_reason(ctx))) return result;

  result.scan = run_worker(ctx);
  if (options.scan_head) {
    auto commits = unscanned_head_commits(ctx, k_head_commits_per_cycle);
    if (!commits.empty()) {
      scan_now(ctx, commits, "scan");
      try {
        scan_with_providers(ctx, commits, ProviderPass::drain); // no hook is waiting: no budget
      } catch (const std::exception& e) {
        ctx.log.error("providers: {}", e.what());
      }
    }
  }

  if (options.when == DrainWhen::due) {
    if (result.scan.lock_busy) return result; // the running worker will also see to the drain
    // Held until the drain is over: a later worker then leaves the drain to this one.
    const std::optional<hookcore::FileLock> waited = wait_until_due(ctx);
    if (!waited) return result;
    result.drain = interruptible_drain(ctx, options.trigger);
    return result;
  }
  if ((result.stopped = stop_reason(ctx))) return result;
  if ((result.busy = machine_busy(ctx))) return result;
  result.drain = interruptible_drain(ctx, options.trigger);
  return result;
}

std::optional<hookcore::FileLock> wait_until_due(Context& ctx) {
  auto waiting = hookcore::FileLock::acquire(ctx.paths.drain_wait_lock(), std::chrono::milliseconds(500));
  if (!waiting) return std::nullopt;
  const auto deferred_since = Clock::now();
  for (;;) {
    if (ctx.stopped() || ctx.store().state("paused")) return std::nullopt;
    auto wait = seconds_until_drain(ctx);
    if (!wait) return std::nullopt;
    if (*wait <= 0) {
      // Due: unless the machine is busy. Then look again every few seconds, for up to an hour (a
      // later hook starts a new wait).
      auto busy = machine_busy(ctx);
      if (!busy) break;
      ctx.store().set_state("drain_deferred", *busy);
      if (Clock::now() - deferred_since > std::chrono::hours(1)) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::seconds(5));
      if (!hookcore::spool_empty(ctx.paths.spool())) return std::nullopt;
      continue;
    }
    if (*wait > ctx.config.autonomous_loop.debounce + 1) return std::nullopt; // scan_interval: a later hook
    std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int>(*wait * 1000) + 50));
    if (!hookcore::spool_empty(ctx.paths.spool())) return std::nullopt;
  }
  ctx.store().erase_state("drain_deferred");
  return waiting;
}

std::optional<std::string> stop_reason(const Context& ctx) {
  if (int signal = core::interruption()) return core::Interrupted(signal).signal_name() + " received";
  if (auto why = ctx.stopped()) return why;
  return std::nullopt;
}

std::optional<std::string> sleep_unless_stopped(const Context& ctx, std::chrono::milliseconds period) {
  const auto until = Clock::now() + period;
  while (Clock::now() < until) {
    if (auto stop = stop_reason(ctx)) return stop;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return stop_reason(ctx);
}

} // namespace loop
