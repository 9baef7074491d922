// Fuzz target: rule loading (scan::parse_rule, then the query compiled and the rule run on its own cases).
//
// Input: a rule file's YAML text, then optionally "%%" and the text of a sibling .scm query file.
//
// Checks: parsing and compiling either succeed or throw core::Error (never another exception, never a
// crash); a parsed rule names only known languages; matching the rule on its own test cases and
// applying its fix to them either works or throws core::Error; every finding lies inside its text.

#include "fuzz_input.hpp"

#include "core/error.hpp"
#include "scan/engine.hpp"
#include "fix/template.hpp"
#include "scan/language.hpp"
#include "scan/rule.hpp"

#include <sanitizer/lsan_interface.h>

#include <optional>
#include <string>
#include <vector>

namespace {

// Budgets, so that one input cannot take seconds.
constexpr size_t k_max_cases = 8;
constexpr uint32_t k_parse_timeout_ms = 200;

void run_cases(const scan::Engine& engine, const scan::Rule& rule, const scan::LanguageProfile& language) {
  std::vector<const std::string*> cases;
  for (const auto* list : {&rule.tests.invalid, &rule.tests.valid, &rule.tests.fixed})
    for (const auto& code : *list)
      if (cases.size() < k_max_cases) cases.push_back(&code);
  for (const std::string* code : cases) {
    std::vector<scan::Finding> found = engine.match_rule(rule, language, *code);
    for (const auto& f : found) {
      if (f.start_byte > f.end_byte || f.end_byte > code->size()) fuzz::broken("a finding lies outside its text", *code);
      for (const auto& c : f.captures)
        if (c.start_byte > c.end_byte || c.end_byte > code->size()) fuzz::broken("a capture lies outside its text", *code);
    }
    try {
      (void)fix::apply_fixes(rule, found, *code);
    } catch (const core::Error&) {
      // Overlapping edits of one fix are refused with a clear error.
    }
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> parts = fuzz::sections(data, size);
  std::optional<std::string> query_file;
  if (parts.size() > 1) query_file = parts[1];

  scan::Rule rule;
  try {
    rule = scan::parse_rule(parts[0], "fuzz.yml", query_file);
  } catch (const core::Error&) {
    return 0;
  }
  for (const auto& name : rule.languages)
    if (!scan::language_by_name(name)) fuzz::broken("a parsed rule names an unknown language", name);

  rule.enabled = true;
  scan::Engine engine({rule}, k_parse_timeout_ms);
  for (const auto& name : rule.languages) {
    const scan::LanguageProfile& language = *scan::language_by_name(name);
    try {
      {
        // Debian's libtree-sitter 0.20.7 leaks a few bytes inside ts_query_new when it rejects a
        // query; nothing git-autoloop can free. Leaks are checked everywhere else.
        __lsan::ScopedDisabler library_leaks;
        engine.compile(language);
      }
      run_cases(engine, rule, language);
    } catch (const core::Error&) {
      // A bad query (or predicate) is reported with its position.
    }
  }
  return 0;
}
