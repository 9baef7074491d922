#pragma once
// The drain's work: its cycles (table cycles) and each try at turning an opportunity into a fix commit
// (table attempts).

#include "core/kinds.hpp"
#include "queue/db.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace queue {

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

// The cycles and attempts tables of one connection. Store's methods of the same names delegate here
// (store.hpp documents them); every method throws queue::Error.
class Cycles {
public:
  explicit Cycles(db::Connection& db) noexcept : m_db(db) {}

  int64_t begin_cycle(const std::string& trigger, const std::string& branch, const std::string& checkpoint);
  void plan_cycle(int64_t cycle_id, const std::string& planned_tip);
  void end_cycle(int64_t cycle_id, int applied, int failed, bool rolled_back, const std::string& detail);
  void end_interrupted_cycle(int64_t cycle_id, int applied, bool rolled_back, const std::string& detail,
                             const std::string& reason);
  std::vector<Cycle> unfinished_cycles() const;
  std::vector<Cycle> cycles(size_t limit) const;
  std::optional<double> last_cycle_end(const std::string& branch) const;

  int64_t record_attempt(const Attempt& attempt);
  void set_attempt_outcome(int64_t attempt_id, core::Outcome outcome, const std::string& detail);
  std::vector<Attempt> attempts_of_cycle(int64_t cycle_id) const;
  std::vector<Attempt> attempts_of(int64_t opportunity_id) const;
  std::optional<Attempt> attempt_by_commit(const std::string& side_commit) const;
  std::vector<Attempt> attempts_by_commit(const std::string& side_commit) const;
  std::vector<Attempt> attempts_history() const;

private:
  db::Connection& m_db;
};

} // namespace queue
