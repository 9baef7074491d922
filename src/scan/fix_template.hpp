#pragma once
// Fix templates: a rule's `fix` edits expanded on a finding's captures into byte-range edits,
// and edits applied to a text. The drain validates the result (size, re-parse, tests) separately.

#include "scan/engine.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scan {

struct TextEdit {
  uint32_t start = 0, end = 0;   // byte range replaced (start == end: insertion)
  std::string text;
};

// The edits `rule`'s fix makes for `finding` in `source`; nullopt when the rule has no fix, a
// capture it names is absent, or a `with` map has no entry for the captured text.
std::optional<std::vector<TextEdit>> fix_edits(const Rule& rule, const Finding& finding, std::string_view source);

// `source` with `edits` applied. Throws core::Error when edits overlap or fall outside the text.
std::string apply_edits(std::string_view source, std::vector<TextEdit> edits);

// Applies the fixes of as many `findings` of `rule` as do not overlap, in source order.
std::string apply_fixes(const Rule& rule, const std::vector<Finding>& findings, std::string_view source);

} // namespace scan
