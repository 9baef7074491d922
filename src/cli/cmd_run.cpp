// git autoloop run --every DURATION [--cycles N]: the loop in the foreground, for continuous operation
// without commits (a CI box, a container): every DURATION it scans what is new on HEAD and runs a drain
// cycle. Stops cleanly, between steps, on the STOP switch (`git autoloop stop`), SIGTERM, SIGINT or SIGHUP;
// a signal that arrives during a step interrupts it like a foreground drain (core::InterruptGuard): its
// test processes are ended, the cycle is recorded as interrupted, and run exits 128 + signal.
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/log.hpp"
#include "loop/drain.hpp"
#include "loop/worker.hpp"
#include "schedule/duration.hpp"
#include "schedule/load.hpp"

#include <cstdio>
#include <thread>

namespace cli {

namespace {

struct RunOptions {
  std::string every;
  int cycles = 0;
};

// Commits on HEAD's first-parent line that no scan has seen yet, oldest first (at most `limit`).
std::vector<std::string> unscanned_commits(loop::Context& ctx, size_t limit) {
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

// Why the loop must end now, or nullopt.
std::optional<std::string> should_stop(loop::Context& ctx) {
  if (int signal = core::interruption()) return core::Interrupted(signal).signal_name() + " received";
  if (auto why = ctx.stopped()) return why;
  return std::nullopt;
}

// The cycles, until a switch or a signal says stop (a signal during a step throws core::Interrupted).
int run_loop(loop::Context& ctx, const RunOptions& options, std::chrono::milliseconds every) {
  core::say("running a cycle every " + options.every + "; `git autoloop stop` or Ctrl-C ends it");
  int done = 0;
  std::optional<std::string> stop;
  while (!(stop = should_stop(ctx))) {
    // 1. What was committed since the last cycle (hooks may not be installed here).
    loop::run_worker(ctx);
    auto commits = unscanned_commits(ctx, 200);
    if (!commits.empty()) loop::scan_now(ctx, commits, "scan");
    if ((stop = should_stop(ctx))) break;
    // 2. A drain, unless the machine is busy.
    if (auto busy = schedule::busy_reason(ctx.config.autonomous_loop.max_load_per_cpu, schedule::current_load())) {
      core::say("cycle skipped: " + *busy);
    } else {
      loop::DrainOptions d;
      d.trigger = "run";
      loop::DrainResult r = loop::drain(ctx, d);
      if (r.busy || r.skipped) {
        core::say("cycle skipped: " + r.why);
      } else {
        std::printf("cycle %lld on %s: %d new fix%s, %d kept, %d failed%s\n", static_cast<long long>(r.cycle),
                    r.side_ref.c_str(), r.applied, r.applied == 1 ? "" : "es", r.kept, r.failed,
                    r.rolled_back ? (", rolled back: " + r.why).c_str() : "");
        std::fflush(stdout);
      }
    }
    if (options.cycles && ++done >= options.cycles) break;
    // 3. Wait, looking at the switches a few times a second.
    const auto until = std::chrono::steady_clock::now() + every;
    while (std::chrono::steady_clock::now() < until && !should_stop(ctx))
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  core::say(stop ? "stopped: " + *stop : "done: " + std::to_string(done) + " cycles");
  return k_exit_ok;
}

} // namespace

Runner define_run(CLI::App& sub) {
  auto o = std::make_shared<RunOptions>();
  sub.add_option("--every", o->every, "Time between cycles: 90s, 5m, 1h30m, ...")->required()->type_name("DURATION");
  sub.add_option("--cycles", o->cycles, "Stop after N cycles (default: run until stopped)")->check(CLI::NonNegativeNumber);
  return [o](const Global& g) {
    auto every = schedule::parse_duration(o->every);
    if (!every) throw core::Fatal("--every " + o->every + ": expected a duration such as 90s, 5m or 1h30m", k_exit_usage);
    loop::Context ctx = loop::Context::open(open_options(g));
    try {
      core::InterruptGuard guard;
      return run_loop(ctx, *o, *every);
    } catch (const core::Interrupted& e) {
      return interrupted_drain_exit(ctx, e.signal());
    }
  };
}

} // namespace cli
