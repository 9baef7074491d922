#pragma once
// What the loop measured: files and functions at each commit (tables file_metrics, function_metrics),
// the changes a commit made to those measures (metric_events), and test coverage (commit_coverage).

#include "queue/db.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace queue {

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

// A measured change a commit made. kind: regression, improvement (complexity of a function),
// security (new security findings).
struct MetricEvent {
  std::string commit_id, kind, path, name;
  double old_value = 0, new_value = 0;
  std::string detail;
  int64_t created_at = 0; // 0 on record means "now"
};

// The file_metrics, function_metrics, metric_events and commit_coverage tables of one connection.
// Store's methods of the same names delegate here (store.hpp documents them); every method throws
// queue::Error.
class Metrics {
public:
  explicit Metrics(db::Connection& db) noexcept : m_db(db) {}

  void put_file_metrics(const FileMetrics& metrics);
  std::optional<FileMetrics> file_metrics(const std::string& commit_id, const std::string& path) const;
  std::vector<FileMetrics> file_metrics_history() const;
  int64_t file_change_count(const std::string& path) const;
  void put_function_metrics(const std::vector<FunctionMetrics>& metrics);
  std::vector<FunctionMetrics> function_metrics(const std::string& commit_id, const std::string& path) const;
  void record_metric_event(const MetricEvent& event);
  std::vector<MetricEvent> metric_events(const std::string& commit_id, size_t limit) const;
  void put_coverage(const std::string& commit_id, double percent, const std::string& source);
  std::optional<double> coverage(const std::string& commit_id) const;

private:
  db::Connection& m_db;
};

} // namespace queue
