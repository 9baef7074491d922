#pragma once
// The system-health log: one row per invocation of the tool (table runs), and the key/value table the
// loop keeps small facts in between invocations (table state).

#include "queue/db.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace queue {

// One invocation of the tool (hook, scan, drain, review, ...): the system-health metrics.
struct Run {
  std::string kind;
  double started_at = 0; // unix seconds; 0 on record_run means "now"
  double duration_ms = 0;
  int64_t peak_rss_kb = 0;
  int commits = 0, files = 0;
  std::string error, detail;
};

// The runs and state tables of one connection. Store's methods of the same names delegate here
// (store.hpp documents them); every method throws queue::Error.
class Runs {
public:
  explicit Runs(db::Connection& db) noexcept : m_db(db) {}

  void record_run(const Run& run);
  std::vector<Run> runs(const std::string& kind, size_t limit) const;
  int64_t count_runs(const std::string& kind) const;

  std::optional<std::string> state(const std::string& key) const;
  void set_state(const std::string& key, const std::string& value);
  void erase_state(const std::string& key);

private:
  db::Connection& m_db;
};

} // namespace queue
