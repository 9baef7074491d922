#include "scan/function_metrics.hpp"

#include "scan/function_identity.hpp"
#include "scan/node_util.hpp"

#include <tree_sitter/api.h>

#include <algorithm>
#include <cstring>

namespace scan {

namespace {

enum KindFlag : uint8_t { k_function = 1, k_branch = 2, k_logical = 4, k_nesting = 8, k_comment = 16 };

// Per-function metrics by one walk of the tree.
struct MetricsWalker {
  const LanguageProfile& lang;
  std::string_view source;
  const MetricKinds& kinds;
  FileMeasures& result;

  uint8_t flags_of(TSNode node) const { return kinds.of_symbol(ts_node_symbol(node)); }

  bool is_logical(TSNode node) {
    if (!contains(lang.logical_kinds, ts_node_type(node))) return false;
    TSNode op = ts_node_child_by_field_name(node, "operator", 8);
    if (ts_node_is_null(op)) {
      // python boolean_operator has an anonymous operator child
      for (uint32_t i = 0; i < ts_node_child_count(node); ++i) {
        TSNode c = ts_node_child(node, i);
        if (!ts_node_is_named(c)) {
          op = c;
          break;
        }
      }
    }
    if (ts_node_is_null(op)) return false;
    return contains(lang.logical_operators, ts_node_type(op));
  }

  // `default:` is no decision of its own (C/C++ case_statement, Java switch_label).
  bool is_default_label(TSNode node) {
    if (ts_node_child_count(node) == 0) return false;
    return std::strcmp(ts_node_type(ts_node_child(node, 0)), "default") == 0;
  }

  // An `else if` continues its chain: same nesting as the first `if`.
  bool is_else_if(TSNode parent, TSNode node) {
    const char* p = ts_node_type(parent);
    if (!std::strcmp(p, "else_clause")) return true;
    if (!std::strcmp(p, ts_node_type(node))) {
      TSNode alt = ts_node_child_by_field_name(parent, "alternative", 11);
      return !ts_node_is_null(alt) && ts_node_eq(alt, node);
    }
    return false;
  }

  struct Level {
    int function = -1;   // index in result.functions of the enclosing function, -1 outside
    int depth = 0;       // nesting depth inside that function
  };

  // What entering `node` (a child of `ancestors.back()`) means for the metrics.
  Level enter(TSNode node, const std::vector<TSNode>& ancestors, const Level& up) {
    TSNode parent = ancestors.back();
    uint8_t f = flags_of(node);
    if (f & k_function) {
      FunctionMetric m;
      m.name = function_name(node, source);
      const std::string enclosing = up.function < 0 ? "" : result.functions[static_cast<size_t>(up.function)].qualified;
      FunctionIdentity id = function_identity(lang, node, source, m.name, enclosing, ancestors);
      m.qualified = std::move(id.qualified);
      m.signature = std::move(id.signature);
      m.kind = std::move(id.kind);
      m.overload_stub = id.overload_stub;
      m.start_line = node::line_of(ts_node_start_point(node));
      m.end_line = node::line_of(ts_node_end_point(node));
      m.length = m.end_line - m.start_line + 1;
      result.functions.push_back(m);
      return {static_cast<int>(result.functions.size()) - 1, 0};
    }
    if (f & k_comment) count_debt(node);
    Level level = up;
    if (up.function < 0 || !f) return level;
    FunctionMetric& metric = result.functions[static_cast<size_t>(up.function)];
    if ((f & k_branch) && !is_default_label(node)) ++metric.complexity;
    if ((f & k_logical) && is_logical(node)) ++metric.complexity;
    if ((f & k_nesting) && !is_else_if(parent, node)) {
      level.depth = up.depth + 1;
      metric.nesting = std::max(metric.nesting, level.depth);
    }
    return level;
  }

  void count_debt(TSNode comment) {
    std::string_view text = node::text_of(comment, source);
    for (const char* marker : {"TODO", "FIXME", "HACK", "XXX"}) {
      size_t pos = 0;
      while ((pos = text.find(marker, pos)) != std::string_view::npos) {
        ++result.debt_markers;
        pos += std::strlen(marker);
      }
    }
  }

  // One depth-first walk with a single tree cursor (O(1) steps; no allocation per node).
  void walk(TSNode root) {
    TSTreeCursor cursor = ts_tree_cursor_new(root);
    std::vector<Level> levels{Level{}};
    std::vector<TSNode> nodes{root};
    for (;;) {
      if (ts_tree_cursor_goto_first_child(&cursor)) {
        result.widest = std::max(result.widest, ts_node_child_count(nodes.back()));
        TSNode child = ts_tree_cursor_current_node(&cursor);
        levels.push_back(enter(child, nodes, levels.back()));
        nodes.push_back(child);
        continue;
      }
      bool done = false;
      for (;;) {
        levels.pop_back();
        nodes.pop_back();
        if (nodes.empty()) {
          done = true;
          break;
        }
        if (ts_tree_cursor_goto_next_sibling(&cursor)) {
          TSNode sibling = ts_tree_cursor_current_node(&cursor);
          levels.push_back(enter(sibling, nodes, levels.back()));
          nodes.push_back(sibling);
          break;
        }
        if (!ts_tree_cursor_goto_parent(&cursor)) {
          done = true;
          break;
        }
      }
      if (done) break;
    }
    ts_tree_cursor_delete(&cursor);
  }
};

} // namespace

MetricKinds::MetricKinds(const LanguageProfile& language) : m_language(&language) {
  const TSLanguage* grammar = language.grammar();
  uint32_t count = ts_language_symbol_count(grammar);
  m_flags.assign(count, 0);
  for (uint32_t i = 0; i < count; ++i) {
    std::string_view name = ts_language_symbol_name(grammar, static_cast<TSSymbol>(i));
    if (contains(language.function_kinds, name)) m_flags[i] |= k_function;
    if (contains(language.branch_kinds, name)) m_flags[i] |= k_branch;
    if (contains(language.logical_kinds, name)) m_flags[i] |= k_logical;
    if (contains(language.nesting_kinds, name)) m_flags[i] |= k_nesting;
    if (contains(language.comment_kinds, name)) m_flags[i] |= k_comment;
  }
}

FileMeasures measure_functions(const TSTree* tree, std::string_view source, const MetricKinds& kinds) {
  FileMeasures measures;
  MetricsWalker walker{kinds.language(), source, kinds, measures};
  walker.walk(ts_tree_root_node(tree));
  return measures;
}

} // namespace scan
