// The report in Prometheus' text exposition format (version 0.0.4): for a node_exporter textfile
// collector or a push to a gateway. Durations in seconds and memory in bytes, as Prometheus expects.
#include "metrics/report.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

namespace metrics {

namespace {

using Labels = std::vector<std::pair<std::string, std::string>>;

// Label values: backslash, double quote and line feed are escaped.
std::string escape_label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

// HELP text: backslash and line feed are escaped.
std::string escape_help(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  // The shortest of 15 or 17 significant digits that reads back as the same double (0.1, not 0.10000000000000001).
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  if (std::strtod(buf, nullptr) != v) std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

class Exposition {
public:
  // Starts a metric family: its HELP and TYPE lines.
  void family(const std::string& name, const char* type, const std::string& help) {
    m_out += "# HELP " + name + " " + escape_help(help) + "\n# TYPE " + name + " " + type + "\n";
  }
  void sample(const std::string& name, const Labels& labels, double v) {
    m_out += name;
    if (!labels.empty()) {
      m_out += "{";
      for (size_t i = 0; i < labels.size(); ++i)
        m_out += (i ? "," : "") + labels[i].first + "=\"" + escape_label(labels[i].second) + "\"";
      m_out += "}";
    }
    m_out += " " + value(v) + "\n";
  }
  void gauge(const std::string& name, const std::string& help, double v) {
    family(name, "gauge", help);
    sample(name, {}, v);
  }
  void counter(const std::string& name, const std::string& help, double v) {
    family(name, "counter", help);
    sample(name, {}, v);
  }
  // A summary in seconds from one in milliseconds.
  void summary_seconds(const std::string& name, const std::string& help, const Summary& s) {
    family(name, "summary", help);
    const double nan = std::nan("");
    for (const auto& [q, v] : {std::pair{"0.5", s.p50}, std::pair{"0.95", s.p95}, std::pair{"0.99", s.p99}})
      sample(name, {{"quantile", q}}, s.count ? v / 1000 : nan);
    sample(name + "_sum", {}, s.sum / 1000);
    sample(name + "_count", {}, static_cast<double>(s.count));
  }
  std::string take() { return std::move(m_out); }

private:
  std::string m_out;
};

} // namespace

std::string render_prometheus(const Report& r) {
  Exposition e;
  const double nan = std::nan("");
  // No commit id among the labels: a label value that changes with every commit makes a new series each time.
  e.family("autoloop_report_info", "gauge", "Which repository and branch the report describes (always 1).");
  e.sample("autoloop_report_info",
           {{"repository", r.repository}, {"branch", r.range.branch}, {"schema_version", std::to_string(r.schema_version)}}, 1);

  e.family("autoloop_findings_open", "gauge", "Open findings in the queue, by category and severity.");
  for (const auto& c : r.findings.open_by_category_severity)
    e.sample("autoloop_findings_open", {{"category", std::string(core::to_string(c.category))}, {"severity", c.severity}}, static_cast<double>(c.count));
  e.gauge("autoloop_queue_size", "Findings waiting in the queue (open and stale).", static_cast<double>(r.queue_size));

  const Improvement& m = r.improvement;
  e.family("autoloop_fixes_total", "counter",
           "Fixes proposed on a side branch (applied) and what people decided about them (accepted, rejected, reverted).");
  for (const auto& [outcome, n] : {std::pair{"applied", m.fixes_applied}, std::pair{"accepted", m.accepted},
                                   std::pair{"rejected", m.rejected}, std::pair{"reverted", m.reverted}})
    e.sample("autoloop_fixes_total", {{"outcome", outcome}}, static_cast<double>(n));
  e.gauge("autoloop_fixes_pending", "Fixes on a side branch waiting for review.", static_cast<double>(m.pending));
  e.gauge("autoloop_fix_acceptance_ratio", "Accepted fixes over decided ones (NaN before the first decision).",
          m.success_rate ? *m.success_rate : nan);
  e.gauge("autoloop_fix_time_to_accept_seconds",
          "Median time from a finding's detection to its accepted fix (NaN before the first acceptance).",
          m.median_time_to_accept_s ? *m.median_time_to_accept_s : nan);

  if (!r.learning.rules.empty()) {
    e.family("autoloop_rule_acceptance", "gauge", "Posterior mean of each rule's acceptance, with its learnt state.");
    for (const auto& l : r.learning.rules)
      e.sample("autoloop_rule_acceptance", {{"rule", l.rule}, {"state", l.state}}, l.acceptance);
  }
  int64_t quarantined = 0;
  for (const auto& l : r.learning.rules) quarantined += l.state == "quarantined";
  e.gauge("autoloop_rules_quarantined", "Rules the loop stopped applying because people reject their fixes.",
          static_cast<double>(quarantined));
  int64_t regressions = 0, improvements = 0;
  for (const auto& c : r.changes) {
    regressions += c.kind == "regression";
    improvements += c.kind == "improvement";
  }
  e.counter("autoloop_complexity_regressions_total", "Functions whose complexity a commit in range raised past the limits.",
            static_cast<double>(regressions));
  e.counter("autoloop_complexity_improvements_total", "Functions whose complexity a commit in range lowered past the limits.",
            static_cast<double>(improvements));

  const Health& h = r.health;
  e.summary_seconds("autoloop_hook_commit_duration_seconds",
                    "What each hook cost its commit, from its exec to its exit (git's start of any hook not included).",
                    h.hook_commit_ms);
  e.summary_seconds("autoloop_hook_duration_seconds", "The git hooks' own work, up to their record (post-commit, ...).", h.hook_ms);
  e.counter("autoloop_drain_cycles_total", "Drain cycles started.", static_cast<double>(r.cycles.size()));
  double last_drain = nan;
  for (auto it = r.cycles.rbegin(); it != r.cycles.rend(); ++it)
    if (it->ended_at > 0) {
      last_drain = it->duration_ms / 1000;
      break;
    }
  e.gauge("autoloop_drain_last_duration_seconds", "Duration of the last finished drain cycle (NaN before the first).",
          last_drain);
  e.summary_seconds("autoloop_drain_duration_seconds", "Duration of finished drain cycles.", h.drain_ms);
  e.counter("autoloop_runs_total", "Recorded invocations (hooks, scans, ...).", static_cast<double>(h.runs));
  e.counter("autoloop_errors_total", "Recorded invocations that ended with an error.", static_cast<double>(h.errors));
  e.gauge("autoloop_peak_memory_bytes", "Peak resident memory of any recorded invocation.",
          static_cast<double>(h.peak_rss_kb) * 1024);

  const CommitPoint last = r.commits.empty() ? CommitPoint{} : r.commits.back();
  e.gauge("autoloop_complexity_total", "Sum of cyclomatic complexity over every measured function at HEAD.",
          static_cast<double>(last.complexity_total));
  e.gauge("autoloop_complexity_max", "Highest cyclomatic complexity of a function at HEAD.",
          static_cast<double>(last.complexity_max));
  e.gauge("autoloop_debt_markers", "TODO/FIXME/HACK/XXX markers at HEAD.", static_cast<double>(last.debt_markers));
  e.gauge("autoloop_lines", "Lines of code in measured files at HEAD.", static_cast<double>(last.lines));
  e.gauge("autoloop_functions", "Functions in measured files at HEAD.", static_cast<double>(last.functions));
  e.gauge("autoloop_coverage_percent", "Line coverage recorded for HEAD (NaN when no coverage report was read).",
          last.coverage ? *last.coverage : nan);
  return e.take();
}

} // namespace metrics
