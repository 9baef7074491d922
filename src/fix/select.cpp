#include "fix/select.hpp"

#include "core/score.hpp"
#include "fix/generator.hpp"

#include <algorithm>
#include <map>

namespace fix {

double base_of(const queue::Opportunity& o, const core::ImprovementPriorities& priorities) {
  if (is_improve_request(o)) return o.score;
  return core::base_score(priorities, o.category, o.severity);
}

double priority(const PriorityInputs& in) {
  const double age_bonus = 1.0 + std::max(0.0, in.age_days) / 7.0;
  const double risk = std::min(1.0, std::max(0.0, in.risk));
  return in.base * in.learnt * age_bonus * (1.0 - risk / 2);
}

std::vector<int64_t> arrange(const std::vector<Candidate>& candidates, const std::vector<Claim>& taken, int max_new) {
  const int cap = std::max(1, (max_new + 1) / 2);
  std::vector<Claim> claimed = taken;
  auto conflicts = [&](const Claim& c) {
    return std::any_of(claimed.begin(), claimed.end(), [&](const Claim& t) { return t.overlaps(c); });
  };
  std::map<std::string, int> per_rule;
  std::vector<int64_t> first;
  std::vector<const Candidate*> overflow;
  for (const auto& c : candidates) {
    if (conflicts(c.claim)) continue;
    if (per_rule[c.rule_id] >= cap) {
      overflow.push_back(&c);
      continue;
    }
    ++per_rule[c.rule_id];
    claimed.push_back(c.claim);
    first.push_back(c.id);
  }
  for (const Candidate* c : overflow) {
    if (conflicts(c->claim)) continue;
    claimed.push_back(c->claim);
    first.push_back(c->id);
  }
  return first;
}

bool safety_allows(const std::string& level, const std::string& safety) {
  const std::optional<core::Safety> s = core::parse<core::Safety>(safety);
  const std::optional<core::SafetyLevel> l = core::parse<core::SafetyLevel>(level);
  if (s == core::Safety::safe) return true;
  if (s == core::Safety::unsafe) return l == core::SafetyLevel::medium || l == core::SafetyLevel::low;
  return false; // suggestions are never committed
}

Selection select_eligible(const std::vector<queue::Opportunity>& open, const std::map<std::string, const scan::Rule*>& rules,
                          const core::Config& config, const std::function<bool(const std::string& rule)>& quarantined,
                          const SelectionPolicy& policy) {
  Selection s;
  const std::string& level = config.autonomous_loop.safety_level;
  for (queue::Opportunity o : open) {
    if (is_improve_request(o)) {
      // Asked for by a person: allowed at every safety level, always through the tests when set.
      if (policy.has_work_tree) s.eligible.push_back(o);
      continue;
    }
    auto r = rules.find(o.rule_id);
    const scan::Rule* rule = r == rules.end() ? nullptr : r->second;
    if (offered(config, o, rule)) {
      // A suggestion no template can make, for the generator: its change is unsafe (it needs tests
      // that run and safety_level medium or low), at most generator.max_per_cycle of them a cycle.
      if (quarantined(o.rule_id)) {
        ++s.quarantined;
      } else if (!policy.generator_ready || !safety_allows(level, "unsafe")) {
        ++s.offers_held;
      } else if (s.offers < config.generator.max_per_cycle) {
        ++s.offers;
        s.eligible.push_back(o);
      }
      continue;
    }
    if (!rule || !rule->enabled || rule->fix.empty()) {
      if (level == "low" && rule && rule->safety == "suggest") ++s.suggestions;
      continue;
    }
    if (!rule->trusted) {
      ++s.untrusted_rules; // a repository rule `trust` does not cover: scanned and reported, never fixed
      continue;
    }
    if (quarantined(o.rule_id)) {
      ++s.quarantined; // still in the queue and in reports; never applied
      continue;
    }
    o.safety = scan::stricter_safety(rule->safety, o.safety); // a finding whose type assumption is unestablished stays a suggestion
    if (!safety_allows(level, o.safety)) continue;
    if (o.safety != "safe" && !policy.run_tests && !(policy.tests_configured && !policy.tests_trusted)) {
      ++s.unsafe_held; // not semantics-preserving and nothing to test it with: it waits (status says why)
      continue;
    }
    s.eligible.push_back(o);
  }
  return s;
}

} // namespace fix
