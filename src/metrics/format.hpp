#pragma once
// Private to src/metrics/: how the renderers spell numbers, durations, ratios and dates.

#include <cstdint>
#include <optional>
#include <string>

namespace metrics::format {

// "4.1 ms", "850 ms", "2.1 s", "3.0 min".
std::string duration_ms(double ms);
// "45 s", "12 min", "3.2 h", "2.5 d".
std::string duration_s(double seconds);
// "67%" ("–" when unknown).
std::string percent(std::optional<double> ratio);
// "45.2 MiB" from KiB.
std::string memory_kb(int64_t kb);
// "2024-05-01 12:00 UTC".
std::string utc(double unix_seconds);
// "+12", "-3", "0".
std::string signed_number(int64_t value);
// The first 10 characters of a commit id.
std::string short_id(const std::string& id);

} // namespace metrics::format
