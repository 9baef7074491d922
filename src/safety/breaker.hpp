#pragma once
// The circuit breaker's decision (docs/ARCHITECTURE.md §6 rollback_threshold, §7.10 "one failure never stops the loop
// by itself"): it judges a window of recent attempts, not one cycle. Pure, so the policy is tested on values.
//
// Policy:
//  1. An attempt is a new fix a cycle judged: it passed every gate (success) or one refused it (failure).
//     Fixes left untested, carried over from an earlier cycle, or whose finding was gone are not attempts.
//  2. The window is the latest `window` attempts, newest cycle first, since the breaker last tripped (a
//     resume starts afresh). Inside one cycle the order is not known: its failures count as the newer ones
//     (the breaker errs on the side of caution).
//  3. It trips only when the window holds at least `min_attempts` attempts, its success rate is below
//     `threshold`, and the current cycle had a failure (a cycle whose fixes all passed is never rolled back).

#include <string>
#include <vector>

namespace safety {

// What one cycle judged (policy 1).
struct CycleTally {
  int succeeded = 0;
  int failed = 0;
};

struct BreakerVerdict {
  bool trip = false;
  int attempts = 0;   // in the window
  int succeeded = 0;  // of them
  double rate = 1.0;  // succeeded / attempts (1 when there is none)
  // One line for the pause and the cycle's record: "validated-success rate 60% over the last 5 attempts
  // < rollback_threshold 95%".
  std::string describe(double threshold) const;
};

// Judges the window (policy 2, 3). `newest_first[0]` is the current cycle. A window or minimum below 1
// counts as 1. Does not throw.
BreakerVerdict judge_window(const std::vector<CycleTally>& newest_first, double threshold, int window, int min_attempts);

} // namespace safety
