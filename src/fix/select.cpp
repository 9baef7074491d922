#include "fix/select.hpp"

#include "core/score.hpp"
#include "fix/generator.hpp"
#include "providers/enabled.hpp"

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
  // Half of the cycle's places, rounded up, for any one rule; written so that an unbounded cycle
  // (INT_MAX) does not overflow.
  const int cap = std::max(1, max_new / 2 + max_new % 2);
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

bool safety_allows(core::SafetyLevel level, core::Safety safety) {
  switch (safety) {
  case core::Safety::safe: return true;
  case core::Safety::unsafe: return level != core::SafetyLevel::high;
  case core::Safety::suggest: return false; // suggestions are never committed
  }
  return false;
}

namespace {

// The last steps every fixable finding goes through, whatever derives its fix: its safety allowed by
// safety_level, and a fix that is not semantics-preserving only with tests that can run (or a
// test_command that waits for trust, which the test gate then reports). Counts why it waits otherwise.
void admit(const queue::Opportunity& o, core::SafetyLevel level, const SelectionPolicy& policy, Selection& s) {
  if (!safety_allows(level, o.safety)) {
    if (level == core::SafetyLevel::low && o.safety == core::Safety::suggest) ++s.suggestions;
    ++(o.safety == core::Safety::unsafe ? s.level_held : s.suggest_only);
  } else if (o.safety != core::Safety::safe && !policy.run_tests && !(policy.tests_configured && !policy.tests_trusted)) {
    ++s.unsafe_held; // not semantics-preserving and nothing to test it with: it waits (status says why)
  } else {
    s.eligible.push_back(o);
  }
}

// A provider's finding: its provider enabled and its rule on (rules.disable/enable, by id or prefix),
// not quarantined, its fix's applicability (its safety) allowed by safety_level, an unsafe one only
// with tests that can run; as policy 3 for a rule's.
void select_provider_finding(const queue::Opportunity& o, const core::Config& config,
                             const std::function<bool(const std::string& rule)>& quarantined,
                             const SelectionPolicy& policy, Selection& s) {
  const std::string provider = o.rule_id.substr(0, o.rule_id.find('/'));
  const bool enabled = std::find(config.providers.begin(), config.providers.end(), provider) != config.providers.end();
  if (!enabled || !providers::provider_rule_enabled(config, o.rule_id)) {
    ++s.rules_off;
  } else if (quarantined(o.rule_id)) {
    ++s.quarantined;
  } else {
    admit(o, config.autonomous_loop.safety_level, policy, s);
  }
}

} // namespace

Selection select_eligible(const std::vector<queue::Opportunity>& open, const std::map<std::string, const scan::Rule*>& rules,
                          const core::Config& config, const std::function<bool(const std::string& rule)>& quarantined,
                          const SelectionPolicy& policy) {
  Selection s;
  const core::SafetyLevel level = config.autonomous_loop.safety_level;
  for (queue::Opportunity o : open) {
    if (is_improve_request(o)) {
      // Asked for by a person: allowed at every safety level, always through the tests when set.
      if (policy.has_work_tree) s.eligible.push_back(o);
      continue;
    }
    if (o.origin == core::Origin::provider) {
      select_provider_finding(o, config, quarantined, policy, s);
      continue;
    }
    auto r = rules.find(o.rule_id);
    const scan::Rule* rule = r == rules.end() ? nullptr : r->second;
    if (offered(config, o, rule)) {
      // A suggestion no template can make, for the generator: its change is unsafe (it needs tests
      // that run and safety_level medium or low), at most generator.max_per_cycle of them a cycle.
      if (quarantined(o.rule_id)) {
        ++s.quarantined;
      } else if (!policy.generator_ready || !safety_allows(level, core::Safety::unsafe)) {
        ++s.offers_held;
      } else if (s.offers < config.generator.max_per_cycle) {
        ++s.offers;
        s.eligible.push_back(o);
      }
      continue;
    }
    if (!rule || !rule->enabled || rule->fix.empty()) {
      if (level == core::SafetyLevel::low && rule && rule->safety == core::Safety::suggest) ++s.suggestions;
      ++(rule && !rule->enabled ? s.rules_off : s.suggest_only);
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
    o.safety = core::stricter(rule->safety, o.safety); // a finding whose type assumption is unestablished stays a suggestion
    admit(o, level, policy, s);
  }
  return s;
}

namespace {
std::string findings(int n) { return std::to_string(n) + (n == 1 ? " finding" : " findings"); }
std::string fixes(int n) { return std::to_string(n) + (n == 1 ? " fix" : " fixes"); }
std::string need(int n) { return n == 1 ? " needs" : " need"; }
} // namespace

std::vector<std::string> idle_reasons(const Selection& s, const core::Config& config, const IdleFacts& facts) {
  if (facts.open == 0) return {"no open findings on this branch"};
  if (facts.max_new <= 0) return {"this cycle may add no fix (max_improvements_per_cycle or --max is 0)"};
  std::vector<std::pair<int, std::string>> reasons;
  auto add = [&](int n, std::string why) {
    if (n > 0) reasons.emplace_back(n, std::move(why));
  };
  add(s.level_held, findings(s.level_held) + need(s.level_held) + " safety_level: medium (it is " +
                        std::string(core::to_string(config.autonomous_loop.safety_level)) + ")");
  add(s.suggest_only, findings(s.suggest_only) + (s.suggest_only == 1 ? " is a suggestion" : " are suggestions") +
                          " only: no rule fixes " + (s.suggest_only == 1 ? "it" : "them") + " automatically");
  add(s.untrusted_rules, findings(s.untrusted_rules) + " of untrusted repository rules: read them, then "
                                                       "`git autoloop trust`");
  add(s.quarantined, findings(s.quarantined) + " of quarantined rules (too often rejected; `git autoloop rules`)");
  add(s.unsafe_held, fixes(s.unsafe_held) + need(s.unsafe_held) + " tests that run: set test_command" +
                         (config.test_command.empty() ? "" : " (and a work tree to run it in)"));
  add(facts.untrusted_tests, fixes(facts.untrusted_tests) + need(facts.untrusted_tests) + " test_command, which is not trusted: read "
                                                            ".autoloop.yml, then `git autoloop trust`");
  add(s.offers_held, findings(s.offers_held) + " wait for the generator (`git autoloop status` says why)");
  add(s.rules_off, findings(s.rules_off) + " of rules that are off");
  std::stable_sort(reasons.begin(), reasons.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<std::string> out;
  for (auto& r : reasons) out.push_back(std::move(r.second));
  if (facts.overlapping)
    out.push_back("the fixable findings overlap fixes waiting for review: `git autoloop review` first");
  if (out.empty()) out.push_back(findings(static_cast<int>(facts.open)) + " open, none fixable now");
  return out;
}

} // namespace fix
