#include "scan/python_imports.hpp"

#include "scan/node_util.hpp"

#include <algorithm>
#include <map>

namespace scan {

namespace {

using node::field;
using node::is;
using node::is_any;
using node::text_of;

// The dotted name's text with the blanks a parenthesised or continued import may hold taken out.
std::string dotted(TSNode n, std::string_view source) {
  std::string out;
  for (char c : text_of(n, source))
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\\') out += c;
  return out;
}

struct Bindings {
  std::multimap<std::string, std::string> names; // bound name -> qualified name
  std::vector<std::string> star_modules;         // `from m import *`
};

void add_import(TSNode stmt, std::string_view source, Bindings& b) {
  if (is(stmt, "import_statement")) {
    for (uint32_t i = 0; i < ts_node_named_child_count(stmt); ++i) {
      TSNode c = ts_node_named_child(stmt, i);
      if (is(c, "dotted_name")) {
        std::string full = dotted(c, source);
        std::string first = full.substr(0, full.find('.'));
        b.names.emplace(first, first); // `import a.b` binds `a`, the package
      } else if (is(c, "aliased_import")) {
        b.names.emplace(dotted(field(c, "alias"), source), dotted(field(c, "name"), source));
      }
    }
    return;
  }
  if (!is(stmt, "import_from_statement")) return;
  TSNode module = field(stmt, "module_name");
  if (!is(module, "dotted_name")) return; // relative imports name the project's own modules
  std::string m = dotted(module, source);
  for (uint32_t i = 0; i < ts_node_named_child_count(stmt); ++i) {
    TSNode c = ts_node_named_child(stmt, i);
    if (ts_node_eq(c, module)) continue;
    if (is(c, "wildcard_import")) b.star_modules.push_back(m);
    else if (is(c, "dotted_name")) b.names.emplace(dotted(c, source), m + "." + dotted(c, source));
    else if (is(c, "aliased_import"))
      b.names.emplace(dotted(field(c, "alias"), source), m + "." + dotted(field(c, "name"), source));
  }
}

// Imports among a block's statements, and in the compound statements (if/try/with) that run with it.
// A cursor walks the siblings: ts_node_named_child(i) restarts from the first child each time, and
// this runs for every candidate call of a file.
void collect(TSNode block, std::string_view source, Bindings& b, int depth) {
  if (depth > 8) return;
  TSTreeCursor cursor = ts_tree_cursor_new(block);
  for (bool more = ts_tree_cursor_goto_first_child(&cursor); more; more = ts_tree_cursor_goto_next_sibling(&cursor)) {
    TSNode s = ts_tree_cursor_current_node(&cursor);
    if (!ts_node_is_named(s)) continue;
    if (is_any(s, {"import_statement", "import_from_statement"})) add_import(s, source, b);
    else if (is_any(s, {"if_statement", "try_statement", "with_statement", "block", "else_clause", "elif_clause",
                        "except_clause", "finally_clause"}))
      collect(s, source, b, depth + 1);
  }
  ts_tree_cursor_delete(&cursor);
}

} // namespace

std::vector<std::string> python_callee_names(TSNode callee, std::string_view source) {
  // The chain `a.b.f`: its first name and the rest.
  TSNode base = callee;
  while (is(base, "attribute")) {
    if (!is_any(field(base, "attribute"), {"identifier"})) return {};
    base = field(base, "object");
  }
  if (!is(base, "identifier")) return {};
  std::string first(text_of(base, source));
  std::string rest(text_of(callee, source).substr(first.size()));
  rest.erase(std::remove_if(rest.begin(), rest.end(), [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\\'; }),
             rest.end());
  Bindings b;
  TSNode top = callee;
  for (TSNode p = ts_node_parent(callee); !ts_node_is_null(p); p = ts_node_parent(p)) {
    if (is(p, "block")) collect(p, source, b, 0);
    top = p;
  }
  if (is(top, "module")) collect(top, source, b, 0);
  std::vector<std::string> out;
  auto [lo, hi] = b.names.equal_range(first);
  for (auto it = lo; it != hi; ++it) out.push_back(it->second + rest);
  if (out.empty()) {
    out.push_back(first + rest);
    for (const auto& m : b.star_modules) out.push_back(m + "." + first + rest);
  }
  return out;
}

bool python_callee_is(TSNode callee, std::string_view source, const std::vector<std::string>& calls) {
  for (const auto& n : python_callee_names(callee, source))
    if (std::find(calls.begin(), calls.end(), n) != calls.end()) return true;
  return false;
}

} // namespace scan
