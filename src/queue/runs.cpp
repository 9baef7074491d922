#include "queue/runs.hpp"

#include "queue/row.hpp"
#include "queue/stored.hpp"

namespace queue {

void Runs::record_run(const Run& run) {
  m_db.query("INSERT INTO runs (kind, started_at, duration_ms, peak_rss_kb, commits, files, error, detail) "
             "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(run.kind, run.started_at ? run.started_at : stored::now_unix_precise(), run.duration_ms, run.peak_rss_kb,
            run.commits, run.files, stored::null_if_empty(run.error), stored::null_if_empty(run.detail))
      .run();
}

std::vector<Run> Runs::runs(const std::string& kind, size_t limit) const {
  static const db::RowMap<Run> row = db::RowMap<Run>("run")
                                         .column("kind", &Run::kind)
                                         .column("started_at", &Run::started_at)
                                         .column("duration_ms", &Run::duration_ms)
                                         .column("peak_rss_kb", &Run::peak_rss_kb)
                                         .column("commits", &Run::commits)
                                         .column("files", &Run::files)
                                         .column("error", &Run::error)
                                         .column("detail", &Run::detail);
  // LIMIT -1 is SQLite for "no limit".
  const int64_t sql_limit = limit ? static_cast<int64_t>(limit) : -1;
  db::Statement q = m_db.query("SELECT " + row.columns() +
                               " FROM runs WHERE ?1 = '' OR kind = ?1 ORDER BY started_at DESC, id DESC LIMIT ?2");
  q.bind(kind, sql_limit);
  return row.all(q);
}

int64_t Runs::count_runs(const std::string& kind) const {
  db::Statement q = m_db.query("SELECT count(*) FROM runs WHERE ?1 = '' OR kind = ?1");
  q.bind(kind);
  return q.next() ? q.int64(0) : 0;
}

std::optional<std::string> Runs::state(const std::string& key) const {
  db::Statement q = m_db.query("SELECT value FROM state WHERE key = ?");
  q.bind(key);
  if (!q.next())
    return std::nullopt;
  return q.text(0);
}

void Runs::set_state(const std::string& key, const std::string& value) {
  m_db.query("INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)").bind(key, value).run();
}

void Runs::erase_state(const std::string& key) { m_db.query("DELETE FROM state WHERE key = ?").bind(key).run(); }

} // namespace queue
