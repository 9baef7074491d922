#include "queue/metrics.hpp"

#include "queue/row.hpp"
#include "queue/stored.hpp"

namespace queue {
namespace {

const db::RowMap<FileMetrics>& file_metrics_row() {
  static const db::RowMap<FileMetrics> map = db::RowMap<FileMetrics>("file metrics")
                                                 .column("commit_id", &FileMetrics::commit_id)
                                                 .column("path", &FileMetrics::path)
                                                 .column("language", &FileMetrics::language)
                                                 .column("lines", &FileMetrics::lines)
                                                 .column("functions", &FileMetrics::functions)
                                                 .column("complexity_total", &FileMetrics::complexity_total)
                                                 .column("complexity_max", &FileMetrics::complexity_max)
                                                 .column("nesting_max", &FileMetrics::nesting_max)
                                                 .column("debt_markers", &FileMetrics::debt_markers)
                                                 .column("findings_security", &FileMetrics::findings_security)
                                                 .column("findings_performance", &FileMetrics::findings_performance)
                                                 .column("findings_quality", &FileMetrics::findings_quality)
                                                 .column("findings_tests", &FileMetrics::findings_tests);
  return map;
}

const db::RowMap<FunctionMetrics>& function_metrics_row() {
  static const db::RowMap<FunctionMetrics> map =
      db::RowMap<FunctionMetrics>("function metrics")
          .column("commit_id", &FunctionMetrics::commit_id)
          .column("path", &FunctionMetrics::path)
          .column("name", &FunctionMetrics::name)
          .column("start_line", &FunctionMetrics::start_line)
          .column("end_line", &FunctionMetrics::end_line)
          .column("complexity", &FunctionMetrics::complexity)
          .column("length", &FunctionMetrics::length)
          .column("nesting", &FunctionMetrics::nesting)
          // Measured before identities (schema 6): the name was the key.
          .column("CASE identity WHEN '' THEN name ELSE identity END", &FunctionMetrics::identity);
  return map;
}

const db::RowMap<MetricEvent>& metric_event_row() {
  static const db::RowMap<MetricEvent> map = db::RowMap<MetricEvent>("metric event")
                                                 .column("commit_id", &MetricEvent::commit_id)
                                                 .column("kind", &MetricEvent::kind)
                                                 .column("path", &MetricEvent::path)
                                                 .column("name", &MetricEvent::name)
                                                 .column("old_value", &MetricEvent::old_value)
                                                 .column("new_value", &MetricEvent::new_value)
                                                 .column("coalesce(detail, '')", &MetricEvent::detail)
                                                 .column("created_at", &MetricEvent::created_at);
  return map;
}

} // namespace

void Metrics::put_file_metrics(const FileMetrics& m) {
  m_db.query("INSERT OR REPLACE INTO file_metrics (commit_id, path, language, lines, functions, complexity_total, "
             "complexity_max, nesting_max, debt_markers, findings_security, findings_performance, findings_quality, "
             "findings_tests) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(m.commit_id, m.path, m.language, m.lines, m.functions, m.complexity_total, m.complexity_max,
            m.nesting_max, m.debt_markers, m.findings_security, m.findings_performance, m.findings_quality,
            m.findings_tests)
      .run();
}

std::optional<FileMetrics> Metrics::file_metrics(const std::string& commit_id, const std::string& path) const {
  db::Statement q =
      m_db.query("SELECT " + file_metrics_row().columns() + " FROM file_metrics WHERE commit_id = ? AND path = ?");
  q.bind(commit_id, path);
  return file_metrics_row().first(q);
}

std::vector<FileMetrics> Metrics::file_metrics_history() const {
  db::Statement q = m_db.query("SELECT " + file_metrics_row().columns() + " FROM file_metrics");
  return file_metrics_row().all(q);
}

int64_t Metrics::file_change_count(const std::string& path) const {
  db::Statement q = m_db.query("SELECT count(*) FROM file_metrics WHERE path = ?");
  q.bind(path);
  return q.next() ? q.int64(0) : 0;
}

void Metrics::put_function_metrics(const std::vector<FunctionMetrics>& metrics) {
  auto transaction = m_db.begin_unless_in_transaction();
  for (const auto& m : metrics)
    m_db.query("INSERT OR REPLACE INTO function_metrics (commit_id, path, name, start_line, end_line, complexity, "
               "length, nesting, identity) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(m.commit_id, m.path, m.name, m.start_line, m.end_line, m.complexity, m.length, m.nesting, m.identity)
        .run();
  if (transaction)
    transaction->commit();
}

std::vector<FunctionMetrics> Metrics::function_metrics(const std::string& commit_id, const std::string& path) const {
  db::Statement q = m_db.query("SELECT " + function_metrics_row().columns() +
                               " FROM function_metrics WHERE commit_id = ? AND path = ? ORDER BY start_line, name");
  q.bind(commit_id, path);
  return function_metrics_row().all(q);
}

void Metrics::record_metric_event(const MetricEvent& event) {
  m_db.query(R"sql(
INSERT INTO metric_events (commit_id, kind, path, name, old_value, new_value, detail, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?))sql")
      .bind(event.commit_id, event.kind, event.path, event.name, event.old_value, event.new_value,
            stored::null_if_empty(event.detail), event.created_at ? event.created_at : stored::now_unix())
      .run();
}

std::vector<MetricEvent> Metrics::metric_events(const std::string& commit_id, size_t limit) const {
  db::Statement q = m_db.query("SELECT " + metric_event_row().columns() +
                               " FROM metric_events WHERE ? = '' OR commit_id = ? ORDER BY id DESC LIMIT ?");
  q.bind(commit_id, commit_id, limit ? static_cast<int64_t>(limit) : int64_t{-1});
  return metric_event_row().all(q);
}

void Metrics::put_coverage(const std::string& commit_id, double percent, const std::string& source) {
  m_db.query("INSERT OR REPLACE INTO commit_coverage (commit_id, percent, source, created_at) VALUES (?, ?, ?, ?)")
      .bind(commit_id, percent, stored::null_if_empty(source), stored::now_unix())
      .run();
}

std::optional<double> Metrics::coverage(const std::string& commit_id) const {
  db::Statement q = m_db.query("SELECT percent FROM commit_coverage WHERE commit_id = ?");
  q.bind(commit_id);
  if (!q.next())
    return std::nullopt;
  return q.real(0);
}

} // namespace queue
