#pragma once
// Per-function metrics (cyclomatic complexity, length, nesting) and debt markers, by one walk of a
// file's syntax tree. The node kinds that count come from the language's table (scan/language.hpp);
// function identities from scan/function_identity.hpp.

#include "scan/language.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

struct TSTree;

namespace scan {

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

// The metric roles (function, branch, logical operator, nesting construct, comment) of every symbol of
// a language's grammar, so the walk tests a node with one lookup, not string compares. Built once per
// language (the engine keeps it with the compiled query).
class MetricKinds {
public:
  explicit MetricKinds(const LanguageProfile& language);
  const LanguageProfile& language() const { return *m_language; }
  uint8_t of_symbol(uint16_t symbol) const { return symbol < m_flags.size() ? m_flags[symbol] : 0; }

private:
  const LanguageProfile* m_language;
  std::vector<uint8_t> m_flags;
};

// What one walk of a file measured.
struct FileMeasures {
  std::vector<FunctionMetric> functions;  // in file order; identities not yet settled (settle_identities)
  int debt_markers = 0;                   // TODO / FIXME / HACK / XXX in comments
  uint32_t widest = 0;                    // the most children one node has (generated tables are wide)
};

// Measures the functions of `tree`, parsed from `source` in `kinds`' language. Throws nothing.
FileMeasures measure_functions(const TSTree* tree, std::string_view source, const MetricKinds& kinds);

} // namespace scan
