#pragma once
// What the loop learns from: people's verdicts on its fixes (table verdicts), each rule's learnt state
// (rule_stats), and the changes of strategy it made by itself (strategy_changes).

#include "core/kinds.hpp"
#include "queue/db.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace queue {

// A person's (or a revert's) verdict on a fix: accepted, rejected or reverted.
struct Verdict {
  int64_t id = 0, opportunity_id = 0;
  std::string verdict, reason, commit_id;
  int64_t created_at = 0; // unix seconds
  bool bulk = false;      // accepted in bulk (Store::record_verdict)
};

// What verdicts and attempts say about one rule since its last reset (`git autoloop rules --reset`).
// state: learning, trusted, quarantined ("" when never set).
struct RuleFeedback {
  std::string rule_id;
  std::optional<core::Category> category; // of its findings (none when the queue's name is unknown)
  std::string state;
  int64_t reset_at = 0;          // unix seconds; 0 = never reset
  int proposed = 0;              // distinct findings that got a fix commit on a side branch
  int pending = 0;               // of those, fix commits waiting for review now
  int accepted = 0, rejected = 0, reverted = 0;
  int bulk_accepted = 0;         // of the accepted, those accepted in bulk (Store::record_verdict)
  int validation_failures = 0;   // attempts refused by a gate (size, re-parse, tests, ...)
  int fixed_by_human = 0;        // open findings that disappeared in a commit autoloop did not make
  std::map<std::string, int> reject_reasons;
};

// A change of strategy the loop made by itself, with its reason: a category multiplier moved, a rule
// was quarantined or trusted. subject: "category:<name>" or "rule:<id>".
struct StrategyChange {
  int64_t created_at = 0; // unix seconds; 0 on record means "now"
  std::string subject;
  double old_value = 0, new_value = 0;
  std::string reason;
};

// The verdicts, rule_stats and strategy_changes tables of one connection (rule_feedback also reads
// attempts and opportunities). Store's methods of the same names delegate here (store.hpp documents
// them); every method throws queue::Error.
class Feedback {
public:
  explicit Feedback(db::Connection& db) noexcept : m_db(db) {}

  void record_verdict(int64_t opportunity_id, const std::string& verdict, const std::string& reason,
                      const std::string& commit_id, bool bulk);
  std::vector<Verdict> verdicts() const;
  std::vector<RuleFeedback> rule_feedback() const;
  void set_rule_state(const std::string& rule_id, const std::string& state);
  void reset_rule(const std::string& rule_id);
  void record_strategy_change(const StrategyChange& change);
  std::vector<StrategyChange> strategy_changes(size_t limit) const;

private:
  db::Connection& m_db;
};

} // namespace queue
