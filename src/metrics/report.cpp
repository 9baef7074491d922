#include "metrics/report.hpp"

#include "core/error.hpp"
#include "feedback/feedback.hpp"
#include "git/repo.hpp"
#include "metrics/format.hpp"
#include "queue/store.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace metrics {

// --- small statistics ---------------------------------------------------------------------------------

std::optional<double> quantile(std::vector<double> values, double q) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  q = std::clamp(q, 0.0, 1.0);
  const double rank = q * static_cast<double>(values.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(rank));
  const size_t hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (values[hi] - values[lo]) * (rank - static_cast<double>(lo));
}

Summary summarize(const std::vector<double>& values) {
  Summary s;
  if (values.empty()) return s;
  s.count = values.size();
  s.min = *std::min_element(values.begin(), values.end());
  s.max = *std::max_element(values.begin(), values.end());
  for (double v : values) s.sum += v;
  s.mean = s.sum / static_cast<double>(s.count);
  s.p50 = *quantile(values, 0.50);
  s.p95 = *quantile(values, 0.95);
  s.p99 = *quantile(values, 0.99);
  return s;
}

std::vector<Bin> histogram(const std::vector<double>& values, int bins) {
  std::vector<Bin> out;
  if (values.empty() || bins < 1) return out;
  const double lo = *std::min_element(values.begin(), values.end());
  const double hi = *std::max_element(values.begin(), values.end());
  if (hi <= lo) return {Bin{lo, hi, static_cast<int64_t>(values.size())}};
  const double width = (hi - lo) / bins;
  for (int i = 0; i < bins; ++i) out.push_back({lo + width * i, i + 1 == bins ? hi : lo + width * (i + 1), 0});
  for (double v : values) {
    auto i = static_cast<size_t>((v - lo) / width);
    ++out[std::min(i, out.size() - 1)].count;
  }
  return out;
}

FunctionChangeCounts count_function_changes(const std::vector<MetricChange>& changes) {
  FunctionChangeCounts counts;
  std::set<std::pair<std::string, std::string>> regressed, improved;
  for (const auto& c : changes) {
    if (c.kind == "regression") {
      ++counts.regression_events;
      regressed.insert({c.path, c.name});
    } else if (c.kind == "improvement") {
      improved.insert({c.path, c.name});
    }
  }
  counts.regressed = static_cast<int64_t>(regressed.size());
  counts.improved = static_cast<int64_t>(improved.size());
  return counts;
}

bool Report::empty() const {
  return range.scanned == 0 && findings.total == 0 && health.runs == 0 && cycles.empty();
}

namespace {

// Runs that record what a hook cost its commit (loop/worker.cpp).
constexpr std::string_view k_hook_commit_prefix = "hook-commit:";

double median_ms(const std::vector<queue::Run>& runs) {
  std::vector<double> d;
  for (const auto& r : runs) d.push_back(r.duration_ms);
  return quantile(d, 0.5).value_or(0);
}

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// "src/api/" for src/api/x.py, "./" for a file at the top.
std::string directory_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? "./" : path.substr(0, slash + 1);
}

// What a file's measurement weighs when telling improvements from regressions.
int64_t burden(const queue::FileMetrics& m) {
  return int64_t{m.complexity_total} + m.debt_markers + m.findings_security + m.findings_performance +
         m.findings_quality + m.findings_tests;
}

// Adds (sign +1) or removes (-1) one file's figures from a commit's totals.
void accumulate(CommitPoint& p, const queue::FileMetrics& m, int sign) {
  p.files += sign;
  p.lines += sign * m.lines;
  p.functions += sign * m.functions;
  p.complexity_total += sign * m.complexity_total;
  p.debt_markers += sign * m.debt_markers;
  p.findings_security += sign * m.findings_security;
  p.findings_performance += sign * m.findings_performance;
  p.findings_quality += sign * m.findings_quality;
  p.findings_tests += sign * m.findings_tests;
}

bool decided(const std::string& verdict) {
  return verdict == "accepted" || verdict == "rejected" || verdict == "reverted";
}

std::optional<double> ratio(int64_t part, int64_t whole) {
  if (whole <= 0) return std::nullopt;
  return static_cast<double>(part) / static_cast<double>(whole);
}

// 1. The commits: HEAD's whole history (carried metrics need what came before the range), and the
//    range: after `since`, else from the first commit the queue scanned.
struct History {
  std::vector<std::string> all;       // oldest first
  size_t first_in_range = 0;          // index into `all`
};

using ScannedCommits = std::unordered_map<std::string, queue::Store::ScannedCommit>;

History walk(const git::Repository& repo, const ReportOptions& options, const ScannedCommits& scanned, Range& range) {
  History h;
  range.since = options.since;
  range.branch = repo.current_branch().value_or("");
  const auto head = repo.resolve_commit("HEAD");
  if (!options.since.empty()) {
    const auto since = repo.resolve_commit(options.since);
    if (!since) throw core::Error("--since " + options.since + ": not a commit in this repository");
    range.since_commit = *since;
    range.from_time = repo.commit_info(*since).time;
  }
  if (!head) return h;
  range.head = *head;
  h.all = repo.commit_range("", *head);
  if (!range.since_commit.empty()) {
    const auto in_range = repo.commit_range(range.since_commit, *head);
    const std::unordered_set<std::string> keep(in_range.begin(), in_range.end());
    // Topological order puts everything `since` reaches before what it does not, except for side
    // branches merged later: those stay out of the range but still feed the carried metrics.
    h.first_in_range = h.all.size();
    for (size_t i = 0; i < h.all.size(); ++i)
      if (keep.count(h.all[i])) {
        h.first_in_range = i;
        break;
      }
    std::vector<std::string> reordered(h.all.begin(), h.all.begin() + static_cast<std::ptrdiff_t>(h.first_in_range));
    std::vector<std::string> tail;
    for (size_t i = h.first_in_range; i < h.all.size(); ++i)
      (keep.count(h.all[i]) ? tail : reordered).push_back(h.all[i]);
    h.first_in_range = reordered.size();
    reordered.insert(reordered.end(), tail.begin(), tail.end());
    h.all = std::move(reordered);
    range.start = "since";
  } else {
    // Where scanning started: what came before it was never measured, only carried into nothing.
    const auto first = std::find_if(h.all.begin(), h.all.end(), [&](const std::string& id) { return scanned.count(id) > 0; });
    h.first_in_range = first == h.all.end() ? 0 : static_cast<size_t>(first - h.all.begin());
    range.start = first == h.all.end() ? "history" : "first_scan";
  }
  range.history = h.all.size();
  if (h.first_in_range < h.all.size()) range.first_commit = h.all[h.first_in_range];
  return h;
}

// Each file's measurement at the range's first commit (carried), and its first measurement in the range.
struct RangeStart {
  std::map<std::string, queue::FileMetrics> at_start, first_in_range;
};

// 2. Quality across the commits: carry each file's latest measurement forward.
void carry_metrics(const git::Repository& repo, const queue::Store& store, const History& h,
                   const std::vector<queue::Opportunity>& opportunities, const ScannedCommits& scanned, Report& report,
                   std::map<std::string, queue::FileMetrics>& current, RangeStart& start) {
  std::unordered_map<std::string, std::vector<queue::FileMetrics>> by_commit;
  for (auto& m : store.file_metrics_history()) by_commit[m.commit_id].push_back(std::move(m));
  std::unordered_map<std::string, int> resolved_in;
  for (const auto& o : opportunities)
    if (o.status == core::Status::resolved && !o.resolved_in.empty()) ++resolved_in[o.resolved_in];

  CommitPoint totals; // running sums over `current`
  for (size_t i = 0; i < h.all.size(); ++i) {
    const std::string& id = h.all[i];
    const bool in_range = i >= h.first_in_range;
    const auto measured = by_commit.find(id);
    int improvements = 0, regressions = 0;
    if (!current.empty() || measured != by_commit.end()) {
      // Deleted files leave the totals (the scan records no row for them).
      const auto parents = repo.parents(id);
      for (const auto& change : repo.diff_commits(parents.empty() ? "" : parents.front(), id)) {
        if (change.kind != git::Change::Kind::deleted) continue;
        auto it = current.find(change.path);
        if (it == current.end()) continue;
        accumulate(totals, it->second, -1);
        current.erase(it);
      }
    }
    if (measured != by_commit.end()) {
      for (const auto& m : measured->second) {
        auto it = current.find(m.path);
        if (it != current.end()) {
          const int64_t before = burden(it->second), after = burden(m);
          if (after < before) ++improvements;
          if (after > before) ++regressions;
          accumulate(totals, it->second, -1);
          it->second = m;
        } else {
          current.emplace(m.path, m);
        }
        accumulate(totals, m, +1);
        if (in_range) start.first_in_range.emplace(m.path, m); // the first one stays
      }
    }
    if (i == h.first_in_range) start.at_start = current;
    if (!in_range) continue;
    const auto info = repo.commit_info(id);
    CommitPoint p = totals;
    p.id = id;
    p.subject = first_line(info.message);
    p.time = info.time;
    p.scanned = scanned.count(id) > 0;
    p.complexity_max = 0;
    for (const auto& [path, m] : current) p.complexity_max = std::max(p.complexity_max, m.complexity_max);
    p.improvements = improvements;
    p.regressions = regressions;
    const auto r = resolved_in.find(id);
    p.resolved = r == resolved_in.end() ? 0 : r->second;
    report.commits.push_back(std::move(p));
  }
}

// 2b. The range's ends, like for like (Comparison). A file measured only after the first commit counts
//     as measured there when its content then was the one measured (same blob).
std::optional<Comparison> compare_ends(const git::Repository& repo, const Report& report, RangeStart start,
                                       const std::map<std::string, queue::FileMetrics>& current) {
  if (report.commits.empty()) return std::nullopt;
  Comparison c;
  const CommitPoint& first = report.commits.front();
  const CommitPoint& last = report.commits.back();
  for (CommitPoint* p : {&c.before, &c.after}) {
    const CommitPoint& from = p == &c.before ? first : last;
    p->id = from.id;
    p->subject = from.subject;
    p->time = from.time;
    p->scanned = from.scanned;
  }
  for (const auto& [path, m] : current) {
    auto before = start.at_start.find(path);
    if (before == start.at_start.end()) {
      const auto later = start.first_in_range.find(path);
      if (later != start.first_in_range.end() && later->second.commit_id != first.id) {
        const auto then = repo.entry_at(first.id, path), measured = repo.entry_at(later->second.commit_id, path);
        if (then && measured && then->blob == measured->blob)
          before = start.at_start.emplace(path, later->second).first;
      }
    }
    if (before == start.at_start.end()) {
      ++c.only_after;
      continue;
    }
    ++c.files;
    accumulate(c.before, before->second, +1);
    accumulate(c.after, m, +1);
    c.before.complexity_max = std::max(c.before.complexity_max, before->second.complexity_max);
    c.after.complexity_max = std::max(c.after.complexity_max, m.complexity_max);
  }
  for (const auto& measured : start.at_start)
    if (!current.count(measured.first)) ++c.only_before;
  return c;
}

// 3. The queue now.
Findings current_findings(const std::vector<queue::Opportunity>& opportunities) {
  Findings f;
  std::map<std::pair<core::Category, std::string>, int64_t> by_cs;
  std::map<std::string, int64_t> by_status, by_rule;
  for (const auto& o : opportunities) {
    ++f.total;
    ++by_status[std::string(core::to_string(o.status))];
    if (o.status != core::Status::open) continue;
    ++f.open;
    ++by_cs[{o.category, o.severity}];
    ++by_rule[o.rule_id];
  }
  for (const auto& [key, n] : by_cs) f.open_by_category_severity.push_back({key.first, key.second, n});
  f.by_status.assign(by_status.begin(), by_status.end());
  f.open_by_rule.assign(by_rule.begin(), by_rule.end());
  std::stable_sort(f.open_by_rule.begin(), f.open_by_rule.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return f;
}

// 4. Cycles and what became of the fixes each proposed.
void gather_cycles(const queue::Store& store, const std::vector<queue::Opportunity>& opportunities,
                   const std::vector<queue::Store::Verdict>& verdicts, Report& report) {
  std::unordered_map<int64_t, std::string> latest_verdict;
  std::unordered_map<int64_t, core::Status> status;
  for (const auto& v : verdicts) latest_verdict[v.opportunity_id] = v.verdict; // oldest first: the last wins
  for (const auto& o : opportunities) status[o.id] = o.status;
  std::unordered_map<int64_t, int64_t> proposed_in; // opportunity → first cycle that published its fix
  for (const auto& a : store.attempts_history())
    if (a.outcome == core::Outcome::applied && a.cycle_id && !proposed_in.count(a.opportunity_id))
      proposed_in[a.opportunity_id] = a.cycle_id;

  std::map<int64_t, CycleReport*> by_id;
  auto cycles = store.cycles(0);
  std::reverse(cycles.begin(), cycles.end());
  for (const auto& c : cycles) {
    if (c.started_at < static_cast<double>(report.range.from_time)) continue;
    CycleReport r;
    r.id = c.id;
    r.trigger = c.trigger;
    r.branch = c.branch;
    r.state = c.state;
    r.started_at = c.started_at;
    r.ended_at = c.ended_at;
    if (c.state == "done" && c.ended_at >= c.started_at) r.duration_ms = (c.ended_at - c.started_at) * 1000.0;
    r.applied = c.applied;
    r.failed = c.failed;
    r.rolled_back = c.rolled_back;
    report.cycles.push_back(std::move(r));
  }
  for (auto& r : report.cycles) by_id[r.id] = &r;
  for (const auto& [opportunity, cycle] : proposed_in) {
    auto it = by_id.find(cycle);
    if (it == by_id.end()) continue;
    CycleReport& r = *it->second;
    ++r.proposed;
    const auto v = latest_verdict.find(opportunity);
    const std::string verdict = v == latest_verdict.end() ? "" : v->second;
    if (verdict == "accepted") ++r.accepted;
    else if (verdict == "rejected") ++r.rejected;
    else if (verdict == "reverted") ++r.reverted;
    else if (status[opportunity] == core::Status::applied) ++r.pending;
    else ++r.dropped; // superseded: resolved, stale or failed before anyone decided
  }
  for (auto& r : report.cycles) r.acceptance = ratio(r.accepted, r.accepted + r.rejected + r.reverted);
}

// 5. Improvement metrics from the cycles, verdicts and commits.
Improvement improvement_of(const Report& report, const std::vector<queue::Opportunity>& opportunities,
                           const std::vector<queue::Store::Verdict>& verdicts) {
  Improvement m;
  int finished = 0;
  for (const auto& c : report.cycles) {
    m.fixes_applied += c.proposed;
    m.accepted += c.accepted;
    m.rejected += c.rejected;
    m.reverted += c.reverted;
    m.pending += c.pending;
    if (c.state == "done") ++finished;
  }
  m.cycles = static_cast<int>(report.cycles.size());
  m.fixes_per_cycle = finished ? static_cast<double>(m.fixes_applied) / finished : 0;
  m.success_rate = ratio(m.accepted, m.accepted + m.rejected + m.reverted);

  std::unordered_map<int64_t, int64_t> first_seen;
  for (const auto& o : opportunities) first_seen[o.id] = o.first_seen;
  std::vector<double> waits;
  for (const auto& v : verdicts) {
    if (v.verdict != "accepted" || v.created_at < report.range.from_time) continue;
    auto it = first_seen.find(v.opportunity_id);
    if (it != first_seen.end() && it->second > 0) waits.push_back(static_cast<double>(std::max<int64_t>(0, v.created_at - it->second)));
  }
  m.median_time_to_accept_s = quantile(waits, 0.5);

  const size_t half = report.cycles.size() / 2;
  auto acceptance_of = [&](size_t from, size_t to) {
    int64_t accepted = 0, all = 0;
    for (size_t i = from; i < to; ++i) {
      accepted += report.cycles[i].accepted;
      all += report.cycles[i].accepted + report.cycles[i].rejected + report.cycles[i].reverted;
    }
    return ratio(accepted, all);
  };
  if (half > 0) {
    m.acceptance_first_half = acceptance_of(0, half);
    m.acceptance_second_half = acceptance_of(half, report.cycles.size());
  }
  if (m.acceptance_first_half && m.acceptance_second_half) {
    const double d = *m.acceptance_second_half - *m.acceptance_first_half;
    m.acceptance_trend = d > 0.05 ? "up" : d < -0.05 ? "down" : "flat";
  } else {
    m.acceptance_trend = "unknown";
  }
  for (const auto& p : report.commits) {
    m.improvements += p.improvements;
    m.regressions += p.regressions;
    m.resolved += p.resolved;
  }
  return m;
}

// 6. System health from the runs and cycles.
Health health_of(const queue::Store& store, const Report& report, int bins) {
  Health h;
  std::vector<double> hooks, drains, scans;
  std::vector<double> commit_costs;
  for (const auto& run : store.runs("", 0)) { // newest first
    if (run.started_at < static_cast<double>(report.range.from_time)) continue;
    if (run.kind.rfind(k_hook_commit_prefix, 0) == 0) {
      commit_costs.push_back(run.duration_ms);
      continue;
    }
    ++h.runs;
    h.peak_rss_kb = std::max(h.peak_rss_kb, run.peak_rss_kb);
    if (run.kind.rfind("hook:", 0) == 0) hooks.push_back(run.duration_ms);
    else if (run.kind.rfind("scan", 0) == 0) scans.push_back(run.duration_ms);
    if (run.error.empty()) continue;
    ++h.errors;
    if (!h.last_error) h.last_error = LastError{run.kind, run.error, run.started_at};
  }
  for (const auto& c : report.cycles)
    if (c.duration_ms > 0 || (c.state == "done" && c.ended_at > 0)) drains.push_back(c.duration_ms);
  h.hook_commit_ms = summarize(commit_costs);
  h.hook_ms = summarize(hooks);
  // The histogram shows what commits paid when it is known, else the hooks' own work.
  h.hook_histogram = histogram(commit_costs.empty() ? hooks : commit_costs, bins);
  h.drain_ms = summarize(drains);
  h.scan_ms = summarize(scans);
  h.error_rate = h.runs ? static_cast<double>(h.errors) / static_cast<double>(h.runs) : 0;
  return h;
}

// 7. The most complex functions at each file's latest measurement.
std::vector<FunctionReport> top_functions(const queue::Store& store, const std::map<std::string, queue::FileMetrics>& current,
                                          size_t limit) {
  std::vector<FunctionReport> all;
  for (const auto& [path, m] : current) {
    if (m.functions == 0) continue;
    for (const auto& f : store.function_metrics(m.commit_id, path))
      all.push_back({f.path, f.name, f.commit_id, f.start_line, f.complexity, f.length, f.nesting});
  }
  std::sort(all.begin(), all.end(), [](const FunctionReport& a, const FunctionReport& b) {
    if (a.complexity != b.complexity) return a.complexity > b.complexity;
    if (a.path != b.path) return a.path < b.path;
    return a.start_line < b.start_line;
  });
  if (all.size() > limit) all.resize(limit);
  return all;
}

// 8. Patterns: clusters worth a sweep, rules people keep rejecting, rules whose findings grow.
std::vector<Pattern> patterns_of(const Report& report, const History& h, const ScannedCommits& scanned,
                                 const std::vector<queue::Opportunity>& opportunities,
                                 const std::vector<queue::Store::Verdict>& verdicts, const ReportOptions& options) {
  std::vector<Pattern> out;

  // 8a. Sweeps: many open findings of one rule in one directory, that a drain can fix (a suggestion,
  //     or a finding of a rule without a fix, never becomes a fix commit however many there are).
  auto fixable = [&](const queue::Opportunity& o) {
    if (o.safety == core::Safety::suggest) return false;
    return !options.fixable_rules || options.fixable_rules->count(o.rule_id) > 0;
  };
  std::map<std::pair<std::string, std::string>, int64_t> clusters;
  for (const auto& o : opportunities)
    if (o.status == core::Status::open && fixable(o)) ++clusters[{o.rule_id, directory_of(o.path)}];
  std::vector<Pattern> sweeps;
  for (const auto& [key, n] : clusters) {
    if (n < options.sweep_min) continue;
    Pattern p;
    p.kind = "sweep";
    p.rule = key.first;
    p.directory = key.second;
    p.count = n;
    p.summary = p.rule + ": " + std::to_string(n) + " open in " + p.directory;
    const std::string where = p.directory == "./" ? "" : " " + p.directory;
    p.suggestion = options.mechanical_rules.count(p.rule)
                       ? "suggest a sweep: `git autoloop drain --sweep " + p.rule + where + "` fixes them, one commit per file"
                       : "`git autoloop queue --rule " + p.rule + "` lists them; `git autoloop drain --now --max " +
                             std::to_string(n) + "` proposes fixes for up to " + std::to_string(n) + " at once";
    sweeps.push_back(std::move(p));
  }
  std::stable_sort(sweeps.begin(), sweeps.end(), [](const Pattern& a, const Pattern& b) { return a.count > b.count; });
  out.insert(out.end(), sweeps.begin(), sweeps.end());

  // 8b. Rules whose fixes are mostly rejected (or reverted) in the window.
  std::unordered_map<int64_t, std::string> rule_of;
  for (const auto& o : opportunities) rule_of[o.id] = o.rule_id;
  std::unordered_map<int64_t, std::string> latest;
  for (const auto& v : verdicts)
    if (v.created_at >= report.range.from_time && decided(v.verdict)) latest[v.opportunity_id] = v.verdict;
  std::map<std::string, std::pair<int64_t, int64_t>> by_rule; // rule → (accepted, rejected + reverted)
  for (const auto& [id, verdict] : latest) {
    auto& counts = by_rule[rule_of[id]];
    (verdict == "accepted" ? counts.first : counts.second)++;
  }
  for (const auto& [rule, counts] : by_rule) {
    const auto [accepted, refused] = counts;
    if (rule.empty() || refused < 2 || refused <= accepted) continue;
    Pattern p;
    p.kind = "disable";
    p.rule = rule;
    p.count = refused;
    p.before = accepted;
    p.summary = rule + ": " + std::to_string(refused) + " of " + std::to_string(refused + accepted) +
                " fixes rejected or reverted";
    p.suggestion = "consider disabling it in `.autoloop.yml` rules.disable: [" + rule + "]";
    out.push_back(std::move(p));
  }

  // 8c. Rules whose open findings grew over the second half of the range. A finding counts from the
  //     first commit scanned at or after it was first seen until the commit that resolved it (or the
  //     scan after it was accepted).
  const size_t n = h.all.size() - h.first_in_range;
  if (n < 2) return out;
  std::vector<double> stamp(n);
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < n; ++i) {
    const std::string& id = h.all[h.first_in_range + i];
    index[id] = i;
    const auto s = scanned.find(id);
    stamp[i] = s != scanned.end() ? static_cast<double>(s->second.scanned_at) : static_cast<double>(report.commits[i].time);
    if (i) stamp[i] = std::max(stamp[i], stamp[i - 1]); // a rescan must not move time backwards
  }
  // Position of a moment among the commits: the first one scanned at or after it (the last at most).
  auto position = [&](int64_t t) -> long {
    const auto it = std::lower_bound(stamp.begin(), stamp.end(), static_cast<double>(t));
    return static_cast<long>(std::min<size_t>(static_cast<size_t>(it - stamp.begin()), n - 1));
  };
  std::unordered_map<int64_t, int64_t> accepted_at;
  for (const auto& v : verdicts)
    if (v.verdict == "accepted") accepted_at[v.opportunity_id] = v.created_at;
  const long mid = static_cast<long>(n / 2) - 1, end = static_cast<long>(n) - 1;
  std::map<std::string, std::pair<int64_t, int64_t>> open_at; // rule → (at mid, at end)
  for (const auto& o : opportunities) {
    const long from = position(o.first_seen);
    long until = end + 1; // still there
    if (o.status == core::Status::resolved) {
      const auto it = index.find(o.resolved_in);
      until = it != index.end() ? static_cast<long>(it->second) : -1;
    } else if (o.status == core::Status::accepted && accepted_at.count(o.id)) {
      until = position(accepted_at[o.id]);
    }
    auto& counts = open_at[o.rule_id];
    if (from <= mid && until > mid) ++counts.first;
    if (from <= end && until > end) ++counts.second;
  }
  for (const auto& [rule, counts] : open_at) {
    const auto [before, after] = counts;
    if (after < before + 2) continue;
    Pattern p;
    p.kind = "rising";
    p.rule = rule;
    p.count = after;
    p.before = before;
    p.summary = rule + ": open findings rose from " + std::to_string(before) + " to " + std::to_string(after) +
                " over the second half of the range";
    p.suggestion = "new code keeps adding them: review `git autoloop queue --rule " + rule +
                   "` and fix the source pattern, or lower its severity in `.autoloop.yml` rules";
    out.push_back(std::move(p));
  }
  return out;
}

// Per-rule learning, the multipliers in force and the strategy log (src/feedback/).
void gather_learning(const queue::Store& store, const ReportOptions& options, Report& report) {
  for (const auto& c : store.strategy_changes(0))
    if (c.created_at >= report.range.from_time)
      report.learning.changes.push_back({c.created_at, c.subject, c.reason, c.old_value, c.new_value});
  if (!options.feedback) return;
  const feedback::Learnt learnt = feedback::current(store, *options.feedback);
  for (const auto& [id, v] : learnt.rules) {
    const std::string category = v.counts.category ? std::string(core::to_string(*v.counts.category)) : "";
    report.learning.rules.push_back({id, category, feedback::to_string(v.state), v.why, v.posterior.mean(),
                                     v.counts.proposed, v.counts.accepted, v.counts.rejected, v.counts.reverted,
                                     v.counts.validation_failures, v.counts.fixed_by_human, v.counts.bulk_accepted});
  }
  std::stable_sort(report.learning.rules.begin(), report.learning.rules.end(), [](const auto& a, const auto& b) {
    return a.accepted + a.rejected + a.reverted > b.accepted + b.rejected + b.reverted;
  });
  for (const auto& [category, m] : learnt.category_multiplier) report.learning.category_multipliers.emplace_back(category, m);
}

// Regressions, improvements and new security findings of the commits in range, and coverage per commit.
void gather_changes(const queue::Store& store, Report& report) {
  std::unordered_map<std::string, CommitPoint*> by_id;
  for (auto& p : report.commits) by_id[p.id] = &p;
  for (const auto& e : store.metric_events("", 0))
    if (by_id.count(e.commit_id))
      report.changes.push_back({e.commit_id, e.kind, e.path, e.name, e.detail, e.old_value, e.new_value, e.created_at});
  const FunctionChangeCounts counts = count_function_changes(report.changes);
  report.improvement.regressed_functions = counts.regressed;
  report.improvement.improved_functions = counts.improved;
  report.improvement.regression_events = counts.regression_events;
  for (auto& p : report.commits)
    if (p.scanned) p.coverage = store.coverage(p.id);
}

} // namespace

std::optional<std::string> hook_time(const queue::Store& store, size_t last) {
  const auto per_commit = store.runs(std::string(k_hook_commit_prefix) + "post-commit", last);
  const auto own = store.runs("hook:post-commit", last);
  if (per_commit.empty()) {
    if (own.empty()) return std::nullopt;
    return "median " + format::duration_ms(median_ms(own)) + " of the hook's own work over the last " +
           std::to_string(own.size()) + " commits (not what a commit pays: that is recorded from the next commit on)";
  }
  return "median " + format::duration_ms(median_ms(per_commit)) + " per commit over the last " +
         std::to_string(per_commit.size()) + " (the hook from exec to exit" +
         (own.empty() ? std::string() : ", its own work " + format::duration_ms(median_ms(own))) +
         "; git's start of any hook not included)";
}

Report build_report(const git::Repository& repo, const queue::Store& store, const ReportOptions& options) {
  Report report;
  report.generated_at = options.now > 0 ? options.now : now_seconds();
  report.repository = options.repository;
  ScannedCommits scanned;
  for (auto& s : store.scanned_commits()) scanned[s.commit_id] = std::move(s);
  const History history = walk(repo, options, scanned, report.range);
  report.range.commits = history.all.size() - history.first_in_range;

  for (size_t i = history.first_in_range; i < history.all.size(); ++i)
    if (scanned.count(history.all[i])) ++report.range.scanned;

  const auto opportunities = store.opportunities({});
  const auto verdicts = store.verdicts();
  std::map<std::string, queue::FileMetrics> current;
  RangeStart start;
  carry_metrics(repo, store, history, opportunities, scanned, report, current, start);
  report.comparison = compare_ends(repo, report, std::move(start), current);
  report.findings = current_findings(opportunities);
  for (const auto& [status, n] : report.findings.by_status)
    if (status == "open" || status == "stale") report.queue_size += n;
  gather_cycles(store, opportunities, verdicts, report);
  report.improvement = improvement_of(report, opportunities, verdicts);
  report.health = health_of(store, report, options.histogram_bins);
  report.top_functions = top_functions(store, current, options.top_functions);
  report.patterns = patterns_of(report, history, scanned, opportunities, verdicts, options);
  if (options.enabled_rules) {
    // Style mismatches first: one config line removes hundreds of findings nobody will fix.
    std::vector<Pattern> style;
    for (const auto& m : feedback::style_mismatches(store, *options.enabled_rules)) {
      Pattern p;
      p.kind = "style";
      p.rule = m.rule_id;
      p.count = m.open;
      p.before = m.most_in_one_commit;
      p.summary = m.rule_id + ": " + std::to_string(m.open) + " open findings (" + std::to_string(m.most_in_one_commit) +
                  " in one commit's scan), none fixed by hand nor accepted: a style mismatch";
      p.suggestion = "the project writes this on purpose: `rules.disable: [" + m.rule_id +
                     "]` in .autoloop.yml (or turn its equivalent off in the project's linter config)";
      style.push_back(std::move(p));
    }
    report.patterns.insert(report.patterns.begin(), style.begin(), style.end());
  }
  gather_learning(store, options, report);
  gather_changes(store, report);
  return report;
}

} // namespace metrics
