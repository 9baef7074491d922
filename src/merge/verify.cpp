#include "merge/verify.hpp"

#include "merge/regions.hpp"
#include "scan/syntax_tree.hpp"

#include <algorithm>
#include <array>
#include <string_view>
#include <unordered_map>

namespace merge {

std::optional<Facts> facts_of(const scan::LanguageProfile& language, const MergeProfile& profile,
                              const std::string& source, uint32_t timeout_ms) {
  scan::ParseOptions options;
  options.timeout_ms = timeout_ms;
  auto tree = scan::parse_syntax_tree(language, source, options);
  if (!tree) return std::nullopt;
  std::string why;
  auto region = decompose(*tree, source, profile, why);
  if (!region) return std::nullopt;
  Facts f;
  f.errors = tree->error_count();
  for (const auto& path : member_paths(*region, profile)) ++f.declarations[path];
  return f;
}

std::string verify(const Facts& merged, const Facts& base, const Facts& ours, const Facts& theirs) {
  int allowed = std::max(ours.errors, theirs.errors);
  if (merged.errors > allowed)
    return "the result has " + std::to_string(merged.errors) + " syntax errors, the sides at most " +
           std::to_string(allowed);
  for (const auto& [path, count] : merged.declarations) {
    // Structured bindings cannot be captured before C++20 (clang refuses): look `key` up instead.
    const std::string& key = path;
    auto in = [&](const Facts& f) {
      auto it = f.declarations.find(key);
      return it == f.declarations.end() ? 0 : it->second;
    };
    int most = std::max({in(base), in(ours), in(theirs)});
    if (most == 0) return "the result declares " + path + ", which no side declares";
    if (count > most) return "the result declares " + path + " " + std::to_string(count) + " times";
  }
  return "";
}

namespace {

std::string_view trimmed(std::string_view line) {
  size_t b = line.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  size_t e = line.find_last_not_of(" \t\r");
  return line.substr(b, e - b + 1);
}

// Adds 1 to counts[line][slot] for each non-blank line of `text`.
void count_lines(std::string_view text, size_t slot, std::unordered_map<std::string_view, std::array<long, 4>>& counts) {
  for (size_t at = 0; at < text.size();) {
    size_t nl = text.find('\n', at);
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view line = trimmed(text.substr(at, end - at));
    if (!line.empty()) ++counts[line][slot];
    at = end + 1;
  }
}

std::string shown(std::string_view line) {
  std::string s(line.substr(0, 60));
  return "`" + s + (line.size() > 60 ? "...`" : "`");
}

} // namespace

std::string verify_lines(const std::string& base, const std::string& ours, const std::string& theirs,
                         const std::string& merged) {
  std::unordered_map<std::string_view, std::array<long, 4>> counts;
  count_lines(base, 0, counts);
  count_lines(ours, 1, counts);
  count_lines(theirs, 2, counts);
  count_lines(merged, 3, counts);
  for (const auto& [line, c] : counts) {
    const long b = c[0], d_ours = c[1] - b, d_theirs = c[2] - b, got = c[3];
    long low = b + d_ours + d_theirs, high = low;
    if (d_ours >= 0 && d_theirs >= 0) low = b + std::max(d_ours, d_theirs);        // added by both: once or twice
    else if (d_ours <= 0 && d_theirs <= 0) high = b + std::min(d_ours, d_theirs);   // removed by both
    low = std::max(low, 0L);
    if (got < low || got > high)
      return "the result has " + shown(line) + " " + std::to_string(got) + " times, base " + std::to_string(b) +
             ", ours " + std::to_string(c[1]) + ", theirs " + std::to_string(c[2]);
  }
  return "";
}

} // namespace merge
