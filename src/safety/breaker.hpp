#pragma once
// The circuit breaker's decision (docs/ARCHITECTURE.md §6 rollback_threshold, §7.10 "one failure never stops the loop
// by itself"): it judges a window of recent attempts, not one cycle. Pure, so the policy is tested on values.
//
// What it is for: stopping a loop that keeps making fixes its gates refuse (a broken fixer, flaky tests, a
// rule gone wrong), not second-guessing a gate that refused one fix. A refused fix is never published, so a
// trip never takes back the cycle's fixes that passed every gate: it pauses the cycles that come next.
//
// Policy:
//  1. An attempt is a new fix a cycle judged: it passed every gate (success) or one refused it (failure).
//     Fixes left untested, carried over from an earlier cycle, or whose finding was gone are not attempts.
//  2. The window is the latest `window` attempts, newest cycle first, since the breaker last tripped (a
//     resume starts afresh). Inside one cycle the order is not known: its failures count as the newer ones
//     (the breaker errs on the side of caution).
//  3. `threshold` is the success rate a full window must keep, so it allows floor((1 − threshold) × window)
//     failures in it (1 of 20 at 95%). A window of 5 attempts with one failure is not "80%": it is one
//     failure, which a full window allows. The breaker trips only when the window holds at least
//     `min_attempts` attempts, its failures exceed what the threshold allows AND are at least two (one
//     failure is never a trend, whatever the threshold), and the current cycle had a failure.

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
  int failed = 0;     // of them
  int allowed = 0;    // failures the threshold allows in a full window (policy 3)
  int window = 1;     // the full window's size
  double rate = 1.0;  // succeeded / attempts (1 when there is none)
  // One line for the pause and the cycle's record: "2 of the last 7 attempts failed; rollback_threshold 95%
  // allows 1 in rollback_window 20".
  std::string describe(double threshold) const;
};

// Judges the window (policy 2, 3). `newest_first[0]` is the current cycle. A window or minimum below 1
// counts as 1. Does not throw.
BreakerVerdict judge_window(const std::vector<CycleTally>& newest_first, double threshold, int window, int min_attempts);

} // namespace safety
