#include "metrics/format.hpp"

#include <cstdio>
#include <ctime>

namespace metrics::format {

std::string duration_ms(double ms) {
  char buf[32];
  if (ms < 10) std::snprintf(buf, sizeof buf, "%.2f ms", ms);
  else if (ms < 1000) std::snprintf(buf, sizeof buf, "%.0f ms", ms);
  else if (ms < 60000) std::snprintf(buf, sizeof buf, "%.1f s", ms / 1000);
  else std::snprintf(buf, sizeof buf, "%.1f min", ms / 60000);
  return buf;
}

std::string duration_s(double s) {
  char buf[32];
  if (s < 60) std::snprintf(buf, sizeof buf, "%.0f s", s);
  else if (s < 3600) std::snprintf(buf, sizeof buf, "%.0f min", s / 60);
  else if (s < 86400 * 2) std::snprintf(buf, sizeof buf, "%.1f h", s / 3600);
  else std::snprintf(buf, sizeof buf, "%.1f d", s / 86400);
  return buf;
}

std::string percent(std::optional<double> ratio) {
  if (!ratio) return "–";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.0f%%", *ratio * 100);
  return buf;
}

std::string memory_kb(int64_t kb) {
  char buf[32];
  if (kb < 1024) std::snprintf(buf, sizeof buf, "%lld KiB", static_cast<long long>(kb));
  else std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(kb) / 1024);
  return buf;
}

std::string utc(double unix_seconds) {
  if (unix_seconds <= 0) return "–";
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

std::string signed_number(int64_t value) { return (value > 0 ? "+" : "") + std::to_string(value); }

std::string short_id(const std::string& id) { return id.substr(0, 10); }

} // namespace metrics::format
