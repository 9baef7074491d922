#pragma once
// Helpers shared by the scan tests. Include after <catch2/catch.hpp>.

#include "scan/engine.hpp"

#include <sstream>
#include <string>
#include <vector>

namespace test_support {

// The profile of a supported language (the test fails when there is none).
inline const scan::LanguageProfile& lang(const char* name) {
  const scan::LanguageProfile* l = scan::language_by_name(name);
  REQUIRE(l != nullptr);
  return *l;
}

// Everything a scan reports, as text, to compare results across runs, threads and the cache.
inline std::string digest(const scan::FileResult& r) {
  std::ostringstream out;
  out << r.language << ' ' << r.lines << ' ' << r.debt_markers << ' ' << r.syntax_errors << ' ' << r.timed_out << '\n';
  for (const auto& f : r.findings) {
    out << f.rule_id << ' ' << f.start_line << '-' << f.end_line << ' ' << f.start_byte << '-' << f.end_byte << ' '
        << f.node_hash << " [" << f.message << "] " << core::to_string(f.safety) << " [" << f.snippet << "] " << f.deferred_check << ' ' << f.subject << ' '
        << f.subject_start_line << '-' << f.subject_end_line << " ctx=" << f.contexts;
    for (const auto& c : f.captures) out << ' ' << c.name << '@' << c.start_byte << '-' << c.end_byte;
    out << '\n';
  }
  for (const auto& m : r.functions)
    out << m.name << ' ' << m.start_line << '-' << m.end_line << ' ' << m.complexity << ' ' << m.length << ' '
        << m.nesting << ' ' << m.key << ' ' << m.label << '\n';
  return out.str();
}

// A rule of `language` whose query is `query` and whose named check is `check` (scan/checks.hpp).
inline scan::Rule checked_rule(const std::string& language, const std::string& query, const std::string& check) {
  scan::Rule r;
  r.id = "t/" + check;
  r.languages = {language};
  r.category = core::Category::code_quality;
  r.message = "m";
  r.query = query;
  r.check = check;
  r.source = "test";
  return r;
}

// The start lines of `findings`, in order.
inline std::vector<int> lines_of(const std::vector<scan::Finding>& findings) {
  std::vector<int> out;
  for (const auto& f : findings) out.push_back(f.start_line);
  return out;
}

} // namespace test_support
