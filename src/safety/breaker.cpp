#include "safety/breaker.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace safety {

std::string BreakerVerdict::describe(double threshold) const {
  char buf[160];
  std::snprintf(buf, sizeof buf, "validated-success rate %.0f%% over the last %d attempt%s < rollback_threshold %.0f%%",
                std::floor(rate * 100), attempts, attempts == 1 ? "" : "s", threshold * 100);
  return buf;
}

BreakerVerdict judge_window(const std::vector<CycleTally>& newest_first, double threshold, int window, int min_attempts) {
  BreakerVerdict v;
  window = std::max(1, window);
  min_attempts = std::max(1, min_attempts);
  for (const CycleTally& cycle : newest_first) {
    const int room = window - v.attempts;
    if (room <= 0) break;
    const int failed = std::min(std::max(0, cycle.failed), room);
    const int succeeded = std::min(std::max(0, cycle.succeeded), room - failed);
    v.attempts += failed + succeeded;
    v.succeeded += succeeded;
  }
  if (v.attempts) v.rate = static_cast<double>(v.succeeded) / v.attempts;
  const bool current_failed = !newest_first.empty() && newest_first.front().failed > 0;
  v.trip = current_failed && v.attempts >= min_attempts && v.rate < threshold;
  return v;
}

} // namespace safety
