#include "merge/verify.hpp"

#include "merge/regions.hpp"
#include "scan/syntax_tree.hpp"

#include <algorithm>

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
  for (const auto& path : member_paths(*region)) ++f.declarations[path];
  return f;
}

std::string verify(const Facts& merged, const Facts& ours, const Facts& theirs) {
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
    if (count > std::max(in(ours), in(theirs))) return "the result declares " + path + " " + std::to_string(count) + " times";
  }
  return "";
}

} // namespace merge
