#pragma once
// The per-repository queue: one SQLite file, `.git/autoloop/queue.db`, and the only code in the project
// that contains SQL.
//
// src/queue/ in layers:
//  - db.hpp: the connection, its statements and transactions (RAII over sqlite3; db.cpp alone includes
//    sqlite3.h); row.hpp: the one way a record is read from a row.
//  - schema.hpp: the migrations, src/queue/schema/NNN_name.sql, embedded at build time.
//  - one file per table family: opportunities (and sightings), scans (scanned commits, blob cache),
//    metrics (files, functions, metric events, coverage), runs (and the state table), cycles (and
//    attempts), feedback (verdicts, rule state, strategy changes).
//  - Store (this file): opens, checks and migrates the file, and hands each call to its family.
//
// A Store is one connection: give each thread its own. Several processes (the worker, a drain, the
// CLI) may open the same file at once: WAL lets readers run beside the single writer, and writers
// wait for each other (busy_timeout, then a few retries) for about 30 s before "database is locked"
// reaches the caller as a queue::Error.
//
// Methods that write several rows are atomic: they join the caller's Transaction when one is open
// and otherwise open their own.

#include "core/kinds.hpp"
#include "queue/cycles.hpp"
#include "queue/db.hpp"
#include "queue/feedback.hpp"
#include "queue/metrics.hpp"
#include "queue/opportunities.hpp"
#include "queue/runs.hpp"
#include "queue/scans.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace queue {

class Store {
public:
  // The same types, reachable from the Store as well.
  using FileMetrics = queue::FileMetrics;
  using FunctionMetrics = queue::FunctionMetrics;
  using Run = queue::Run;
  using OpenFindings = queue::OpenFindings;
  using ScannedCommit = queue::ScannedCommit;
  using Verdict = queue::Verdict;

  // How much to verify when opening: a quick_check reads every page (~2-4 ms per MB when cached).
  // `changed` runs it only when the file's size, mtime or inode differ from what the last clean check
  // recorded in `.<db file name>.checked` beside it (a cache: damaging bytes in place changes the mtime too).
  enum class Check { quick, changed, none };

  // Opens (creating it and its parent directories if needed) and migrates the queue at `db_path`.
  // Throws CorruptError when the file is damaged or not a database, queue::Error otherwise
  // (including a schema newer than this build knows).
  static Store open(const std::filesystem::path& db_path, Check check = Check::quick);

  // Moves a (corrupt) database and its -wal/-shm/-journal aside to `<db_path>.corrupt-<unix-time>.<microseconds>`
  // and returns that path. Call with no connection open on it. Throws queue::Error when it cannot.
  static std::filesystem::path quarantine(const std::filesystem::path& db_path);

  // The schema version this build migrates to.
  static int latest_schema_version() noexcept;

  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  ~Store();

  // True when PRAGMA quick_check says "ok"; false when it reports damage. Throws queue::Error on I/O errors.
  bool quick_check();

  // The schema version of the open file (PRAGMA user_version). Throws queue::Error.
  int schema_version() const;

  // Starts a write transaction (BEGIN IMMEDIATE): other writers wait until it ends.
  // Throws queue::Error (also when a transaction is already open on this Store).
  Transaction begin();

  // --- opportunities (queue/opportunities.hpp) ---

  // Records a finding, keyed by its fingerprint, and sets o.id, o.status, o.is_new, o.first_seen,
  // o.last_seen to the stored values. Throws queue::Error.
  //  1. Unknown fingerprint: inserted as open.
  //  2. Open or stale: location, blob, commit, message, snippet, rule metadata, score and last_seen
  //     are refreshed, status becomes open (it was seen, so it is current), first_seen is kept, and
  //     is_new is sticky (old || new): a finding introduced by a recent change stays marked as such
  //     when later scans see it on untouched lines.
  //  3. Resolved: it came back; as 2, but status open, resolved_in cleared, is_new from `o`.
  //  4. Rejected, suppressed, accepted, applied or failed: a decision was made; the row is left
  //     untouched (rejected fingerprints never come back).
  // In cases 1-3 o.commit_id (when set) is recorded as a sighting of the finding.
  UpsertResult upsert_opportunity(Opportunity& o) { return opportunity_table().upsert(o); }

  // Marks open/stale opportunities of `path` whose fingerprint is not in `present_fingerprints` as
  // resolved in `commit_id`; returns how many. Each is recorded as gone at `commit_id` (a sighting), and
  // left open when `alive_elsewhere(id)` says another line of history still has it. Only the rows of
  // `scope` are judged (ResolveScope). Throws queue::Error.
  int resolve_absent(const std::string& path, const std::vector<std::string>& present_fingerprints,
                     const std::string& commit_id, const std::function<bool(int64_t)>& alive_elsewhere = {},
                     const ResolveScope& scope = {}) {
    return opportunity_table().resolve_absent(path, present_fingerprints, commit_id, alive_elsewhere, scope);
  }

  // Records that an opportunity was seen (present) or found gone at a commit; upsert_opportunity records
  // its sightings itself. Throws queue::Error.
  void record_sighting(int64_t opportunity_id, const std::string& commit_id, bool present) {
    opportunity_table().record_sighting(opportunity_id, commit_id, present);
  }

  // Every commit where an opportunity was seen or found gone, in no particular order. Throws queue::Error.
  std::vector<Sighting> sightings(int64_t opportunity_id) const { return opportunity_table().sightings(opportunity_id); }

  // Sets the status of one opportunity; false when there is no such id. Throws queue::Error.
  bool set_status(int64_t id, core::Status status) { return opportunity_table().set_status(id, status); }

  // Reopens refused fixes (`git autoloop retry`): those of `ids` whose status is failed or stale become
  // open, so that the next drain may try them again; their attempts are kept. Returns the ids reopened,
  // in the order given; the others are left as they are. Atomic. Throws queue::Error.
  std::vector<int64_t> reopen(const std::vector<int64_t>& ids) { return opportunity_table().reopen(ids); }

  // Opportunities matching `filter`, best score first, then oldest id. Throws queue::Error.
  std::vector<Opportunity> opportunities(const OpportunityFilter& filter) const {
    return opportunity_table().list(filter);
  }

  // One opportunity by id, or nullopt. Throws queue::Error.
  std::optional<Opportunity> opportunity(int64_t id) const { return opportunity_table().find(id); }

  // Number of opportunities per status (statuses with none are absent). Throws queue::Error.
  std::map<std::string, int64_t> count_by_status() const { return opportunity_table().count_by_status(); }

  // Per rule (rules with none are absent): open findings (open or stale), and the most of them that
  // one commit's scan found (their `commit found in`). Throws queue::Error.
  std::map<std::string, OpenFindings> open_findings_by_rule() const {
    return opportunity_table().open_findings_by_rule();
  }

  // --- scans (queue/scans.hpp) ---

  // The scan result cached for a blob under a ruleset version, or nullopt. Throws queue::Error.
  std::optional<std::string> cached_payload(const std::string& blob, const std::string& ruleset) const {
    return scan_table().cached_payload(blob, ruleset);
  }

  // The scan results cached for `blobs` under a ruleset version, by blob (those without one are
  // absent): one query for a batch. Throws queue::Error.
  std::map<std::string, std::string> cached_payloads(const std::vector<std::string>& blobs,
                                                     const std::string& ruleset) const {
    return scan_table().cached_payloads(blobs, ruleset);
  }

  // Caches a scan result for a blob under a ruleset version, replacing any. Throws queue::Error.
  void put_cached_payload(const std::string& blob, const std::string& ruleset, const std::string& payload) {
    scan_table().put_cached_payload(blob, ruleset, payload);
  }

  // Calls visit(blob, payload) for each result cached under `ruleset`, by blob id (loop/notes.hpp exports
  // them). Throws queue::Error.
  void for_each_cached(const std::string& ruleset,
                       const std::function<void(const std::string& blob, const std::string& payload)>& visit) const {
    scan_table().for_each_cached(ruleset, visit);
  }

  // Whether mark_commit_scanned was called for this commit. Throws queue::Error.
  bool is_commit_scanned(const std::string& commit_id) const { return scan_table().is_commit_scanned(commit_id); }

  // When the first commit still recorded was scanned (unix seconds), or nullopt when none was: commits
  // older than that predate the loop. Throws queue::Error.
  std::optional<int64_t> first_scan_time() const { return scan_table().first_scan_time(); }

  // Records that a commit was scanned (again: the figures are replaced). Throws queue::Error.
  void mark_commit_scanned(const std::string& commit_id, int files, int findings, double duration_ms) {
    scan_table().mark_commit_scanned(commit_id, files, findings, duration_ms);
  }

  // --- metrics (queue/metrics.hpp) ---

  // Inserts or replaces the metrics of one file at one commit. Throws queue::Error.
  void put_file_metrics(const FileMetrics& metrics) { metric_table().put_file_metrics(metrics); }

  // The metrics of one file at one commit, or nullopt. Throws queue::Error.
  std::optional<FileMetrics> file_metrics(const std::string& commit_id, const std::string& path) const {
    return metric_table().file_metrics(commit_id, path);
  }

  // Inserts or replaces the metrics of functions (atomically). Throws queue::Error.
  void put_function_metrics(const std::vector<FunctionMetrics>& metrics) { metric_table().put_function_metrics(metrics); }

  // The function metrics of one file at one commit, by start line. Throws queue::Error.
  std::vector<FunctionMetrics> function_metrics(const std::string& commit_id, const std::string& path) const {
    return metric_table().function_metrics(commit_id, path);
  }

  // How many scanned commits changed `path` (its churn). Throws queue::Error.
  int64_t file_change_count(const std::string& path) const { return metric_table().file_change_count(path); }

  // Records a regression, improvement or new security findings of a commit. Throws queue::Error.
  void record_metric_event(const MetricEvent& event) { metric_table().record_metric_event(event); }

  // Metric events of one commit (every commit when empty), newest first; limit 0 means all.
  std::vector<MetricEvent> metric_events(const std::string& commit_id, size_t limit) const {
    return metric_table().metric_events(commit_id, limit);
  }

  // Records the test coverage (percent of lines) measured at a commit, replacing any. Throws queue::Error.
  void put_coverage(const std::string& commit_id, double percent, const std::string& source) {
    metric_table().put_coverage(commit_id, percent, source);
  }

  // The coverage recorded for a commit, or nullopt. Throws queue::Error.
  std::optional<double> coverage(const std::string& commit_id) const { return metric_table().coverage(commit_id); }

  // --- runs and state (queue/runs.hpp) ---

  // Records one invocation. Throws queue::Error.
  void record_run(const Run& run) { run_table().record_run(run); }

  // The latest runs of a kind (every kind when `kind` is empty), newest first; limit 0 means all.
  // Throws queue::Error.
  std::vector<Run> runs(const std::string& kind, size_t limit) const { return run_table().runs(kind, limit); }

  // How many runs of a kind were recorded (every kind when `kind` is empty). Throws queue::Error.
  int64_t count_runs(const std::string& kind) const { return run_table().count_runs(kind); }

  // A value of the key/value state table, or nullopt. Throws queue::Error.
  std::optional<std::string> state(const std::string& key) const { return run_table().state(key); }

  // Sets a value of the key/value state table. Throws queue::Error.
  void set_state(const std::string& key, const std::string& value) { run_table().set_state(key, value); }

  // Removes a key of the state table (nothing when absent). Throws queue::Error.
  void erase_state(const std::string& key) { run_table().erase_state(key); }

  // --- drain and review: cycles and attempts (queue/cycles.hpp) ---

  // Starts a cycle (state running) and returns its id. Throws queue::Error.
  int64_t begin_cycle(const std::string& trigger, const std::string& branch, const std::string& checkpoint) {
    return cycle_table().begin_cycle(trigger, branch, checkpoint);
  }
  // Records the side-branch tip the cycle is about to publish (state planned). Throws queue::Error.
  void plan_cycle(int64_t cycle_id, const std::string& planned_tip) { cycle_table().plan_cycle(cycle_id, planned_tip); }
  // Closes a cycle (state done). Throws queue::Error.
  void end_cycle(int64_t cycle_id, int applied, int failed, bool rolled_back, const std::string& detail) {
    cycle_table().end_cycle(cycle_id, applied, failed, rolled_back, detail);
  }
  // Closes a cycle that did not run to its end (state done, failed 0, `reason` as Cycle::interrupted).
  // Throws queue::Error.
  void end_interrupted_cycle(int64_t cycle_id, int applied, bool rolled_back, const std::string& detail,
                             const std::string& reason) {
    cycle_table().end_interrupted_cycle(cycle_id, applied, rolled_back, detail, reason);
  }
  // Cycles not done (killed mid-way), oldest first. Throws queue::Error.
  std::vector<Cycle> unfinished_cycles() const { return cycle_table().unfinished_cycles(); }
  // The latest cycles, newest first; limit 0 means all. Throws queue::Error.
  std::vector<Cycle> cycles(size_t limit) const { return cycle_table().cycles(limit); }
  // When the last finished cycle of `branch` ended (unix seconds), or nullopt. Throws queue::Error.
  std::optional<double> last_cycle_end(const std::string& branch) const { return cycle_table().last_cycle_end(branch); }
  // Records an attempt; returns its id. Throws queue::Error.
  int64_t record_attempt(const Attempt& attempt) { return cycle_table().record_attempt(attempt); }
  // Changes an attempt's outcome (and detail, when not empty). Throws queue::Error.
  void set_attempt_outcome(int64_t attempt_id, core::Outcome outcome, const std::string& detail = "") {
    cycle_table().set_attempt_outcome(attempt_id, outcome, detail);
  }
  // Attempts of a cycle / of an opportunity, oldest first; the latest attempt naming a side commit.
  std::vector<Attempt> attempts_of_cycle(int64_t cycle_id) const { return cycle_table().attempts_of_cycle(cycle_id); }
  std::vector<Attempt> attempts_of(int64_t opportunity_id) const { return cycle_table().attempts_of(opportunity_id); }
  std::optional<Attempt> attempt_by_commit(const std::string& side_commit) const {
    return cycle_table().attempt_by_commit(side_commit);
  }
  // Every attempt naming `side_commit`, oldest first: several for a sweep (fix/sweep.hpp), which holds
  // the fixes of several findings in one commit. Throws queue::Error.
  std::vector<Attempt> attempts_by_commit(const std::string& side_commit) const {
    return cycle_table().attempts_by_commit(side_commit);
  }

  // --- learning: verdicts, rule state, strategy changes (queue/feedback.hpp) ---

  // Records a person's verdict (accepted, rejected, reverted) with an optional reason. `bulk`: one of
  // many fixes of one rule accepted by one action (a sweep, `review --accept-all`): it counts as a
  // verdict, but never makes a rule trusted by itself (feedback/feedback.hpp).
  void record_verdict(int64_t opportunity_id, const std::string& verdict, const std::string& reason,
                      const std::string& commit_id, bool bulk = false) {
    feedback_table().record_verdict(opportunity_id, verdict, reason, commit_id, bulk);
  }
  // Per-rule counts from attempts, verdicts and resolved findings, each since the rule's reset, with
  // its stored state. Rules with no history at all are absent. Throws queue::Error.
  std::vector<RuleFeedback> rule_feedback() const { return feedback_table().rule_feedback(); }
  // Stores a rule's learnt state (learning, trusted, quarantined). Throws queue::Error.
  void set_rule_state(const std::string& rule_id, const std::string& state) {
    feedback_table().set_rule_state(rule_id, state);
  }
  // Forgets what a rule learnt: its counts restart from now and its state is learning. Throws queue::Error.
  void reset_rule(const std::string& rule_id) { feedback_table().reset_rule(rule_id); }
  // Logs a strategy change. Throws queue::Error.
  void record_strategy_change(const StrategyChange& change) { feedback_table().record_strategy_change(change); }
  // The latest strategy changes, newest first; limit 0 means all. Throws queue::Error.
  std::vector<StrategyChange> strategy_changes(size_t limit) const { return feedback_table().strategy_changes(limit); }

  // --- history for reports (read-only: whole tables, read once per report; the caller orders and
  // windows them, src/metrics/report.cpp) ---

  // Every scanned commit, oldest scan first. Throws queue::Error.
  std::vector<ScannedCommit> scanned_commits() const { return scan_table().scanned_commits(); }
  // Every file_metrics row (any commit, in no particular order). Throws queue::Error.
  std::vector<FileMetrics> file_metrics_history() const { return metric_table().file_metrics_history(); }
  // Every attempt, oldest first. Throws queue::Error.
  std::vector<Attempt> attempts_history() const { return cycle_table().attempts_history(); }
  // Every verdict, oldest first. Throws queue::Error.
  std::vector<Verdict> verdicts() const { return feedback_table().verdicts(); }

private:
  explicit Store(db::Connection db);

  // The table families on this Store's connection.
  Opportunities opportunity_table() const { return Opportunities(*m_db); }
  Scans scan_table() const { return Scans(*m_db); }
  Metrics metric_table() const { return Metrics(*m_db); }
  Runs run_table() const { return Runs(*m_db); }
  Cycles cycle_table() const { return Cycles(*m_db); }
  Feedback feedback_table() const { return Feedback(*m_db); }

  // A handle, held by pointer: the const methods read through the same connection the others write on.
  std::unique_ptr<db::Connection> m_db;
  // Set when the file was known clean at open (checked, or its stamp matched) under Check::changed: closing
  // then records the file as this process leaves it, so the next open does not check our own writes again.
  std::filesystem::path m_stamp_on_close;
  unsigned m_corruption_at_open = 0; // CorruptError::raised() then
};

} // namespace queue
