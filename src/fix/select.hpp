#pragma once
// Selection and scoring (docs/ARCHITECTURE.md §2, ImprovementEngine): which queued opportunities a drain cycle tries,
// in which order. Pure functions over plain values, so the policy is tested without a repository.

#include "core/config.hpp"
#include "queue/store.hpp"
#include "scan/rule.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace fix {

struct PriorityInputs {
  double base = 0;     // base_of(): category priority lifted by severity, from the priorities in force
  double learnt = 1;   // the rule's acceptance posterior x its category multiplier (feedback::Learnt)
  double age_days = 0; // since the finding was first seen
  double risk = 0;     // 0..1, fix::risk_estimate before deriving
};

// The base of a finding's priority, computed when the drain selects, so that a change of
// improvement_priorities re-ranks what is already queued: core::base_score of its category and
// severity (the seed's category order holds across severities), or, for a request a person made
// (`improve`), the score it was queued with (first in line). Does not throw.
double base_of(const queue::Opportunity& o, const core::ImprovementPriorities& priorities);

// Score = base x learnt x age bonus x (1 - risk / 2). The age bonus grows without bound (one more
// unit for every 7 days), so a low-priority finding overtakes fresher, higher ones in the end and
// nothing starves. Does not throw.
double priority(const PriorityInputs& in);

// The lines a fix may touch in one file (1-based, inclusive).
struct Claim {
  std::string path;
  int first = 0, last = 0;
  bool overlaps(const Claim& other) const { return path == other.path && first <= other.last && other.first <= last; }
};

struct Candidate {
  int64_t id = 0;
  std::string rule_id;
  Claim claim;
};

// Orders candidates (given best first) for one cycle that will keep at most `max_new`:
//  1. A candidate whose claim overlaps one in `taken` (fixes already on the side branch) or one chosen
//     before it is left for a later cycle: conflicting fixes are serialised across cycles.
//  2. Each rule gets at most max(1, ceil(max_new / 2)) of the first places while other rules have
//     candidates, so one prolific rule cannot crowd out the rest; the overflow follows, in order.
// Returns the ids in the order to try them. Does not throw.
std::vector<int64_t> arrange(const std::vector<Candidate>& candidates, const std::vector<Claim>& taken, int max_new);

// Whether safety_level `level` commits a fix of safety `safety`: safe ones always, unsafe ones at medium
// and low, suggestions never. Does not throw.
bool safety_allows(core::SafetyLevel level, core::Safety safety);

// What the cycle can run, for the selection.
struct SelectionPolicy {
  bool has_work_tree = true;       // `improve` requests and generators need one
  bool generator_ready = false;    // generator.fixer is set and its command may run
  bool tests_configured = false;   // test_command is set
  bool tests_trusted = false;      // ... and trusted
  bool run_tests = false;          // ... and there is a work tree to run it in
};

// The selection of one cycle: the findings it may try, and how many wait, by reason (for `status`).
struct Selection {
  std::vector<queue::Opportunity> eligible; // in the order given; each one's safety the stricter of its rule's
                                            // and its own
  int suggestions = 0;     // suggest-only findings at safety_level low (reported, never committed)
  int quarantined = 0;     // findings of quarantined rules
  int untrusted_rules = 0; // findings of repository rules `trust` does not cover
  int unsafe_held = 0;     // unsafe fixes with no tests that can run
  int offers = 0;          // findings offered to the generator this cycle (at most generator.max_per_cycle)
  int offers_held = 0;     // findings for the generator kept back (no generator ready, or safety_level high)
  int level_held = 0;      // unsafe fixes safety_level high does not commit
  int suggest_only = 0;    // findings no rule can fix (suggestions, at every safety_level)
  int rules_off = 0;       // findings of rules that are off now
};

// What a cycle that proposed no new fix knew besides the selection.
struct IdleFacts {
  size_t open = 0;            // open findings of the branch
  int untrusted_tests = 0;    // fixes held because test_command is not trusted
  int max_new = 1;            // new fixes the cycle was allowed
  bool overlapping = false;   // eligible fixes waited behind overlapping fixes on the side branch
};

// Why a cycle proposed nothing, one short line per reason with what to do about it, largest first
// ("12 findings need safety_level: medium (it is high)"); "no open findings" when there were none. Does
// not throw but for allocation.
std::vector<std::string> idle_reasons(const Selection& selection, const core::Config& config, const IdleFacts& facts);

// Which of the `open` findings (best first) a cycle may try, by the rules (`rules`: id → rule), the
// configuration (safety_level, generator), the verdicts (`quarantined`) and what can run (`policy`):
//  1. An `improve` request: always, with a work tree (a person asked for it).
//  2. A finding offered to the generator (fix/generator.hpp): unless quarantined, while a generator is
//     ready and safety_level allows unsafe changes, at most generator.max_per_cycle.
//  3. A finding of a rule with a fix template: its rule on and trusted, not quarantined, its safety
//     allowed by safety_level, and an unsafe one only with tests that can run (or an untrusted
//     test_command, which the cycle records as the reason).
// Does not throw but for allocation.
Selection select_eligible(const std::vector<queue::Opportunity>& open, const std::map<std::string, const scan::Rule*>& rules,
                          const core::Config& config, const std::function<bool(const std::string& rule)>& quarantined,
                          const SelectionPolicy& policy);

} // namespace fix
