// The report as JSON: the model field for field (docs/report.schema.json describes every one).
#include "metrics/report.hpp"

#include <nlohmann/json.hpp>

namespace metrics {

namespace {

using nlohmann::json;

json optional_number(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

json summary(const Summary& s) {
  return {{"count", s.count}, {"min", s.min}, {"max", s.max}, {"mean", s.mean}, {"p50", s.p50},
          {"p95", s.p95},     {"p99", s.p99}, {"sum", s.sum}};
}

json commit(const CommitPoint& p) {
  return {{"id", p.id},
          {"subject", p.subject},
          {"time", p.time},
          {"scanned", p.scanned},
          {"files", p.files},
          {"lines", p.lines},
          {"functions", p.functions},
          {"complexity_total", p.complexity_total},
          {"complexity_max", p.complexity_max},
          {"debt_markers", p.debt_markers},
          {"findings",
           {{"security", p.findings_security},
            {"performance", p.findings_performance},
            {"quality", p.findings_quality},
            {"tests", p.findings_tests},
            {"total", p.findings_total()}}},
          {"improvements", p.improvements},
          {"regressions", p.regressions},
          {"resolved", p.resolved},
          {"coverage", optional_number(p.coverage)}};
}

json cycle(const CycleReport& c) {
  return {{"id", c.id},
          {"trigger", c.trigger},
          {"branch", c.branch},
          {"state", c.state},
          {"started_at", c.started_at},
          {"ended_at", c.ended_at > 0 ? json(c.ended_at) : json(nullptr)},
          {"duration_ms", c.ended_at > 0 ? json(c.duration_ms) : json(nullptr)},
          {"applied", c.applied},
          {"failed", c.failed},
          {"rolled_back", c.rolled_back},
          {"proposed", c.proposed},
          {"accepted", c.accepted},
          {"rejected", c.rejected},
          {"reverted", c.reverted},
          {"pending", c.pending},
          {"dropped", c.dropped},
          {"acceptance", optional_number(c.acceptance)}};
}

} // namespace

std::string render_json(const Report& r) {
  json out;
  out["schema_version"] = r.schema_version;
  out["generated_at"] = r.generated_at;
  out["repository"] = r.repository;
  out["empty"] = r.empty();
  out["queue_size"] = r.queue_size;
  out["range"] = {{"since", r.range.since.empty() ? json(nullptr) : json(r.range.since)},
                  {"since_commit", r.range.since_commit.empty() ? json(nullptr) : json(r.range.since_commit)},
                  {"head", r.range.head.empty() ? json(nullptr) : json(r.range.head)},
                  {"branch", r.range.branch.empty() ? json(nullptr) : json(r.range.branch)},
                  {"from_time", r.range.from_time},
                  {"commits", r.range.commits},
                  {"scanned", r.range.scanned},
                  {"start", r.range.start},
                  {"first_commit", r.range.first_commit.empty() ? json(nullptr) : json(r.range.first_commit)},
                  {"history", r.range.history}};

  json commits = json::array();
  for (const auto& p : r.commits) commits.push_back(commit(p));
  out["quality"] = {{"commits", commits}};
  if (r.comparison) {
    const Comparison& c = *r.comparison;
    out["quality"]["comparison"] = {{"before", commit(c.before)},
                                    {"after", commit(c.after)},
                                    {"files", c.files},
                                    {"only_after", c.only_after},
                                    {"only_before", c.only_before}};
  } else {
    out["quality"]["comparison"] = nullptr;
  }

  json by_cs = json::array();
  for (const auto& c : r.findings.open_by_category_severity)
    by_cs.push_back({{"category", c.category}, {"severity", c.severity}, {"count", c.count}});
  json by_status = json::object();
  for (const auto& [status, n] : r.findings.by_status) by_status[status] = n;
  json by_rule = json::array();
  for (const auto& [rule, n] : r.findings.open_by_rule) by_rule.push_back({{"rule", rule}, {"count", n}});
  out["findings"] = {{"open", r.findings.open},
                     {"total", r.findings.total},
                     {"queue_size", r.queue_size},
                     {"open_by_category_severity", by_cs},
                     {"by_status", by_status},
                     {"open_by_rule", by_rule}};

  json cycles = json::array();
  for (const auto& c : r.cycles) cycles.push_back(cycle(c));
  out["cycles"] = cycles;

  const Improvement& m = r.improvement;
  out["improvement"] = {{"fixes_applied", m.fixes_applied},
                        {"accepted", m.accepted},
                        {"rejected", m.rejected},
                        {"reverted", m.reverted},
                        {"pending", m.pending},
                        {"cycles", m.cycles},
                        {"fixes_per_cycle", m.fixes_per_cycle},
                        {"success_rate", optional_number(m.success_rate)},
                        {"median_time_to_accept_s", optional_number(m.median_time_to_accept_s)},
                        {"acceptance_first_half", optional_number(m.acceptance_first_half)},
                        {"acceptance_second_half", optional_number(m.acceptance_second_half)},
                        {"acceptance_trend", m.acceptance_trend},
                        {"improvements", m.improvements},
                        {"regressions", m.regressions},
                        {"resolved", m.resolved},
                        {"regressed_functions", m.regressed_functions},
                        {"improved_functions", m.improved_functions},
                        {"regression_events", m.regression_events}};

  const Health& h = r.health;
  json bins = json::array();
  for (const auto& b : h.hook_histogram) bins.push_back({{"lo", b.lo}, {"hi", b.hi}, {"count", b.count}});
  json last_error = nullptr;
  if (h.last_error) last_error = {{"kind", h.last_error->kind}, {"message", h.last_error->message}, {"at", h.last_error->at}};
  out["health"] = {{"hook_commit_ms", summary(h.hook_commit_ms)},
                   {"hook_ms", summary(h.hook_ms)},
                   {"hook_histogram", bins},
                   {"drain_ms", summary(h.drain_ms)},
                   {"scan_ms", summary(h.scan_ms)},
                   {"peak_rss_kb", h.peak_rss_kb},
                   {"runs", h.runs},
                   {"errors", h.errors},
                   {"error_rate", h.error_rate},
                   {"last_error", last_error}};

  json functions = json::array();
  for (const auto& f : r.top_functions)
    functions.push_back({{"path", f.path},
                         {"name", f.name},
                         {"commit", f.commit},
                         {"start_line", f.start_line},
                         {"complexity", f.complexity},
                         {"length", f.length},
                         {"nesting", f.nesting}});
  out["top_functions"] = functions;

  json patterns = json::array();
  for (const auto& p : r.patterns)
    patterns.push_back({{"kind", p.kind},
                        {"rule", p.rule},
                        {"directory", p.directory.empty() ? json(nullptr) : json(p.directory)},
                        {"count", p.count},
                        {"before", p.before},
                        {"summary", p.summary},
                        {"suggestion", p.suggestion}});
  out["patterns"] = patterns;

  json rules = json::array();
  for (const auto& l : r.learning.rules)
    rules.push_back({{"rule", l.rule},
                     {"category", l.category},
                     {"state", l.state},
                     {"why", l.why},
                     {"acceptance", l.acceptance},
                     {"proposed", l.proposed},
                     {"accepted", l.accepted},
                     {"rejected", l.rejected},
                     {"reverted", l.reverted},
                     {"validation_failures", l.validation_failures},
                     {"fixed_by_human", l.fixed_by_human},
                     {"bulk_accepted", l.bulk_accepted}});
  json multipliers = json::object();
  for (const auto& [category, m] : r.learning.category_multipliers) multipliers[std::string(core::to_string(category))] = m;
  json strategy = json::array();
  for (const auto& c : r.learning.changes)
    strategy.push_back({{"at", c.at}, {"subject", c.subject}, {"old", c.old_value}, {"new", c.new_value}, {"reason", c.reason}});
  out["learning"] = {{"rules", rules}, {"category_multipliers", multipliers}, {"changes", strategy}};

  json changes = json::array();
  for (const auto& c : r.changes)
    changes.push_back({{"commit", c.commit},
                       {"kind", c.kind},
                       {"path", c.path},
                       {"name", c.name},
                       {"before", static_cast<int64_t>(c.before)}, // complexities and counts: whole numbers
                       {"after", static_cast<int64_t>(c.after)},
                       {"detail", c.detail},
                       {"at", c.at}});
  out["changes"] = changes;
  // Invalid UTF-8 in a commit subject or path must not make the whole report fail.
  return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

} // namespace metrics
