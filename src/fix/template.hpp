#pragma once
// Fix templates, the engine's first way to derive a fix: a rule's `fix` edits expanded on a finding's
// captures into byte-range edits, and edits applied to a text. The drain validates the result (size,
// re-parse, native check, tests) separately (fix/derive.hpp). The scanner asks the same question when it
// reports a finding: a match the rule's fix does not cover is a suggestion (scan/engine.cpp), and a rule
// file's placeholders name filters of this file (scan/rule.cpp). Text only: no syntax tree is needed.

#include "scan/finding.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fix {

struct TextEdit {
  uint32_t start = 0, end = 0;   // byte range replaced (start == end: insertion)
  std::string text;
};

// Whether `name` is a placeholder filter ({{capture|name}}):
//   indent     the blanks before the capture on its line (none apply when code precedes it there)
//   indent_in  that plus one level (a tab where the line is indented with tabs, else four spaces)
//   eol        nothing, when only blanks or a comment follow the capture on its line (else no fix)
//   paren      the text, parenthesised unless it is a name, attribute, call or subscript
//   argv       a Python string literal holding a plain command (words of letters, digits and
//              `_./:@%+=,-`, no shell syntax, not a shell builtin) as a list literal: 'ls -l' -> ['ls', '-l']
//   js_thunk   a JavaScript string literal holding plain code (no quotes, escapes, comments, `this`,
//              declarations, `return`) as an arrow function: 'tick()' -> () => { tick(); }
bool is_fix_filter(std::string_view name);

// The edits `rule`'s fix makes for `finding` in `source`; nullopt when the rule has no fix, a
// capture it names is absent, a `with` map has no entry for the captured text (or the key), a
// filter does not apply, or a `delete_item` capture has no comma next to it.
std::optional<std::vector<TextEdit>> fix_edits(const scan::Rule& rule, const scan::Finding& finding, std::string_view source);

// `source` with `edits` applied. Throws core::Error when edits overlap or fall outside the text.
std::string apply_edits(std::string_view source, std::vector<TextEdit> edits);

// Applies the fixes of as many `findings` of `rule` as do not overlap, in source order.
std::string apply_fixes(const scan::Rule& rule, const std::vector<scan::Finding>& findings, std::string_view source);

} // namespace fix
