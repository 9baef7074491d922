#pragma once
// What the scanner remembers between runs: which commits it scanned (table scanned_commits) and what
// it found in each blob under a ruleset (table blob_cache).

#include "queue/db.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace queue {

// A row of scanned_commits: when a commit was (last) scanned and what the scan found.
struct ScannedCommit {
  std::string commit_id;
  int64_t scanned_at = 0; // unix seconds
  int files = 0, findings = 0;
  double duration_ms = 0;
};

// The scanned_commits and blob_cache tables of one connection. Store's methods of the same names
// delegate here (store.hpp documents them); every method throws queue::Error.
class Scans {
public:
  explicit Scans(db::Connection& db) noexcept : m_db(db) {}

  std::optional<std::string> cached_payload(const std::string& blob, const std::string& ruleset) const;
  std::map<std::string, std::string> cached_payloads(const std::vector<std::string>& blobs,
                                                     const std::string& ruleset) const;
  void put_cached_payload(const std::string& blob, const std::string& ruleset, const std::string& payload);
  void for_each_cached(const std::string& ruleset,
                       const std::function<void(const std::string& blob, const std::string& payload)>& visit) const;
  bool is_commit_scanned(const std::string& commit_id) const;
  std::optional<int64_t> first_scan_time() const;
  void mark_commit_scanned(const std::string& commit_id, int files, int findings, double duration_ms);
  std::vector<ScannedCommit> scanned_commits() const;

private:
  db::Connection& m_db;
};

} // namespace queue
