#pragma once
// Durations as people type them: "90", "90s", "5m", "1h30m", "2d".

#include <chrono>
#include <optional>
#include <string_view>

namespace schedule {

// Seconds in `text`: whole numbers each followed by s, m, h or d (a bare number is seconds), at least
// one second in total; nullopt when malformed. Does not throw.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

} // namespace schedule
