#include "queue/scans.hpp"

#include "queue/row.hpp"
#include "queue/stored.hpp"

namespace queue {

std::optional<std::string> Scans::cached_payload(const std::string& blob, const std::string& ruleset) const {
  db::Statement q = m_db.query("SELECT payload FROM blob_cache WHERE blob = ? AND ruleset = ?");
  q.bind(blob, ruleset);
  if (!q.next())
    return std::nullopt;
  return q.text(0);
}

std::map<std::string, std::string> Scans::cached_payloads(const std::vector<std::string>& blobs,
                                                          const std::string& ruleset) const {
  std::map<std::string, std::string> out;
  if (blobs.empty()) return out;
  // One statement for a whole batch, whatever its size: the ids go in as one JSON array (json_each),
  // so the same prepared statement serves every batch.
  std::string ids = "[";
  for (const auto& blob : blobs) {
    if (blob.find_first_not_of("0123456789abcdef") != std::string::npos) continue; // not an object id
    ids += (ids.size() > 1 ? ",\"" : "\"") + blob + "\"";
  }
  ids += "]";
  db::Statement q = m_db.query(
      "SELECT blob, payload FROM blob_cache WHERE ruleset = ? AND blob IN (SELECT value FROM json_each(?))");
  q.bind(ruleset, ids);
  while (q.next()) out.emplace(q.text(0), q.text(1));
  return out;
}

void Scans::put_cached_payload(const std::string& blob, const std::string& ruleset, const std::string& payload) {
  m_db.query("INSERT OR REPLACE INTO blob_cache (blob, ruleset, payload, created_at) VALUES (?, ?, ?, ?)")
      .bind(blob, ruleset, payload, stored::now_unix())
      .run();
}

void Scans::for_each_cached(const std::string& ruleset,
                            const std::function<void(const std::string&, const std::string&)>& visit) const {
  db::Statement q = m_db.query("SELECT blob, payload FROM blob_cache WHERE ruleset = ? ORDER BY blob");
  q.bind(ruleset);
  while (q.next()) visit(q.text(0), q.text(1));
}

bool Scans::is_commit_scanned(const std::string& commit_id) const {
  db::Statement q = m_db.query("SELECT 1 FROM scanned_commits WHERE commit_id = ?");
  q.bind(commit_id);
  return q.next();
}

std::optional<int64_t> Scans::first_scan_time() const {
  db::Statement q = m_db.query("SELECT min(scanned_at) FROM scanned_commits");
  if (!q.next() || q.is_null(0))
    return std::nullopt;
  return q.int64(0);
}

void Scans::mark_commit_scanned(const std::string& commit_id, int files, int findings, double duration_ms) {
  m_db.query("INSERT OR REPLACE INTO scanned_commits (commit_id, scanned_at, files, findings, duration_ms) "
             "VALUES (?, ?, ?, ?, ?)")
      .bind(commit_id, stored::now_unix(), files, findings, duration_ms)
      .run();
}

std::vector<ScannedCommit> Scans::scanned_commits() const {
  static const db::RowMap<ScannedCommit> row = db::RowMap<ScannedCommit>("scanned commit")
                                                   .column("commit_id", &ScannedCommit::commit_id)
                                                   .column("scanned_at", &ScannedCommit::scanned_at)
                                                   .column("files", &ScannedCommit::files)
                                                   .column("findings", &ScannedCommit::findings)
                                                   .column("duration_ms", &ScannedCommit::duration_ms);
  db::Statement q = m_db.query("SELECT " + row.columns() + " FROM scanned_commits ORDER BY scanned_at, rowid");
  return row.all(q);
}

} // namespace queue
