#pragma once
// How a finding is known across commits. A node hash is content only (cached with the finding): the
// matched text with white space collapsed, the kinds of its nearest ancestors, the name of its
// innermost enclosing function, and an occurrence number where identical code sits in identical
// places. A fingerprint adds the rule and the path. Line numbers take no part: a finding keeps its
// fingerprint when code above it moves.

#include "scan/finding.hpp"
#include "scan/function_metrics.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace scan {

// A 128-bit FNV-1a hex digest (not cryptographic; identity of findings and caches).
std::string hash_hex(std::string_view data);

// How many of a node's ancestors, nearest first, place it (node_hash).
inline constexpr size_t k_ancestry_levels = 6;

// The hash of a matched node: `text` is its text, `ancestry` the kinds of its nearest
// k_ancestry_levels ancestors, each followed by '/'.
std::string node_hash(std::string_view text, std::string_view ancestry);

// Adds the innermost enclosing function's name to each node hash: identical code in different
// functions stays apart.
void add_enclosing_names(std::vector<Finding>& findings, const std::vector<FunctionMetric>& functions);

// Numbers repeated (rule, node hash) pairs in file order so that fingerprints stay unique.
void number_occurrences(std::vector<Finding>& findings);

// The fingerprint of `finding` in the file at `path`.
std::string fingerprint(const Finding& finding, std::string_view path);

} // namespace scan
