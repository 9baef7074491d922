#pragma once
// Move-only owners of tree-sitter's handles, and the parse every user of a grammar goes through: the
// matcher (scan/engine.cpp), the plain tree of the merge driver (scan/syntax_tree.cpp) and the per-file
// indexes that keep a tree alive (scan/js_scope.cpp). Internal to src/scan/, like tree_sitter/api.h.

#include "core/error.hpp"
#include "scan/language.hpp"

#include <tree_sitter/api.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace scan::ts {

struct ParserDeleter {
  void operator()(TSParser* p) const noexcept { ts_parser_delete(p); }
};
struct TreeDeleter {
  void operator()(TSTree* t) const noexcept { ts_tree_delete(t); }
};
struct QueryDeleter {
  void operator()(TSQuery* q) const noexcept { ts_query_delete(q); }
};
struct QueryCursorDeleter {
  void operator()(TSQueryCursor* c) const noexcept { ts_query_cursor_delete(c); }
};

using Parser = std::unique_ptr<TSParser, ParserDeleter>;
using Tree = std::unique_ptr<TSTree, TreeDeleter>;
using Query = std::unique_ptr<TSQuery, QueryDeleter>;
using QueryCursor = std::unique_ptr<TSQueryCursor, QueryCursorDeleter>;

// Parses `source` as `language` with `parser` within `timeout_ms`; null when the budget ran out. The
// parser is left without a timeout, ready for the next file. Throws core::Error when the grammar's ABI
// is one this tree-sitter cannot load.
inline Tree parse(TSParser* parser, const LanguageProfile& language, std::string_view source, uint32_t timeout_ms) {
  ts_parser_reset(parser);
  if (!ts_parser_set_language(parser, language.grammar()))
    throw core::Error("grammar for " + std::string(language.name) + " has an incompatible ABI");
  ts_parser_set_timeout_micros(parser, uint64_t(timeout_ms) * 1000);
  Tree tree(ts_parser_parse_string(parser, nullptr, source.data(), static_cast<uint32_t>(source.size())));
  ts_parser_set_timeout_micros(parser, 0);
  return tree;
}

// Whether `node` is an ERROR node or one the parser made up (MISSING). 0.20.7 has no ts_node_is_error.
inline bool is_error(TSNode node) {
  return ts_node_is_missing(node) || std::strcmp(ts_node_type(node), "ERROR") == 0;
}

// ERROR and MISSING nodes under `root` (itself included), by one cursor walk that enters only the
// subtrees holding an error (no allocation per node).
inline int count_errors(TSNode root) {
  if (!ts_node_has_error(root)) return 0;
  int count = 0;
  TSTreeCursor cursor = ts_tree_cursor_new(root);
  for (;;) {
    TSNode n = ts_tree_cursor_current_node(&cursor);
    if (is_error(n)) ++count;
    if (ts_node_has_error(n) && ts_tree_cursor_goto_first_child(&cursor)) continue;
    while (!ts_tree_cursor_goto_next_sibling(&cursor)) {
      if (!ts_tree_cursor_goto_parent(&cursor)) {
        ts_tree_cursor_delete(&cursor);
        return count;
      }
    }
  }
}

} // namespace scan::ts
