#pragma once
// Private to src/queue/: how the table families store times and optional text.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace queue::stored {

// Now, in unix seconds: the created_at, first_seen, ... columns.
inline int64_t now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Now, in fractional unix seconds: the started_at and ended_at of runs and cycles.
inline double now_unix_precise() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// An empty text is stored as NULL where the column is optional.
inline std::optional<std::string> null_if_empty(const std::string& text) {
  return text.empty() ? std::nullopt : std::optional<std::string>(text);
}

} // namespace queue::stored
