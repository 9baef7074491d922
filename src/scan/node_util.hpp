#pragma once
// Small helpers over tree-sitter nodes, shared by the analyses of scan/ (named checks, type
// assumptions, code contexts, JavaScript scopes, function identity). Each one takes a missing node
// (an absent optional field, such as an anonymous class's name) as having no text and no kind:
// tree-sitter 0.20.7's ts_node_end_byte() dereferences it, which crashed a scan of lodash once.

#include <tree_sitter/api.h>

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <string_view>
#include <utility>
#include <vector>

namespace scan::node {

// The node's text in `source`; empty for a missing node or a range outside `source`.
inline std::string_view text_of(TSNode node, std::string_view source) {
  if (ts_node_is_null(node)) return {};
  uint32_t s = ts_node_start_byte(node), e = ts_node_end_byte(node);
  if (s > source.size() || e > source.size() || e < s) return {};
  return source.substr(s, e - s);
}

// The 1-based line of a point (tree-sitter's rows are 0-based).
inline int line_of(TSPoint point) { return static_cast<int>(point.row) + 1; }

inline bool is(TSNode node, const char* kind) {
  return !ts_node_is_null(node) && std::strcmp(ts_node_type(node), kind) == 0;
}

inline bool is_any(TSNode node, std::initializer_list<const char*> kinds) {
  if (ts_node_is_null(node)) return false;
  const char* t = ts_node_type(node);
  return std::any_of(kinds.begin(), kinds.end(), [&](const char* k) { return std::strcmp(t, k) == 0; });
}

inline TSNode field(TSNode node, const char* name) {
  if (ts_node_is_null(node)) return node;
  return ts_node_child_by_field_name(node, name, static_cast<uint32_t>(std::strlen(name)));
}

// Depth-first over `root`'s descendants (not `root` itself) in source order; `visit(node)` returns
// whether to descend into it; `stop`, set by the visitor, ends the walk. A missing root has none (a
// tree cursor on it crashes: a C function definition that error recovery left without a body).
template <class F> void walk(TSNode root, F&& visit, const bool& stop) {
  if (ts_node_is_null(root)) return;
  TSTreeCursor cursor = ts_tree_cursor_new(root);
  if (ts_tree_cursor_goto_first_child(&cursor)) {
    for (;;) {
      if (visit(ts_tree_cursor_current_node(&cursor)) && !stop && ts_tree_cursor_goto_first_child(&cursor)) continue;
      if (stop) break;
      bool moved = false;
      while (!(moved = ts_tree_cursor_goto_next_sibling(&cursor)))
        if (!ts_tree_cursor_goto_parent(&cursor) || ts_node_eq(ts_tree_cursor_current_node(&cursor), root)) break;
      if (!moved) break;
    }
  }
  ts_tree_cursor_delete(&cursor);
}

// The same, to the end.
template <class F> void walk(TSNode root, F&& visit) {
  const bool never = false;
  walk(root, std::forward<F>(visit), never);
}

// The visible ancestors of `node`, nearest first, from one descent from the root: it takes the
// same path as ts_node_parent (the first child that starts at or before the node and ends at or
// after it), which in 0.20.7 is itself a walk from the root, so asking it level by level costs a
// descent per level. Each level jumps to the first child ending past the node's start (children
// before it cannot contain a node of non-zero width). Empty for an empty node or when the descent
// loses its way: the caller then asks ts_node_parent.
inline std::vector<TSNode> ancestors_of(TSNode root, TSNode node) {
  std::vector<TSNode> path;
  const uint32_t start = ts_node_start_byte(node), end = ts_node_end_byte(node);
  if (ts_node_eq(root, node) || end <= start) return path;
  TSTreeCursor cursor = ts_tree_cursor_new(root);
  path.push_back(root);
  bool reached = false;
  while (!reached && ts_tree_cursor_goto_first_child_for_byte(&cursor, start) >= 0) {
    bool descended = false;
    do {
      TSNode child = ts_tree_cursor_current_node(&cursor);
      if (ts_node_eq(child, node)) {
        reached = true;
        break;
      }
      if (ts_node_start_byte(child) > start) break;
      if (ts_node_end_byte(child) >= end) {
        path.push_back(child);
        descended = true;
        break;
      }
    } while (ts_tree_cursor_goto_next_sibling(&cursor));
    if (!reached && !descended) break;
  }
  ts_tree_cursor_delete(&cursor);
  if (!reached) return {};
  std::reverse(path.begin(), path.end());
  return path;
}

} // namespace scan::node
