#pragma once
// The matcher: parses a file with tree-sitter, runs every enabled rule of its language through one
// combined query (compiled lazily, once per language, shared across threads), evaluates the text
// predicates tree-sitter leaves to us, and computes per-function metrics from the same tree.
// Results depend only on (blob content, rule set), so callers may cache them by blob id; checks
// that need the path or the repository are deferred to scan::apply_context().

#include "scan/finding.hpp"
#include "scan/fingerprint.hpp"
#include "scan/function_metrics.hpp"
#include "scan/language.hpp"
#include "scan/rule.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scan {

struct FileResult {
  std::string language;
  std::vector<Finding> findings;
  std::vector<FunctionMetric> functions;
  int lines = 0;
  int debt_markers = 0;                   // TODO / FIXME / HACK / XXX in comments
  int syntax_errors = 0;                  // ERROR and MISSING nodes
  bool timed_out = false;                 // a budget was exceeded (parse time, node width): no findings
};

// What the deferred checks need to know about the file beyond its content.
struct FileContext {
  std::string path;
  bool is_test_file = false;
  bool all_lines_changed = true;                      // a new file, or a whole-tree scan
  std::vector<std::pair<int, int>> changed_lines;     // when !all_lines_changed
  // Whether any test file mentions `name`; null when the repository has no tests (check stays silent).
  std::function<bool(const std::string& name)> referenced_by_tests;
};

// One file's content to scan, in a language (the content must outlive the call).
struct ScanJob {
  const LanguageProfile* language = nullptr;
  std::string_view source;
};

class Engine {
public:
  // `rules` may hold every language; disabled rules are ignored. Throws nothing until used.
  explicit Engine(std::vector<Rule> rules, uint32_t parse_timeout_ms = 2000);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  const std::vector<Rule>& rules() const { return m_rules; }

  // A hash of the enabled rules and the engine's own version: the cache key's second half.
  const std::string& ruleset_hash() const { return m_ruleset_hash; }

  // Compiles the combined query for `language` now. Throws core::LocatedError naming the rule and
  // the position of a query error.
  void compile(const LanguageProfile& language) const;

  // Scans one file's content. Thread-safe. Throws core::LocatedError if a rule's query is bad.
  FileResult scan(const LanguageProfile& language, std::string_view source) const;

  // Scans each job on up to `threads` threads at once (at least one, at most one per job); the
  // results come in the jobs' order. Every job is tried; then the first error (as scan() throws it)
  // is rethrown.
  std::vector<FileResult> scan_many(const std::vector<ScanJob>& jobs, unsigned threads) const;

  // Matches of one rule only (the rule test runner), with deferred checks not applied.
  std::vector<Finding> match_rule(const Rule& rule, const LanguageProfile& language, std::string_view source) const;

  // Number of ERROR/MISSING nodes in `source` (-1 when the parse timed out).
  int syntax_errors(const LanguageProfile& language, std::string_view source) const;

private:
  struct Compiled;
  const Compiled& compiled(const LanguageProfile& language) const;

  std::vector<Rule> m_rules;
  uint32_t m_parse_timeout_ms;
  std::string m_ruleset_hash;
  mutable std::mutex m_mutex;
  mutable std::vector<std::pair<const LanguageProfile*, std::unique_ptr<Compiled>>> m_compiled;
};

// Why `rule`'s query cannot run (a query error, located in its file, for one of its languages), or
// nullopt when it compiles for each. Compiles the rule alone: for the rules of a repository or a user,
// which the built-in set does not vouch for.
std::optional<std::string> query_problem(const Rule& rule);

// Runs deferred checks against the file's context, drops findings suppressed by an inline
// `autoloop: ignore[rule-id]` (or `autoloop: ignore`) comment on the line or the line above, and sets
// fingerprints. `rules` resolves rule ids.
std::vector<Finding> apply_context(std::vector<Finding> findings, std::string_view source, const FileContext& context);

} // namespace scan
