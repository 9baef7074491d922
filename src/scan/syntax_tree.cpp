#include "scan/syntax_tree.hpp"

#include "core/error.hpp"

#include <tree_sitter/api.h>

#include <cstring>
#include <deque>
#include <memory>

namespace scan {

namespace {

struct ParserDeleter {
  void operator()(TSParser* p) const { ts_parser_delete(p); }
};
struct TreeDeleter {
  void operator()(TSTree* t) const { ts_tree_delete(t); }
};

SyntaxNode describe(TSNode n, const char* field, int32_t parent) {
  SyntaxNode out;
  out.kind = ts_node_type(n);
  out.field = field ? field : "";
  out.start_byte = ts_node_start_byte(n);
  out.end_byte = ts_node_end_byte(n);
  out.start_row = ts_node_start_point(n).row;
  TSPoint end = ts_node_end_point(n);
  out.end_row = end.row;
  out.end_column = end.column;
  out.parent = parent;
  out.named = ts_node_is_named(n);
  out.extra = ts_node_is_extra(n);
  // 0.20.7 has no ts_node_is_error.
  out.error = ts_node_is_missing(n) || std::strcmp(out.kind.data(), "ERROR") == 0;
  return out;
}

} // namespace

const SyntaxNode* SyntaxTree::child_by_field(const SyntaxNode& node, std::string_view field) const {
  for (uint32_t i = 0; i < node.child_count; ++i)
    if (nodes[node.first_child + i].field == field) return &nodes[node.first_child + i];
  return nullptr;
}

const SyntaxNode* SyntaxTree::named_child(const SyntaxNode& node, uint32_t n) const {
  for (uint32_t i = 0; i < node.child_count; ++i) {
    const SyntaxNode& c = nodes[node.first_child + i];
    if (c.named && !c.extra && n-- == 0) return &c;
  }
  return nullptr;
}

bool has_node_kind(const LanguageProfile& language, std::string_view kind, bool named) {
  return ts_language_symbol_for_name(language.grammar(), kind.data(), static_cast<uint32_t>(kind.size()), named) != 0;
}

std::optional<SyntaxTree> parse_syntax_tree(const LanguageProfile& language, std::string_view source,
                                            const ParseOptions& options) {
  std::unique_ptr<TSParser, ParserDeleter> parser(ts_parser_new());
  if (!ts_parser_set_language(parser.get(), language.grammar()))
    throw core::Error("grammar for " + std::string(language.name) + " has an incompatible ABI");
  ts_parser_set_timeout_micros(parser.get(), uint64_t(options.timeout_ms) * 1000);
  std::unique_ptr<TSTree, TreeDeleter> tree(
      ts_parser_parse_string(parser.get(), nullptr, source.data(), static_cast<uint32_t>(source.size())));
  if (!tree) return std::nullopt; // timed out
  SyntaxTree out;
  TSNode root = ts_tree_root_node(tree.get());
  out.nodes.push_back(describe(root, nullptr, -1));
  // Breadth first, so that each node's children are appended together (contiguous).
  std::deque<std::pair<TSNode, uint32_t>> pending{{root, 0}};
  while (!pending.empty()) {
    auto [node, index] = pending.front();
    pending.pop_front();
    if (out.nodes[index].error) ++out.error_count;
    uint32_t first = static_cast<uint32_t>(out.nodes.size()), count = 0;
    TSTreeCursor cursor = ts_tree_cursor_new(node);
    if (ts_tree_cursor_goto_first_child(&cursor)) {
      do {
        TSNode child = ts_tree_cursor_current_node(&cursor);
        out.nodes.push_back(describe(child, ts_tree_cursor_current_field_name(&cursor), static_cast<int32_t>(index)));
        pending.emplace_back(child, static_cast<uint32_t>(out.nodes.size() - 1));
        ++count;
      } while (ts_tree_cursor_goto_next_sibling(&cursor));
    }
    ts_tree_cursor_delete(&cursor);
    out.nodes[index].first_child = first;
    out.nodes[index].child_count = count;
    if (out.nodes.size() > options.max_nodes) return std::nullopt;
  }
  return out;
}

} // namespace scan
