#pragma once
// The one runner for rule data: every rule's valid/invalid/fixed cases (DESIGN.md §5), for the
// built-in rules and for a user's rules alike. A new case needs no new C++.

#include "scan/engine.hpp"

#include <string>
#include <vector>

namespace scan {

struct RuleTestResult {
  std::string rule_id;
  std::string source;
  int cases = 0;
  std::vector<std::string> failures;   // one line each: what was expected and what happened
};

// Runs the cases of every enabled rule in `rules` against each of its languages. A rule without any
// case fails (a rule nobody tested is not done).
std::vector<RuleTestResult> test_rules(const std::vector<Rule>& rules);

} // namespace scan
