#pragma once
// The report model behind `git autoloop report`: a plain struct gathered once from the queue (and git
// for commit order and dates), then printed by one of four renderers (text, JSON, HTML, Prometheus).
//
// The model is a set of independent sections (quality, findings, cycles, improvement, health,
// functions, patterns) so that a new one (per-rule feedback, strategy changes, ...) is one more member
// and one more block per renderer; the JSON schema lives in docs/report.schema.json.

#include "core/config.hpp"

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace git {
class Repository;
}
namespace queue {
class Store;
}

namespace metrics {

// Bumped when a field changes meaning or goes away (adding a field keeps it).
constexpr int k_report_schema_version = 1;

// --- small statistics ---------------------------------------------------------------------------------

// The q-quantile (0..1) of `values` by linear interpolation between closest ranks (numpy's default):
// q=0.5 of {1,2,3,4} is 2.5. nullopt when empty. `values` need not be sorted.
std::optional<double> quantile(std::vector<double> values, double q);

// A summary of durations or sizes. Fields are 0 when count is 0.
struct Summary {
  size_t count = 0;
  double min = 0, max = 0, mean = 0, p50 = 0, p95 = 0, p99 = 0, sum = 0;
};
Summary summarize(const std::vector<double>& values);

// A histogram bucket [lo, hi) (the last one includes hi).
struct Bin {
  double lo = 0, hi = 0;
  int64_t count = 0;
};
// `bins` equal-width buckets from min to max (one bucket when they are equal; none when empty).
std::vector<Bin> histogram(const std::vector<double>& values, int bins);

// --- sections -----------------------------------------------------------------------------------------

// Which commits the report covers, oldest first: HEAD's history after `since`; without it, from the
// first commit of that history the queue scanned (where scanning started: a long history scanned only
// in its last commits does not show years of empty figures), or all of it when none was scanned.
struct Range {
  std::string since;          // the revision as given, "" for all history
  std::string since_commit;   // what it resolved to
  std::string start;          // "since", "first_scan" or "history" (nothing scanned: all of it)
  std::string first_commit;   // the range's first commit ("" when empty)
  size_t history = 0;         // commits in HEAD's history (the range is its newest part)
  std::string head;           // HEAD's commit, "" when the branch has no commit yet
  std::string branch;         // current branch, "" when detached
  int64_t from_time = 0;      // unix seconds: cycles, verdicts and runs before this are left out (0: none)
  size_t commits = 0;         // commits in range
  size_t scanned = 0;         // of which the queue scanned
};

// The whole codebase's figures at one commit: each file's latest measurement at or before the commit
// is carried forward (deleted files drop out), so unscanned files do not vanish from the totals.
struct CommitPoint {
  std::string id, subject;
  int64_t time = 0;           // committer time, unix seconds
  bool scanned = false;       // the queue scanned this commit
  int files = 0;              // files with measurements
  int64_t lines = 0, functions = 0, complexity_total = 0, debt_markers = 0;
  int64_t findings_security = 0, findings_performance = 0, findings_quality = 0, findings_tests = 0;
  int complexity_max = 0;
  // Files measured at this commit whose (complexity + debt markers + findings) fell / rose against their
  // previous measurement, and findings the scan of this commit recorded as resolved.
  int improvements = 0, regressions = 0, resolved = 0;
  std::optional<double> coverage; // line coverage (percent) recorded for this commit (metrics.coverage_report)
  int64_t findings_total() const {
    return findings_security + findings_performance + findings_quality + findings_tests;
  }
};

// The range's first and last commit compared like for like: totals over the files measured at both
// (a file first measured later, because it was first touched later, would make a total rise that is
// only the measuring spreading; a file deleted meanwhile would make it fall). A file measured later
// whose content at the first commit was the same (a `scan --all` after it) counts as measured there.
struct Comparison {
  CommitPoint before, after;  // id, subject, time and the totals over the compared files
  int files = 0;              // files compared
  int only_after = 0;         // measured at the last commit only (new, or changed before their first measurement)
  int only_before = 0;        // measured at the first commit only (deleted since)
};

// Open findings of one (category, severity), now.
struct FindingCount {
  core::Category category = core::Category::code_quality;
  std::string severity;
  int64_t count = 0;
};

// The queue as it stands (not windowed: it is the current state).
struct Findings {
  int64_t open = 0, total = 0;
  std::vector<FindingCount> open_by_category_severity;                 // sorted by category, severity
  std::vector<std::pair<std::string, int64_t>> by_status;               // every status present, by name
  std::vector<std::pair<std::string, int64_t>> open_by_rule;            // most first
};

// One drain cycle and what happened to the fixes it proposed (each fix counts in the first cycle that
// put it on the side branch).
struct CycleReport {
  int64_t id = 0;
  std::string trigger, branch, state;
  double started_at = 0, ended_at = 0;  // unix seconds; ended_at 0 while running
  double duration_ms = 0;                // 0 unless finished
  int applied = 0, failed = 0;           // as the cycle recorded them
  bool rolled_back = false;
  int proposed = 0, accepted = 0, rejected = 0, reverted = 0, pending = 0, dropped = 0;
  // accepted / (accepted + rejected + reverted); nullopt when none was decided.
  std::optional<double> acceptance;
};

struct Improvement {
  int64_t fixes_applied = 0;     // distinct fixes ever published on a side branch (in the window)
  int64_t accepted = 0, rejected = 0, reverted = 0, pending = 0;
  int cycles = 0;
  double fixes_per_cycle = 0;                    // new fixes per finished cycle
  std::optional<double> success_rate;            // accepted / (accepted + rejected + reverted)
  std::optional<double> median_time_to_accept_s; // first_seen of the finding → its accepted verdict
  std::optional<double> acceptance_first_half, acceptance_second_half; // over the cycles, by order
  std::string acceptance_trend;                  // up, down, flat, or unknown (too few decisions)
  int64_t improvements = 0, regressions = 0, resolved = 0; // files whose burden fell / rose, summed over the commits in range
  // The hook's time for `status`: "median 0.85 ms per commit over the last 20 (exec to exit; ...)", from
// the last `last` post-commit hooks; nullopt before the first. Throws queue::Error.
std::optional<std::string> hook_time(const queue::Store& store, size_t last = 20);

// Complexity changes counted once per function (its identity: path and qualified name), however
  // many commits of the range changed it: functions that regressed, that improved, and the events.
  int64_t regressed_functions = 0, improved_functions = 0, regression_events = 0;
};

// The last failed run.
struct LastError {
  std::string kind, message;
  double at = 0; // unix seconds
};

struct Health {
  // What a hook cost its commit, exec to exit (runs hook-commit:*, src/hook/main.cpp): the hook's time
  // `status` and the report show. Not in it: git's own start of any hook (a fork and a wait).
  Summary hook_commit_ms;
  Summary hook_ms;                // runs of kind hook:*: the hook's own work, up to its spool record
  std::vector<Bin> hook_histogram;
  Summary drain_ms;               // finished cycles
  Summary scan_ms;                // runs of kind scan / scan-all / pre-push scans
  int64_t peak_rss_kb = 0;        // over every run
  int64_t runs = 0, errors = 0;   // hook-commit records are measurements, not runs: not counted
  double error_rate = 0;          // errors / runs (0 when none)
  std::optional<LastError> last_error;
};

// One function at its file's latest measurement.
struct FunctionReport {
  std::string path, name, commit;
  int start_line = 0, complexity = 0, length = 0, nesting = 0;
};

// A recurring or worsening finding, with what to do about it.
struct Pattern {
  std::string kind;       // sweep (many open in one directory), disable (fixes mostly rejected), rising,
                          // style (a style mismatch: feedback::style_mismatches; count open, before the most in one commit)
  std::string rule, directory; // directory "" when the pattern is about the whole repository
  int64_t count = 0;      // open findings (sweep, rising: at the end), rejected+reverted fixes (disable)
  int64_t before = 0;     // rising: open findings at the middle of the range; disable: accepted fixes
  std::string summary;    // one line for people
  std::string suggestion; // a concrete next step (a command or a config change)
};

// What the feedback loop learnt about one rule (src/feedback/).
struct RuleLearning {
  std::string rule, category, state, why; // category "" when unknown; state: learning, trusted, quarantined
  double acceptance = 0;                  // posterior mean
  int proposed = 0, accepted = 0, rejected = 0, reverted = 0, validation_failures = 0, fixed_by_human = 0;
  int bulk_accepted = 0;                  // of the accepted, accepted in bulk (never what made it trusted)
};

// A change of strategy the loop made by itself (a rule quarantined or trusted, a category re-weighted).
struct StrategyEvent {
  int64_t at = 0; // unix seconds
  std::string subject, reason;
  double old_value = 0, new_value = 0;
};

struct Learning {
  std::vector<RuleLearning> rules;                                 // rules with verdicts, most decided first
  std::vector<std::pair<core::Category, double>> category_multipliers; // in force, by category
  std::vector<StrategyEvent> changes;                              // newest first
};

// A function-level change a scan measured: a complexity regression or improvement, or new security findings.
struct MetricChange {
  std::string commit, kind, path, name, detail; // kind: regression, improvement, security
  double before = 0, after = 0;
  int64_t at = 0;
};

struct Report {
  int schema_version = k_report_schema_version;
  double generated_at = 0;      // unix seconds
  std::string repository;       // work tree (or git dir) path
  Range range;
  std::vector<CommitPoint> commits; // oldest first
  std::optional<Comparison> comparison; // first and last commit of the range, like for like
  Findings findings;
  std::vector<CycleReport> cycles;  // oldest first
  Improvement improvement;
  Health health;
  std::vector<FunctionReport> top_functions; // most complex first
  std::vector<Pattern> patterns;
  Learning learning;
  std::vector<MetricChange> changes; // in range, newest first
  int64_t queue_size = 0;       // open findings waiting (open + stale)
  // Nothing recorded yet: no scanned commit, no finding, no run, no cycle.
  bool empty() const;
};

struct ReportOptions {
  std::string since;          // a revision; "" for all history
  std::string repository;     // shown in the report
  size_t top_functions = 10;
  int histogram_bins = 12;
  int64_t sweep_min = 3;      // open findings of one rule in one directory that make a sweep worth it
  double now = 0;             // generated_at; 0: the clock
  // The feedback settings, to evaluate what each rule learnt; nullopt leaves Report::learning.rules empty.
  std::optional<core::FeedbackConfig> feedback;
  // The enabled rules' ids, to flag style mismatches among them; nullopt: none flagged.
  std::optional<std::set<std::string>> enabled_rules;
  // The rules that can fix their findings (a fix template or fixed cases, and not suggest-only), and of
  // those the mechanical ones (`drain --sweep`). A sweep is suggested only for fixable findings;
  // nullopt: every rule whose findings are not suggestions counts as fixable.
  std::optional<std::set<std::string>> fixable_rules;
  std::set<std::string> mechanical_rules;
};

// Gathers the report for HEAD's history (after options.since). Throws core::Error for a revision that
// does not name a commit, git::Error / queue::Error when reading fails.
Report build_report(const git::Repository& repo, const queue::Store& store, const ReportOptions& options);

// The hook's time for `status`: "median 0.85 ms per commit over the last 20 (exec to exit; ...)", from
// the last `last` post-commit hooks; nullopt before the first. Throws queue::Error.
std::optional<std::string> hook_time(const queue::Store& store, size_t last = 20);

// Complexity changes counted once per function: a function is its path and name (the scan names it by
// its qualified identity, scan/function_identity.hpp), however many commits changed it.
struct FunctionChangeCounts {
  int64_t regressed = 0;          // functions with a regression
  int64_t improved = 0;           // functions with an improvement
  int64_t regression_events = 0;  // regressions, one per commit and function
};
FunctionChangeCounts count_function_changes(const std::vector<MetricChange>& changes);

// --- renderers (report_<format>.cpp) --------------------------------------------------------------------

std::string render_text(const Report& report);
std::string render_json(const Report& report);
std::string render_html(const Report& report);
std::string render_prometheus(const Report& report);

} // namespace metrics
