#pragma once
// Private to src/queue/: the statement wrapper the Store's .cpp files share (store.cpp,
// store_history.cpp). Nothing outside src/queue/ includes this.

#include "queue/store.hpp"

#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace queue::detail {

// A cached statement in use: binds parameters, steps, reads columns, and resets the statement when
// it goes out of scope (a statement left mid-result would keep its read snapshot open).
class Query {
public:
  explicit Query(sqlite3_stmt* stmt) : m_stmt(stmt) {}
  ~Query() {
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
  }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  // Binds the arguments to parameters 1, 2, ...
  template <class... Args> Query& bind(const Args&... args) {
    int index = 0;
    (bind_at(++index, args), ...);
    return *this;
  }

  // Steps to the next row; false when there is none. Throws queue::Error (store.cpp).
  bool next();

  // Runs a statement that returns no rows.
  void run() {
    while (next()) {
    }
  }

  std::string text(int column) const {
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, column));
    return data ? std::string(data, static_cast<size_t>(sqlite3_column_bytes(m_stmt, column))) : std::string();
  }
  int64_t int64(int column) const { return sqlite3_column_int64(m_stmt, column); }
  int integer(int column) const { return sqlite3_column_int(m_stmt, column); }
  double real(int column) const { return sqlite3_column_double(m_stmt, column); }
  bool is_null(int column) const { return sqlite3_column_type(m_stmt, column) == SQLITE_NULL; }

  // Binds one parameter (1-based).
  void bind_at(int index, const std::string& value) {
    check(sqlite3_bind_text(m_stmt, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT));
  }
  void bind_at(int index, const char* value) { check(sqlite3_bind_text(m_stmt, index, value, -1, SQLITE_TRANSIENT)); }
  void bind_at(int index, const std::optional<std::string>& value) {
    if (value)
      bind_at(index, *value);
    else
      check(sqlite3_bind_null(m_stmt, index));
  }
  void bind_at(int index, int value) { check(sqlite3_bind_int(m_stmt, index, value)); }
  void bind_at(int index, const std::optional<int64_t>& value) {
    if (value)
      check(sqlite3_bind_int64(m_stmt, index, *value));
    else
      check(sqlite3_bind_null(m_stmt, index));
  }
  void bind_at(int index, int64_t value) { check(sqlite3_bind_int64(m_stmt, index, value)); }
  void bind_at(int index, bool value) { check(sqlite3_bind_int(m_stmt, index, value ? 1 : 0)); }
  void bind_at(int index, double value) { check(sqlite3_bind_double(m_stmt, index, value)); }

private:
  // Throws queue::Error unless `rc` is SQLITE_OK (store.cpp).
  void check(int rc);

  sqlite3_stmt* m_stmt;
  bool m_started = false;
};

// A value of one of the loop's vocabularies (core/kinds.hpp) as stored: queue::Error for a name no build of
// ours writes (`row` names the row in the message: "attempt 12").
template <class E> E read_kind(const std::string& text, const std::string& row) {
  if (auto value = core::parse<E>(text)) return *value;
  throw Error(SQLITE_MISMATCH, "queue: " + row + " holds an unknown value \"" + text.substr(0, 40) + "\"");
}

// The file_metrics columns, in the order read_file_metrics expects them.
inline constexpr const char* k_file_metrics_columns =
    "commit_id, path, language, lines, functions, complexity_total, complexity_max, nesting_max, debt_markers, "
    "findings_security, findings_performance, findings_quality, findings_tests";

// One file_metrics row of a query that selected k_file_metrics_columns first.
inline FileMetrics read_file_metrics(const Query& q) {
  FileMetrics m;
  m.commit_id = q.text(0);
  m.path = q.text(1);
  m.language = q.text(2);
  m.lines = q.integer(3);
  m.functions = q.integer(4);
  m.complexity_total = q.integer(5);
  m.complexity_max = q.integer(6);
  m.nesting_max = q.integer(7);
  m.debt_markers = q.integer(8);
  m.findings_security = q.integer(9);
  m.findings_performance = q.integer(10);
  m.findings_quality = q.integer(11);
  m.findings_tests = q.integer(12);
  return m;
}

} // namespace queue::detail
