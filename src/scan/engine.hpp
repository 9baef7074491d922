#pragma once
// The matcher: parses a file with tree-sitter, runs every enabled rule of its language through one
// combined query (compiled lazily, once per language, shared across threads), evaluates the text
// predicates tree-sitter leaves to us, and computes per-function metrics from the same tree.
// Results depend only on (blob content, rule set), so callers may cache them by blob id; checks
// that need the path or the repository are deferred to scan::apply_context().

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

struct Capture {
  std::string name;
  uint32_t start_byte = 0, end_byte = 0;
};

struct Finding {
  std::string rule_id;
  int start_line = 0, end_line = 0;       // 1-based, inclusive
  uint32_t start_byte = 0, end_byte = 0;
  std::string message;
  std::string safety;                     // the rule's, or "suggest" where the code does not establish
                                          // the rule's type assumption (Rule::assumption)
  std::string snippet;                    // the matched text's first line, trimmed
  std::string node_hash;                  // normalised text + ancestor kinds (+ occurrence): stable across line shifts
  std::string deferred_check;             // a path/repository check still to run (apply_context)
  std::string subject;                    // what the deferred check looks at (e.g. a function name)
  int subject_start_line = 0, subject_end_line = 0;
  std::vector<Capture> captures;
  unsigned contexts = 0;                  // contexts the syntax tree puts it in (scan/code_context.hpp:
                                          // type_checking, codegen); the path's are the scanner's
  std::string fingerprint;                // set by apply_context (adds rule and path)
};

struct FunctionMetric {
  std::string name;                       // bare name (finding fingerprints use it: keep it as it was)
  int start_line = 0, end_line = 0;
  int complexity = 1;                     // cyclomatic: 1 + branches + logical operators
  int length = 0;                         // lines
  int nesting = 0;                        // deepest nesting of control constructs
  // Identity across versions of the file (scan/function_identity.hpp).
  std::string qualified{};                // enclosing scopes + name
  std::string signature{};                // parameter types, or "/<count>"
  std::string kind{};                     // decorator or accessor kind ("setter", "get", ...), or ""
  std::string key{};                      // qualified + signature + kind (+ "#n" when repeated): the identity
  std::string label{};                    // how reports name it: qualified, plus what tells apart same names
  bool overload_stub = false;             // during the walk only: folded away by settle_identities
};

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

// A 128-bit FNV-1a hex digest (not cryptographic; identity of findings and caches).
std::string hash_hex(std::string_view data);

} // namespace scan
