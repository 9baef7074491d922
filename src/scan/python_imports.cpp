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

using Bindings = PythonImports::Bindings;

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
  // A relative import names the project's own module (`from . import yaml`): its names keep the dots,
  // so they never stand for a library's.
  if (!is_any(module, {"dotted_name", "relative_import"})) return;
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

// Every import statement of the tree, wherever it is.
void collect_all(TSNode root, std::string_view source, Bindings& b) {
  // An import statement's text holds the word `import`: subtrees without one (most of a file) are
  // not entered.
  std::vector<uint32_t> words;
  for (size_t at = source.find("import"); at != std::string_view::npos; at = source.find("import", at + 1))
    words.push_back(static_cast<uint32_t>(at));
  auto may_hold_import = [&](TSNode n) {
    auto it = std::lower_bound(words.begin(), words.end(), ts_node_start_byte(n));
    return it != words.end() && *it + 6 <= ts_node_end_byte(n);
  };
  TSTreeCursor cursor = ts_tree_cursor_new(root);
  for (;;) {
    TSNode n = ts_tree_cursor_current_node(&cursor);
    bool import = is_any(n, {"import_statement", "import_from_statement"});
    if (import) add_import(n, source, b);
    // Imports hold no statements; expressions rarely hold imports but may (a lambda cannot; a class
    // or function body can), so only imports' insides are skipped.
    if (!import && may_hold_import(n) && ts_tree_cursor_goto_first_child(&cursor)) continue;
    bool moved = false;
    while (!(moved = ts_tree_cursor_goto_next_sibling(&cursor)))
      if (!ts_tree_cursor_goto_parent(&cursor)) break;
    if (!moved) break;
  }
  ts_tree_cursor_delete(&cursor);
}

} // namespace

namespace {

// The chain `a.b.f` split into its first name (`a`) and the rest (`.b.f`, blanks taken out); false
// for any other expression.
bool split_chain(TSNode callee, std::string_view source, std::string& first, std::string& rest) {
  TSNode base = callee;
  while (is(base, "attribute")) {
    if (!is(field(base, "attribute"), "identifier")) return false;
    base = field(base, "object");
  }
  if (!is(base, "identifier")) return false;
  first = std::string(text_of(base, source));
  rest = std::string(text_of(callee, source).substr(first.size()));
  rest.erase(std::remove_if(rest.begin(), rest.end(), [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\\'; }),
             rest.end());
  return true;
}

bool ends_with(std::string_view text, std::string_view end) {
  return text.size() >= end.size() && text.compare(text.size() - end.size(), end.size(), end) == 0;
}

} // namespace

const PythonImports::Bindings& PythonImports::all_imports(TSNode node) {
  if (!m_all_done) {
    collect_all(ts_tree_root_node(node.tree), m_source, m_all);
    m_all_done = true;
  }
  return m_all;
}

std::vector<std::string> PythonImports::callee_names(TSNode callee) {
  std::string first, rest;
  if (!split_chain(callee, m_source, first, rest)) return {};
  return resolve(callee, first, rest);
}

std::vector<std::string> PythonImports::resolve(TSNode callee, const std::string& first, const std::string& rest) {
  // Most calls name nothing any import binds: then no block around them can either, and the walk up
  // (ts_node_parent() descends from the root each time) is skipped.
  const Bindings& all = all_imports(callee);
  if (all.star_modules.empty() && all.names.find(first) == all.names.end()) return {first + rest};
  // The blocks around the call, innermost first; each block's imports are collected once per file.
  Bindings local;
  TSNode root = ts_tree_root_node(callee.tree), top = callee;
  std::vector<TSNode> around = node::ancestors_of(root, callee);
  if (around.empty())
    for (TSNode p = ts_node_parent(callee); !ts_node_is_null(p); p = ts_node_parent(p)) around.push_back(p);
  for (TSNode p : around) {
    if (is(p, "block")) {
      auto [slot, fresh] = m_blocks.try_emplace(p.id);
      if (fresh) collect(p, m_source, slot->second, 0);
      local.names.insert(slot->second.names.begin(), slot->second.names.end());
      local.star_modules.insert(local.star_modules.end(), slot->second.star_modules.begin(),
                                slot->second.star_modules.end());
    }
    top = p;
  }
  if (!m_module_done && is(top, "module")) {
    collect(top, m_source, m_module, 0);
    m_module_done = true;
  }
  std::vector<std::string> out;
  for (const Bindings* b : {&local, &m_module}) {
    auto [lo, hi] = b->names.equal_range(first);
    for (auto it = lo; it != hi; ++it) out.push_back(it->second + rest);
  }
  if (out.empty()) {
    out.push_back(first + rest);
    for (const Bindings* b : {&local, &m_module})
      for (const auto& m : b->star_modules) out.push_back(m + "." + first + rest);
  }
  return out;
}

bool PythonImports::callee_is(TSNode callee, const std::vector<std::string>& calls) {
  std::string first, rest;
  if (!split_chain(callee, m_source, first, rest)) return false;
  // The names `a.b.f` may stand for: when an import somewhere in the file binds `a`, names ending with
  // `.b.f`; when none does, `a.b.f` itself or `m.a.b.f` (`from m import *`). A call none of `calls`
  // can be is settled without looking for the imports around it (a walk up the tree).
  auto any_call = [&](auto&& pred) { return std::any_of(calls.begin(), calls.end(), pred); };
  if (all_imports(callee).names.count(first) == 0) {
    const std::string whole = first + rest, dotted_whole = "." + whole;
    if (!any_call([&](const std::string& c) { return c == whole || ends_with(c, dotted_whole); })) return false;
  } else if (!rest.empty() && !any_call([&](const std::string& c) { return ends_with(c, rest); })) {
    return false;
  }
  for (const auto& n : resolve(callee, first, rest))
    if (std::find(calls.begin(), calls.end(), n) != calls.end()) return true;
  return false;
}

} // namespace scan
