// git autoloop drain [--now] [--max N] [--foreground]
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "core/interrupt.hpp"
#include "core/log.hpp"
#include "loop/drain.hpp"
#include "schedule/spawn.hpp"

#include <cstdio>

namespace cli {

namespace {
struct DrainCliOptions {
  bool now = false;
  int max = -1;
  bool foreground = false;
};
} // namespace

Runner define_drain(CLI::App& sub) {
  auto o = std::make_shared<DrainCliOptions>();
  sub.add_flag("--now", o->now, "Run even if the cycle is not due yet (scan_interval, debounce)");
  sub.add_option("--max", o->max, "At most N new fixes this cycle (default: max_improvements_per_cycle)");
  sub.add_flag("--foreground", o->foreground, "Run here and print the result (default: in the background)");
  return [o](const Global& g) {
    loop::OpenOptions oo = open_options(g);
    loop::Context ctx = loop::Context::open(oo);
    if (!o->now && !loop::drain_due(ctx)) {
      core::say("not due yet (scan_interval / debounce); `git autoloop drain --now` runs it anyway");
      return k_exit_ok;
    }
    if (!o->foreground) {
      auto bin = loop::locate_binaries();
      std::vector<std::string> argv{bin.main.string(), "drain", "--now", "--foreground", "--git-dir", ctx.paths.git_dir.string()};
      if (o->max >= 0) argv.insert(argv.end(), {"--max", std::to_string(o->max)});
      if (!schedule::spawn_detached(argv)) throw core::Error("cannot start the background drain");
      core::say("drain started in the background; `git autoloop status` shows the result");
      return k_exit_ok;
    }
    loop::DrainOptions d;
    d.max = o->max;
    d.trigger = "manual";
    loop::DrainResult r;
    try {
      // Ctrl-C, SIGTERM, SIGHUP: the tests' processes are ended and the cycle is recorded as interrupted.
      core::InterruptGuard guard;
      r = loop::drain(ctx, d);
    } catch (const core::Interrupted& e) {
      return interrupted_drain_exit(ctx, e.signal());
    }
    if (r.busy) {
      core::say("another drain is running; nothing done");
      return k_exit_ok;
    }
    if (r.skipped) {
      core::say("drain skipped: " + r.why);
      return k_exit_ok;
    }
    if (r.tests_blocked) {
      std::printf("cycle %lld on %s: stopped: %s; no fix was blamed, the new fixes stay open\n",
                  static_cast<long long>(r.cycle), r.side_ref.c_str(), printable(r.why).c_str());
      return k_exit_failed;
    }
    std::string tests;
    if (r.untested) tests += ", " + std::to_string(r.untested) + " untested (test_budget)";
    if (r.test_runs) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "; tests: %d run%s in %.1f s", r.test_runs, r.test_runs == 1 ? "" : "s", r.test_seconds);
      tests += buf;
    }
    std::printf("cycle %lld on %s: %d new fix%s, %d kept, %d failed, %d resolved%s%s\n", static_cast<long long>(r.cycle),
                r.side_ref.c_str(), r.applied, r.applied == 1 ? "" : "es", r.kept, r.failed, r.resolved, tests.c_str(),
                r.rolled_back ? (", rolled back: " + r.why).c_str() : "");
    return k_exit_ok;
  };
}

} // namespace cli
