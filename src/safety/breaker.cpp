#include "safety/breaker.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace safety {

namespace {

// Failures a full window may hold and keep `threshold` (policy 3). The epsilon keeps 0.95 × 20 from
// rounding to 0.999… failures.
int failures_allowed(double threshold, int window) {
  const double share = std::clamp(1.0 - threshold, 0.0, 1.0);
  return static_cast<int>(std::floor(share * window + 1e-9));
}

} // namespace

std::string BreakerVerdict::describe(double threshold) const {
  char buf[200];
  std::snprintf(buf, sizeof buf, "%d of the last %d attempt%s failed; rollback_threshold %.0f%% allows %d in rollback_window %d",
                failed, attempts, attempts == 1 ? "" : "s", threshold * 100, allowed, window);
  return buf;
}

BreakerVerdict judge_window(const std::vector<CycleTally>& newest_first, double threshold, int window, int min_attempts) {
  BreakerVerdict v;
  window = std::max(1, window);
  min_attempts = std::max(1, min_attempts);
  v.window = window;
  v.allowed = failures_allowed(threshold, window);
  for (const CycleTally& cycle : newest_first) {
    const int room = window - v.attempts;
    if (room <= 0) break;
    const int failed = std::min(std::max(0, cycle.failed), room);
    const int succeeded = std::min(std::max(0, cycle.succeeded), room - failed);
    v.attempts += failed + succeeded;
    v.succeeded += succeeded;
  }
  v.failed = v.attempts - v.succeeded;
  if (v.attempts) v.rate = static_cast<double>(v.succeeded) / v.attempts;
  const bool current_failed = !newest_first.empty() && newest_first.front().failed > 0;
  v.trip = current_failed && v.attempts >= min_attempts && v.failed > std::max(v.allowed, 1);
  return v;
}

} // namespace safety
