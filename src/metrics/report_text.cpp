// The report for a terminal: a short, aligned summary.
#include "metrics/format.hpp"
#include "metrics/report.hpp"

#include <cstdarg>
#include <cstdio>

namespace metrics {

namespace {

std::string arrow(int64_t delta) { return delta > 0 ? "↑" : delta < 0 ? "↓" : "→"; }

void add(std::string& out, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void add(std::string& out, const char* fmt, ...) {
  char buf[1024];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, args);
  va_end(args);
  out += buf;
}

// "label   first   last   ↑ +12"
void trend_row(std::string& out, const char* label, int64_t first, int64_t last) {
  add(out, "  %-18s %10lld %10lld   %s %s\n", label, static_cast<long long>(first), static_cast<long long>(last),
      arrow(last - first).c_str(), format::signed_number(last - first).c_str());
}

// ", from the first scanned commit abc1234 (of 2000 in the history)", ", since v1.0", "".
std::string range_start(const Range& range) {
  if (range.start == "since") return " since " + range.since;
  if (range.start != "first_scan" || range.first_commit.empty()) return "";
  std::string out = ", from the first scanned commit " + format::short_id(range.first_commit);
  if (range.history > range.commits) out += " (" + std::to_string(range.history) + " in the history; `--since REV` for others)";
  return out;
}

} // namespace

std::string render_text(const Report& r) {
  std::string out;
  add(out, "git-autoloop report: %s\n", r.repository.c_str());
  if (r.empty()) {
    out += "nothing recorded yet: install the hooks (`git autoloop install`) and commit, or scan what is there\n"
           "(`git autoloop scan --all`); the report fills in as the loop runs.\n";
    return out;
  }
  add(out, "range:  %s%s, %zu commit%s (%zu scanned)%s\n", r.range.branch.empty() ? "detached HEAD" : r.range.branch.c_str(),
      r.range.head.empty() ? " (no commits)" : (" at " + format::short_id(r.range.head)).c_str(), r.range.commits,
      r.range.commits == 1 ? "" : "s", r.range.scanned, range_start(r.range).c_str());

  if (r.comparison) {
    const Comparison& c = *r.comparison;
    add(out, "\nquality %23s %10s   trend\n", format::short_id(c.before.id).c_str(), format::short_id(c.after.id).c_str());
    trend_row(out, "complexity total", c.before.complexity_total, c.after.complexity_total);
    trend_row(out, "debt markers", c.before.debt_markers, c.after.debt_markers);
    trend_row(out, "lines of code", c.before.lines, c.after.lines);
    trend_row(out, "functions", c.before.functions, c.after.functions);
    trend_row(out, "findings", c.before.findings_total(), c.after.findings_total());
    add(out, "  like for like: the %d file%s measured at both commits", c.files, c.files == 1 ? "" : "s");
    if (c.only_after || c.only_before) {
      out += " (left out: ";
      if (c.only_after) add(out, "%d measured only at %s", c.only_after, format::short_id(c.after.id).c_str());
      if (c.only_after && c.only_before) out += ", ";
      if (c.only_before) add(out, "%d gone since %s", c.only_before, format::short_id(c.before.id).c_str());
      out += ")";
    }
    out += "\n";
  }

  const Findings& f = r.findings;
  out += "\n";
  std::string categories;
  {
    int64_t by[4] = {0, 0, 0, 0};
    const char* names[4] = {"security", "performance", "quality", "tests"}; // in core::Category's order
    for (const auto& c : f.open_by_category_severity) by[static_cast<size_t>(c.category)] += c.count;
    for (int i = 0; i < 4; ++i)
      categories += std::string(i ? ", " : "") + names[i] + " " + std::to_string(by[i]);
  }
  std::string statuses;
  for (const auto& [status, n] : f.by_status)
    if (status != "open") statuses += ", " + std::to_string(n) + " " + status;
  add(out, "  %-12s %lld open (%s)%s\n", "queue", static_cast<long long>(f.open), categories.c_str(), statuses.c_str());

  const Improvement& m = r.improvement;
  add(out, "  %-12s %lld proposed in %d cycle%s (%.1f per cycle); %lld accepted, %lld rejected, %lld reverted, %lld pending\n",
      "fixes", static_cast<long long>(m.fixes_applied), m.cycles, m.cycles == 1 ? "" : "s", m.fixes_per_cycle,
      static_cast<long long>(m.accepted), static_cast<long long>(m.rejected), static_cast<long long>(m.reverted),
      static_cast<long long>(m.pending));
  add(out, "  %-12s success rate %s of %lld decided; detection to accepted fix: median %s\n", "", format::percent(m.success_rate).c_str(),
      static_cast<long long>(m.accepted + m.rejected + m.reverted),
      m.median_time_to_accept_s ? format::duration_s(*m.median_time_to_accept_s).c_str() : "–");
  const char* trend = m.acceptance_trend == "up" ? "↑" : m.acceptance_trend == "down" ? "↓" : m.acceptance_trend == "flat" ? "→" : "?";
  add(out, "  %-12s first half %s, second half %s %s (%s)\n", "acceptance", format::percent(m.acceptance_first_half).c_str(),
      format::percent(m.acceptance_second_half).c_str(), trend, m.acceptance_trend.c_str());
  // Regressions per function: one that three commits made worse is one function to look at.
  add(out, "  %-12s %lld function%s regressed (%lld time%s), %lld improved; %lld finding%s resolved\n", "complexity",
      static_cast<long long>(m.regressed_functions), m.regressed_functions == 1 ? "" : "s",
      static_cast<long long>(m.regression_events), m.regression_events == 1 ? "" : "s",
      static_cast<long long>(m.improved_functions), static_cast<long long>(m.resolved), m.resolved == 1 ? "" : "s");

  const Health& h = r.health;
  out += "\nhealth\n";
  if (h.hook_commit_ms.count)
    add(out, "  %-12s per commit p50 %s, p95 %s, p99 %s (%zu commits; the hook from exec to exit, git's start of any hook not included)\n",
        "hooks", format::duration_ms(h.hook_commit_ms.p50).c_str(), format::duration_ms(h.hook_commit_ms.p95).c_str(),
        format::duration_ms(h.hook_commit_ms.p99).c_str(), h.hook_commit_ms.count);
  if (h.hook_ms.count)
    add(out, "  %-12s p50 %s, p95 %s, p99 %s (%zu runs; the hook's own work, up to its record)\n",
        h.hook_commit_ms.count ? "" : "hooks", format::duration_ms(h.hook_ms.p50).c_str(),
        format::duration_ms(h.hook_ms.p95).c_str(), format::duration_ms(h.hook_ms.p99).c_str(), h.hook_ms.count);
  if (!h.hook_ms.count && !h.hook_commit_ms.count)
    add(out, "  %-12s no hook runs recorded\n", "hooks");
  if (h.drain_ms.count)
    add(out, "  %-12s median %s, p95 %s (%zu cycles)\n", "drains", format::duration_ms(h.drain_ms.p50).c_str(),
        format::duration_ms(h.drain_ms.p95).c_str(), h.drain_ms.count);
  else
    add(out, "  %-12s no finished cycle\n", "drains");
  if (h.scan_ms.count)
    add(out, "  %-12s median %s, p95 %s (%zu runs)\n", "scans", format::duration_ms(h.scan_ms.p50).c_str(),
        format::duration_ms(h.scan_ms.p95).c_str(), h.scan_ms.count);
  add(out, "  %-12s peak %s\n", "memory", h.peak_rss_kb ? format::memory_kb(h.peak_rss_kb).c_str() : "–");
  add(out, "  %-12s %lld of %lld runs (%s)\n", "errors", static_cast<long long>(h.errors), static_cast<long long>(h.runs),
      format::percent(h.runs ? std::optional<double>(h.error_rate) : std::nullopt).c_str());
  if (h.last_error)
    add(out, "  %-12s %s at %s: %.200s\n", "last error", h.last_error->kind.c_str(), format::utc(h.last_error->at).c_str(),
        h.last_error->message.c_str());

  if (!r.top_functions.empty()) {
    out += "\nmost complex functions\n";
    for (const auto& fn : r.top_functions)
      add(out, "  %4d  %s:%d  %s\n", fn.complexity, fn.path.c_str(), fn.start_line, fn.name.c_str());
  }
  if (!r.learning.rules.empty() || !r.learning.changes.empty()) {
    out += "\nlearning\n";
    for (const auto& l : r.learning.rules)
      if (l.state != "learning")
        add(out, "  %-12s %s: %s\n", l.state.c_str(), l.rule.c_str(), l.why.c_str());
    // Sweeps and `review --accept-all`: counted as verdicts, never what made a rule trusted.
    for (const auto& l : r.learning.rules)
      if (l.bulk_accepted > 0)
        add(out, "  %-12s %s: %d of %d accepted fixes accepted in bulk\n", "bulk", l.rule.c_str(), l.bulk_accepted,
            l.accepted);
    std::string weights;
    for (const auto& [category, m] : r.learning.category_multipliers) {
      char item[64];
      std::snprintf(item, sizeof item, "%s%s x%.2f", weights.empty() ? "" : ", ",
                    std::string(core::to_string(category)).c_str(), m);
      weights += item;
    }
    if (!weights.empty()) add(out, "  %-12s %s\n", "weights", weights.c_str());
    for (size_t i = 0; i < r.learning.changes.size() && i < 3; ++i)
      add(out, "  %-12s %s %.200s\n", i ? "" : "changes", format::utc(static_cast<double>(r.learning.changes[i].at)).c_str(),
          r.learning.changes[i].reason.c_str());
  }
  if (!r.changes.empty()) {
    out += "\nregressions and improvements\n";
    constexpr size_t k_shown_changes = 6;
    for (size_t i = 0; i < r.changes.size() && i < k_shown_changes; ++i) {
      const auto& c = r.changes[i];
      add(out, "  %s %.7s %s: %s\n", c.kind == "improvement" ? "+" : "!", c.commit.c_str(), c.path.c_str(),
          c.detail.empty() ? c.kind.c_str() : c.detail.c_str());
    }
  }
  if (!r.commits.empty() && r.commits.back().coverage)
    add(out, "\ncoverage at HEAD: %.1f%%\n", *r.commits.back().coverage);
  if (!r.patterns.empty()) {
    out += "\npatterns\n";
    // Short: the first few (sweeps come biggest first); JSON and HTML list them all.
    constexpr size_t k_shown = 8;
    for (size_t i = 0; i < r.patterns.size() && i < k_shown; ++i)
      add(out, "  ! %s\n    %s\n", r.patterns[i].summary.c_str(), r.patterns[i].suggestion.c_str());
    if (r.patterns.size() > k_shown)
      add(out, "  ... and %zu more (`git autoloop report --format html` or `--format json`)\n", r.patterns.size() - k_shown);
  }
  return out;
}

} // namespace metrics
