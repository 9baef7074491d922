#include "queue/cycles.hpp"

#include "queue/row.hpp"
#include "queue/stored.hpp"

namespace queue {
namespace {

using stored::null_if_empty;

const db::RowMap<Cycle>& cycle_row() {
  static const db::RowMap<Cycle> map = db::RowMap<Cycle>("cycle", &Cycle::id)
                                           .column("id", &Cycle::id)
                                           .column("\"trigger\"", &Cycle::trigger)
                                           .column("started_at", &Cycle::started_at)
                                           .column("COALESCE(ended_at, 0)", &Cycle::ended_at)
                                           .column("COALESCE(checkpoint, '')", &Cycle::checkpoint)
                                           .column("applied", &Cycle::applied)
                                           .column("failed", &Cycle::failed)
                                           .column("rolled_back", &Cycle::rolled_back)
                                           .column("branch", &Cycle::branch)
                                           .column("COALESCE(planned_tip, '')", &Cycle::planned_tip)
                                           .column("state", &Cycle::state)
                                           .column("COALESCE(detail, '')", &Cycle::detail)
                                           .column("COALESCE(interrupted, '')", &Cycle::interrupted);
  return map;
}

const db::RowMap<Attempt>& attempt_row() {
  static const db::RowMap<Attempt> map = db::RowMap<Attempt>("attempt", &Attempt::id)
                                             .column("id", &Attempt::id)
                                             .column("opportunity_id", &Attempt::opportunity_id)
                                             .column("COALESCE(cycle_id, 0)", &Attempt::cycle_id)
                                             .column("COALESCE(side_commit, '')", &Attempt::side_commit)
                                             .column("outcome", &Attempt::outcome)
                                             .column("lines_changed", &Attempt::lines_changed)
                                             .column("duration_ms", &Attempt::duration_ms)
                                             .column("COALESCE(detail, '')", &Attempt::detail)
                                             .column("created_at", &Attempt::created_at)
                                             .column("branch", &Attempt::branch)
                                             .column("risk", &Attempt::risk);
  return map;
}

std::string select_cycles() { return "SELECT " + cycle_row().columns() + " FROM cycles "; }
std::string select_attempts() { return "SELECT " + attempt_row().columns() + " FROM attempts "; }

} // namespace

int64_t Cycles::begin_cycle(const std::string& trigger, const std::string& branch, const std::string& checkpoint) {
  m_db.query("INSERT INTO cycles (\"trigger\", started_at, checkpoint, branch, state) VALUES (?, ?, ?, ?, 'running')")
      .bind(trigger, stored::now_unix_precise(), null_if_empty(checkpoint), branch)
      .run();
  return m_db.last_insert_rowid();
}

void Cycles::plan_cycle(int64_t cycle_id, const std::string& planned_tip) {
  m_db.query("UPDATE cycles SET planned_tip = ?, state = 'planned' WHERE id = ?")
      .bind(null_if_empty(planned_tip), cycle_id)
      .run();
}

void Cycles::end_cycle(int64_t cycle_id, int applied, int failed, bool rolled_back, const std::string& detail) {
  m_db.query("UPDATE cycles SET ended_at = ?, applied = ?, failed = ?, rolled_back = ?, state = 'done', detail = ? "
             "WHERE id = ?")
      .bind(stored::now_unix_precise(), applied, failed, rolled_back ? 1 : 0, null_if_empty(detail), cycle_id)
      .run();
}

void Cycles::end_interrupted_cycle(int64_t cycle_id, int applied, bool rolled_back, const std::string& detail,
                                   const std::string& reason) {
  m_db.query("UPDATE cycles SET ended_at = ?, applied = ?, failed = 0, rolled_back = ?, state = 'done', detail = ?, "
             "interrupted = ? WHERE id = ?")
      .bind(stored::now_unix_precise(), applied, rolled_back ? 1 : 0, null_if_empty(detail), reason, cycle_id)
      .run();
}

std::vector<Cycle> Cycles::unfinished_cycles() const {
  db::Statement q = m_db.query(select_cycles() + "WHERE state != 'done' ORDER BY id");
  return cycle_row().all(q);
}

std::vector<Cycle> Cycles::cycles(size_t limit) const {
  const int64_t sql_limit = limit ? static_cast<int64_t>(limit) : -1;
  db::Statement q = m_db.query(select_cycles() + "ORDER BY id DESC LIMIT ?");
  q.bind(sql_limit);
  return cycle_row().all(q);
}

std::optional<double> Cycles::last_cycle_end(const std::string& branch) const {
  db::Statement q = m_db.query("SELECT max(ended_at) FROM cycles WHERE branch = ? AND ended_at IS NOT NULL");
  q.bind(branch);
  if (!q.next() || q.is_null(0))
    return std::nullopt;
  return q.real(0);
}

int64_t Cycles::record_attempt(const Attempt& a) {
  m_db.query("INSERT INTO attempts (opportunity_id, cycle_id, side_commit, outcome, lines_changed, duration_ms, "
             "detail, created_at, branch, risk) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(a.opportunity_id, a.cycle_id ? std::optional<int64_t>(a.cycle_id) : std::nullopt,
            null_if_empty(a.side_commit), std::string(core::to_string(a.outcome)), a.lines_changed, a.duration_ms,
            null_if_empty(a.detail), stored::now_unix(), a.branch, a.risk)
      .run();
  return m_db.last_insert_rowid();
}

void Cycles::set_attempt_outcome(int64_t attempt_id, core::Outcome outcome, const std::string& detail) {
  m_db.query("UPDATE attempts SET outcome = ?, detail = COALESCE(?, detail) WHERE id = ?")
      .bind(std::string(core::to_string(outcome)), null_if_empty(detail), attempt_id)
      .run();
}

std::vector<Attempt> Cycles::attempts_of_cycle(int64_t cycle_id) const {
  db::Statement q = m_db.query(select_attempts() + "WHERE cycle_id = ? ORDER BY id");
  q.bind(cycle_id);
  return attempt_row().all(q);
}

std::vector<Attempt> Cycles::attempts_of(int64_t opportunity_id) const {
  db::Statement q = m_db.query(select_attempts() + "WHERE opportunity_id = ? ORDER BY id");
  q.bind(opportunity_id);
  return attempt_row().all(q);
}

std::optional<Attempt> Cycles::attempt_by_commit(const std::string& side_commit) const {
  db::Statement q = m_db.query(select_attempts() + "WHERE side_commit = ? ORDER BY id DESC LIMIT 1");
  q.bind(side_commit);
  return attempt_row().first(q);
}

std::vector<Attempt> Cycles::attempts_by_commit(const std::string& side_commit) const {
  db::Statement q = m_db.query(select_attempts() + "WHERE side_commit = ? ORDER BY id");
  q.bind(side_commit);
  return attempt_row().all(q);
}

std::vector<Attempt> Cycles::attempts_history() const {
  db::Statement q = m_db.query(select_attempts() + "ORDER BY id");
  return attempt_row().all(q);
}

} // namespace queue
