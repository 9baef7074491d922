#include "scan/syntax_tree.hpp"

#include "scan/ts_handle.hpp"

#include <cstring>
#include <vector>

namespace scan {

namespace {

SyntaxNode describe(TSNode n, const char* field, int32_t parent, uint32_t index) {
  SyntaxNode out;
  out.kind = ts_node_type(n);
  out.field = field ? field : "";
  out.start_byte = ts_node_start_byte(n);
  out.end_byte = ts_node_end_byte(n);
  out.start_row = ts_node_start_point(n).row;
  out.end_row = ts_node_end_point(n).row;
  out.index = index;
  out.parent = parent;
  out.named = ts_node_is_named(n);
  out.extra = ts_node_is_extra(n);
  out.error = ts::is_error(n);
  return out;
}

} // namespace

struct SyntaxTree::Impl {
  ts::Tree tree;
  std::vector<TSNode> raw;                 // the tree-sitter node of each SyntaxNode, by index
  std::vector<uint32_t> first_child;       // index of the first child, once expanded
  std::vector<uint32_t> count;             // number of children, once expanded
  std::vector<bool> expanded;
};

SyntaxTree::SyntaxTree() : m_impl(std::make_unique<Impl>()) {}
SyntaxTree::SyntaxTree(SyntaxTree&&) noexcept = default;
SyntaxTree& SyntaxTree::operator=(SyntaxTree&&) noexcept = default;
SyntaxTree::~SyntaxTree() = default;

void SyntaxTree::expand(uint32_t index) const {
  Impl& impl = *m_impl;
  if (impl.expanded[index]) return;
  uint32_t first = static_cast<uint32_t>(m_nodes.size()), count = 0;
  TSTreeCursor cursor = ts_tree_cursor_new(impl.raw[index]);
  if (ts_tree_cursor_goto_first_child(&cursor)) {
    do {
      TSNode child = ts_tree_cursor_current_node(&cursor);
      uint32_t at = static_cast<uint32_t>(m_nodes.size());
      m_nodes.push_back(describe(child, ts_tree_cursor_current_field_name(&cursor), static_cast<int32_t>(index), at));
      impl.raw.push_back(child);
      impl.first_child.push_back(0);
      impl.count.push_back(0);
      impl.expanded.push_back(false);
      ++count;
    } while (ts_tree_cursor_goto_next_sibling(&cursor));
  }
  ts_tree_cursor_delete(&cursor);
  impl.first_child[index] = first;
  impl.count[index] = count;
  impl.expanded[index] = true;
}

uint32_t SyntaxTree::child_count(const SyntaxNode& node) const {
  expand(node.index);
  return m_impl->count[node.index];
}

const SyntaxNode& SyntaxTree::child(const SyntaxNode& node, uint32_t i) const {
  expand(node.index);
  return m_nodes[m_impl->first_child[node.index] + i];
}

const SyntaxNode* SyntaxTree::child_by_field(const SyntaxNode& node, std::string_view field) const {
  for (uint32_t i = 0, n = child_count(node); i < n; ++i)
    if (child(node, i).field == field) return &child(node, i);
  return nullptr;
}

const SyntaxNode* SyntaxTree::named_child(const SyntaxNode& node, uint32_t n) const {
  for (uint32_t i = 0, count = child_count(node); i < count; ++i) {
    const SyntaxNode& c = child(node, i);
    if (c.named && !c.extra && n-- == 0) return &c;
  }
  return nullptr;
}

bool has_node_kind(const LanguageProfile& language, std::string_view kind, bool named) {
  return ts_language_symbol_for_name(language.grammar(), kind.data(), static_cast<uint32_t>(kind.size()), named) != 0;
}

std::optional<SyntaxTree> parse_syntax_tree(const LanguageProfile& language, std::string_view source,
                                            const ParseOptions& options) {
  ts::Parser parser(ts_parser_new());
  ts::Tree tree = ts::parse(parser.get(), language, source, options.timeout_ms);
  if (!tree) return std::nullopt; // timed out
  SyntaxTree out;
  TSNode root = ts_tree_root_node(tree.get());
  out.m_nodes.push_back(describe(root, nullptr, -1, 0));
  out.m_impl->raw.push_back(root);
  out.m_impl->first_child.push_back(0);
  out.m_impl->count.push_back(0);
  out.m_impl->expanded.push_back(false);
  out.m_error_count = ts::count_errors(root);
  out.m_impl->tree = std::move(tree);
  return out;
}

} // namespace scan
