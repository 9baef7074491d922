// Store: read-only history for reports (`git autoloop report`). Whole tables, read once per report;
// the caller orders and windows them (src/metrics/report.cpp).
#include "queue/store.hpp"

#include "queue/query.hpp"

namespace queue {

using detail::Query;

std::vector<Store::ScannedCommit> Store::scanned_commits() const {
  Query q = query("SELECT commit_id, scanned_at, files, findings, duration_ms FROM scanned_commits "
                  "ORDER BY scanned_at, rowid");
  std::vector<ScannedCommit> out;
  while (q.next())
    out.push_back({q.text(0), q.int64(1), q.integer(2), q.integer(3), q.real(4)});
  return out;
}

std::vector<FileMetrics> Store::file_metrics_history() const {
  Query q = query(std::string("SELECT ") + detail::k_file_metrics_columns + " FROM file_metrics");
  std::vector<FileMetrics> out;
  while (q.next()) out.push_back(detail::read_file_metrics(q));
  return out;
}

std::vector<Attempt> Store::attempts_history() const {
  Query q = query("SELECT id, opportunity_id, COALESCE(cycle_id, 0), COALESCE(side_commit, ''), outcome, "
                  "lines_changed, duration_ms, COALESCE(detail, ''), created_at, branch, risk FROM attempts ORDER BY id");
  std::vector<Attempt> out;
  while (q.next()) {
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
    out.push_back(std::move(a));
  }
  return out;
}

std::vector<Store::Verdict> Store::verdicts() const {
  Query q = query("SELECT id, opportunity_id, verdict, COALESCE(reason, ''), COALESCE(commit_id, ''), created_at, bulk "
                  "FROM verdicts ORDER BY created_at, id");
  std::vector<Verdict> out;
  while (q.next())
    out.push_back({q.int64(0), q.int64(1), q.text(2), q.text(3), q.text(4), q.int64(5), q.integer(6) != 0});
  return out;
}

} // namespace queue
