#pragma once
// The Autoloop-* trailers of a fix commit: what made the fix and which gates it passed. One writer (every
// fix commit, a rule's or a generator's) and one reader (review, the drain's check that a side branch is
// the loop's own). Content proves nothing about who wrote a commit: readers use the trailers to describe
// a fix the queue already knows, never to decide that a commit is the loop's.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fix {

struct Trailers {
  std::string rule;          // Autoloop-Rule: the rule id ("improve/<fixer>" for an `improve` request)
  std::string rule_source;   // Autoloop-Rule-Source: scan::describe_origin of the rule; "" when it has none
  int64_t opportunity = 0;   // Autoloop-Opportunity
  std::string fingerprint;   // Autoloop-Fingerprint
  std::string generator;     // Autoloop-Generator: the generator that wrote the change; "" for a template fix
  std::string provider;      // Autoloop-Provider: the analyzer whose fix it is, with its version ("ruff 0.x.y"); "" for others
  std::string validated;     // Autoloop-Validated: the gates it passed ("size<=100, ..., reparse, native-check(python)")
  // A sweep's commit (fix/sweep.hpp), one rule's fixes of many findings; all empty for one finding's commit.
  std::vector<int64_t> sweep_opportunities;   // Autoloop-Sweep-Opportunities: every finding's id, space-separated
  std::vector<std::string> sweep_fingerprints; // Autoloop-Sweep-Fingerprints: every finding's fingerprint
  int64_t sweep = 0;         // Autoloop-Sweep: how many findings; 0 for one finding's commit (none written)
};

// A fix commit's subject: "autoloop(<rule>): <what>", cut to 100 characters ("..." at the end).
std::string fix_subject(std::string_view rule_id, std::string_view what);

// The trailer block, to end a commit message whose body ends in a newline: "\nAutoloop-Rule: ...\n...\n"
// (a blank line, then one line per trailer; empty optional ones left out, the Autoloop-Sweep* ones when
// `sweep` is 0, before Autoloop-Validated otherwise). A value is kept on its one
// line (line breaks become spaces), so a hostile rule id or file name cannot add a trailer of its own.
// Does not throw but for allocation.
std::string format_trailers(const Trailers& trailers);

// Every Autoloop-* trailer of `message`, read from its last paragraph only (a rule's message or
// description in the body cannot pass for a trailer); missing ones are empty (opportunity 0, also when
// its value is not a number; a sweep's lists keep their whole-number ids only). Does not throw but for
// allocation.
Trailers read_trailers(std::string_view message);

// An Autoloop-Validated value with a fix's own gates (its native check: "native-check(python)") put right
// after "reparse", the gate they follow (at the end when there is none). Does not throw but for allocation.
std::string validated_with_gates(std::string validated, const std::vector<std::string>& gates);

// An Autoloop-Validated value whose last item, "tests", is replaced by what the coverage report says of
// this fix (`tests_item`: "tests (executed: 2 changed lines)"); unchanged when either is missing.
std::string validated_with_tests(std::string validated, const std::string& tests_item);

} // namespace fix
