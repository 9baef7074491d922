#pragma once
// Selection and scoring (DESIGN.md §2, ImprovementEngine): which queued opportunities a drain cycle tries,
// in which order. Pure functions over plain values, so the policy is tested without a repository.

#include <cstdint>
#include <string>
#include <vector>

namespace fix {

struct PriorityInputs {
  double base = 0;     // category priority x severity, stored with the finding
  double learnt = 1;   // the rule's acceptance posterior x its category multiplier (feedback::Learnt)
  double age_days = 0; // since the finding was first seen
  double risk = 0;     // 0..1, fix::risk_estimate before deriving
};

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

} // namespace fix
