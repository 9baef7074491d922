#pragma once
// A plain C++ view of a tree-sitter parse, for code outside src/scan/ (the merge driver) that must
// not include tree_sitter/api.h. Nodes are described on demand: a node's children are read from the
// parse the first time they are asked for, so walking the top of a big file costs little memory.

#include "scan/language.hpp"

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string_view>

namespace scan {

struct SyntaxNode {
  std::string_view kind;        // grammar node type ("function_definition", "{", "ERROR")
  std::string_view field;       // field name in the parent ("name", "body"), empty when none
  uint32_t start_byte = 0, end_byte = 0;
  uint32_t start_row = 0, end_row = 0;   // 0-based lines
  uint32_t index = 0;           // position in the tree (the root is 0)
  int32_t parent = -1;
  bool named = false;
  bool extra = false;           // comments and other extras
  bool error = false;           // an ERROR or MISSING node
};

struct ParseOptions;

class SyntaxTree {
public:
  SyntaxTree(SyntaxTree&&) noexcept;
  SyntaxTree& operator=(SyntaxTree&&) noexcept;
  ~SyntaxTree();

  int error_count() const { return m_error_count; }   // ERROR and MISSING nodes in the whole tree

  const SyntaxNode& root() const { return m_nodes.front(); }
  const SyntaxNode& at(uint32_t index) const { return m_nodes[index]; }
  uint32_t child_count(const SyntaxNode& node) const;
  // The i-th child (named or not). References stay valid for the tree's lifetime.
  const SyntaxNode& child(const SyntaxNode& node, uint32_t i) const;
  // The first child with field `field`, or nullptr.
  const SyntaxNode* child_by_field(const SyntaxNode& node, std::string_view field) const;
  // The `n`-th named, non-extra child (0-based), or nullptr.
  const SyntaxNode* named_child(const SyntaxNode& node, uint32_t n) const;

private:
  friend std::optional<SyntaxTree> parse_syntax_tree(const LanguageProfile&, std::string_view, const ParseOptions&);
  struct Impl;
  SyntaxTree();
  void expand(uint32_t index) const;

  std::unique_ptr<Impl> m_impl;
  mutable std::deque<SyntaxNode> m_nodes;   // a deque: growing it never moves a node
  int m_error_count = 0;
};

struct ParseOptions {
  uint32_t timeout_ms = 2000;      // parse budget; a parse that takes longer gives nullopt
};

// Parses `source` (which must outlive the tree) as `language`. nullopt when the parse timed out.
// Throws core::Error when the grammar cannot be loaded.
std::optional<SyntaxTree> parse_syntax_tree(const LanguageProfile& language, std::string_view source,
                                            const ParseOptions& options = {});

// Whether `language`'s grammar has a node kind called `kind` (named, or anonymous when !named).
bool has_node_kind(const LanguageProfile& language, std::string_view kind, bool named = true);

} // namespace scan
