// The report as one self-contained HTML file: inline CSS, inline SVG charts (svg.hpp), no scripts,
// nothing fetched from anywhere.
#include "metrics/format.hpp"
#include "metrics/report.hpp"
#include "metrics/svg.hpp"

#include <algorithm>

namespace metrics {

namespace {

using svg::escape;

constexpr const char* k_style = R"css(
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222; margin: 0; background: #f4f5f7; }
main { max-width: 980px; margin: 0 auto; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 10px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.sub { color: #666; margin: 0 0 16px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 10px; }
.card { background: #fff; border: 1px solid #e0e0e0; border-radius: 6px; padding: 10px 12px; }
.card .v { font-size: 22px; font-weight: 600; }
.card .k { color: #666; font-size: 12px; }
figure { background: #fff; border: 1px solid #e0e0e0; border-radius: 6px; margin: 14px 0; padding: 10px; }
figcaption { color: #555; font-size: 13px; margin-top: 6px; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eee; vertical-align: top; }
th { background: #fafafa; font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.notice { background: #fff8e1; border: 1px solid #f0d98c; border-radius: 6px; padding: 10px 12px; }
.pattern { background: #fff; border-left: 4px solid #d9822b; padding: 8px 12px; margin: 8px 0; }
.pattern code, td code { background: #f2f2f2; padding: 1px 4px; border-radius: 3px; }
footer { color: #888; font-size: 12px; margin-top: 30px; }
)css";

std::string card(const std::string& value, const std::string& key) {
  return "<div class=\"card\"><div class=\"v\">" + escape(value) + "</div><div class=\"k\">" + escape(key) + "</div></div>";
}

std::string figure(const std::string& id, const std::string& chart, const std::string& caption) {
  return "<figure id=\"chart-" + id + "\">" + chart + "<figcaption>" + escape(caption) + "</figcaption></figure>\n";
}

// Text with `code` spans (the suggestions quote commands that way), escaped.
std::string with_code(const std::string& text) {
  std::string out;
  bool in_code = false;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] != '`') continue;
    out += escape(text.substr(start, i - start));
    if (i == text.size()) break;
    out += in_code ? "</code>" : "<code>";
    in_code = !in_code;
    start = i + 1;
  }
  if (in_code) out += "</code>"; // an unpaired backtick opened one
  return out;
}

std::string row(std::initializer_list<std::string> cells, bool numeric_from_second = true) {
  std::string out = "<tr>";
  size_t i = 0;
  for (const auto& c : cells) out += (i++ && numeric_from_second ? "<td class=\"n\">" : "<td>") + escape(c) + "</td>";
  return out + "</tr>";
}

std::string quality_chart(const Report& r) {
  svg::LineChart c;
  c.title = "Quality across commits";
  c.x_label = "commit (oldest → newest)";
  c.y_label = "complexity, debt markers";
  c.y2_label = "lines of code";
  svg::Series complexity{"total complexity", {}, "#2f6fb0", false};
  svg::Series debt{"debt markers", {}, "#c0392b", false};
  svg::Series lines{"lines of code", {}, "#7f8c8d", true};
  for (const auto& p : r.commits) {
    c.x_labels.push_back(p.id.substr(0, 7));
    complexity.values.push_back(static_cast<double>(p.complexity_total));
    debt.values.push_back(static_cast<double>(p.debt_markers));
    lines.values.push_back(static_cast<double>(p.lines));
  }
  // A range whose commits all predate the first scan has nothing to draw.
  const bool any = std::any_of(r.commits.begin(), r.commits.end(), [](const CommitPoint& p) { return p.files > 0; });
  if (any) c.series = {complexity, debt, lines};
  return svg::line_chart(c);
}

std::string findings_chart(const Report& r) {
  svg::StackedBars c;
  c.title = "Findings by category across commits";
  c.x_label = "commit (oldest → newest)";
  c.y_label = "findings";
  svg::Series security{"security", {}, "#c0392b", false}, performance{"performance", {}, "#d9822b", false},
      quality{"quality", {}, "#2f6fb0", false}, tests{"tests", {}, "#3a9a5b", false};
  int64_t total = 0;
  for (const auto& p : r.commits) {
    c.x_labels.push_back(p.id.substr(0, 7));
    security.values.push_back(static_cast<double>(p.findings_security));
    performance.values.push_back(static_cast<double>(p.findings_performance));
    quality.values.push_back(static_cast<double>(p.findings_quality));
    tests.values.push_back(static_cast<double>(p.findings_tests));
    total += p.findings_total();
  }
  if (total > 0) c.series = {security, performance, quality, tests};
  return svg::stacked_bars(c);
}

std::string acceptance_chart(const Report& r) {
  svg::StackedBars c;
  c.title = "What became of the fixes each drain cycle proposed";
  c.x_label = "drain cycle";
  c.y_label = "fixes";
  svg::Series accepted{"accepted", {}, "#3a9a5b", false}, rejected{"rejected", {}, "#c0392b", false},
      reverted{"reverted", {}, "#8e6bb8", false}, pending{"pending", {}, "#d9a400", false},
      dropped{"dropped", {}, "#aaaaaa", false};
  int proposed = 0;
  for (const auto& cy : r.cycles) {
    c.x_labels.push_back("#" + std::to_string(cy.id));
    accepted.values.push_back(cy.accepted);
    rejected.values.push_back(cy.rejected);
    reverted.values.push_back(cy.reverted);
    pending.values.push_back(cy.pending);
    dropped.values.push_back(cy.dropped);
    proposed += cy.proposed;
  }
  if (proposed > 0) c.series = {accepted, rejected, reverted, pending, dropped};
  return svg::stacked_bars(c);
}

std::string latency_chart(const Report& r) {
  svg::Histogram c;
  c.title = "Hook latency";
  // What commits paid (exec to exit) when recorded, else the hooks' own work (Health::hook_histogram).
  const bool per_commit = r.health.hook_commit_ms.count > 0;
  c.x_label = per_commit ? "milliseconds per commit (hook exec to exit)" : "milliseconds of the hook's own work";
  c.y_label = per_commit ? "commits" : "runs";
  for (const auto& b : r.health.hook_histogram) c.bins.push_back({b.lo, b.hi, b.count});
  const Summary& s = per_commit ? r.health.hook_commit_ms : r.health.hook_ms;
  if (s.count) {
    c.markers = {{"p50 " + format::duration_ms(s.p50), s.p50, "#3a9a5b"},
                 {"p95 " + format::duration_ms(s.p95), s.p95, "#d9822b"},
                 {"p99 " + format::duration_ms(s.p99), s.p99, "#c0392b"}};
  }
  return svg::histogram(c);
}

std::string functions_chart(const Report& r) {
  svg::BarList c;
  c.title = "Most complex functions";
  c.value_label = "cyclomatic complexity";
  for (const auto& f : r.top_functions)
    c.bars.push_back({f.name + "  " + f.path + ":" + std::to_string(f.start_line),
                      f.path + ":" + std::to_string(f.start_line) + " " + f.name + " (" + std::to_string(f.length) +
                          " lines, nesting " + std::to_string(f.nesting) + ")",
                      static_cast<double>(f.complexity)});
  return svg::bar_list(c);
}

} // namespace

std::string render_html(const Report& r) {
  const Improvement& m = r.improvement;
  const Health& h = r.health;
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<title>git-autoloop report</title>\n<style>";
  out += k_style;
  out += "</style>\n</head>\n<body>\n<main>\n<h1>git-autoloop report</h1>\n";
  std::string range = (r.range.branch.empty() ? std::string("detached HEAD") : r.range.branch) +
                      (r.range.head.empty() ? std::string(" (no commits)") : " at " + format::short_id(r.range.head)) + " · " +
                      std::to_string(r.range.commits) + " commits (" + std::to_string(r.range.scanned) + " scanned)" +
                      (r.range.start == "since" ? " since " + r.range.since
                       : r.range.start == "first_scan" && r.range.history > r.range.commits
                           ? " from the first scanned commit " + format::short_id(r.range.first_commit) + " (" +
                                 std::to_string(r.range.history) + " in the history)"
                           : "") +
                      " · generated " + format::utc(r.generated_at);
  out += "<p class=\"sub\">" + escape(r.repository) + "<br>" + escape(range) + "</p>\n";
  if (r.empty())
    out += "<p class=\"notice\" id=\"nothing-yet\">Nothing recorded yet: install the hooks (<code>git autoloop install</code>) "
           "and commit, or scan what is there (<code>git autoloop scan --all</code>). The charts fill in as the loop runs.</p>\n";

  const CommitPoint last = r.commits.empty() ? CommitPoint{} : r.commits.back();
  out += "<section class=\"cards\">";
  out += card(std::to_string(r.findings.open), "open findings");
  out += card(std::to_string(m.fixes_applied), "fixes proposed");
  out += card(format::percent(m.success_rate), "fixes accepted (of decided)");
  out += card(m.median_time_to_accept_s ? format::duration_s(*m.median_time_to_accept_s) : "–", "detection → accepted fix (median)");
  out += card(std::to_string(last.complexity_total), "total complexity at HEAD");
  if (h.hook_commit_ms.count) out += card(format::duration_ms(h.hook_commit_ms.p95), "hook time per commit, p95");
  else out += card(h.hook_ms.count ? format::duration_ms(h.hook_ms.p95) : "–", "hook's own work, p95");
  out += card(format::percent(h.runs ? std::optional<double>(h.error_rate) : std::nullopt), "runs with an error");
  out += "</section>\n";

  out += "<h2>Quality</h2>\n";
  out += figure("quality", quality_chart(r),
                "Whole-codebase figures at each commit: every file's latest measurement is carried forward, deleted files "
                "drop out. Lines of code use the right-hand scale.");
  out += figure("findings", findings_chart(r), "Findings the scans counted in the measured files at each commit, by category.");
  out += figure("complex-functions", functions_chart(r),
                "The most complex functions at each file's latest measurement (cyclomatic complexity).");

  out += "<h2>Improvement</h2>\n";
  out += figure("acceptance", acceptance_chart(r),
                "Each fix counts in the cycle that first put it on the side branch: accepted, rejected, reverted after "
                "acceptance, still pending review, or dropped (the code changed before anyone decided).");
  out += "<table><tr><th>metric</th><th class=\"n\">value</th></tr>";
  out += row({"fixes proposed", std::to_string(m.fixes_applied)});
  out += row({"drain cycles", std::to_string(m.cycles)});
  out += row({"fixes per cycle", svg::format_number(m.fixes_per_cycle)});
  out += row({"accepted / rejected / reverted / pending", std::to_string(m.accepted) + " / " + std::to_string(m.rejected) +
                                                            " / " + std::to_string(m.reverted) + " / " + std::to_string(m.pending)});
  out += row({"success rate (accepted of decided)", format::percent(m.success_rate)});
  out += row({"detection to accepted fix (median)", m.median_time_to_accept_s ? format::duration_s(*m.median_time_to_accept_s) : "–"});
  out += row({"acceptance, first half of cycles → second half",
              format::percent(m.acceptance_first_half) + " → " + format::percent(m.acceptance_second_half) + " (" +
                  m.acceptance_trend + ")"});
  out += row({"functions regressed (times) / improved, each counted once",
              std::to_string(m.regressed_functions) + " (" + std::to_string(m.regression_events) + ") / " +
                  std::to_string(m.improved_functions)});
  out += row({"files improved / regressed, findings resolved (over the commits)",
              std::to_string(m.improvements) + " / " + std::to_string(m.regressions) + ", " + std::to_string(m.resolved)});
  out += "</table>\n";

  out += "<h2>Patterns</h2>\n";
  if (r.patterns.empty()) out += "<p>No recurring or growing findings stand out.</p>\n";
  constexpr size_t k_shown = 25;
  for (size_t i = 0; i < r.patterns.size() && i < k_shown; ++i) {
    const Pattern& p = r.patterns[i];
    out += "<div class=\"pattern\" data-kind=\"" + escape(p.kind) + "\"><strong>" + escape(p.summary) + "</strong><br>" +
           with_code(p.suggestion) + "</div>\n";
  }
  if (r.patterns.size() > k_shown)
    out += "<p>… and " + std::to_string(r.patterns.size() - k_shown) +
           " more: <code>git autoloop report --format json</code> lists them all.</p>\n";

  out += "<h2 id=\"learning\">Learning</h2>\n";
  if (r.learning.rules.empty()) out += "<p>No verdicts yet: accept or reject fixes with <code>git autoloop review</code>.</p>\n";
  else {
    out += "<table><tr><th>rule</th><th>state</th><th class=\"n\">acceptance</th><th class=\"n\">accepted</th>"
           "<th class=\"n\">rejected</th><th class=\"n\">reverted</th><th class=\"n\">fixed by hand</th></tr>";
    for (const auto& l : r.learning.rules)
      out += "<tr data-state=\"" + escape(l.state) + "\"><td>" + escape(l.rule) + "</td><td title=\"" + escape(l.why) + "\">" +
             escape(l.state) + "</td><td class=\"n\">" + format::percent(l.acceptance) + "</td><td class=\"n\">" +
             std::to_string(l.accepted) + "</td><td class=\"n\">" + std::to_string(l.rejected) + "</td><td class=\"n\">" +
             std::to_string(l.reverted) + "</td><td class=\"n\">" + std::to_string(l.fixed_by_human) + "</td></tr>";
    out += "</table>\n";
  }
  for (const auto& [category, m] : r.learning.category_multipliers)
    out += "<p>weight of " + escape(std::string(core::to_string(category))) + ": ×" + svg::format_number(m) + "</p>\n";
  if (!r.learning.changes.empty()) {
    out += "<ul class=\"strategy\">";
    for (const auto& c : r.learning.changes)
      out += "<li>" + escape(format::utc(static_cast<double>(c.at))) + " — " + escape(c.reason) + "</li>";
    out += "</ul>\n";
  }
  if (!r.changes.empty()) {
    out += "<h2>Regressions and improvements</h2>\n<table><tr><th>commit</th><th>kind</th><th>where</th><th>what</th></tr>";
    for (const auto& c : r.changes)
      out += "<tr data-kind=\"" + escape(c.kind) + "\"><td><code>" + escape(c.commit.substr(0, 10)) + "</code></td><td>" +
             escape(c.kind) + "</td><td>" + escape(c.path) + "</td><td>" + escape(c.detail.empty() ? c.name : c.detail) +
             "</td></tr>";
    out += "</table>\n";
  }

  out += "<h2>System health</h2>\n";
  out += figure("hook-latency", latency_chart(r),
                "Distribution of what each hook cost its commit, from its exec to its exit (git's own start of any hook "
                "not included), with the 50th, 95th and 99th percentiles (" +
                    std::to_string(h.hook_commit_ms.count ? h.hook_commit_ms.count : h.hook_ms.count) +
                    (h.hook_commit_ms.count ? " commits)." : " runs of the hooks' own work: nothing per commit recorded yet)."));
  out += "<table><tr><th>metric</th><th class=\"n\">value</th></tr>";
  auto durations = [](const Summary& s) {
    return s.count ? "median " + format::duration_ms(s.p50) + ", p95 " + format::duration_ms(s.p95) + " (" +
                         std::to_string(s.count) + ")"
                   : std::string("–");
  };
  out += row({"hook time per commit (exec to exit)", durations(h.hook_commit_ms)});
  out += row({"hooks' own work", durations(h.hook_ms)});
  out += row({"drain cycles", durations(h.drain_ms)});
  out += row({"scans", durations(h.scan_ms)});
  out += row({"peak memory", h.peak_rss_kb ? format::memory_kb(h.peak_rss_kb) : "–"});
  out += row({"errors", std::to_string(h.errors) + " of " + std::to_string(h.runs) + " runs (" +
                            format::percent(h.runs ? std::optional<double>(h.error_rate) : std::nullopt) + ")"});
  if (h.last_error)
    out += row({"last error", h.last_error->kind + " at " + format::utc(h.last_error->at) + ": " + h.last_error->message});
  out += "</table>\n";

  out += "<h2>Queue</h2>\n<table><tr><th>category</th><th>severity</th><th class=\"n\">open</th></tr>";
  for (const auto& c : r.findings.open_by_category_severity)
    out += "<tr><td>" + escape(std::string(core::to_string(c.category))) + "</td><td>" + escape(c.severity) + "</td><td class=\"n\">" +
           std::to_string(c.count) + "</td></tr>";
  out += "</table>\n";

  out += "<footer>schema version " + std::to_string(r.schema_version) +
         " · the same figures: <code>git autoloop report --format json</code></footer>\n</main>\n</body>\n</html>\n";
  return out;
}

} // namespace metrics
