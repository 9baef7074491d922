#include "schedule/duration.hpp"

#include <cctype>

namespace schedule {

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  long long total = 0;
  size_t i = 0;
  bool bare_allowed = true;
  while (i < text.size()) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
    long long n = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      n = n * 10 + (text[i++] - '0');
      if (n > 100LL * 365 * 86400) return std::nullopt;
    }
    long long unit = 0;
    if (i == text.size()) {
      if (!bare_allowed) return std::nullopt; // "1h30" is ambiguous
      unit = 1;
    } else {
      switch (text[i++]) {
      case 's': unit = 1; break;
      case 'm': unit = 60; break;
      case 'h': unit = 3600; break;
      case 'd': unit = 86400; break;
      default: return std::nullopt;
      }
    }
    bare_allowed = false;
    total += n * unit;
  }
  if (total < 1) return std::nullopt;
  return std::chrono::seconds(total);
}

} // namespace schedule
