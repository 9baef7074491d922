#include "queue/db.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>
#include <utility>

namespace queue {
static_assert(db::k_error == SQLITE_ERROR && db::k_ioerr == SQLITE_IOERR && db::k_corrupt == SQLITE_CORRUPT &&
              db::k_cantopen == SQLITE_CANTOPEN && db::k_mismatch == SQLITE_MISMATCH);

namespace {

// Each writer waits this long inside SQLite before SQLITE_BUSY...
constexpr int k_busy_timeout_ms = 10000;
// ...and we retry until this much time has passed in all, so that a long drain commit or a
// checkpoint never shows up as "database is locked".
constexpr auto k_busy_patience = std::chrono::seconds(30);

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

namespace db {

// ---------------------------------------------------------------------------------------------
// Statement

Statement::~Statement() {
  sqlite3_reset(m_stmt);
  sqlite3_clear_bindings(m_stmt);
}

namespace {
void check_bind(sqlite3_stmt* stmt, int rc) {
  if (rc != SQLITE_OK)
    fail(sqlite3_db_handle(stmt), rc, "binding a parameter");
}
} // namespace

void Statement::bind_at(int index, const std::string& value) {
  check_bind(m_stmt, sqlite3_bind_text(m_stmt, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT));
}
void Statement::bind_at(int index, const char* value) {
  check_bind(m_stmt, sqlite3_bind_text(m_stmt, index, value, -1, SQLITE_TRANSIENT));
}
void Statement::bind_at(int index, const std::optional<std::string>& value) {
  if (value)
    bind_at(index, *value);
  else
    check_bind(m_stmt, sqlite3_bind_null(m_stmt, index));
}
void Statement::bind_at(int index, int value) { check_bind(m_stmt, sqlite3_bind_int(m_stmt, index, value)); }
void Statement::bind_at(int index, int64_t value) { check_bind(m_stmt, sqlite3_bind_int64(m_stmt, index, value)); }
void Statement::bind_at(int index, const std::optional<int64_t>& value) {
  if (value)
    bind_at(index, *value);
  else
    check_bind(m_stmt, sqlite3_bind_null(m_stmt, index));
}
void Statement::bind_at(int index, bool value) { check_bind(m_stmt, sqlite3_bind_int(m_stmt, index, value ? 1 : 0)); }
void Statement::bind_at(int index, double value) { check_bind(m_stmt, sqlite3_bind_double(m_stmt, index, value)); }

bool Statement::next() {
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

std::string Statement::text(int column) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, column));
  return data ? std::string(data, static_cast<size_t>(sqlite3_column_bytes(m_stmt, column))) : std::string();
}
int64_t Statement::int64(int column) const { return sqlite3_column_int64(m_stmt, column); }
int Statement::integer(int column) const { return sqlite3_column_int(m_stmt, column); }
double Statement::real(int column) const { return sqlite3_column_double(m_stmt, column); }
bool Statement::is_null(int column) const { return sqlite3_column_type(m_stmt, column) == SQLITE_NULL; }

// ---------------------------------------------------------------------------------------------
// Connection

void Connection::Close::operator()(sqlite3* db) const noexcept {
  // close_v2: the handle closes once the last statement is finalized, whatever the order.
  sqlite3_close_v2(db);
}

void Connection::Finalize::operator()(sqlite3_stmt* stmt) const noexcept { sqlite3_finalize(stmt); }

Connection::Connection(std::unique_ptr<sqlite3, Close> db) : m_db(std::move(db)) {}
Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&&) noexcept = default;
Connection::~Connection() = default;

Connection Connection::open(const std::filesystem::path& path) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  std::unique_ptr<sqlite3, Close> db(raw); // a handle comes back even when opening fails
  if (rc != SQLITE_OK) {
    const std::string detail = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    if (is_corruption(rc))
      throw CorruptError(rc, path, detail);
    throw Error(rc, path.string() + ": cannot open the queue database: " + detail);
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, k_busy_timeout_ms);
  return Connection(std::move(db));
}

Statement Connection::query(const std::string& sql) const {
  auto& slot = m_statements[sql];
  if (!slot)
    slot.reset(prepare(m_db.get(), sql.c_str(), nullptr));
  // A statement still running means a caller nested two uses of it; resetting it here would
  // silently cut the outer one short.
  if (sqlite3_stmt_busy(slot.get()))
    throw Error(SQLITE_MISUSE, "queue: statement used while already running: " + sql);
  return Statement(slot.get());
}

void Connection::exec(const std::string& sql) { exec_on(m_db.get(), sql); }

Transaction Connection::begin() {
  exec("BEGIN IMMEDIATE");
  return Transaction(m_db.get());
}

std::optional<Transaction> Connection::begin_unless_in_transaction() {
  if (!sqlite3_get_autocommit(m_db.get()))
    return std::nullopt;
  return begin();
}

int64_t Connection::last_insert_rowid() const { return sqlite3_last_insert_rowid(m_db.get()); }

int Connection::changes() const { return sqlite3_changes(m_db.get()); }

std::string Connection::quick_check() const {
  try {
    Statement q = query("PRAGMA quick_check");
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

std::string Connection::path() const { return db_path_of(m_db.get()); }

} // namespace db
} // namespace queue
