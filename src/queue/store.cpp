#include "queue/store.hpp"

#include "queue/query.hpp"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <set>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

namespace queue {
namespace {

// Each writer waits this long inside SQLite before SQLITE_BUSY...
constexpr int k_busy_timeout_ms = 10000;
// ...and we retry until this much time has passed in all, so that a long drain commit or a
// checkpoint never shows up as "database is locked".
constexpr auto k_busy_patience = std::chrono::seconds(30);

// Numbered migrations: entry i takes the schema from user_version i to i + 1. Append only; never
// edit one that has shipped.
constexpr const char* k_migrations[] = {
    // 1: the initial schema.
    R"sql(
CREATE TABLE opportunities (
  id          INTEGER PRIMARY KEY,
  fingerprint TEXT    NOT NULL UNIQUE,
  rule_id     TEXT    NOT NULL,
  category    TEXT    NOT NULL DEFAULT '',
  severity    TEXT    NOT NULL DEFAULT '',
  safety      TEXT    NOT NULL DEFAULT '',
  path        TEXT    NOT NULL,
  start_line  INTEGER NOT NULL DEFAULT 0,
  end_line    INTEGER NOT NULL DEFAULT 0,
  start_byte  INTEGER NOT NULL DEFAULT 0,
  end_byte    INTEGER NOT NULL DEFAULT 0,
  blob        TEXT    NOT NULL DEFAULT '',
  commit_id   TEXT    NOT NULL DEFAULT '',
  message     TEXT    NOT NULL DEFAULT '',
  snippet     TEXT    NOT NULL DEFAULT '',
  status      TEXT    NOT NULL DEFAULT 'open',
  is_new      INTEGER NOT NULL DEFAULT 0,
  score       REAL    NOT NULL DEFAULT 0,
  first_seen  INTEGER NOT NULL,
  last_seen   INTEGER NOT NULL,
  resolved_in TEXT
);
CREATE INDEX opportunities_path_status ON opportunities(path, status);
CREATE INDEX opportunities_status ON opportunities(status);
CREATE INDEX opportunities_rule ON opportunities(rule_id);

CREATE TABLE cycles (
  id          INTEGER PRIMARY KEY,
  "trigger"   TEXT    NOT NULL DEFAULT '',
  started_at  REAL    NOT NULL,
  ended_at    REAL,
  checkpoint  TEXT,
  applied     INTEGER NOT NULL DEFAULT 0,
  failed      INTEGER NOT NULL DEFAULT 0,
  rolled_back INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE attempts (
  id             INTEGER PRIMARY KEY,
  opportunity_id INTEGER NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
  cycle_id       INTEGER REFERENCES cycles(id) ON DELETE SET NULL,
  side_commit    TEXT,
  outcome        TEXT    NOT NULL,
  lines_changed  INTEGER NOT NULL DEFAULT 0,
  duration_ms    REAL    NOT NULL DEFAULT 0,
  detail         TEXT,
  created_at     INTEGER NOT NULL
);
CREATE INDEX attempts_opportunity ON attempts(opportunity_id);
CREATE INDEX attempts_cycle ON attempts(cycle_id);

CREATE TABLE rule_stats (
  rule_id        TEXT    PRIMARY KEY,
  proposed       INTEGER NOT NULL DEFAULT 0,
  applied        INTEGER NOT NULL DEFAULT 0,
  accepted       INTEGER NOT NULL DEFAULT 0,
  rejected       INTEGER NOT NULL DEFAULT 0,
  reverted       INTEGER NOT NULL DEFAULT 0,
  failed         INTEGER NOT NULL DEFAULT 0,
  fixed_by_human INTEGER NOT NULL DEFAULT 0,
  state          TEXT    NOT NULL DEFAULT 'active'
);

CREATE TABLE scanned_commits (
  commit_id   TEXT    PRIMARY KEY,
  scanned_at  INTEGER NOT NULL,
  files       INTEGER NOT NULL DEFAULT 0,
  findings    INTEGER NOT NULL DEFAULT 0,
  duration_ms REAL    NOT NULL DEFAULT 0
);

CREATE TABLE blob_cache (
  blob       TEXT    NOT NULL,
  ruleset    TEXT    NOT NULL,
  payload    TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (blob, ruleset)
);

CREATE TABLE file_metrics (
  commit_id            TEXT    NOT NULL,
  path                 TEXT    NOT NULL,
  language             TEXT    NOT NULL DEFAULT '',
  lines                INTEGER NOT NULL DEFAULT 0,
  functions            INTEGER NOT NULL DEFAULT 0,
  complexity_total     INTEGER NOT NULL DEFAULT 0,
  complexity_max       INTEGER NOT NULL DEFAULT 0,
  nesting_max          INTEGER NOT NULL DEFAULT 0,
  debt_markers         INTEGER NOT NULL DEFAULT 0,
  findings_security    INTEGER NOT NULL DEFAULT 0,
  findings_performance INTEGER NOT NULL DEFAULT 0,
  findings_quality     INTEGER NOT NULL DEFAULT 0,
  findings_tests       INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (commit_id, path)
);

CREATE TABLE function_metrics (
  commit_id  TEXT    NOT NULL,
  path       TEXT    NOT NULL,
  name       TEXT    NOT NULL,
  start_line INTEGER NOT NULL,
  end_line   INTEGER NOT NULL DEFAULT 0,
  complexity INTEGER NOT NULL DEFAULT 0,
  length     INTEGER NOT NULL DEFAULT 0,
  nesting    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (commit_id, path, name, start_line)
);

CREATE TABLE runs (
  id          INTEGER PRIMARY KEY,
  kind        TEXT    NOT NULL,
  started_at  REAL    NOT NULL,
  duration_ms REAL    NOT NULL DEFAULT 0,
  peak_rss_kb INTEGER NOT NULL DEFAULT 0,
  commits     INTEGER NOT NULL DEFAULT 0,
  files       INTEGER NOT NULL DEFAULT 0,
  error       TEXT,
  detail      TEXT
);
CREATE INDEX runs_kind_started ON runs(kind, started_at);

CREATE TABLE state (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)sql",
    // 2: the drain and review: cycle plans (for crash recovery), per-attempt branch and verdicts.
    R"sql(
ALTER TABLE cycles ADD COLUMN branch TEXT NOT NULL DEFAULT '';
ALTER TABLE cycles ADD COLUMN planned_tip TEXT;
ALTER TABLE cycles ADD COLUMN state TEXT NOT NULL DEFAULT 'done';
ALTER TABLE cycles ADD COLUMN detail TEXT;
ALTER TABLE attempts ADD COLUMN branch TEXT NOT NULL DEFAULT '';
ALTER TABLE attempts ADD COLUMN risk REAL NOT NULL DEFAULT 0;
CREATE INDEX attempts_side_commit ON attempts(side_commit);
CREATE TABLE verdicts (
  id             INTEGER PRIMARY KEY,
  opportunity_id INTEGER NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
  verdict        TEXT    NOT NULL,
  reason         TEXT,
  commit_id      TEXT,
  created_at     INTEGER NOT NULL
);
CREATE INDEX verdicts_opportunity ON verdicts(opportunity_id);
)sql",
    // 3: learning and metrics. rule_stats keeps each rule's learnt state and when its numbers were
    // last reset (the counts themselves are derived from attempts and verdicts); strategy changes,
    // complexity regressions/improvements and coverage are recorded per event and per commit.
    R"sql(
ALTER TABLE rule_stats ADD COLUMN reset_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rule_stats ADD COLUMN changed_at INTEGER NOT NULL DEFAULT 0;
CREATE TABLE strategy_changes (
  id         INTEGER PRIMARY KEY,
  created_at INTEGER NOT NULL,
  subject    TEXT    NOT NULL,
  old_value  REAL,
  new_value  REAL,
  reason     TEXT    NOT NULL
);
CREATE TABLE metric_events (
  id         INTEGER PRIMARY KEY,
  commit_id  TEXT    NOT NULL,
  kind       TEXT    NOT NULL,
  path       TEXT    NOT NULL,
  name       TEXT    NOT NULL DEFAULT '',
  old_value  REAL,
  new_value  REAL,
  detail     TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX metric_events_commit ON metric_events(commit_id);
CREATE TABLE commit_coverage (
  commit_id  TEXT PRIMARY KEY,
  percent    REAL NOT NULL,
  source     TEXT,
  created_at INTEGER NOT NULL
);
)sql",
    // 4: where each finding was seen and where it was found gone, commit by commit: findings belong to the
    // lines of history they were seen in (a drain on one branch leaves another branch's findings alone).
    // Existing rows start with their last sighting and, when resolved, where that happened.
    R"sql(
CREATE TABLE sightings (
  opportunity_id INTEGER NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
  commit_id      TEXT    NOT NULL,
  present        INTEGER NOT NULL,
  PRIMARY KEY (opportunity_id, commit_id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO sightings (opportunity_id, commit_id, present)
  SELECT id, commit_id, 1 FROM opportunities WHERE commit_id != '';
INSERT OR IGNORE INTO sightings (opportunity_id, commit_id, present)
  SELECT id, resolved_in, 0 FROM opportunities WHERE status = 'resolved' AND coalesce(resolved_in, '') != '';
)sql",
    // 5: a cycle that ended without finishing its work (a signal, or a kill the next drain recovered)
    // says why: NULL for a cycle that ran to its end.
    R"sql(
ALTER TABLE cycles ADD COLUMN interrupted TEXT;
)sql",
    // 6: a function's identity across commits (qualified name, signature, decorator kind; issue 12
    // §6). Rows measured before it have '' and are known by their name only.
    R"sql(
ALTER TABLE function_metrics ADD COLUMN identity TEXT NOT NULL DEFAULT '';
)sql",
    // 7: where an opportunity came from (core::Origin), a column rather than a prefix of its rule id;
    // rows from before it are told by the ids they were given then.
    R"sql(
ALTER TABLE opportunities ADD COLUMN origin TEXT NOT NULL DEFAULT 'rule';
UPDATE opportunities SET origin = 'generator_request' WHERE rule_id LIKE 'improve/%';
UPDATE opportunities SET origin = 'repository_rule' WHERE rule_id LIKE 'repo:%';
)sql",
    // 8: a verdict given to many fixes of one rule by one action (a sweep, `review --accept-all`) is
    // marked bulk: it counts, but never makes a rule trusted by itself (issue 13 §7).
    R"sql(
ALTER TABLE verdicts ADD COLUMN bulk INTEGER NOT NULL DEFAULT 0;
)sql",
};

// The columns of an Opportunity, in the order read_opportunity expects.
constexpr const char* k_opportunity_columns =
    "id, fingerprint, rule_id, category, severity, safety, path, start_line, end_line, start_byte, end_byte, "
    "blob, commit_id, message, snippet, status, is_new, score, first_seen, last_seen, resolved_in, origin";

int64_t now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double now_unix_precise() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string db_path_of(sqlite3* db) {
  const char* name = db ? sqlite3_db_filename(db, "main") : nullptr;
  return name ? name : "";
}

bool is_corruption(int rc) {
  const int primary = rc & 0xff;
  return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
}

// Throws CorruptError for damage (whatever the statement), queue::Error for everything else.
[[noreturn]] void fail(sqlite3* db, int rc, const std::string& what) {
  const std::string detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  const std::string path = db_path_of(db);
  if (is_corruption(rc))
    throw CorruptError(rc, path, detail);
  throw Error(rc, path + ": " + what + ": " + detail);
}

// Runs `attempt` (returning a SQLite result code) again while it reports SQLITE_BUSY, for up to
// k_busy_patience in all. busy_timeout already waits inside SQLite; the short random sleep covers
// the cases where SQLite returns SQLITE_BUSY without calling the busy handler (WAL recovery, a
// snapshot that moved) and keeps retrying processes out of step.
template <class Attempt> int retry_busy(Attempt&& attempt) {
  const auto deadline = std::chrono::steady_clock::now() + k_busy_patience;
  thread_local std::minstd_rand random{std::random_device{}()};
  for (;;) {
    const int rc = attempt();
    if ((rc & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() >= deadline)
      return rc;
    std::this_thread::sleep_for(std::chrono::milliseconds(5 + random() % 45));
  }
}

sqlite3_stmt* prepare(sqlite3* db, const char* sql, const char** tail) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = retry_busy([&] { return sqlite3_prepare_v2(db, sql, -1, &stmt, tail); });
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    fail(db, rc, std::string("preparing \"") + std::string(sql).substr(0, 60) + "\"");
  }
  return stmt;
}

// Runs every statement of `sql`, discarding any rows.
void exec_on(sqlite3* db, const std::string& sql) {
  const char* rest = sql.c_str();
  while (*rest) {
    const char* tail = nullptr;
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(prepare(db, rest, &tail), sqlite3_finalize);
    const std::string text(rest, tail);
    rest = tail;
    if (!stmt) // only whitespace or a comment was left
      continue;
    int rc = retry_busy([&] {
      sqlite3_reset(stmt.get());
      return sqlite3_step(stmt.get());
    });
    while (rc == SQLITE_ROW)
      rc = sqlite3_step(stmt.get());
    if (rc != SQLITE_DONE)
      fail(db, rc, "running \"" + text.substr(std::min(text.find_first_not_of(" \n"), text.size()), 60) + "\"");
  }
}

// What identifies the database file's content cheaply: size, mtime (ns) and inode; "" when unknown.
std::string file_stamp(const std::filesystem::path& db_path) {
  struct stat st {};
  if (::stat(db_path.c_str(), &st) != 0)
    return "";
  return std::to_string(st.st_size) + " " + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec) + " " + std::to_string(st.st_ino);
}

// Hidden beside the database: `queue.db*` stays the database and its -wal/-shm.
std::filesystem::path stamp_path(const std::filesystem::path& db_path) {
  return db_path.parent_path() / ("." + db_path.filename().string() + ".checked");
}

std::string read_stamp(const std::filesystem::path& db_path) {
  std::FILE* f = std::fopen(stamp_path(db_path).c_str(), "r");
  if (!f)
    return "";
  char buf[128] = {};
  const size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  return std::string(buf, n);
}

// Best effort: without the stamp the next open checks again.
void write_stamp(const std::filesystem::path& db_path, const std::string& stamp) {
  std::filesystem::path tmp = stamp_path(db_path);
  tmp += "." + std::to_string(::getpid());
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  if (!f)
    return;
  const bool ok = std::fwrite(stamp.data(), 1, stamp.size(), f) == stamp.size();
  if (std::fclose(f) == 0 && ok && std::rename(tmp.c_str(), stamp_path(db_path).c_str()) == 0)
    return;
  std::remove(tmp.c_str());
}

} // namespace

// ---------------------------------------------------------------------------------------------
// detail::Query (query.hpp): the two members that need the helpers above.

namespace detail {

bool Query::next() {
  int rc;
  if (m_started) {
    rc = sqlite3_step(m_stmt);
  } else {
    // Busy can only come before the first row, when the statement takes its locks.
    m_started = true;
    rc = retry_busy([&] {
      sqlite3_reset(m_stmt);
      return sqlite3_step(m_stmt);
    });
  }
  if (rc == SQLITE_ROW)
    return true;
  if (rc == SQLITE_DONE)
    return false;
  fail(sqlite3_db_handle(m_stmt), rc, std::string("running \"") + std::string(sqlite3_sql(m_stmt)).substr(0, 60) + "\"");
}

void Query::check(int rc) {
  if (rc != SQLITE_OK)
    fail(sqlite3_db_handle(m_stmt), rc, "binding a parameter");
}

} // namespace detail

using detail::Query;

namespace {

// An empty text is stored as NULL where the column is optional.
std::optional<std::string> null_if_empty(const std::string& text) {
  return text.empty() ? std::nullopt : std::optional<std::string>(text);
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Transaction

Transaction::Transaction(Transaction&& other) noexcept : m_db(std::exchange(other.m_db, nullptr)) {}

void Transaction::commit() {
  if (!m_db)
    throw Error(SQLITE_MISUSE, "queue: commit of a transaction that is already finished");
  exec_on(m_db, "COMMIT");
  m_db = nullptr;
}

Transaction::~Transaction() {
  // SQLite may already have rolled back on its own (after SQLITE_FULL, an I/O error, ...).
  if (m_db && !sqlite3_get_autocommit(m_db))
    sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
}

// ---------------------------------------------------------------------------------------------
// Store: opening, migrating, checking

void Store::CloseDb::operator()(sqlite3* db) const noexcept {
  // close_v2: the handle closes once the last statement is finalized, whatever the order.
  sqlite3_close_v2(db);
}

void Store::FinalizeStmt::operator()(sqlite3_stmt* stmt) const noexcept { sqlite3_finalize(stmt); }

Store::Store(std::unique_ptr<sqlite3, CloseDb> db) : m_db(std::move(db)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

int Store::latest_schema_version() noexcept { return static_cast<int>(std::size(k_migrations)); }

Store Store::open(const std::filesystem::path& db_path, Check check) {
  std::error_code ec;
  if (db_path.has_parent_path()) {
    std::filesystem::create_directories(db_path.parent_path(), ec);
    if (ec)
      throw Error(SQLITE_CANTOPEN, db_path.parent_path().string() + ": cannot create directory: " + ec.message());
  }

  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(db_path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  std::unique_ptr<sqlite3, CloseDb> db(raw); // a handle comes back even when opening fails
  if (rc != SQLITE_OK) {
    const std::string detail = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    if (is_corruption(rc))
      throw CorruptError(rc, db_path, detail);
    throw Error(rc, db_path.string() + ": cannot open the queue database: " + detail);
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, k_busy_timeout_ms);

  Store store(std::move(db));
  // The first statement reads the header: this is where a garbage file shows up (SQLITE_NOTADB).
  store.exec("PRAGMA journal_mode = WAL");
  store.exec("PRAGMA synchronous = NORMAL");
  store.exec("PRAGMA foreign_keys = ON");
  // The file as it is before the check: a change made during it shows as a different stamp next time.
  const std::string stamp = check == Check::changed ? file_stamp(db_path) : std::string();
  if (check == Check::quick || (check == Check::changed && (stamp.empty() || read_stamp(db_path) != stamp))) {
    const std::string verdict = store.run_quick_check();
    if (verdict != "ok")
      throw CorruptError(SQLITE_CORRUPT, db_path, "quick_check: " + verdict);
    if (!stamp.empty())
      write_stamp(db_path, stamp);
  }
  store.migrate();
  return store;
}

void Store::migrate() {
  const int latest = latest_schema_version();
  for (;;) {
    int version = schema_version();
    if (version > latest)
      throw Error(SQLITE_ERROR, db_path_of(m_db.get()) + ": the queue schema is version " + std::to_string(version) +
                                    ", newer than this build knows (" + std::to_string(latest) +
                                    "); upgrade git-autoloop");
    if (version == latest)
      return;
    Transaction transaction = begin();
    // Another process may have migrated while we waited for the write lock.
    version = schema_version();
    if (version < latest) {
      exec(k_migrations[version]);
      exec("PRAGMA user_version = " + std::to_string(version + 1));
    }
    transaction.commit();
  }
}

std::string Store::run_quick_check() {
  try {
    Query q = query("PRAGMA quick_check");
    std::string verdict;
    while (q.next()) {
      if (!verdict.empty())
        verdict += "; ";
      verdict += q.text(0);
    }
    return verdict;
  } catch (const CorruptError& e) {
    return sqlite3_errstr(e.code());
  }
}

bool Store::quick_check() { return run_quick_check() == "ok"; }

std::filesystem::path Store::quarantine(const std::filesystem::path& db_path) {
  std::error_code ec;
  if (!std::filesystem::exists(db_path, ec))
    throw Error(SQLITE_CANTOPEN, db_path.string() + ": nothing to quarantine: " +
                                     (ec ? ec.message() : std::string("no such file")));

  // The WAL goes first: a fresh database must never meet the old WAL, which SQLite would replay.
  static constexpr const char* k_companions[] = {"-wal", "-shm", "-journal", ""};
  auto with_suffix = [](std::filesystem::path p, const char* suffix) { return p += suffix; };
  // Microseconds: each quarantine gets its own name (and so its own message, which hooks show once per text)
  // even when the previous one was removed in the same second.
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  char stamp_buf[48];
  std::snprintf(stamp_buf, sizeof stamp_buf, ".corrupt-%lld.%06lld", static_cast<long long>(us / 1000000),
                static_cast<long long>(us % 1000000));
  const std::string stamp = stamp_buf;
  std::filesystem::path target = with_suffix(db_path, stamp.c_str());
  for (int n = 1; std::filesystem::exists(target) || std::filesystem::exists(with_suffix(target, "-wal")); ++n)
    target = with_suffix(db_path, (stamp + "." + std::to_string(n)).c_str());

  for (const char* suffix : k_companions) {
    const auto from = with_suffix(db_path, suffix);
    if (!std::filesystem::exists(from, ec))
      continue;
    std::filesystem::rename(from, with_suffix(target, suffix), ec);
    if (ec)
      throw Error(SQLITE_IOERR, from.string() + ": cannot move aside: " + ec.message());
  }
  return target;
}

int Store::schema_version() const {
  Query q = query("PRAGMA user_version");
  return q.next() ? q.integer(0) : 0;
}

// ---------------------------------------------------------------------------------------------
// Store: statements and transactions

Query Store::query(const std::string& sql) const {
  auto& slot = m_statements[sql];
  if (!slot)
    slot.reset(prepare(m_db.get(), sql.c_str(), nullptr));
  // A statement still running means a caller nested two uses of it; resetting it here would
  // silently cut the outer one short.
  if (sqlite3_stmt_busy(slot.get()))
    throw Error(SQLITE_MISUSE, "queue: statement used while already running: " + sql);
  return Query(slot.get());
}

void Store::exec(const std::string& sql) { exec_on(m_db.get(), sql); }

Transaction Store::begin() {
  exec("BEGIN IMMEDIATE");
  return Transaction(m_db.get());
}

std::optional<Transaction> Store::begin_unless_in_transaction() {
  if (!sqlite3_get_autocommit(m_db.get()))
    return std::nullopt;
  return begin();
}

// ---------------------------------------------------------------------------------------------
// Store: opportunities

namespace {

Opportunity read_opportunity(const Query& q);


} // namespace

UpsertResult Store::upsert_opportunity(Opportunity& o) {
  const int64_t now = now_unix();
  const int64_t seen = o.last_seen ? o.last_seen : now;
  auto transaction = begin_unless_in_transaction();

  std::optional<int64_t> id;
  core::Status status = core::Status::open;
  bool was_new = false;
  int64_t first_seen = 0;
  {
    Query q = query("SELECT id, status, is_new, first_seen FROM opportunities WHERE fingerprint = ?");
    q.bind(o.fingerprint);
    if (q.next()) {
      id = q.int64(0);
      status = detail::read_kind<core::Status>(q.text(1), "opportunity " + std::to_string(*id));
      was_new = q.int64(2) != 0;
      first_seen = q.int64(3);
    }
  }

  UpsertResult result;
  if (!id) {
    first_seen = o.first_seen ? o.first_seen : now;
    query("INSERT INTO opportunities (fingerprint, rule_id, category, severity, safety, path, start_line, end_line, "
          "start_byte, end_byte, blob, commit_id, message, snippet, status, is_new, score, first_seen, last_seen, "
          "origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?)")
        .bind(o.fingerprint, o.rule_id, o.category, o.severity, o.safety, o.path, o.start_line, o.end_line,
              o.start_byte, o.end_byte, o.blob, o.commit_id, o.message, o.snippet, o.is_new, o.score, first_seen,
              seen, std::string(core::to_string(o.origin)))
        .run();
    id = sqlite3_last_insert_rowid(m_db.get());
    o.status = core::Status::open;
    result = UpsertResult::inserted;
  } else if (status == core::Status::open || status == core::Status::stale || status == core::Status::resolved) {
    const bool reopened = status == core::Status::resolved;
    const bool is_new = reopened ? o.is_new : (was_new || o.is_new);
    query("UPDATE opportunities SET rule_id = ?, category = ?, severity = ?, safety = ?, path = ?, start_line = ?, "
          "end_line = ?, start_byte = ?, end_byte = ?, blob = ?, commit_id = ?, message = ?, snippet = ?, "
          "status = 'open', is_new = ?, score = ?, last_seen = ?, resolved_in = NULL, origin = ? WHERE id = ?")
        .bind(o.rule_id, o.category, o.severity, o.safety, o.path, o.start_line, o.end_line, o.start_byte,
              o.end_byte, o.blob, o.commit_id, o.message, o.snippet, is_new, o.score, seen,
              std::string(core::to_string(o.origin)), *id)
        .run();
    o.status = core::Status::open;
    o.is_new = is_new;
    result = reopened ? UpsertResult::reopened : UpsertResult::updated;
  } else {
    // A decision was made about it: leave the row as it is and tell the caller what it holds.
    Query q = query(std::string("SELECT ") + k_opportunity_columns + " FROM opportunities WHERE id = ?");
    q.bind(*id);
    q.next();
    const Opportunity stored = read_opportunity(q);
    o.status = stored.status;
    o.is_new = stored.is_new;
    o.first_seen = stored.first_seen;
    o.last_seen = stored.last_seen;
    o.id = stored.id;
    if (transaction)
      transaction->commit();
    return UpsertResult::kept;
  }

  if (!o.commit_id.empty())
    record_sighting(*id, o.commit_id, true);
  if (transaction)
    transaction->commit();
  o.id = *id;
  o.first_seen = first_seen;
  o.last_seen = seen;
  return result;
}

int Store::resolve_absent(const std::string& path, const std::vector<std::string>& present_fingerprints,
                          const std::string& commit_id, const std::function<bool(int64_t)>& alive_elsewhere) {
  // The set difference is taken here rather than in SQL: a file can have more findings than SQLite
  // accepts parameters, and there are few open rows per path.
  const std::set<std::string, std::less<>> present(present_fingerprints.begin(), present_fingerprints.end());
  auto transaction = begin_unless_in_transaction();
  std::vector<int64_t> gone;
  {
    Query q = query("SELECT id, fingerprint FROM opportunities WHERE path = ? AND status IN ('open', 'stale')");
    q.bind(path);
    while (q.next())
      if (!present.count(q.text(1)))
        gone.push_back(q.int64(0));
  }
  int resolved = 0;
  for (const int64_t id : gone) {
    if (!commit_id.empty())
      record_sighting(id, commit_id, false);
    // Still there on another line of history (a branch that does not have this commit): it stays open.
    if (alive_elsewhere && alive_elsewhere(id))
      continue;
    query("UPDATE opportunities SET status = 'resolved', resolved_in = ? WHERE id = ?").bind(commit_id, id).run();
    ++resolved;
  }
  if (transaction)
    transaction->commit();
  return resolved;
}

void Store::record_sighting(int64_t opportunity_id, const std::string& commit_id, bool present) {
  query("INSERT OR REPLACE INTO sightings (opportunity_id, commit_id, present) VALUES (?, ?, ?)")
      .bind(opportunity_id, commit_id, present ? 1 : 0)
      .run();
}

std::vector<Sighting> Store::sightings(int64_t opportunity_id) const {
  Query q = query("SELECT commit_id, present FROM sightings WHERE opportunity_id = ?");
  q.bind(opportunity_id);
  std::vector<Sighting> out;
  while (q.next())
    out.push_back({q.text(0), q.integer(1) != 0});
  return out;
}

std::optional<int64_t> Store::first_scan_time() const {
  Query q = query("SELECT min(scanned_at) FROM scanned_commits");
  if (!q.next() || q.is_null(0))
    return std::nullopt;
  return q.int64(0);
}

bool Store::set_status(int64_t id, core::Status status) {
  query("UPDATE opportunities SET status = ? WHERE id = ?").bind(std::string(core::to_string(status)), id).run();
  return sqlite3_changes(m_db.get()) > 0;
}

std::vector<int64_t> Store::reopen(const std::vector<int64_t>& ids) {
  auto txn = begin_unless_in_transaction();
  std::vector<int64_t> reopened;
  for (int64_t id : ids) {
    query("UPDATE opportunities SET status = 'open' WHERE id = ? AND status IN ('failed', 'stale')").bind(id).run();
    if (sqlite3_changes(m_db.get()) > 0) reopened.push_back(id);
  }
  if (txn) txn->commit();
  return reopened;
}

namespace {

Opportunity read_opportunity(const Query& q) {
  Opportunity o;
  o.id = q.int64(0);
  o.fingerprint = q.text(1);
  o.rule_id = q.text(2);
  o.category = q.text(3);
  o.severity = q.text(4);
  o.safety = q.text(5);
  o.path = q.text(6);
  o.start_line = q.integer(7);
  o.end_line = q.integer(8);
  o.start_byte = q.int64(9);
  o.end_byte = q.int64(10);
  o.blob = q.text(11);
  o.commit_id = q.text(12);
  o.message = q.text(13);
  o.snippet = q.text(14);
  o.status = detail::read_kind<core::Status>(q.text(15), "opportunity " + std::to_string(o.id));
  o.is_new = q.int64(16) != 0;
  o.score = q.real(17);
  o.first_seen = q.int64(18);
  o.last_seen = q.int64(19);
  o.resolved_in = q.text(20);
  o.origin = detail::read_kind<core::Origin>(q.text(21), "opportunity " + std::to_string(o.id));
  return o;
}

} // namespace

std::vector<Opportunity> Store::opportunities(const OpportunityFilter& filter) const {
  // Only the conditions in use go into the SQL so that the indexes apply; each combination is its
  // own cached statement (at most 16).
  std::string sql = std::string("SELECT ") + k_opportunity_columns + " FROM opportunities WHERE 1";
  std::vector<std::string> values;
  const std::optional<std::string> status =
      filter.status ? std::optional<std::string>(core::to_string(*filter.status)) : std::nullopt;
  const std::pair<const std::optional<std::string>*, const char*> conditions[] = {
      {&status, "status"}, {&filter.path, "path"}, {&filter.rule_id, "rule_id"}, {&filter.category, "category"}};
  for (const auto& [value, column] : conditions) {
    if (*value) {
      sql += std::string(" AND ") + column + " = ?";
      values.push_back(**value);
    }
  }
  sql += " ORDER BY score DESC, id ASC LIMIT ?";

  Query q = query(sql);
  int index = 0;
  for (const auto& value : values)
    q.bind_at(++index, value);
  q.bind_at(++index, filter.limit ? static_cast<int64_t>(filter.limit) : int64_t{-1}); // -1: no limit
  std::vector<Opportunity> result;
  while (q.next())
    result.push_back(read_opportunity(q));
  return result;
}

std::optional<Opportunity> Store::opportunity(int64_t id) const {
  Query q = query(std::string("SELECT ") + k_opportunity_columns + " FROM opportunities WHERE id = ?");
  q.bind(id);
  if (!q.next())
    return std::nullopt;
  return read_opportunity(q);
}

std::map<std::string, int64_t> Store::count_by_status() const {
  std::map<std::string, int64_t> counts;
  Query q = query("SELECT status, count(*) FROM opportunities GROUP BY status");
  while (q.next())
    counts[q.text(0)] = q.int64(1);
  return counts;
}

std::map<std::string, Store::OpenFindings> Store::open_findings_by_rule() const {
  std::map<std::string, OpenFindings> out;
  Query q = query(R"sql(
SELECT rule_id, count(*) FROM opportunities WHERE status IN ('open', 'stale')
GROUP BY rule_id, commit_id)sql");
  while (q.next()) {
    OpenFindings& f = out[q.text(0)];
    f.open += q.int64(1);
    f.most_in_one_commit = std::max(f.most_in_one_commit, q.int64(1));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Store: scan bookkeeping

std::optional<std::string> Store::cached_payload(const std::string& blob, const std::string& ruleset) const {
  Query q = query("SELECT payload FROM blob_cache WHERE blob = ? AND ruleset = ?");
  q.bind(blob, ruleset);
  if (!q.next())
    return std::nullopt;
  return q.text(0);
}

void Store::put_cached_payload(const std::string& blob, const std::string& ruleset, const std::string& payload) {
  query("INSERT OR REPLACE INTO blob_cache (blob, ruleset, payload, created_at) VALUES (?, ?, ?, ?)")
      .bind(blob, ruleset, payload, now_unix())
      .run();
}

bool Store::is_commit_scanned(const std::string& commit_id) const {
  Query q = query("SELECT 1 FROM scanned_commits WHERE commit_id = ?");
  q.bind(commit_id);
  return q.next();
}

void Store::mark_commit_scanned(const std::string& commit_id, int files, int findings, double duration_ms) {
  query("INSERT OR REPLACE INTO scanned_commits (commit_id, scanned_at, files, findings, duration_ms) "
        "VALUES (?, ?, ?, ?, ?)")
      .bind(commit_id, now_unix(), files, findings, duration_ms)
      .run();
}

// ---------------------------------------------------------------------------------------------
// Store: metrics

void Store::put_file_metrics(const FileMetrics& m) {
  query("INSERT OR REPLACE INTO file_metrics (commit_id, path, language, lines, functions, complexity_total, "
        "complexity_max, nesting_max, debt_markers, findings_security, findings_performance, findings_quality, "
        "findings_tests) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(m.commit_id, m.path, m.language, m.lines, m.functions, m.complexity_total, m.complexity_max,
            m.nesting_max, m.debt_markers, m.findings_security, m.findings_performance, m.findings_quality,
            m.findings_tests)
      .run();
}

std::optional<FileMetrics> Store::file_metrics(const std::string& commit_id, const std::string& path) const {
  Query q = query(std::string("SELECT ") + detail::k_file_metrics_columns +
                  " FROM file_metrics WHERE commit_id = ? AND path = ?");
  q.bind(commit_id, path);
  if (!q.next())
    return std::nullopt;
  return detail::read_file_metrics(q);
}

void Store::put_function_metrics(const std::vector<FunctionMetrics>& metrics) {
  auto transaction = begin_unless_in_transaction();
  for (const auto& m : metrics)
    query("INSERT OR REPLACE INTO function_metrics (commit_id, path, name, start_line, end_line, complexity, "
          "length, nesting, identity) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(m.commit_id, m.path, m.name, m.start_line, m.end_line, m.complexity, m.length, m.nesting, m.identity)
        .run();
  if (transaction)
    transaction->commit();
}

std::vector<FunctionMetrics> Store::function_metrics(const std::string& commit_id, const std::string& path) const {
  Query q = query("SELECT commit_id, path, name, start_line, end_line, complexity, length, nesting, identity "
                  "FROM function_metrics WHERE commit_id = ? AND path = ? ORDER BY start_line, name");
  q.bind(commit_id, path);
  std::vector<FunctionMetrics> result;
  while (q.next()) {
    FunctionMetrics m;
    m.commit_id = q.text(0);
    m.path = q.text(1);
    m.name = q.text(2);
    m.start_line = q.integer(3);
    m.end_line = q.integer(4);
    m.complexity = q.integer(5);
    m.length = q.integer(6);
    m.nesting = q.integer(7);
    m.identity = q.text(8);
    if (m.identity.empty()) m.identity = m.name; // measured before identities: the name was the key
    result.push_back(std::move(m));
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Store: runs and state

void Store::record_run(const Run& run) {
  query("INSERT INTO runs (kind, started_at, duration_ms, peak_rss_kb, commits, files, error, detail) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(run.kind, run.started_at ? run.started_at : now_unix_precise(), run.duration_ms, run.peak_rss_kb,
            run.commits, run.files, null_if_empty(run.error), null_if_empty(run.detail))
      .run();
}

std::vector<Run> Store::runs(const std::string& kind, size_t limit) const {
  // LIMIT -1 is SQLite for "no limit".
  const int64_t sql_limit = limit ? static_cast<int64_t>(limit) : -1;
  Query q = query("SELECT kind, started_at, duration_ms, peak_rss_kb, commits, files, error, detail FROM runs "
                  "WHERE ?1 = '' OR kind = ?1 ORDER BY started_at DESC, id DESC LIMIT ?2");
  q.bind(kind, sql_limit);
  std::vector<Run> result;
  while (q.next()) {
    Run run;
    run.kind = q.text(0);
    run.started_at = q.real(1);
    run.duration_ms = q.real(2);
    run.peak_rss_kb = q.int64(3);
    run.commits = q.integer(4);
    run.files = q.integer(5);
    run.error = q.text(6);
    run.detail = q.text(7);
    result.push_back(std::move(run));
  }
  return result;
}

int64_t Store::count_runs(const std::string& kind) const {
  Query q = query("SELECT count(*) FROM runs WHERE ?1 = '' OR kind = ?1");
  q.bind(kind);
  return q.next() ? q.int64(0) : 0;
}

std::optional<std::string> Store::state(const std::string& key) const {
  Query q = query("SELECT value FROM state WHERE key = ?");
  q.bind(key);
  if (!q.next())
    return std::nullopt;
  return q.text(0);
}

void Store::set_state(const std::string& key, const std::string& value) {
  query("INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)").bind(key, value).run();
}

void Store::erase_state(const std::string& key) { query("DELETE FROM state WHERE key = ?").bind(key).run(); }

// --- drain and review ---

int64_t Store::begin_cycle(const std::string& trigger, const std::string& branch, const std::string& checkpoint) {
  query("INSERT INTO cycles (\"trigger\", started_at, checkpoint, branch, state) VALUES (?, ?, ?, ?, 'running')")
      .bind(trigger, now_unix_precise(), null_if_empty(checkpoint), branch)
      .run();
  return sqlite3_last_insert_rowid(m_db.get());
}

void Store::plan_cycle(int64_t cycle_id, const std::string& planned_tip) {
  query("UPDATE cycles SET planned_tip = ?, state = 'planned' WHERE id = ?").bind(null_if_empty(planned_tip), cycle_id).run();
}

void Store::end_cycle(int64_t cycle_id, int applied, int failed, bool rolled_back, const std::string& detail) {
  query("UPDATE cycles SET ended_at = ?, applied = ?, failed = ?, rolled_back = ?, state = 'done', detail = ? "
        "WHERE id = ?")
      .bind(now_unix_precise(), applied, failed, rolled_back ? 1 : 0, null_if_empty(detail), cycle_id)
      .run();
}

void Store::end_interrupted_cycle(int64_t cycle_id, int applied, bool rolled_back, const std::string& detail,
                                  const std::string& reason) {
  query("UPDATE cycles SET ended_at = ?, applied = ?, failed = 0, rolled_back = ?, state = 'done', detail = ?, "
        "interrupted = ? WHERE id = ?")
      .bind(now_unix_precise(), applied, rolled_back ? 1 : 0, null_if_empty(detail), reason, cycle_id)
      .run();
}

namespace {
Cycle read_cycle(const Query& q) {
  Cycle c;
  c.id = q.int64(0);
  c.trigger = q.text(1);
  c.started_at = q.real(2);
  c.ended_at = q.real(3);
  c.checkpoint = q.text(4);
  c.applied = q.integer(5);
  c.failed = q.integer(6);
  c.rolled_back = q.integer(7) != 0;
  c.branch = q.text(8);
  c.planned_tip = q.text(9);
  c.state = q.text(10);
  c.detail = q.text(11);
  c.interrupted = q.text(12);
  return c;
}
constexpr const char* k_cycle_columns =
    "SELECT id, \"trigger\", started_at, COALESCE(ended_at, 0), COALESCE(checkpoint, ''), applied, failed, "
    "rolled_back, branch, COALESCE(planned_tip, ''), state, COALESCE(detail, ''), COALESCE(interrupted, '') "
    "FROM cycles ";
} // namespace

std::vector<Cycle> Store::unfinished_cycles() const {
  Query q = query(std::string(k_cycle_columns) + "WHERE state != 'done' ORDER BY id");
  std::vector<Cycle> out;
  while (q.next()) out.push_back(read_cycle(q));
  return out;
}

std::vector<Cycle> Store::cycles(size_t limit) const {
  const int64_t sql_limit = limit ? static_cast<int64_t>(limit) : -1;
  Query q = query(std::string(k_cycle_columns) + "ORDER BY id DESC LIMIT ?");
  q.bind(sql_limit);
  std::vector<Cycle> out;
  while (q.next()) out.push_back(read_cycle(q));
  return out;
}

int64_t Store::record_attempt(const Attempt& a) {
  query("INSERT INTO attempts (opportunity_id, cycle_id, side_commit, outcome, lines_changed, duration_ms, detail, "
        "created_at, branch, risk) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(a.opportunity_id, a.cycle_id ? std::optional<int64_t>(a.cycle_id) : std::nullopt,
            null_if_empty(a.side_commit), std::string(core::to_string(a.outcome)), a.lines_changed, a.duration_ms, null_if_empty(a.detail),
            now_unix(), a.branch, a.risk)
      .run();
  return sqlite3_last_insert_rowid(m_db.get());
}

void Store::set_attempt_outcome(int64_t attempt_id, core::Outcome outcome, const std::string& detail) {
  query("UPDATE attempts SET outcome = ?, detail = COALESCE(?, detail) WHERE id = ?")
      .bind(std::string(core::to_string(outcome)), null_if_empty(detail), attempt_id)
      .run();
}

namespace {
Attempt read_attempt(const Query& q) {
  Attempt a;
  a.id = q.int64(0);
  a.opportunity_id = q.int64(1);
  a.cycle_id = q.int64(2);
  a.side_commit = q.text(3);
  a.outcome = detail::read_kind<core::Outcome>(q.text(4), "attempt " + std::to_string(a.id));
  a.lines_changed = q.integer(5);
  a.duration_ms = q.real(6);
  a.detail = q.text(7);
  a.created_at = q.int64(8);
  a.branch = q.text(9);
  a.risk = q.real(10);
  return a;
}
constexpr const char* k_attempt_columns =
    "SELECT id, opportunity_id, COALESCE(cycle_id, 0), COALESCE(side_commit, ''), outcome, lines_changed, "
    "duration_ms, COALESCE(detail, ''), created_at, branch, risk FROM attempts ";
} // namespace

std::vector<Attempt> Store::attempts_of_cycle(int64_t cycle_id) const {
  Query q = query(std::string(k_attempt_columns) + "WHERE cycle_id = ? ORDER BY id");
  q.bind(cycle_id);
  std::vector<Attempt> out;
  while (q.next()) out.push_back(read_attempt(q));
  return out;
}

std::vector<Attempt> Store::attempts_of(int64_t opportunity_id) const {
  Query q = query(std::string(k_attempt_columns) + "WHERE opportunity_id = ? ORDER BY id");
  q.bind(opportunity_id);
  std::vector<Attempt> out;
  while (q.next()) out.push_back(read_attempt(q));
  return out;
}

std::vector<Attempt> Store::attempts_by_commit(const std::string& side_commit) const {
  Query q = query(std::string(k_attempt_columns) + "WHERE side_commit = ? ORDER BY id");
  q.bind(side_commit);
  std::vector<Attempt> out;
  while (q.next()) out.push_back(read_attempt(q));
  return out;
}

std::optional<Attempt> Store::attempt_by_commit(const std::string& side_commit) const {
  Query q = query(std::string(k_attempt_columns) + "WHERE side_commit = ? ORDER BY id DESC LIMIT 1");
  q.bind(side_commit);
  if (!q.next()) return std::nullopt;
  return read_attempt(q);
}

void Store::record_verdict(int64_t opportunity_id, const std::string& verdict, const std::string& reason,
                           const std::string& commit_id, bool bulk) {
  query("INSERT INTO verdicts (opportunity_id, verdict, reason, commit_id, created_at, bulk) VALUES (?, ?, ?, ?, ?, ?)")
      .bind(opportunity_id, verdict, null_if_empty(reason), null_if_empty(commit_id), now_unix(), int64_t{bulk ? 1 : 0})
      .run();
}

int64_t Store::file_change_count(const std::string& path) const {
  Query q = query("SELECT count(*) FROM file_metrics WHERE path = ?");
  q.bind(path);
  return q.next() ? q.int64(0) : 0;
}

std::optional<double> Store::last_cycle_end(const std::string& branch) const {
  Query q = query("SELECT max(ended_at) FROM cycles WHERE branch = ? AND ended_at IS NOT NULL");
  q.bind(branch);
  if (!q.next() || q.is_null(0)) return std::nullopt;
  return q.real(0);
}

// --- learning and metrics ---

std::vector<RuleFeedback> Store::rule_feedback() const {
  std::map<std::string, RuleFeedback> by_rule;
  auto entry = [&](const std::string& rule_id) -> RuleFeedback& {
    RuleFeedback& f = by_rule[rule_id];
    f.rule_id = rule_id;
    return f;
  };
  {
    Query q = query("SELECT rule_id, state, reset_at FROM rule_stats");
    while (q.next()) {
      RuleFeedback& f = entry(q.text(0));
      f.state = q.text(1);
      f.reset_at = q.int64(2);
    }
  }
  // Each count only looks at what happened after the rule's last reset.
  {
    Query q = query(R"sql(
SELECT o.rule_id, o.category,
       count(DISTINCT CASE WHEN a.side_commit IS NOT NULL AND a.outcome NOT IN ('reverted', 'rejected', 'rolled_back')
                           THEN a.opportunity_id END),
       count(DISTINCT CASE WHEN a.outcome = 'applied' AND o.status = 'applied' THEN a.opportunity_id END),
       count(CASE WHEN a.outcome IN ('too_large', 'destructive', 'reparse_error', 'check_failed', 'line_endings',
                                     'tests_failed', 'conflict', 'no_fix') THEN 1 END)
FROM attempts a JOIN opportunities o ON o.id = a.opportunity_id
LEFT JOIN rule_stats s ON s.rule_id = o.rule_id
WHERE a.created_at >= coalesce(s.reset_at, 0)
GROUP BY o.rule_id)sql");
    while (q.next()) {
      RuleFeedback& f = entry(q.text(0));
      f.category = q.text(1);
      f.proposed = q.integer(2);
      f.pending = q.integer(3);
      f.validation_failures = q.integer(4);
    }
  }
  {
    Query q = query(R"sql(
SELECT o.rule_id, o.category, v.verdict, coalesce(v.reason, ''), count(*), sum(v.bulk)
FROM verdicts v JOIN opportunities o ON o.id = v.opportunity_id
LEFT JOIN rule_stats s ON s.rule_id = o.rule_id
WHERE v.created_at >= coalesce(s.reset_at, 0)
GROUP BY o.rule_id, v.verdict, coalesce(v.reason, ''))sql");
    while (q.next()) {
      RuleFeedback& f = entry(q.text(0));
      if (f.category.empty()) f.category = q.text(1);
      const std::string verdict = q.text(2);
      const int n = q.integer(4);
      if (verdict == "accepted") {
        f.accepted += n;
        f.bulk_accepted += q.integer(5);
      } else if (verdict == "reverted") f.reverted += n;
      else if (verdict == "rejected") {
        f.rejected += n;
        if (!q.text(3).empty()) f.reject_reasons[q.text(3)] += n;
      }
    }
  }
  {
    // A finding that disappeared in a commit autoloop did not make: a person fixed it (or removed the code).
    Query q = query(R"sql(
SELECT o.rule_id, o.category, count(*)
FROM opportunities o LEFT JOIN rule_stats s ON s.rule_id = o.rule_id
WHERE o.status = 'resolved' AND o.last_seen >= coalesce(s.reset_at, 0)
GROUP BY o.rule_id)sql");
    while (q.next()) {
      RuleFeedback& f = entry(q.text(0));
      if (f.category.empty()) f.category = q.text(1);
      f.fixed_by_human = q.integer(2);
    }
  }
  std::vector<RuleFeedback> out;
  for (auto& [id, f] : by_rule) out.push_back(std::move(f));
  return out;
}

void Store::set_rule_state(const std::string& rule_id, const std::string& state) {
  query(R"sql(
INSERT INTO rule_stats (rule_id, state, changed_at) VALUES (?, ?, ?)
ON CONFLICT (rule_id) DO UPDATE SET state = excluded.state, changed_at = excluded.changed_at)sql")
      .bind(rule_id, state, now_unix())
      .run();
}

void Store::reset_rule(const std::string& rule_id) {
  // reset_at is one second past now: counts use >=, and this second's events are the ones reset.
  query(R"sql(
INSERT INTO rule_stats (rule_id, state, changed_at, reset_at) VALUES (?, 'learning', ?, ?)
ON CONFLICT (rule_id) DO UPDATE SET state = 'learning', changed_at = excluded.changed_at,
                                    reset_at = excluded.reset_at)sql")
      .bind(rule_id, now_unix(), now_unix() + 1)
      .run();
}

void Store::record_strategy_change(const StrategyChange& change) {
  query("INSERT INTO strategy_changes (created_at, subject, old_value, new_value, reason) VALUES (?, ?, ?, ?, ?)")
      .bind(change.created_at ? change.created_at : now_unix(), change.subject, change.old_value, change.new_value,
            change.reason)
      .run();
}

std::vector<StrategyChange> Store::strategy_changes(size_t limit) const {
  Query q = query("SELECT created_at, subject, old_value, new_value, reason FROM strategy_changes ORDER BY id DESC LIMIT ?");
  q.bind(limit ? static_cast<int64_t>(limit) : int64_t{-1});
  std::vector<StrategyChange> out;
  while (q.next()) out.push_back({q.int64(0), q.text(1), q.real(2), q.real(3), q.text(4)});
  return out;
}

void Store::record_metric_event(const MetricEvent& event) {
  query(R"sql(
INSERT INTO metric_events (commit_id, kind, path, name, old_value, new_value, detail, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?))sql")
      .bind(event.commit_id, event.kind, event.path, event.name, event.old_value, event.new_value,
            null_if_empty(event.detail), event.created_at ? event.created_at : now_unix())
      .run();
}

std::vector<MetricEvent> Store::metric_events(const std::string& commit_id, size_t limit) const {
  Query q = query(R"sql(
SELECT commit_id, kind, path, name, old_value, new_value, coalesce(detail, ''), created_at FROM metric_events
WHERE ? = '' OR commit_id = ? ORDER BY id DESC LIMIT ?)sql");
  q.bind(commit_id, commit_id, limit ? static_cast<int64_t>(limit) : int64_t{-1});
  std::vector<MetricEvent> out;
  while (q.next())
    out.push_back({q.text(0), q.text(1), q.text(2), q.text(3), q.real(4), q.real(5), q.text(6), q.int64(7)});
  return out;
}

void Store::put_coverage(const std::string& commit_id, double percent, const std::string& source) {
  query("INSERT OR REPLACE INTO commit_coverage (commit_id, percent, source, created_at) VALUES (?, ?, ?, ?)")
      .bind(commit_id, percent, null_if_empty(source), now_unix())
      .run();
}

std::optional<double> Store::coverage(const std::string& commit_id) const {
  Query q = query("SELECT percent FROM commit_coverage WHERE commit_id = ?");
  q.bind(commit_id);
  if (!q.next()) return std::nullopt;
  return q.real(0);
}

} // namespace queue
