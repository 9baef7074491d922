#pragma once
// The findings the loop tracks (table opportunities) and where each was seen (table sightings).

#include "core/kinds.hpp"
#include "queue/db.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace queue {

// One finding of a rule, tracked across commits by its fingerprint.
struct Opportunity {
  int64_t id = 0;
  std::string fingerprint, rule_id;
  core::Category category = core::Category::code_quality;
  std::string severity;
  core::Safety safety = core::Safety::suggest;
  std::string path;
  int start_line = 0, end_line = 0;
  int64_t start_byte = 0, end_byte = 0;
  std::string blob, commit_id, message, snippet;
  core::Status status = core::Status::open;
  bool is_new = false; // on lines the commit touched
  double score = 0;
  int64_t first_seen = 0, last_seen = 0; // unix seconds; 0 on upsert means "now"
  std::string resolved_in;               // commit where it disappeared; empty unless resolved
  core::Origin origin = core::Origin::rule; // where it came from: a rule, a repository's rule, a person's
                                            // request to a generator (`improve`), a provider
};

// A commit where an opportunity was looked for: present (seen there) or not (found gone there).
struct Sighting {
  std::string commit_id;
  bool present = true;
};

// Which opportunities to list; unset fields match everything, limit 0 means no limit.
struct OpportunityFilter {
  std::optional<core::Status> status;
  std::optional<std::string> path, rule_id;
  std::optional<core::Category> category;
  size_t limit = 0;
};

// Which open rows a resolve_absent call judges: a scan judges only what it looked for. The built-in
// scan of a file judges every row but the providers' (a provider runs after it, or at the drain); a
// provider's run judges its own rows; a deleted file ends them all.
struct ResolveScope {
  enum class Kind { all, not_providers, provider };
  Kind kind = Kind::all;
  std::string provider; // Kind::provider: rows of origin provider whose rule id starts with "<provider>/"
};

// What upsert_opportunity did with a finding.
enum class UpsertResult { inserted, updated, reopened, kept };

// Per rule: open findings (open or stale), and the most of them that one commit's scan found.
struct OpenFindings {
  int64_t open = 0;
  int64_t most_in_one_commit = 0;
};

// The opportunities and sightings tables of one connection. Store's methods of the same names delegate
// here (store.hpp documents them); every method throws queue::Error.
class Opportunities {
public:
  explicit Opportunities(db::Connection& db) noexcept : m_db(db) {}

  UpsertResult upsert(Opportunity& o);
  int resolve_absent(const std::string& path, const std::vector<std::string>& present_fingerprints,
                     const std::string& commit_id, const std::function<bool(int64_t)>& alive_elsewhere,
                     const ResolveScope& scope = {});
  void record_sighting(int64_t opportunity_id, const std::string& commit_id, bool present);
  std::vector<Sighting> sightings(int64_t opportunity_id) const;
  bool set_status(int64_t id, core::Status status);
  std::vector<int64_t> reopen(const std::vector<int64_t>& ids);
  std::vector<Opportunity> list(const OpportunityFilter& filter) const;
  std::optional<Opportunity> find(int64_t id) const;
  std::map<std::string, int64_t> count_by_status() const;
  std::map<std::string, OpenFindings> open_findings_by_rule() const;

private:
  db::Connection& m_db;
};

} // namespace queue
