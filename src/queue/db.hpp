#pragma once
// The queue's handle on SQLite: a connection, its statements and its transactions, each move-only and
// freed by its destructor. Every failure is a queue::Error, and damage (SQLITE_CORRUPT, SQLITE_NOTADB,
// whatever the statement) a CorruptError. sqlite3 is only named here: db.cpp is the one file of src/
// that includes sqlite3.h.
//
// Writers wait for each other (busy_timeout, then retries with a short random sleep) for about 30 s
// before "database is locked" reaches the caller.

#include "core/error.hpp"
#include "core/kinds.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace queue {

// A SQLite failure. Keeps SQLite's extended result code (SQLITE_BUSY, SQLITE_IOERR_..., ...).
class Error : public core::CodedError {
public:
  using core::CodedError::CodedError;
};

// The file is damaged or is not a database (SQLITE_CORRUPT, SQLITE_NOTADB, a failed quick_check).
// The queue only holds what a rescan can rebuild: Store::quarantine() it, open afresh, rescan.
class CorruptError : public Error {
public:
  CorruptError(int code, std::filesystem::path path, const std::string& detail)
      : Error(code, path.string() + ": the queue database is corrupt (" + detail + ")"), m_path(std::move(path)) {
    ++s_raised;
  }
  const std::filesystem::path& path() const noexcept { return m_path; }

  // How many times this process has met damage in a queue database: a Store that saw it rise while open
  // never records its file as clean.
  static unsigned raised() noexcept { return s_raised; }

private:
  std::filesystem::path m_path;
  static inline std::atomic<unsigned> s_raised{0};
};

namespace db {
class Connection;
} // namespace db

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
  friend class db::Connection;
  explicit Transaction(sqlite3* db) : m_db(db) {}
  sqlite3* m_db; // borrowed from the connection; null once committed or moved from
};

namespace db {

// A cached statement in use: binds parameters, steps, reads columns, and resets the statement when it
// goes out of scope (a statement left mid-result would keep its read snapshot open).
class Statement {
public:
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binds the arguments to parameters 1, 2, ... Throws queue::Error.
  template <class... Args> Statement& bind(const Args&... args) {
    int index = 0;
    (bind_at(++index, args), ...);
    return *this;
  }

  // Binds one parameter (1-based); an empty optional binds NULL. Throws queue::Error.
  void bind_at(int index, const std::string& value);
  void bind_at(int index, const char* value);
  void bind_at(int index, const std::optional<std::string>& value);
  void bind_at(int index, int value);
  void bind_at(int index, int64_t value);
  void bind_at(int index, const std::optional<int64_t>& value);
  void bind_at(int index, bool value);
  void bind_at(int index, double value);
  // One of core/kinds.hpp's vocabularies, stored by its name.
  template <class Kind, class = std::enable_if_t<std::is_enum_v<Kind>>> void bind_at(int index, Kind value) {
    bind_at(index, std::string(core::to_string(value)));
  }

  // Steps to the next row; false when there is none. Throws queue::Error.
  bool next();

  // Runs a statement that returns no rows. Throws queue::Error.
  void run() {
    while (next()) {
    }
  }

  // The columns of the current row (0-based); NULL reads as "", 0 or 0.0.
  std::string text(int column) const;
  int64_t int64(int column) const;
  int integer(int column) const;
  double real(int column) const;
  bool is_null(int column) const;

private:
  friend class Connection;
  explicit Statement(sqlite3_stmt* stmt) : m_stmt(stmt) {}

  sqlite3_stmt* m_stmt; // owned by the connection's cache
  bool m_started = false;
};

// One connection to a database file, with its prepared statements (scans insert many rows: each SQL text
// is prepared once per connection). Give each thread its own.
class Connection {
public:
  // Opens `path` read-write, creating the file (not its directory), with extended result codes and the
  // busy timeout set. Throws CorruptError when the file is not a database, queue::Error otherwise.
  static Connection open(const std::filesystem::path& path);

  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  ~Connection();

  // The cached statement for `sql`, ready to bind. Throws queue::Error (also when the statement is
  // already running: a caller nested two uses of it).
  Statement query(const std::string& sql) const;

  // Runs every statement of `sql`, discarding any rows. Throws queue::Error.
  void exec(const std::string& sql);

  // Starts a write transaction (BEGIN IMMEDIATE): other writers wait until it ends.
  // Throws queue::Error (also when a transaction is already open on this connection).
  Transaction begin();

  // A transaction of our own unless the caller already has one open: methods that write several rows
  // join the caller's transaction. Throws queue::Error.
  std::optional<Transaction> begin_unless_in_transaction();

  // The rowid of the last row inserted on this connection.
  int64_t last_insert_rowid() const;

  // How many rows the last INSERT, UPDATE or DELETE changed.
  int changes() const;

  // PRAGMA quick_check's verdict ("ok", or its findings joined by "; "), or the name of the error that
  // stopped it when the damage is too bad to read. Throws queue::Error on other failures.
  std::string quick_check() const;

  // The file this connection is open on.
  std::string path() const;

private:
  struct Close {
    void operator()(sqlite3* db) const noexcept;
  };
  struct Finalize {
    void operator()(sqlite3_stmt* stmt) const noexcept;
  };
  explicit Connection(std::unique_ptr<sqlite3, Close> db);

  std::unique_ptr<sqlite3, Close> m_db;
  // Declared after m_db, so finalized first.
  mutable std::unordered_map<std::string, std::unique_ptr<sqlite3_stmt, Finalize>> m_statements;
};

// SQLite's result codes for the errors src/queue/ raises itself (db.cpp checks them against sqlite3.h).
inline constexpr int k_error = 1;     // SQLITE_ERROR
inline constexpr int k_ioerr = 10;    // SQLITE_IOERR
inline constexpr int k_corrupt = 11;  // SQLITE_CORRUPT
inline constexpr int k_cantopen = 14; // SQLITE_CANTOPEN
inline constexpr int k_mismatch = 20; // SQLITE_MISMATCH

} // namespace db
} // namespace queue
