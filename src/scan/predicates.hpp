#pragma once
// The text predicates of a rule's query (#eq?, #not-eq?, #match?, #not-match?, #any-of?, #not-any-of?):
// tree-sitter parses them and leaves their evaluation to us. Read once per pattern when a language's
// combined query is compiled, evaluated on every match. Internal to src/scan/ (the matcher).

#include "scan/rule.hpp"

#include <tree_sitter/api.h>

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace scan {

// A compiled #match? expression (PCRE2, JIT where available), shared by the matches of its pattern.
class Regex;

// A predicate of a pattern, with its arguments resolved to capture ids or literal strings.
struct Predicate {
  enum class Kind { eq, not_eq_, match, not_match, any_of, not_any_of };
  Kind kind = Kind::eq;
  uint32_t capture = 0;
  bool other_is_capture = false;
  uint32_t other_capture = 0;
  std::vector<std::string> values;
  std::shared_ptr<const Regex> regex;
};

// The predicates of pattern `pattern` of `query` (whose text comes from `rule`). Throws
// core::LocatedError at the rule's query for an unsupported predicate, a malformed one or a bad
// regular expression.
std::vector<Predicate> read_predicates(const TSQuery* query, uint32_t pattern, const Rule& rule);

// The regular expressions that gave up at their limits in one file: each is not run again on it, so a
// file costs at most one limit per expression, whatever its number of nodes.
using ExhaustedRegexes = std::set<const Regex*>;

// Whether every predicate holds for `match` in `source`. A predicate on an optional capture that did not
// match does not apply; a #match?/#not-match? whose expression gave up at its limits fails (no finding
// rests on a regex that did not finish). Throws nothing.
bool predicates_hold(const std::vector<Predicate>& predicates, const TSQueryMatch& match, std::string_view source,
                     ExhaustedRegexes& exhausted);

} // namespace scan
