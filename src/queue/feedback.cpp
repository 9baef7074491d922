#include "queue/feedback.hpp"

#include "queue/row.hpp"
#include "queue/stored.hpp"

#include <utility>

namespace queue {

void Feedback::record_verdict(int64_t opportunity_id, const std::string& verdict, const std::string& reason,
                              const std::string& commit_id, bool bulk) {
  m_db.query("INSERT INTO verdicts (opportunity_id, verdict, reason, commit_id, created_at, bulk) "
             "VALUES (?, ?, ?, ?, ?, ?)")
      .bind(opportunity_id, verdict, stored::null_if_empty(reason), stored::null_if_empty(commit_id),
            stored::now_unix(), int64_t{bulk ? 1 : 0})
      .run();
}

std::vector<Verdict> Feedback::verdicts() const {
  static const db::RowMap<Verdict> row = db::RowMap<Verdict>("verdict", &Verdict::id)
                                             .column("id", &Verdict::id)
                                             .column("opportunity_id", &Verdict::opportunity_id)
                                             .column("verdict", &Verdict::verdict)
                                             .column("COALESCE(reason, '')", &Verdict::reason)
                                             .column("COALESCE(commit_id, '')", &Verdict::commit_id)
                                             .column("created_at", &Verdict::created_at)
                                             .column("bulk", &Verdict::bulk);
  db::Statement q = m_db.query("SELECT " + row.columns() + " FROM verdicts ORDER BY created_at, id");
  return row.all(q);
}

std::vector<RuleFeedback> Feedback::rule_feedback() const {
  std::map<std::string, RuleFeedback> by_rule;
  auto entry = [&](const std::string& rule_id) -> RuleFeedback& {
    RuleFeedback& f = by_rule[rule_id];
    f.rule_id = rule_id;
    return f;
  };
  {
    db::Statement q = m_db.query("SELECT rule_id, state, reset_at FROM rule_stats");
    while (q.next()) {
      RuleFeedback& f = entry(q.text(0));
      f.state = q.text(1);
      f.reset_at = q.int64(2);
    }
  }
  // Each count only looks at what happened after the rule's last reset.
  {
    db::Statement q = m_db.query(R"sql(
SELECT o.rule_id, o.category,
       count(DISTINCT CASE WHEN a.side_commit IS NOT NULL AND a.outcome NOT IN ('reverted', 'rejected', 'rolled_back')
                           THEN a.opportunity_id END),
       count(DISTINCT CASE WHEN a.outcome = 'applied' AND o.status = 'applied' THEN a.opportunity_id END),
       count(CASE WHEN a.outcome IN ('too_large', 'destructive', 'reparse_error', 'check_failed', 'line_endings',
                                     'tests_failed', 'conflict', 'no_fix') THEN 1 END)
FROM attempts a JOIN opportunities o ON o.id = a.opportunity_id
LEFT JOIN rule_stats s ON s.rule_id = o.rule_id
WHERE a.created_at >= coalesce(s.reset_at, 0)
GROUP BY o.rule_id)sql");
    while (q.next()) {
      RuleFeedback& f = entry(q.text(0));
      f.category = core::parse<core::Category>(q.text(1));
      f.proposed = q.integer(2);
      f.pending = q.integer(3);
      f.validation_failures = q.integer(4);
    }
  }
  {
    db::Statement q = m_db.query(R"sql(
SELECT o.rule_id, o.category, v.verdict, coalesce(v.reason, ''), count(*), sum(v.bulk)
FROM verdicts v JOIN opportunities o ON o.id = v.opportunity_id
LEFT JOIN rule_stats s ON s.rule_id = o.rule_id
WHERE v.created_at >= coalesce(s.reset_at, 0)
GROUP BY o.rule_id, v.verdict, coalesce(v.reason, ''))sql");
    while (q.next()) {
      RuleFeedback& f = entry(q.text(0));
      if (!f.category) f.category = core::parse<core::Category>(q.text(1));
      const std::string verdict = q.text(2);
      const int n = q.integer(4);
      if (verdict == "accepted") {
        f.accepted += n;
        f.bulk_accepted += q.integer(5);
      } else if (verdict == "reverted") f.reverted += n;
      else if (verdict == "rejected") {
        f.rejected += n;
        if (!q.text(3).empty()) f.reject_reasons[q.text(3)] += n;
      }
    }
  }
  {
    // A finding that disappeared in a commit autoloop did not make: a person fixed it (or removed the code).
    db::Statement q = m_db.query(R"sql(
SELECT o.rule_id, o.category, count(*)
FROM opportunities o LEFT JOIN rule_stats s ON s.rule_id = o.rule_id
WHERE o.status = 'resolved' AND o.last_seen >= coalesce(s.reset_at, 0)
GROUP BY o.rule_id)sql");
    while (q.next()) {
      RuleFeedback& f = entry(q.text(0));
      if (!f.category) f.category = core::parse<core::Category>(q.text(1));
      f.fixed_by_human = q.integer(2);
    }
  }
  std::vector<RuleFeedback> out;
  for (auto& [id, f] : by_rule) out.push_back(std::move(f));
  return out;
}

void Feedback::set_rule_state(const std::string& rule_id, const std::string& state) {
  m_db.query(R"sql(
INSERT INTO rule_stats (rule_id, state, changed_at) VALUES (?, ?, ?)
ON CONFLICT (rule_id) DO UPDATE SET state = excluded.state, changed_at = excluded.changed_at)sql")
      .bind(rule_id, state, stored::now_unix())
      .run();
}

void Feedback::reset_rule(const std::string& rule_id) {
  // reset_at is one second past now: counts use >=, and this second's events are the ones reset.
  m_db.query(R"sql(
INSERT INTO rule_stats (rule_id, state, changed_at, reset_at) VALUES (?, 'learning', ?, ?)
ON CONFLICT (rule_id) DO UPDATE SET state = 'learning', changed_at = excluded.changed_at,
                                    reset_at = excluded.reset_at)sql")
      .bind(rule_id, stored::now_unix(), stored::now_unix() + 1)
      .run();
}

void Feedback::record_strategy_change(const StrategyChange& change) {
  m_db.query("INSERT INTO strategy_changes (created_at, subject, old_value, new_value, reason) VALUES (?, ?, ?, ?, ?)")
      .bind(change.created_at ? change.created_at : stored::now_unix(), change.subject, change.old_value,
            change.new_value, change.reason)
      .run();
}

std::vector<StrategyChange> Feedback::strategy_changes(size_t limit) const {
  static const db::RowMap<StrategyChange> row = db::RowMap<StrategyChange>("strategy change")
                                                    .column("created_at", &StrategyChange::created_at)
                                                    .column("subject", &StrategyChange::subject)
                                                    .column("old_value", &StrategyChange::old_value)
                                                    .column("new_value", &StrategyChange::new_value)
                                                    .column("reason", &StrategyChange::reason);
  db::Statement q = m_db.query("SELECT " + row.columns() + " FROM strategy_changes ORDER BY id DESC LIMIT ?");
  q.bind(limit ? static_cast<int64_t>(limit) : int64_t{-1});
  return row.all(q);
}

} // namespace queue
