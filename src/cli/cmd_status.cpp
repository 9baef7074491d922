// git autoloop status
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "core/fs.hpp"
#include "feedback/feedback.hpp"
#include "loop/context.hpp"
#include "loop/drain.hpp"
#include "loop/review.hpp"
#include "metrics/report.hpp"
#include "safety/trust.hpp"
#include "hookcore/hook_install.hpp"
#include "hookcore/spool.hpp"
#include "scan/scanner.hpp"

#include <cstdio>
#include <set>
#include <cstdlib>
#include <ctime>

namespace cli {

namespace {

std::string when(double unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", std::localtime(&t));
  return buf;
}

} // namespace

Runner define_status(CLI::App&) {
  return [](const Global& g) {
    loop::OpenOptions oo = open_options(g);
    oo.load_config = false;
    loop::Context ctx = loop::Context::open(oo);
    std::string config_error;
    try {
      oo.load_config = true;
      ctx.config = loop::Context::open(oo).config;
    } catch (const std::exception& e) {
      config_error = e.what();
    }
    std::printf("repository: %s\n", (ctx.paths.work_tree ? *ctx.paths.work_tree : ctx.paths.git_dir).c_str());
    if (auto why = ctx.stopped()) std::printf("loop:       stopped (%s)\n", why->c_str());
    else if (auto paused = ctx.store().state("paused"))
      std::printf("loop:       paused (%s); `git autoloop queue --status failed` shows what failed, `git autoloop resume` "
                  "goes on\n", printable(*paused).c_str());
    else std::printf("loop:       running\n");
    if (auto deferred = ctx.store().state("drain_deferred"))
      std::printf("drain:      waiting, the machine is busy (%s)\n", deferred->c_str());
    if (!config_error.empty()) std::printf("config:     ERROR %s\n", config_error.c_str());
    try {
      auto dir = ctx.hooks_dir();
      int ours = 0;
      for (const char* h : {"post-commit", "post-merge", "post-rewrite", "pre-push"})
        if (hookcore::hook_reaches_autoloop(dir, h)) ++ours;
      std::printf("hooks:      %d/4 installed in %s\n", ours, dir.c_str());
    } catch (const std::exception& e) {
      std::printf("hooks:      unknown (%s)\n", e.what());
    }
    auto counts = ctx.store().count_by_status();
    std::string summary;
    for (const auto& [status, n] : counts) summary += (summary.empty() ? "" : ", ") + std::to_string(n) + " " + status;
    std::printf("queue:      %s\n", summary.empty() ? "empty" : summary.c_str());
    size_t pending = hookcore::spool_read(ctx.paths.spool()).size();
    if (auto skipped = scan::provenance_summary(scan::saved_provenance(ctx.store())); !skipped.empty())
      std::printf("skipped:    %s; `scan.include_vendored` scans them\n", skipped.c_str());
    if (auto skipped = scan::context_summary(scan::saved_contexts(ctx.store())); !skipped.empty())
      std::printf("context:    %s; `rules.contexts` changes where a rule applies\n", skipped.c_str());
    if (pending) std::printf("pending:    %zu hook event%s waiting to be scanned\n", pending, pending == 1 ? "" : "s");
    auto scans = ctx.store().runs("scan", 1);
    if (!scans.empty()) {
      const auto& r = scans.front();
      std::printf("last scan:  %s, %.1f ms, %d commits, %d files%s%s\n", when(r.started_at).c_str(), r.duration_ms,
                  r.commits, r.files, r.error.empty() ? "" : ", error: ", r.error.c_str());
    }
    if (auto hook_time = metrics::hook_time(ctx.store())) std::printf("hook time:  %s\n", hook_time->c_str());
    auto cycles = ctx.store().cycles(1);
    if (!cycles.empty()) {
      const auto& c = cycles.front();
      if (!c.interrupted.empty()) {
        // Not "0 applied, 0 failed": the cycle did not get to judge its fixes, and blamed none.
        std::printf("last drain: %s, cycle %lld on %s: %s; %s\n", when(c.started_at).c_str(), static_cast<long long>(c.id),
                    c.branch.c_str(), c.interrupted.c_str(),
                    c.rolled_back ? "nothing was published, its fixes stay open"
                                  : ("its side branch was published (" + std::to_string(c.applied) + " applied)").c_str());
      } else if (c.state != "done") {
        std::printf("last drain: %s, cycle %lld on %s: not finished (running, or killed: the next drain records it)\n",
                    when(c.started_at).c_str(), static_cast<long long>(c.id), c.branch.c_str());
      } else {
        std::printf("last drain: %s, cycle %lld on %s: %d applied, %d failed%s\n", when(c.started_at).c_str(),
                    static_cast<long long>(c.id), c.branch.c_str(), c.applied, c.failed,
                    c.rolled_back                        ? (", rolled back (" + printable(c.detail) + ")").c_str()
                    : c.detail.rfind("stopped: ", 0) == 0 ? ("; " + printable(c.detail)).c_str()
                                                          : "");
      }
    }
    // Fixes the loop holds back, and what the gates refused last (a native check's diagnostic included).
    if (auto held = ctx.store().state("unsafe_held")) std::printf("fixes:      %s\n", printable(*held).c_str());
    if (auto idle = ctx.store().state("idle")) std::printf("proposed:   %s\n", printable(*idle).c_str());
    if (auto branch = ctx.repo.current_branch())
      for (const auto& line : loop::recent_refusals(ctx, *branch, 3)) std::printf("refused:    %s\n", printable(line).c_str());
    // Why the tests could not validate anything (no fix is blamed for it), and the last flaky run.
    if (auto blocked = ctx.store().state("tests_blocked"))
      std::printf("tests:      %s; fixes stay open until they pass there\n", printable(*blocked).c_str());
    if (auto flaky = ctx.store().state("tests_flaky")) {
      const size_t space = flaky->find(' ');
      if (space != std::string::npos)
        std::printf("tests:      flaky at %s: %s\n", when(std::atof(flaky->substr(0, space).c_str())).c_str(),
                    printable(flaky->substr(space + 1)).c_str());
    }
    try {
      auto fixes = loop::pending_fixes(ctx);
      if (!fixes.empty())
        std::printf("review:     %zu fix%s waiting on %s: `git autoloop review`\n", fixes.size(),
                    fixes.size() == 1 ? "" : "es", loop::side_branch_name(ctx.config, ctx.repo.current_branch().value_or("")).c_str());
    } catch (const std::exception&) {
    }
    {
      // What the loop learnt: rules it stopped applying or trusts, the category weights in force, and
      // the latest changes of strategy with their reasons.
      auto learnt = feedback::current(ctx.store(), ctx.config.feedback);
      std::string quarantined, trusted;
      for (const auto& [id, v] : learnt.rules) {
        if (v.state == feedback::State::quarantined) quarantined += (quarantined.empty() ? "" : ", ") + id;
        if (v.state == feedback::State::trusted) trusted += (trusted.empty() ? "" : ", ") + id;
      }
      if (!quarantined.empty()) std::printf("quarantine: %s (scanned, never applied; `git autoloop rules`)\n", quarantined.c_str());
      if (!trusted.empty()) std::printf("trusted:    %s\n", trusted.c_str());
      // Bulk accepts (sweeps, `review --accept-all`) count as verdicts but never make a rule trusted.
      std::string bulk;
      for (const auto& [id, v] : learnt.rules)
        if (v.counts.bulk_accepted > 0)
          bulk += (bulk.empty() ? "" : ", ") + id + " " + std::to_string(v.counts.bulk_accepted) + " of " +
                  std::to_string(v.counts.accepted);
      if (!bulk.empty()) std::printf("bulk:       accepted in bulk: %s (verdicts, but never what makes a rule trusted)\n", bulk.c_str());
      if (auto sweep = ctx.store().state("sweep")) std::printf("sweep:      %s\n", printable(*sweep).c_str());
      std::string weights;
      for (const auto& [category, m] : learnt.category_multiplier) {
        char item[64];
        std::snprintf(item, sizeof item, "%s%s x%.2f", weights.empty() ? "" : ", ", category.c_str(), m);
        weights += item;
      }
      if (!weights.empty()) std::printf("weights:    %s\n", weights.c_str());
      for (const auto& c : ctx.store().strategy_changes(3))
        std::printf("learnt:     %s %s\n", when(static_cast<double>(c.created_at)).c_str(), c.reason.c_str());
    }
    // The project's own choices: rules its linters turn off, files not followed, and rules whose
    // findings it leaves everywhere (scan/project_linters.hpp, feedback::style_mismatches).
    try {
      auto rules = ctx.rules();
      std::set<std::string> enabled;
      for (const auto& r : rules) {
        if (r.enabled) enabled.insert(r.id);
        if (!r.broken.empty())
          std::printf("rules:      %s is off, malformed: %s\n", printable(r.id).c_str(), printable(r.broken).c_str());
        else if (!r.off_reason.empty())
          std::printf("linters:    %s off: %s\n", r.id.c_str(), r.off_reason.c_str());
      }
      if (ctx.config.rules.follow_project_linters)
        for (const auto& p : ctx.project_linters().problems()) std::printf("linters:    %s\n", printable(p).c_str());
      for (const auto& m : feedback::style_mismatches(ctx.store(), enabled))
        std::printf("style:      %s\n", m.describe().c_str());
    } catch (const std::exception& e) {
      std::printf("rules:      ERROR %s\n", printable(e.what()).c_str());
    }
    for (const char* key : {"test_command", "test_setup", "coverage_command", "fixers", "notify_command"})
      if (!safety::command_trusted(ctx.config, key, ctx.paths.repo_config(), ctx.paths.trust_file()))
        std::printf("trust:      %s in .autoloop.yml is not trusted: run `git autoloop trust` to let it run\n", key);
    try {
      // The repository's rules, as they are now: their fixes apply only while `trust` covers them.
      auto repository = ctx.repository_rules();
      if (repository.dir && !repository.files.empty() && !repository.trusted)
        std::printf("trust:      the repository's rules in %s (%zu file%s) are not trusted: their findings are reported, "
                    "never fixed; read them, then `git autoloop trust`\n",
                    repository.display.c_str(), repository.files.size(), repository.files.size() == 1 ? "" : "s");
    } catch (const std::exception&) {
      // a rules directory that cannot be read is the config line's and doctor's to report
    }
    if (auto untrusted = ctx.store().state("untrusted_rules")) std::printf("rules:      %s\n", untrusted->c_str());
    if (auto generator = ctx.store().state("generator")) std::printf("generator:  %s\n", generator->c_str());
    if (auto coverage = ctx.config.metrics.coverage_report.empty() ? std::nullopt : ctx.store().state("coverage_error"))
      std::printf("coverage:   metrics.coverage_report not recorded: %s\n", coverage->c_str());
    if (auto last = core::read_file(ctx.paths.last_error()))
      std::printf("last error: %s", last->c_str());
    return k_exit_ok;
  };
}

} // namespace cli
