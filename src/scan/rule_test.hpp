#pragma once
// The one runner for rule data: every rule's valid/invalid/fixed cases (docs/ARCHITECTURE.md §5), for the
// built-in rules and for a user's rules alike. A new case needs no new C++.

#include "scan/engine.hpp"

#include <functional>
#include <map>
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

// What a language's own check says of one fix (fix/native_check.hpp answers it; scan does not run tools).
struct FixCheckOutcome {
  bool ran = false;             // false: no check for the language here (`detail` says why)
  bool ok = true;               // false: the fixed text has a diagnostic the original had not (`detail`)
  bool original_clean = false;  // the original had no diagnostic at all
  std::string detail;
};
using FixCheck = std::function<FixCheckOutcome(const std::string& language, const std::string& path,
                                               const std::string& before, const std::string& after)>;

// The fix-validity run (issue 13): every invalid case of every enabled rule with a fix is fixed as the
// drain would fix it (findings that are only suggestions are not), and `check` judges the fixed text
// against the case. The numbers say how much was checked: a case whose language has no check here is
// counted under `unchecked`, never as a pass.
struct FixValidity {
  int fixed = 0;                              // cases fixed
  int checked = 0;                            // of those, judged by a check
  int clean = 0;                              // of those, whose original had no diagnostic (a strict pass)
  std::map<std::string, int> checked_by_language;
  std::map<std::string, int> unchecked;       // why not -> cases
  std::vector<std::string> failures;          // "rule [language]: `case` -> `fixed`: what the check says"
};
FixValidity check_fixes(const std::vector<Rule>& rules, const FixCheck& check);

} // namespace scan
