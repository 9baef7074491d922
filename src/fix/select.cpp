#include "fix/select.hpp"

#include <algorithm>
#include <map>

namespace fix {

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

} // namespace fix
