#include "queue/opportunities.hpp"

#include "queue/row.hpp"
#include "queue/stored.hpp"

#include <algorithm>
#include <set>
#include <utility>

namespace queue {
namespace {

using stored::now_unix;

const db::RowMap<Opportunity>& opportunity_row() {
  static const db::RowMap<Opportunity> map = db::RowMap<Opportunity>("opportunity", &Opportunity::id)
                                                 .column("id", &Opportunity::id)
                                                 .column("fingerprint", &Opportunity::fingerprint)
                                                 .column("rule_id", &Opportunity::rule_id)
                                                 .column("category", &Opportunity::category)
                                                 .column("severity", &Opportunity::severity)
                                                 .column("safety", &Opportunity::safety)
                                                 .column("path", &Opportunity::path)
                                                 .column("start_line", &Opportunity::start_line)
                                                 .column("end_line", &Opportunity::end_line)
                                                 .column("start_byte", &Opportunity::start_byte)
                                                 .column("end_byte", &Opportunity::end_byte)
                                                 .column("blob", &Opportunity::blob)
                                                 .column("commit_id", &Opportunity::commit_id)
                                                 .column("message", &Opportunity::message)
                                                 .column("snippet", &Opportunity::snippet)
                                                 .column("status", &Opportunity::status)
                                                 .column("is_new", &Opportunity::is_new)
                                                 .column("score", &Opportunity::score)
                                                 .column("first_seen", &Opportunity::first_seen)
                                                 .column("last_seen", &Opportunity::last_seen)
                                                 .column("resolved_in", &Opportunity::resolved_in)
                                                 .column("origin", &Opportunity::origin);
  return map;
}

const db::RowMap<Sighting>& sighting_row() {
  static const db::RowMap<Sighting> map =
      db::RowMap<Sighting>("sighting").column("commit_id", &Sighting::commit_id).column("present", &Sighting::present);
  return map;
}

std::string select_opportunities() { return "SELECT " + opportunity_row().columns() + " FROM opportunities"; }

} // namespace

UpsertResult Opportunities::upsert(Opportunity& o) {
  const int64_t now = now_unix();
  const int64_t seen = o.last_seen ? o.last_seen : now;
  auto transaction = m_db.begin_unless_in_transaction();

  // What is stored under the fingerprint: only the columns the decision below needs (scans call this
  // for every finding).
  struct Known {
    int64_t id = 0;
    core::Status status = core::Status::open;
    bool is_new = false;
    int64_t first_seen = 0;
  };
  static const db::RowMap<Known> known_row = db::RowMap<Known>("opportunity", &Known::id)
                                                 .column("id", &Known::id)
                                                 .column("status", &Known::status)
                                                 .column("is_new", &Known::is_new)
                                                 .column("first_seen", &Known::first_seen);
  std::optional<Known> known;
  {
    static const std::string sql = "SELECT " + known_row.columns() + " FROM opportunities WHERE fingerprint = ?";
    db::Statement q = m_db.query(sql);
    q.bind(o.fingerprint);
    known = known_row.first(q);
  }

  int64_t id = 0;
  int64_t first_seen = 0;
  UpsertResult result;
  if (!known) {
    first_seen = o.first_seen ? o.first_seen : now;
    m_db.query("INSERT INTO opportunities (fingerprint, rule_id, category, severity, safety, path, start_line, "
               "end_line, start_byte, end_byte, blob, commit_id, message, snippet, status, is_new, score, first_seen, "
               "last_seen, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?)")
        .bind(o.fingerprint, o.rule_id, o.category, o.severity, o.safety, o.path, o.start_line, o.end_line,
              o.start_byte, o.end_byte, o.blob, o.commit_id, o.message, o.snippet, o.is_new, o.score, first_seen,
              seen, std::string(core::to_string(o.origin)))
        .run();
    id = m_db.last_insert_rowid();
    o.status = core::Status::open;
    result = UpsertResult::inserted;
  } else if (known->status == core::Status::open || known->status == core::Status::stale ||
             known->status == core::Status::resolved) {
    id = known->id;
    first_seen = known->first_seen;
    const bool reopened = known->status == core::Status::resolved;
    const bool is_new = reopened ? o.is_new : (known->is_new || o.is_new);
    m_db.query("UPDATE opportunities SET rule_id = ?, category = ?, severity = ?, safety = ?, path = ?, "
               "start_line = ?, end_line = ?, start_byte = ?, end_byte = ?, blob = ?, commit_id = ?, message = ?, "
               "snippet = ?, status = 'open', is_new = ?, score = ?, last_seen = ?, resolved_in = NULL, origin = ? "
               "WHERE id = ?")
        .bind(o.rule_id, o.category, o.severity, o.safety, o.path, o.start_line, o.end_line, o.start_byte,
              o.end_byte, o.blob, o.commit_id, o.message, o.snippet, is_new, o.score, seen,
              std::string(core::to_string(o.origin)), id)
        .run();
    o.status = core::Status::open;
    o.is_new = is_new;
    result = reopened ? UpsertResult::reopened : UpsertResult::updated;
  } else {
    // A decision was made about it: leave the row as it is and tell the caller what it holds.
    const Opportunity kept = *find(known->id);
    o.status = kept.status;
    o.is_new = kept.is_new;
    o.first_seen = kept.first_seen;
    o.last_seen = kept.last_seen;
    o.id = kept.id;
    if (transaction)
      transaction->commit();
    return UpsertResult::kept;
  }

  if (!o.commit_id.empty())
    record_sighting(id, o.commit_id, true);
  if (transaction)
    transaction->commit();
  o.id = id;
  o.first_seen = first_seen;
  o.last_seen = seen;
  return result;
}

int Opportunities::resolve_absent(const std::string& path, const std::vector<std::string>& present_fingerprints,
                                  const std::string& commit_id, const std::function<bool(int64_t)>& alive_elsewhere,
                                  const ResolveScope& scope) {
  // The set difference is taken here rather than in SQL: a file can have more findings than SQLite
  // accepts parameters, and there are few open rows per path.
  const std::set<std::string, std::less<>> present(present_fingerprints.begin(), present_fingerprints.end());
  auto transaction = m_db.begin_unless_in_transaction();
  std::vector<int64_t> gone;
  {
    db::Statement q = m_db.query(
        "SELECT id, fingerprint, origin, rule_id FROM opportunities WHERE path = ? AND status IN ('open', 'stale')");
    q.bind(path);
    const std::string provider_origin(core::to_string(core::Origin::provider));
    const std::string provider_prefix = scope.provider + "/";
    while (q.next()) {
      const bool of_provider = q.text(2) == provider_origin;
      const bool judged = scope.kind == ResolveScope::Kind::all ||
                          (scope.kind == ResolveScope::Kind::not_providers && !of_provider) ||
                          (scope.kind == ResolveScope::Kind::provider && of_provider &&
                           q.text(3).compare(0, provider_prefix.size(), provider_prefix) == 0);
      if (judged && !present.count(q.text(1)))
        gone.push_back(q.int64(0));
    }
  }
  int resolved = 0;
  for (const int64_t id : gone) {
    if (!commit_id.empty())
      record_sighting(id, commit_id, false);
    // Still there on another line of history (a branch that does not have this commit): it stays open.
    if (alive_elsewhere && alive_elsewhere(id))
      continue;
    m_db.query("UPDATE opportunities SET status = 'resolved', resolved_in = ? WHERE id = ?").bind(commit_id, id).run();
    ++resolved;
  }
  if (transaction)
    transaction->commit();
  return resolved;
}

void Opportunities::record_sighting(int64_t opportunity_id, const std::string& commit_id, bool present) {
  m_db.query("INSERT OR REPLACE INTO sightings (opportunity_id, commit_id, present) VALUES (?, ?, ?)")
      .bind(opportunity_id, commit_id, present ? 1 : 0)
      .run();
}

std::vector<Sighting> Opportunities::sightings(int64_t opportunity_id) const {
  db::Statement q = m_db.query("SELECT " + sighting_row().columns() + " FROM sightings WHERE opportunity_id = ?");
  q.bind(opportunity_id);
  return sighting_row().all(q);
}

bool Opportunities::set_status(int64_t id, core::Status status) {
  m_db.query("UPDATE opportunities SET status = ? WHERE id = ?").bind(std::string(core::to_string(status)), id).run();
  return m_db.changes() > 0;
}

std::vector<int64_t> Opportunities::reopen(const std::vector<int64_t>& ids) {
  auto transaction = m_db.begin_unless_in_transaction();
  std::vector<int64_t> reopened;
  for (int64_t id : ids) {
    m_db.query("UPDATE opportunities SET status = 'open' WHERE id = ? AND status IN ('failed', 'stale')").bind(id).run();
    if (m_db.changes() > 0)
      reopened.push_back(id);
  }
  if (transaction)
    transaction->commit();
  return reopened;
}

std::vector<Opportunity> Opportunities::list(const OpportunityFilter& filter) const {
  // Only the conditions in use go into the SQL so that the indexes apply; each combination is its
  // own cached statement (at most 16).
  std::string sql = select_opportunities() + " WHERE 1";
  std::vector<std::string> values;
  auto name_of = [](const auto& kind) {
    return kind ? std::optional<std::string>(core::to_string(*kind)) : std::nullopt;
  };
  const std::optional<std::string> status = name_of(filter.status), category = name_of(filter.category);
  const std::pair<const std::optional<std::string>*, const char*> conditions[] = {
      {&status, "status"}, {&filter.path, "path"}, {&filter.rule_id, "rule_id"}, {&category, "category"}};
  for (const auto& [value, column] : conditions) {
    if (*value) {
      sql += std::string(" AND ") + column + " = ?";
      values.push_back(**value);
    }
  }
  sql += " ORDER BY score DESC, id ASC LIMIT ?";

  db::Statement q = m_db.query(sql);
  int index = 0;
  for (const auto& value : values)
    q.bind_at(++index, value);
  q.bind_at(++index, filter.limit ? static_cast<int64_t>(filter.limit) : int64_t{-1}); // -1: no limit
  return opportunity_row().all(q);
}

std::optional<Opportunity> Opportunities::find(int64_t id) const {
  db::Statement q = m_db.query(select_opportunities() + " WHERE id = ?");
  q.bind(id);
  return opportunity_row().first(q);
}

std::map<std::string, int64_t> Opportunities::count_by_status() const {
  std::map<std::string, int64_t> counts;
  db::Statement q = m_db.query("SELECT status, count(*) FROM opportunities GROUP BY status");
  while (q.next())
    counts[q.text(0)] = q.int64(1);
  return counts;
}

std::map<std::string, OpenFindings> Opportunities::open_findings_by_rule() const {
  std::map<std::string, OpenFindings> out;
  db::Statement q = m_db.query(R"sql(
SELECT rule_id, count(*) FROM opportunities WHERE status IN ('open', 'stale')
GROUP BY rule_id, commit_id)sql");
  while (q.next()) {
    OpenFindings& f = out[q.text(0)];
    f.open += q.int64(1);
    f.most_in_one_commit = std::max(f.most_in_one_commit, q.int64(1));
  }
  return out;
}

} // namespace queue
