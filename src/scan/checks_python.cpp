#include "scan/checks_python.hpp"

#include "scan/node_util.hpp"

#include <string>

namespace scan {

namespace {

using node::field;
using node::is;
using node::is_any;
using node::text_of;
using node::walk;

// Whether `target` (an assignment's left side, a for target, ...) has the identifier `name` in it.
bool binds(TSNode target, std::string_view name, std::string_view source) {
  if (ts_node_is_null(target)) return false;
  if (is(target, "identifier")) return text_of(target, source) == name;
  bool found = false;
  walk(target, [&](TSNode n) {
    if (is(n, "identifier") && text_of(n, source) == name) found = true;
    // `a.b = ...` and `a[i] = ...` set a part of a, they do not rebind it.
    return !found && !is_any(n, {"attribute", "subscript"});
  }, found);
  return found;
}

// A string literal over several lines: re-indenting the lines it spans would change its text.
bool multiline_string(TSNode n) {
  return is_any(n, {"string", "concatenated_string"}) && ts_node_start_point(n).row != ts_node_end_point(n).row;
}

// Whether `statement` (between the open and the close) rebinds `name`, leaves the block early
// without raising, or holds a string of several lines.
bool disturbs(TSNode statement, std::string_view name, std::string_view source) {
  bool bad = false;
  auto visit = [&](TSNode n, int loops, auto&& self) -> void {
    if (bad) return;
    if (multiline_string(n)) {
      bad = true;
      return;
    }
    if (is_any(n, {"return_statement", "yield"})) bad = true;
    else if (is_any(n, {"break_statement", "continue_statement"}) && loops == 0) bad = true;
    else if (is_any(n, {"assignment", "augmented_assignment", "for_statement", "for_in_clause"}))
      bad = binds(field(n, "left"), name, source);
    else if (is(n, "named_expression")) bad = text_of(field(n, "name"), source) == name;
    else if (is_any(n, {"as_pattern_target", "delete_statement", "global_statement", "nonlocal_statement"}))
      bad = binds(n, name, source);
    else if (is_any(n, {"import_statement", "import_from_statement"}))
      bad = binds(n, name, source);
    if (bad) return;
    // A nested function or class: its returns are its own; its body still must not hold a string
    // of several lines (the re-indent) or rebind the name through `global`/`nonlocal`.
    bool nested = is_any(n, {"function_definition", "class_definition", "lambda"});
    bool loop = is_any(n, {"for_statement", "while_statement"});
    uint32_t count = ts_node_named_child_count(n);
    for (uint32_t i = 0; i < count && !bad; ++i) {
      TSNode child = ts_node_named_child(n, i);
      if (nested) {
        bool inner_bad = false;
        walk(child, [&](TSNode m) {
          if (multiline_string(m) ||
              (is_any(m, {"global_statement", "nonlocal_statement"}) && binds(m, name, source)))
            inner_bad = true;
          return !inner_bad;
        }, inner_bad);
        if (multiline_string(child)) inner_bad = true;
        bad = inner_bad;
      } else {
        self(child, loops + (loop ? 1 : 0), self);
      }
    }
  };
  visit(statement, 0, visit);
  return bad;
}

// Whether only blanks (and, after it, a comment) share the node's lines with it.
bool on_lines_of_its_own(TSNode n, std::string_view source) {
  uint32_t start = ts_node_start_byte(n), end = ts_node_end_byte(n);
  for (uint32_t i = start; i > 0 && source[i - 1] != '\n'; --i)
    if (source[i - 1] != ' ' && source[i - 1] != '\t') return false;
  for (uint32_t i = end; i < source.size() && source[i] != '\n'; ++i) {
    if (source[i] == '#') return true;
    if (source[i] != ' ' && source[i] != '\t' && source[i] != '\r') return false;
  }
  return true;
}

bool is_close_of(TSNode statement, std::string_view name, std::string_view source) {
  if (!is(statement, "expression_statement") || ts_node_named_child_count(statement) != 1) return false;
  TSNode call = ts_node_named_child(statement, 0);
  if (!is(call, "call") || ts_node_named_child_count(field(call, "arguments")) != 0) return false;
  TSNode fn = field(call, "function");
  return is(fn, "attribute") && text_of(field(fn, "attribute"), source) == "close" &&
         is(field(fn, "object"), "identifier") && text_of(field(fn, "object"), source) == name;
}

uint32_t line_start(std::string_view source, uint32_t at) {
  while (at > 0 && source[at - 1] != '\n') --at;
  return at;
}

} // namespace

std::vector<Capture> python_with_block_captures(TSNode assignment, std::string_view source) {
  if (!is(assignment, "assignment") || !ts_node_is_null(field(assignment, "type"))) return {};
  TSNode target = field(assignment, "left");
  if (!is(target, "identifier")) return {};
  std::string_view name = text_of(target, source);
  TSNode statement = ts_node_parent(assignment);
  if (!is(statement, "expression_statement") || ts_node_named_child_count(statement) != 1) return {};
  if (!is_any(ts_node_parent(statement), {"module", "block"}) || !on_lines_of_its_own(statement, source)) return {};
  // The statement's line must end where it ends (no `; x = 1` after it).
  uint32_t end = ts_node_end_byte(statement);
  size_t newline = source.find('\n', end);
  if (newline == std::string_view::npos) return {};
  int between = 0;
  for (TSNode s = ts_node_next_named_sibling(statement); !ts_node_is_null(s); s = ts_node_next_named_sibling(s)) {
    if (is(s, "comment")) continue;
    if (is_close_of(s, name, source)) {
      if (between == 0 || !on_lines_of_its_own(s, source)) return {};
      uint32_t body_start = static_cast<uint32_t>(newline + 1), body_end = line_start(source, ts_node_start_byte(s));
      if (body_end <= body_start) return {};
      return {{"with_body", body_start, body_end}, {"with_close", ts_node_start_byte(s), ts_node_end_byte(s)}};
    }
    if (disturbs(s, name, source)) return {};
    ++between;
  }
  return {};
}

} // namespace scan
