#include "providers/provider.hpp"

#include "providers/builtin.hpp"

#include <algorithm>

namespace providers {

namespace {

struct Entry {
  const char* name;
  std::unique_ptr<Provider> (*make)();
};

// One line per built-in provider (providers/builtin.hpp declares the factories).
const std::vector<Entry>& registry() {
  static const std::vector<Entry> entries = {
      {"ruff", &make_ruff},
      {"biome", &make_biome},
      {"clang-tidy", &make_clang_tidy},
  };
  return entries;
}

} // namespace

std::unique_ptr<Provider> make_provider(const std::string& name) {
  for (const Entry& e : registry())
    if (name == e.name) return e.make();
  return nullptr;
}

const std::vector<std::string>& provider_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const Entry& e : registry()) out.emplace_back(e.name);
    return out;
  }();
  return names;
}

std::optional<std::string> apply_fix(const std::string& content, const Fix& fix) {
  std::vector<Edit> edits = fix.edits;
  std::sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) {
    return a.start_byte != b.start_byte ? a.start_byte < b.start_byte : a.end_byte < b.end_byte;
  });
  std::string out;
  out.reserve(content.size());
  uint32_t at = 0;
  for (const Edit& e : edits) {
    if (e.start_byte > e.end_byte || e.end_byte > content.size() || e.start_byte < at) return std::nullopt;
    out.append(content, at, e.start_byte - at);
    out += e.text;
    at = e.end_byte;
  }
  out.append(content, at, std::string::npos);
  return out;
}

namespace {

// Length in bytes of the UTF-8 sequence that starts with `lead` (1 for a stray continuation byte, so
// that malformed text still advances).
size_t sequence_length(unsigned char lead) {
  if (lead >= 0xF0 && lead < 0xF8) return 4;
  if (lead >= 0xE0) return lead < 0xF0 ? 3 : 1;
  if (lead >= 0xC0) return 2;
  return 1;
}

} // namespace

uint32_t byte_offset(const std::string& content, int line, int column, ColumnUnit unit, bool one_based_column) {
  size_t at = 0;
  for (int l = 1; l < line && at < content.size(); ++l) {
    const size_t nl = content.find('\n', at);
    if (nl == std::string::npos) return static_cast<uint32_t>(content.size());
    at = nl + 1;
  }
  size_t end_of_line = content.find('\n', at);
  if (end_of_line == std::string::npos) end_of_line = content.size();
  const long units = std::max(0L, static_cast<long>(column) - (one_based_column ? 1 : 0));
  if (unit == ColumnUnit::byte) return static_cast<uint32_t>(std::min(at + static_cast<size_t>(units), end_of_line));
  for (long left = units; left > 0 && at < end_of_line;) {
    const size_t n = std::min(sequence_length(static_cast<unsigned char>(content[at])), end_of_line - at);
    left -= unit == ColumnUnit::utf16 && n == 4 ? 2 : 1; // outside the BMP: a surrogate pair in UTF-16
    at += n;
  }
  return static_cast<uint32_t>(std::min(at, end_of_line));
}

} // namespace providers
