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
#include "loop/cycle.hpp"
#include "schedule/duration.hpp"

#include <cstdio>

namespace cli {

namespace {

struct RunOptions {
  std::string every;
  int cycles = 0;
};

// One line about a cycle: what its drain did, or why it did not drain.
void print_cycle(const loop::CycleResult& cycle) {
  if (cycle.busy) {
    core::say("cycle skipped: " + *cycle.busy);
    return;
  }
  const loop::DrainResult& r = *cycle.drain;
  if (r.busy || r.skipped) {
    core::say("cycle skipped: " + r.why);
    return;
  }
  std::printf("cycle %lld on %s: %d new fix%s, %d kept, %d failed%s\n", static_cast<long long>(r.cycle),
              r.side_ref.c_str(), r.applied, r.applied == 1 ? "" : "es", r.kept, r.failed,
              r.rolled_back ? (", rolled back: " + r.why).c_str() : r.paused ? ("; the loop pauses: " + r.why).c_str() : "");
  std::fflush(stdout);
}

// The cycles, until a switch or a signal says stop (a signal during a step throws core::Interrupted).
int run_loop(loop::Context& ctx, const RunOptions& options, std::chrono::milliseconds every) {
  core::say("running a cycle every " + options.every + "; `git autoloop stop` or Ctrl-C ends it");
  loop::CycleOptions cycle;
  cycle.when = loop::DrainWhen::now;
  cycle.trigger = "run";
  cycle.scan_head = true; // hooks may not be installed here
  int done = 0;
  std::optional<std::string> stop;
  while (!(stop = loop::stop_reason(ctx))) {
    loop::CycleResult result = loop::run_cycle(ctx, cycle);
    if ((stop = result.stopped)) break;
    print_cycle(result);
    if (options.cycles && ++done >= options.cycles) break;
    if ((stop = loop::sleep_unless_stopped(ctx, every))) break;
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
