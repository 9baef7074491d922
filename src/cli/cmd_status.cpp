// git autoloop status
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "core/fs.hpp"
#include "feedback/feedback.hpp"
#include "loop/context.hpp"
#include "loop/drain.hpp"
#include "loop/provider_scan.hpp"
#include "loop/review.hpp"
#include "metrics/report.hpp"
#include "safety/trust.hpp"
#include "hookcore/hook_install.hpp"
#include "hookcore/spool.hpp"
#include "scan/scanner.hpp"

#include <nlohmann/json.hpp>

#include <cstdarg>
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

// The status lines ("label:     text"), printed as they come, or collected for one JSON object
// (tests/schemas/status.schema.json): the same lines as {label, text}, beside the main facts as fields.
class StatusOut {
public:
  explicit StatusOut(bool json) : m_json(json) {}
  bool json() const { return m_json; }

  // One line under `label`, its text as printf formats it (a trailing line break is dropped).
  __attribute__((format(printf, 3, 4))) void add(const char* label, const char* format, ...) {
    va_list args;
    va_start(args, format);
    va_list again;
    va_copy(again, args);
    const int size = std::vsnprintf(nullptr, 0, format, args);
    va_end(args);
    std::string text(size > 0 ? static_cast<size_t>(size) : 0, '\0');
    if (size > 0) std::vsnprintf(text.data(), text.size() + 1, format, again);
    va_end(again);
    while (!text.empty() && text.back() == '\n') text.pop_back();
    if (m_json) m_lines.push_back({{"label", label}, {"text", text}});
    else std::printf("%-12s%s\n", (std::string(label) + ":").c_str(), printable(text).c_str());
  }
  nlohmann::json& facts() { return m_facts; }
  void finish() {
    if (!m_json) return;
    m_facts["lines"] = std::move(m_lines);
    std::puts(m_facts.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  }

private:
  bool m_json;
  nlohmann::json m_facts = nlohmann::json::object();
  nlohmann::json m_lines = nlohmann::json::array();
};

} // namespace

Runner define_status(CLI::App& sub) {
  auto format = std::make_shared<std::string>("text");
  sub.add_option("--format", *format, "Output: text or json (one object; tests/schemas/status.schema.json)")
      ->capture_default_str();
  return [format](const Global& g) {
    StatusOut out(parse_format(*format, false) == Format::json);
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
    const std::string repository = (ctx.paths.work_tree ? *ctx.paths.work_tree : ctx.paths.git_dir).string();
    out.facts()["repository"] = repository;
    out.add("repository", "%s", repository.c_str());
    out.facts()["loop"] = "running";
    if (auto why = ctx.stopped()) {
      out.facts()["loop"] = "stopped";
      out.add("loop", "stopped (%s)", why->c_str());
    } else if (auto paused = ctx.store().state("paused")) {
      out.facts()["loop"] = "paused";
      out.add("loop", "paused (%s); `git autoloop queue --status failed` shows what failed, `git autoloop resume` "
                  "goes on", printable(*paused).c_str());
    } else {
      out.add("loop", "running");
    }
    if (auto deferred = ctx.store().state("drain_deferred"))
      out.add("drain", "waiting, the machine is busy (%s)", deferred->c_str());
    if (!config_error.empty()) out.add("config", "ERROR %s", config_error.c_str());
    try {
      auto dir = ctx.hooks_dir();
      int ours = 0;
      for (const char* h : {"post-commit", "post-merge", "post-rewrite", "pre-push"})
        if (hookcore::hook_reaches_autoloop(dir, h)) ++ours;
      out.facts()["hooks_installed"] = ours;
      out.add("hooks", "%d/4 installed in %s", ours, dir.c_str());
    } catch (const std::exception& e) {
      out.add("hooks", "unknown (%s)", e.what());
    }
    auto counts = ctx.store().count_by_status();
    std::string summary;
    out.facts()["queue"] = nlohmann::json::object();
    for (const auto& [status, n] : counts) {
      summary += (summary.empty() ? "" : ", ") + std::to_string(n) + " " + status;
      out.facts()["queue"][status] = n;
    }
    out.add("queue", "%s", summary.empty() ? "empty" : summary.c_str());
    size_t pending = hookcore::spool_read(ctx.paths.spool()).size();
    out.facts()["pending_events"] = pending;
    out.facts()["pending_fixes"] = 0;
    if (auto skipped = scan::provenance_summary(scan::saved_provenance(ctx.store())); !skipped.empty())
      out.add("skipped", "%s; `scan.include_vendored` scans them", skipped.c_str());
    if (auto skipped = scan::context_summary(scan::saved_contexts(ctx.store())); !skipped.empty())
      out.add("context", "%s; `rules.contexts` changes where a rule applies", skipped.c_str());
    if (pending) out.add("pending", "%zu hook event%s waiting to be scanned", pending, pending == 1 ? "" : "s");
    auto scans = ctx.store().runs("scan", 1);
    if (!scans.empty()) {
      const auto& r = scans.front();
      out.add("last scan", "%s, %.1f ms, %s, %s%s%s", when(r.started_at).c_str(), r.duration_ms,
                  counted(r.commits, "commit").c_str(), counted(r.files, "file").c_str(), r.error.empty() ? "" : ", error: ", r.error.c_str());
    }
    if (auto hook_time = metrics::hook_time(ctx.store())) out.add("hook time", "%s", hook_time->c_str());
    auto cycles = ctx.store().cycles(1);
    if (!cycles.empty()) {
      const auto& c = cycles.front();
      if (!c.interrupted.empty()) {
        // Not "0 applied, 0 failed": the cycle did not get to judge its fixes, and blamed none.
        out.add("last drain", "%s, cycle %lld on %s: %s; %s", when(c.started_at).c_str(), static_cast<long long>(c.id),
                    c.branch.c_str(), c.interrupted.c_str(),
                    c.rolled_back ? "nothing was published, its fixes stay open"
                                  : ("its side branch was published (" + std::to_string(c.applied) + " applied)").c_str());
      } else if (c.state != "done") {
        out.add("last drain", "%s, cycle %lld on %s: not finished (running, or killed: the next drain records it)",
                    when(c.started_at).c_str(), static_cast<long long>(c.id), c.branch.c_str());
      } else {
        out.add("last drain", "%s, cycle %lld on %s: %d applied, %d failed%s", when(c.started_at).c_str(),
                    static_cast<long long>(c.id), c.branch.c_str(), c.applied, c.failed,
                    c.rolled_back                        ? (", rolled back (" + printable(c.detail) + ")").c_str()
                    : c.detail.rfind("stopped: ", 0) == 0 ? ("; " + printable(c.detail)).c_str()
                                                          : "");
      }
    }
    // Fixes the loop holds back, and what the gates refused last (a native check's diagnostic included).
    if (auto held = ctx.store().state("unsafe_held")) out.add("fixes", "%s", printable(*held).c_str());
    if (auto idle = ctx.store().state("idle")) out.add("proposed", "%s", printable(*idle).c_str());
    if (auto branch = ctx.repo.current_branch())
      for (const auto& line : loop::recent_refusals(ctx, *branch, 3)) out.add("refused", "%s", printable(line).c_str());
    // Why the tests could not validate anything (no fix is blamed for it), and the last flaky run.
    if (auto blocked = ctx.store().state("tests_blocked"))
      out.add("tests", "%s; fixes stay open until they pass there", printable(*blocked).c_str());
    if (auto flaky = ctx.store().state("tests_flaky")) {
      const size_t space = flaky->find(' ');
      if (space != std::string::npos)
        out.add("tests", "flaky at %s: %s", when(std::atof(flaky->substr(0, space).c_str())).c_str(),
                    printable(flaky->substr(space + 1)).c_str());
    }
    try {
      auto fixes = loop::pending_fixes(ctx);
      out.facts()["pending_fixes"] = fixes.size();
      if (!fixes.empty())
        out.add("review", "%zu fix%s waiting on %s: `git autoloop review`", fixes.size(),
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
      if (!quarantined.empty()) out.add("quarantine", "%s (scanned, never applied; `git autoloop rules`)", quarantined.c_str());
      if (!trusted.empty()) out.add("trusted", "%s", trusted.c_str());
      // Bulk accepts (sweeps, `review --accept-all`) count as verdicts but never make a rule trusted.
      std::string bulk;
      for (const auto& [id, v] : learnt.rules)
        if (v.counts.bulk_accepted > 0)
          bulk += (bulk.empty() ? "" : ", ") + id + " " + std::to_string(v.counts.bulk_accepted) + " of " +
                  std::to_string(v.counts.accepted);
      if (!bulk.empty()) out.add("bulk", "accepted in bulk: %s (verdicts, but never what makes a rule trusted)", bulk.c_str());
      if (auto sweep = ctx.store().state("sweep")) out.add("sweep", "%s", printable(*sweep).c_str());
      std::string weights;
      for (const auto& [category, m] : learnt.category_multiplier) {
        char item[64];
        std::snprintf(item, sizeof item, "%s%s x%.2f", weights.empty() ? "" : ", ",
                      std::string(core::to_string(category)).c_str(), m);
        weights += item;
      }
      if (!weights.empty()) out.add("weights", "%s", weights.c_str());
      for (const auto& c : ctx.store().strategy_changes(3))
        out.add("learnt", "%s %s", when(static_cast<double>(c.created_at)).c_str(), c.reason.c_str());
    }
    // The project's own choices: rules its linters turn off, files not followed, and rules whose
    // findings it leaves everywhere (scan/project_linters.hpp, feedback::style_mismatches).
    try {
      auto rules = ctx.rules();
      std::set<std::string> enabled;
      for (const auto& r : rules) {
        if (r.enabled) enabled.insert(r.id);
        if (!r.broken.empty())
          out.add("rules", "%s is off, malformed: %s", printable(r.id).c_str(), printable(r.broken).c_str());
        else if (!r.off_reason.empty())
          out.add("linters", "%s off: %s", r.id.c_str(), r.off_reason.c_str());
      }
      if (ctx.config.rules.follow_project_linters)
        for (const auto& p : ctx.project_linters().problems()) out.add("linters", "%s", printable(p).c_str());
      for (const auto& m : feedback::style_mismatches(ctx.store(), enabled))
        out.add("style", "%s", m.describe().c_str());
    } catch (const std::exception& e) {
      out.add("rules", "ERROR %s", printable(e.what()).c_str());
    }
    for (const char* key : {"test_command", "test_setup", "coverage_command", "fixers", "notify_command"})
      if (!safety::command_trusted(ctx.config, key, ctx.paths.repo_config(), ctx.paths.trust_file()))
        out.add("trust", "%s in .autoloop.yml is not trusted: run `git autoloop trust` to let it run", key);
    try {
      // The repository's rules, as they are now: their fixes apply only while `trust` covers them.
      auto repository = ctx.repository_rules();
      if (repository.dir && !repository.files.empty() && !repository.trusted)
        out.add("trust", "the repository's rules in %s (%zu file%s) are not trusted: their findings are reported, "
                    "never fixed; read them, then `git autoloop trust`",
                    repository.display.c_str(), repository.files.size(), repository.files.size() == 1 ? "" : "s");
    } catch (const std::exception&) {
      // a rules directory that cannot be read is the config line's and doctor's to report
    }
    if (auto untrusted = ctx.store().state("untrusted_rules")) out.add("rules", "%s", untrusted->c_str());
    if (auto generator = ctx.store().state("generator")) out.add("generator", "%s", generator->c_str());
    for (const auto& line : loop::provider_status_lines(ctx.store(), ctx.config.providers))
      out.add("providers", "%s", printable(line).c_str());
    if (auto coverage = ctx.config.metrics.coverage_report.empty() ? std::nullopt : ctx.store().state("coverage_error"))
      out.add("coverage", "metrics.coverage_report not recorded: %s", coverage->c_str());
    if (auto last = core::read_file(ctx.paths.last_error()))
      out.add("last error", "%s", last->c_str());
    out.finish();
    return k_exit_ok;
  };
}

} // namespace cli
