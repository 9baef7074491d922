// git autoloop drain [--now] [--max N] [--foreground] [--format text|json] [--sweep RULE [--by file|directory] [PATH...]]
//                    | --preview ID...
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "cli/terminal.hpp"
#include "core/interrupt.hpp"
#include "fix/sweep.hpp"
#include "core/log.hpp"
#include "core/suggest.hpp"
#include "loop/catch_up.hpp"
#include "loop/drain.hpp"
#include "loop/fix_preview.hpp"
#include "hookcore/spawn.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>

namespace cli {

namespace {
struct DrainCliOptions {
  bool now = false;
  int max = -1;
  bool foreground = false;
  std::string sweep;               // a mechanical rule to sweep (fix/sweep.hpp)
  std::string by = "file";
  std::vector<std::string> paths;  // where, relative to the current directory
  std::string format = "text";
  std::vector<int64_t> preview;    // queued findings whose fixes to show, not make
};

// --format json: the drain as one object (tests/schemas/drain.schema.json). `outcome` is "not_due",
// "background", "busy", "skipped", "tests_blocked" or "done"; the counts are the cycle's.
nlohmann::json drain_json(loop::Context& ctx, const std::string& outcome, const loop::DrainResult& r,
                          const std::vector<std::string>& notes) {
  nlohmann::json refusals = nlohmann::json::array();
  if (r.failed > 0)
    for (const auto& line : loop::recent_refusals(ctx, r.branch, 5)) refusals.push_back(line);
  return {{"outcome", outcome},   {"cycle", r.cycle},        {"branch", r.branch},
          {"side_ref", r.side_ref}, {"applied", r.applied},  {"kept", r.kept},
          {"failed", r.failed},   {"resolved", r.resolved},  {"untested", r.untested},
          {"untrusted", r.untrusted}, {"test_runs", r.test_runs}, {"test_seconds", r.test_seconds},
          {"rolled_back", r.rolled_back}, {"paused", r.paused}, {"why", r.why},
          {"next_step", r.next_step}, {"idle", r.idle},      {"refusals", std::move(refusals)},
          {"notes", notes}};
}

void print_json(const nlohmann::json& j) {
  std::puts(j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
}

// `--sweep RULE`: a rule of the repository's rule set that is mechanical and enabled, else core::Fatal.
void check_sweepable(loop::Context& ctx, const std::string& id) {
  const std::vector<scan::Rule> rules = ctx.rules();
  auto r = std::find_if(rules.begin(), rules.end(), [&](const scan::Rule& rule) { return rule.id == id; });
  if (r == rules.end()) {
    std::vector<std::string> ids;
    for (const auto& rule : rules) ids.push_back(rule.id);
    throw core::Fatal("--sweep " + id + ": no such rule" + core::did_you_mean(id, ids) + " (`git autoloop rules` lists them)",
                      k_exit_usage);
  }
  if (!r->mechanical)
    throw core::Fatal("--sweep " + id + ": not a mechanical rule (`git autoloop rules` marks those safe+mech); "
                      "its fixes need a look each, one commit per finding", k_exit_usage);
  if (!r->enabled) throw core::Fatal("--sweep " + id + ": the rule is disabled", k_exit_usage);
}
// `--preview ID...`: each fix as the drain would derive it at HEAD, one JSON object per line (printed as
// it is derived, so that a caller reads thousands without holding them): id, rule, path, line, status
// ("ok", "refused", "no_fix", "gone", "unknown"), outcome, detail, gates, unchecked, lines_changed, and
// `after` (the fixed file) when the fix was made, whether or not a gate then refused it.
int print_previews(loop::Context& ctx, const std::vector<int64_t>& ids) {
  for (int64_t id : ids) {
    const loop::FixPreview p = loop::preview_fix(ctx, id);
    nlohmann::json j = {{"id", p.id},         {"rule", p.rule},       {"path", p.path},
                        {"line", p.line},     {"status", p.status},   {"outcome", p.outcome},
                        {"detail", p.detail}, {"gates", p.gates},     {"unchecked", p.unchecked},
                        {"lines_changed", p.lines_changed}};
    if (p.has_after) j["after"] = p.after;
    std::puts(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    std::fflush(stdout);
  }
  return k_exit_ok;
}

// Below the cycle's line: what failed and why, what pauses the loop, and why nothing was proposed.
void print_outcome(loop::Context& ctx, const loop::DrainResult& r) {
  if (r.failed > 0)
    for (const auto& line : loop::recent_refusals(ctx, r.branch, 5)) std::printf("  failed: %s\n", printable(line).c_str());
  if (r.paused) std::printf("  the loop is paused: %s\n", r.next_step.c_str());
  else if (r.failed > 0) std::printf("  the loop goes on: `git autoloop queue --status failed` lists the failed fixes\n");
  if (!r.idle.empty()) {
    std::printf("  nothing new proposed:\n");
    for (const auto& why : r.idle) std::printf("    %s\n", printable(why).c_str());
  }
  if (r.untrusted > 0 && r.idle.empty())
    std::printf("  %d fix%s held: test_command is not trusted; read .autoloop.yml, then `git autoloop trust`\n", r.untrusted,
                r.untrusted == 1 ? "" : "es");
}
} // namespace

Runner define_drain(CLI::App& sub) {
  auto o = std::make_shared<DrainCliOptions>();
  sub.add_flag("--now", o->now, "Run even if the cycle is not due yet (scan_interval, debounce)");
  sub.add_option("--max", o->max, "At most N new fixes this cycle (default: max_improvements_per_cycle)");
  sub.add_flag("--foreground", o->foreground, "Run here and print the result (default: in the background)");
  sub.add_option("--sweep", o->sweep,
                 "Apply every queued finding of this mechanical rule as one commit per file (or directory), through the same gates");
  sub.add_option("--by", o->by, "With --sweep: one commit per file or per directory")
      ->check(one_of({"file", "directory"}))
      ->capture_default_str();
  sub.add_option("--format", o->format, "Output: text or json (one object; tests/schemas/drain.schema.json)")
      ->capture_default_str();
  sub.add_option("--preview", o->preview,
                 "Show these queued findings' fixes as the drain would derive them at HEAD, through its gates, one "
                 "JSON object per line (the fixed file in `after`); nothing is committed or changed (for tests and "
                 "a look before a drain)")
      ->type_name("ID")
      ->excludes("--sweep");
  sub.add_option("paths", o->paths, "With --sweep: only findings under these files or directories (relative to the current directory)");
  return [o](const Global& g) {
    const bool json = parse_format(o->format, false) == Format::json;
    loop::OpenOptions oo = open_options(g);
    loop::Context ctx = loop::Context::open(oo);
    if (!o->preview.empty()) return print_previews(ctx, o->preview);
    if (o->sweep.empty() && !o->paths.empty())
      throw core::Fatal("paths are for --sweep RULE (a drain otherwise takes the whole queue)", k_exit_usage);
    std::vector<std::string> sweep_paths;
    if (!o->sweep.empty()) {
      check_sweepable(ctx, o->sweep);
      if (!ctx.paths.work_tree) throw core::Fatal("--sweep needs a work tree", k_exit_usage);
      for (const auto& p : o->paths) sweep_paths.push_back(repository_path(*ctx.paths.work_tree, p));
    }
    // A sweep is asked for now: it runs whenever the cycle would be due or not.
    if (!o->now && o->sweep.empty() && !loop::drain_due(ctx)) {
      if (json) {
        print_json(drain_json(ctx, "not_due", {}, {}));
        return k_exit_ok;
      }
      core::say("not due yet (scan_interval / debounce); `git autoloop drain --now` runs it anyway");
      return k_exit_ok;
    }
    if (!o->foreground) {
      auto bin = loop::locate_binaries();
      std::vector<std::string> argv{bin.main.string(), "drain", "--now", "--foreground", "--git-dir", ctx.paths.git_dir.string()};
      if (o->max >= 0) argv.insert(argv.end(), {"--max", std::to_string(o->max)});
      if (!o->sweep.empty()) {
        argv.insert(argv.end(), {"--sweep", o->sweep, "--by", o->by, "--"});
        // Resolved already: the background drain runs in another directory.
        for (const auto& p : sweep_paths) argv.push_back(ctx.paths.work_tree->string() + "/" + p);
      }
      if (!hookcore::spawn_detached(argv)) throw core::Error("cannot start the background drain");
      if (json) {
        print_json(drain_json(ctx, "background", {}, {}));
        return k_exit_ok;
      }
      core::say("drain started in the background; `git autoloop status` shows the result");
      return k_exit_ok;
    }
    std::vector<std::string> notes;
    if (auto note = loop::scan_pending_events(ctx)) {
      if (json) notes.push_back(*note);
      else core::say(*note);
    }
    loop::DrainOptions d;
    d.max = o->max;
    d.trigger = o->sweep.empty() ? "manual" : "sweep";
    d.sweep_rule = o->sweep;
    d.sweep_paths = sweep_paths;
    d.sweep_by = o->by;
    loop::DrainResult r;
    try {
      // Ctrl-C, SIGTERM, SIGHUP: the tests' processes are ended and the cycle is recorded as interrupted.
      core::InterruptGuard guard;
      Progress progress("drain", !json && stderr_is_tty());
      d.progress = [&progress](const std::string& what) { progress.step(what); };
      r = loop::drain(ctx, d);
    } catch (const core::Interrupted& e) {
      return interrupted_drain_exit(ctx, e.signal());
    }
    if (json) {
      const char* outcome = r.busy ? "busy" : r.skipped ? "skipped" : r.tests_blocked ? "tests_blocked" : "done";
      print_json(drain_json(ctx, outcome, r, notes));
      if (r.tests_blocked) return k_exit_failed;
      return r.paused ? k_exit_paused : k_exit_ok;
    }
    if (r.busy) {
      core::say("another drain is running (the hooks' background drain, or another `drain`); nothing done here: "
                "`git autoloop status` shows its result when it ends");
      return k_exit_ok;
    }
    if (r.skipped) {
      core::say("drain skipped: " + printable(r.why) + (r.next_step.empty() ? "" : "; " + r.next_step));
      return r.paused ? k_exit_paused : k_exit_ok;
    }
    if (r.tests_blocked) {
      std::printf("cycle %lld on %s: stopped: %s; no fix was blamed, the new fixes stay open\n",
                  static_cast<long long>(r.cycle), r.side_ref.c_str(), printable(r.why).c_str());
      std::printf("  make the tests pass on %s (or correct test_command / test_setup); the next drain tries again\n",
                  printable(r.branch).c_str());
      return k_exit_failed;
    }
    std::string tests;
    if (r.untested) tests += ", " + std::to_string(r.untested) + " untested (test_budget)";
    if (r.test_runs) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "; tests: %d run%s in %.1f s", r.test_runs, r.test_runs == 1 ? "" : "s", r.test_seconds);
      tests += buf;
    }
    if (!o->sweep.empty())
      std::printf("sweep of %s by %s: %d new sweep commit%s (one rule, several fixes each; `git autoloop review` shows them)\n",
                  o->sweep.c_str(), o->by.c_str(), r.applied, r.applied == 1 ? "" : "s");
    std::printf("cycle %lld on %s: %d new fix%s, %d kept, %d failed, %d resolved%s%s\n", static_cast<long long>(r.cycle),
                r.side_ref.c_str(), r.applied, r.applied == 1 ? "" : "es", r.kept, r.failed, r.resolved, tests.c_str(),
                r.rolled_back ? (", rolled back: " + printable(r.why)).c_str()
                : r.paused    ? ("; the loop pauses: " + printable(r.why)).c_str()
                              : "");
    print_outcome(ctx, r);
    return r.paused ? k_exit_paused : k_exit_ok;
  };
}

} // namespace cli
