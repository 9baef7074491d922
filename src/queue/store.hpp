#pragma once
// The per-repository queue: one SQLite file, `.git/autoloop/queue.db` (DESIGN.md §4), and the only
// code in the project that contains SQL.
//
// A Store is one connection: give each thread its own. Several processes (the worker, a drain, the
// CLI) may open the same file at once: WAL lets readers run beside the single writer, and writers
// wait for each other (busy_timeout, then a few retries) for about 30 s before "database is locked"
// reaches the caller as a queue::Error.
//
// Methods that write several rows are atomic: they join the caller's Transaction when one is open
// and otherwise open their own.

#include "core/error.hpp"
#include "core/kinds.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace queue {
namespace detail {
class Query; // a cached statement in use (store.cpp)
} // namespace detail

// A SQLite failure. Keeps SQLite's extended result code (SQLITE_BUSY, SQLITE_IOERR_..., ...).
class Error : public core::Error {
public:
  Error(int code, const std::string& message) : core::Error(message), m_code(code) {}
  int code() const noexcept { return m_code; }

private:
  int m_code;
};

// The file is damaged or is not a database (SQLITE_CORRUPT, SQLITE_NOTADB, a failed quick_check).
// The queue only holds what a rescan can rebuild: Store::quarantine() it, open afresh, rescan.
class CorruptError : public Error {
public:
  CorruptError(int code, std::filesystem::path path, const std::string& detail)
      : Error(code, path.string() + ": the queue database is corrupt (" + detail + ")"), m_path(std::move(path)) {}
  const std::filesystem::path& path() const noexcept { return m_path; }

private:
  std::filesystem::path m_path;
};

// One finding of a rule, tracked across commits by its fingerprint.
struct Opportunity {
  int64_t id = 0;
  std::string fingerprint, rule_id, category, severity, safety, path;
  int start_line = 0, end_line = 0;
  int64_t start_byte = 0, end_byte = 0;
  std::string blob, commit_id, message, snippet;
  core::Status status = core::Status::open;
  bool is_new = false; // on lines the commit touched
  double score = 0;
  int64_t first_seen = 0, last_seen = 0; // unix seconds; 0 on upsert means "now"
  std::string resolved_in;               // commit where it disappeared; empty unless resolved
  core::Origin origin = core::Origin::rule; // where it came from: a rule, a repository's rule, a person's
                                            // request to a generator (`improve`), a provider
};

// A commit where an opportunity was looked for: present (seen there) or not (found gone there).
struct Sighting {
  std::string commit_id;
  bool present = true;
};

// Which opportunities to list; unset fields match everything, limit 0 means no limit.
struct OpportunityFilter {
  std::optional<core::Status> status;
  std::optional<std::string> path, rule_id, category;
  size_t limit = 0;
};

// What upsert_opportunity did with a finding.
enum class UpsertResult { inserted, updated, reopened, kept };

// Measurements of one file at one commit.
struct FileMetrics {
  std::string commit_id, path, language;
  int lines = 0, functions = 0;
  int complexity_total = 0, complexity_max = 0, nesting_max = 0, debt_markers = 0;
  int findings_security = 0, findings_performance = 0, findings_quality = 0, findings_tests = 0;
};

// Measurements of one function at one commit; (commit_id, path, name, start_line) identifies the row,
// `identity` the function across commits (scan::FunctionMetric::key; rows stored before schema 6 read
// back with their name).
struct FunctionMetrics {
  std::string commit_id, path, name;
  int start_line = 0, end_line = 0;
  int complexity = 0, length = 0, nesting = 0;
  std::string identity{};
};

// One invocation of the tool (hook, scan, drain, review, ...): the system-health metrics.
struct Run {
  std::string kind;
  double started_at = 0; // unix seconds; 0 on record_run means "now"
  double duration_ms = 0;
  int64_t peak_rss_kb = 0;
  int commits = 0, files = 0;
  std::string error, detail;
};

// One drain cycle. state: running (started), planned (fix commits built, planned_tip recorded,
// side branch not yet moved), done. A cycle found not done at startup was killed: recovery compares
// the side branch with checkpoint and planned_tip.
struct Cycle {
  int64_t id = 0;
  std::string trigger, branch, checkpoint, planned_tip, state, detail;
  double started_at = 0, ended_at = 0;
  int applied = 0, failed = 0;
  bool rolled_back = false;
  std::string interrupted; // why the cycle ended before its end ("interrupted by SIGINT", ...); empty when it ran through
};

// One try at turning an opportunity into a fix commit, and what it came to (core::Outcome).
struct Attempt {
  int64_t id = 0, opportunity_id = 0, cycle_id = 0;
  std::string side_commit;
  core::Outcome outcome = core::Outcome::planned;
  std::string detail, branch;
  int lines_changed = 0;
  double duration_ms = 0, risk = 0;
  int64_t created_at = 0;
};

// What verdicts and attempts say about one rule since its last reset (`git autoloop rules --reset`).
// state: learning, trusted, quarantined ("" when never set).
struct RuleFeedback {
  std::string rule_id, category, state;
  int64_t reset_at = 0;          // unix seconds; 0 = never reset
  int proposed = 0;              // distinct findings that got a fix commit on a side branch
  int pending = 0;               // of those, fix commits waiting for review now
  int accepted = 0, rejected = 0, reverted = 0;
  int bulk_accepted = 0;         // of the accepted, those accepted in bulk (Store::record_verdict)
  int validation_failures = 0;   // attempts refused by a gate (size, re-parse, tests, ...)
  int fixed_by_human = 0;        // open findings that disappeared in a commit autoloop did not make
  std::map<std::string, int> reject_reasons;
};

// A change of strategy the loop made by itself, with its reason: a category multiplier moved, a rule
// was quarantined or trusted. subject: "category:<name>" or "rule:<id>".
struct StrategyChange {
  int64_t created_at = 0; // unix seconds; 0 on record means "now"
  std::string subject;
  double old_value = 0, new_value = 0;
  std::string reason;
};

// A measured change a commit made. kind: regression, improvement (complexity of a function),
// security (new security findings).
struct MetricEvent {
  std::string commit_id, kind, path, name;
  double old_value = 0, new_value = 0;
  std::string detail;
  int64_t created_at = 0; // 0 on record means "now"
};

// A write transaction (BEGIN IMMEDIATE) that rolls back unless committed. Made by Store::begin();
// it stays valid when the Store is moved, but must not outlive it.
class Transaction {
public:
  // Commits. Throws queue::Error; the transaction then rolls back when destroyed.
  void commit();
  // Rolls back unless committed. Never throws.
  ~Transaction();

  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

private:
  friend class Store;
  explicit Transaction(sqlite3* db) : m_db(db) {}
  sqlite3* m_db; // borrowed from the Store; null once committed or moved from
};

class Store {
public:
  // The same types, reachable from the Store as well.
  using FileMetrics = queue::FileMetrics;
  using FunctionMetrics = queue::FunctionMetrics;
  using Run = queue::Run;

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
  UpsertResult upsert_opportunity(Opportunity& o);

  // Marks open/stale opportunities of `path` whose fingerprint is not in `present_fingerprints` as
  // resolved in `commit_id`; returns how many. Each is recorded as gone at `commit_id` (a sighting), and
  // left open when `alive_elsewhere(id)` says another line of history still has it. Throws queue::Error.
  int resolve_absent(const std::string& path, const std::vector<std::string>& present_fingerprints,
                     const std::string& commit_id, const std::function<bool(int64_t)>& alive_elsewhere = {});

  // Records that an opportunity was seen (present) or found gone at a commit; upsert_opportunity records
  // its sightings itself. Throws queue::Error.
  void record_sighting(int64_t opportunity_id, const std::string& commit_id, bool present);

  // Every commit where an opportunity was seen or found gone, in no particular order. Throws queue::Error.
  std::vector<Sighting> sightings(int64_t opportunity_id) const;

  // Sets the status of one opportunity; false when there is no such id. Throws queue::Error.
  bool set_status(int64_t id, core::Status status);

  // Reopens refused fixes (`git autoloop retry`): those of `ids` whose status is failed or stale become
  // open, so that the next drain may try them again; their attempts are kept. Returns the ids reopened,
  // in the order given; the others are left as they are. Atomic. Throws queue::Error.
  std::vector<int64_t> reopen(const std::vector<int64_t>& ids);

  // Opportunities matching `filter`, best score first, then oldest id. Throws queue::Error.
  std::vector<Opportunity> opportunities(const OpportunityFilter& filter) const;

  // One opportunity by id, or nullopt. Throws queue::Error.
  std::optional<Opportunity> opportunity(int64_t id) const;

  // Number of opportunities per status (statuses with none are absent). Throws queue::Error.
  std::map<std::string, int64_t> count_by_status() const;

  // Per rule (rules with none are absent): open findings (open or stale), and the most of them that
  // one commit's scan found (their `commit found in`). Throws queue::Error.
  struct OpenFindings {
    int64_t open = 0;
    int64_t most_in_one_commit = 0;
  };
  std::map<std::string, OpenFindings> open_findings_by_rule() const;

  // The scan result cached for a blob under a ruleset version, or nullopt. Throws queue::Error.
  std::optional<std::string> cached_payload(const std::string& blob, const std::string& ruleset) const;

  // Caches a scan result for a blob under a ruleset version, replacing any. Throws queue::Error.
  void put_cached_payload(const std::string& blob, const std::string& ruleset, const std::string& payload);

  // Whether mark_commit_scanned was called for this commit. Throws queue::Error.
  bool is_commit_scanned(const std::string& commit_id) const;

  // When the first commit still recorded was scanned (unix seconds), or nullopt when none was: commits
  // older than that predate the loop. Throws queue::Error.
  std::optional<int64_t> first_scan_time() const;

  // Records that a commit was scanned (again: the figures are replaced). Throws queue::Error.
  void mark_commit_scanned(const std::string& commit_id, int files, int findings, double duration_ms);

  // Inserts or replaces the metrics of one file at one commit. Throws queue::Error.
  void put_file_metrics(const FileMetrics& metrics);

  // The metrics of one file at one commit, or nullopt. Throws queue::Error.
  std::optional<FileMetrics> file_metrics(const std::string& commit_id, const std::string& path) const;

  // Inserts or replaces the metrics of functions (atomically). Throws queue::Error.
  void put_function_metrics(const std::vector<FunctionMetrics>& metrics);

  // The function metrics of one file at one commit, by start line. Throws queue::Error.
  std::vector<FunctionMetrics> function_metrics(const std::string& commit_id, const std::string& path) const;

  // Records one invocation. Throws queue::Error.
  void record_run(const Run& run);

  // The latest runs of a kind (every kind when `kind` is empty), newest first; limit 0 means all.
  // Throws queue::Error.
  std::vector<Run> runs(const std::string& kind, size_t limit) const;

  // How many runs of a kind were recorded (every kind when `kind` is empty). Throws queue::Error.
  int64_t count_runs(const std::string& kind) const;

  // A value of the key/value state table, or nullopt. Throws queue::Error.
  std::optional<std::string> state(const std::string& key) const;

  // Sets a value of the key/value state table. Throws queue::Error.
  void set_state(const std::string& key, const std::string& value);

  // Removes a key of the state table (nothing when absent). Throws queue::Error.
  void erase_state(const std::string& key);

  // --- drain and review ---

  // Starts a cycle (state running) and returns its id. Throws queue::Error.
  int64_t begin_cycle(const std::string& trigger, const std::string& branch, const std::string& checkpoint);
  // Records the side-branch tip the cycle is about to publish (state planned). Throws queue::Error.
  void plan_cycle(int64_t cycle_id, const std::string& planned_tip);
  // Closes a cycle (state done). Throws queue::Error.
  void end_cycle(int64_t cycle_id, int applied, int failed, bool rolled_back, const std::string& detail);
  // Closes a cycle that did not run to its end (state done, failed 0, `reason` as Cycle::interrupted).
  // Throws queue::Error.
  void end_interrupted_cycle(int64_t cycle_id, int applied, bool rolled_back, const std::string& detail,
                             const std::string& reason);
  // Cycles not done (killed mid-way), oldest first. Throws queue::Error.
  std::vector<Cycle> unfinished_cycles() const;
  // The latest cycles, newest first; limit 0 means all. Throws queue::Error.
  std::vector<Cycle> cycles(size_t limit) const;
  // When the last finished cycle of `branch` ended (unix seconds), or nullopt. Throws queue::Error.
  std::optional<double> last_cycle_end(const std::string& branch) const;
  // Records an attempt; returns its id. Throws queue::Error.
  int64_t record_attempt(const Attempt& attempt);
  // Changes an attempt's outcome (and detail, when not empty). Throws queue::Error.
  void set_attempt_outcome(int64_t attempt_id, core::Outcome outcome, const std::string& detail = "");
  // Attempts of a cycle / of an opportunity, oldest first; the latest attempt naming a side commit.
  std::vector<Attempt> attempts_of_cycle(int64_t cycle_id) const;
  std::vector<Attempt> attempts_of(int64_t opportunity_id) const;
  std::optional<Attempt> attempt_by_commit(const std::string& side_commit) const;
  // Every attempt naming `side_commit`, oldest first: several for a sweep (fix/sweep.hpp), which holds
  // the fixes of several findings in one commit. Throws queue::Error.
  std::vector<Attempt> attempts_by_commit(const std::string& side_commit) const;
  // How many scanned commits changed `path` (its churn). Throws queue::Error.
  int64_t file_change_count(const std::string& path) const;
  // Records a person's verdict (accepted, rejected, reverted) with an optional reason. `bulk`: one of
  // many fixes of one rule accepted by one action (a sweep, `review --accept-all`): it counts as a
  // verdict, but never makes a rule trusted by itself (feedback/feedback.hpp).
  void record_verdict(int64_t opportunity_id, const std::string& verdict, const std::string& reason,
                      const std::string& commit_id, bool bulk = false);

  // --- learning and metrics ---

  // Per-rule counts from attempts, verdicts and resolved findings, each since the rule's reset, with
  // its stored state. Rules with no history at all are absent. Throws queue::Error.
  std::vector<RuleFeedback> rule_feedback() const;
  // Stores a rule's learnt state (learning, trusted, quarantined). Throws queue::Error.
  void set_rule_state(const std::string& rule_id, const std::string& state);
  // Forgets what a rule learnt: its counts restart from now and its state is learning. Throws queue::Error.
  void reset_rule(const std::string& rule_id);
  // Logs a strategy change. Throws queue::Error.
  void record_strategy_change(const StrategyChange& change);
  // The latest strategy changes, newest first; limit 0 means all. Throws queue::Error.
  std::vector<StrategyChange> strategy_changes(size_t limit) const;
  // Records a regression, improvement or new security findings of a commit. Throws queue::Error.
  void record_metric_event(const MetricEvent& event);
  // Metric events of one commit (every commit when empty), newest first; limit 0 means all.
  std::vector<MetricEvent> metric_events(const std::string& commit_id, size_t limit) const;
  // Records the test coverage (percent of lines) measured at a commit, replacing any. Throws queue::Error.
  void put_coverage(const std::string& commit_id, double percent, const std::string& source);
  // The coverage recorded for a commit, or nullopt. Throws queue::Error.
  std::optional<double> coverage(const std::string& commit_id) const;

  // --- history for reports (read-only; store_history.cpp) ---

  // A row of scanned_commits: when a commit was (last) scanned and what the scan found.
  struct ScannedCommit {
    std::string commit_id;
    int64_t scanned_at = 0; // unix seconds
    int files = 0, findings = 0;
    double duration_ms = 0;
  };
  // A person's (or a revert's) verdict on a fix: accepted, rejected or reverted.
  struct Verdict {
    int64_t id = 0, opportunity_id = 0;
    std::string verdict, reason, commit_id;
    int64_t created_at = 0; // unix seconds
    bool bulk = false;      // accepted in bulk (Store::record_verdict)
  };

  // Every scanned commit, oldest scan first. Throws queue::Error.
  std::vector<ScannedCommit> scanned_commits() const;
  // Every file_metrics row (any commit, in no particular order). Throws queue::Error.
  std::vector<FileMetrics> file_metrics_history() const;
  // Every attempt, oldest first. Throws queue::Error.
  std::vector<Attempt> attempts_history() const;
  // Every verdict, oldest first. Throws queue::Error.
  std::vector<Verdict> verdicts() const;

private:
  struct CloseDb {
    void operator()(sqlite3* db) const noexcept;
  };
  struct FinalizeStmt {
    void operator()(sqlite3_stmt* stmt) const noexcept;
  };
  explicit Store(std::unique_ptr<sqlite3, CloseDb> db);
  void migrate();
  std::string run_quick_check();
  // A transaction of our own unless the caller already has one open.
  std::optional<Transaction> begin_unless_in_transaction();
  // Runs `sql` (one or more statements, no results).
  void exec(const std::string& sql);
  detail::Query query(const std::string& sql) const;

  std::unique_ptr<sqlite3, CloseDb> m_db;
  // Prepared once per connection: scans insert many rows. Declared after m_db, so destroyed first.
  mutable std::unordered_map<std::string, std::unique_ptr<sqlite3_stmt, FinalizeStmt>> m_statements;
};

} // namespace queue
