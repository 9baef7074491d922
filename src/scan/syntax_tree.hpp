#pragma once
// A plain C++ view of a tree-sitter parse, for code outside src/scan/ (the merge driver) that must
// not include tree_sitter/api.h: every node flattened into one vector, children contiguous.

#include "scan/language.hpp"

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace scan {

struct SyntaxNode {
  std::string_view kind;        // grammar node type ("function_definition", "{", "ERROR")
  std::string_view field;       // field name in the parent ("name", "body"), empty when none
  uint32_t start_byte = 0, end_byte = 0;
  uint32_t start_row = 0, end_row = 0;   // 0-based lines
  uint32_t end_column = 0;
  uint32_t first_child = 0, child_count = 0;   // children are nodes[first_child, first_child + child_count)
  int32_t parent = -1;
  bool named = false;
  bool extra = false;           // comments and other extras
  bool error = false;           // an ERROR or MISSING node
};

class SyntaxTree {
public:
  std::vector<SyntaxNode> nodes;   // nodes[0] is the root
  int error_count = 0;             // ERROR and MISSING nodes in the whole tree

  const SyntaxNode& root() const { return nodes.front(); }
  const SyntaxNode& at(uint32_t i) const { return nodes[i]; }
  uint32_t index_of(const SyntaxNode& n) const { return static_cast<uint32_t>(&n - nodes.data()); }
  // The first child with field `field`, or nullptr.
  const SyntaxNode* child_by_field(const SyntaxNode& node, std::string_view field) const;
  // The `n`-th named child (0-based), or nullptr.
  const SyntaxNode* named_child(const SyntaxNode& node, uint32_t n) const;
};

struct ParseOptions {
  uint32_t timeout_ms = 2000;      // parse budget; a parse that takes longer gives nullopt
  size_t max_nodes = 4'000'000;    // a tree bigger than this gives nullopt too
};

// Parses `source` as `language`. nullopt when the parse timed out or the tree is too big.
// Throws core::Error when the grammar cannot be loaded.
std::optional<SyntaxTree> parse_syntax_tree(const LanguageProfile& language, std::string_view source,
                                            const ParseOptions& options = {});

// Whether `language`'s grammar has a node kind called `kind` (named, or anonymous when !named).
bool has_node_kind(const LanguageProfile& language, std::string_view kind, bool named = true);

} // namespace scan
