#include "scan/function_metrics.hpp"
#include "scan/metric_nodes.hpp"

#include "scan/function_identity.hpp"
#include "scan/node_util.hpp"

#include <tree_sitter/api.h>

#include <algorithm>
#include <cstring>
#include <unordered_set>

namespace scan {

namespace {

enum KindFlag : uint8_t { k_function = 1, k_branch = 2, k_logical = 4, k_nesting = 8, k_comment = 16 };

// A logical operator node (`a && b`, Python `a or b`) counts as a decision: by its kind, then by its
// operator (a field in most grammars, an anonymous child in Python's boolean_operator).
bool is_logical_operation(const LanguageProfile& lang, TSNode node) {
  if (!contains(lang.logical_kinds, ts_node_type(node))) return false;
  TSNode op = ts_node_child_by_field_name(node, "operator", 8);
  for (uint32_t i = 0; ts_node_is_null(op) && i < ts_node_child_count(node); ++i) {
    TSNode c = ts_node_child(node, i);
    if (!ts_node_is_named(c)) op = c;
  }
  return !ts_node_is_null(op) && contains(lang.logical_operators, ts_node_type(op));
}

// The debt markers (TODO, FIXME, HACK, XXX) in a comment's text.
int debt_markers_in(std::string_view text) {
  int n = 0;
  for (std::string_view marker : {"TODO", "FIXME", "HACK", "XXX"})
    for (size_t pos = text.find(marker); pos != std::string_view::npos; pos = text.find(marker, pos + marker.size())) ++n;
  return n;
}

// `default:` is no decision of its own (C/C++ case_statement, Java switch_label).
bool is_default_label(TSNode node) {
  return ts_node_child_count(node) > 0 && std::strcmp(ts_node_type(ts_node_child(node, 0)), "default") == 0;
}

// Per-function metrics by one walk of the whole tree: what measure_functions() does. The engine
// computes them from its query's captures instead (Measurer below); this walk is the reference the
// differential test (tests/unit/scan/test_function_metrics.cpp) holds those to.
struct MetricsWalker {
  const LanguageProfile& lang;
  std::string_view source;
  const MetricKinds& kinds;
  FileMeasures& result;

  uint8_t flags_of(TSNode node) const { return kinds.of_symbol(ts_node_symbol(node)); }

  bool is_logical(TSNode node) const { return is_logical_operation(lang, node); }

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

  void count_debt(TSNode comment) { result.debt_markers += debt_markers_in(node::text_of(comment, source)); }

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


// ---- From the query's captures (scan/metric_nodes.hpp) ----------------------------------------

uint32_t width(TSNode node) { return ts_node_end_byte(node) - ts_node_start_byte(node); }

bool contains(TSNode outer, TSNode inner) {
  return ts_node_start_byte(outer) <= ts_node_start_byte(inner) && ts_node_end_byte(inner) <= ts_node_end_byte(outer);
}

// The ancestors of nodes visited in document order, by one tree cursor that only moves forward: from
// one node to the next it climbs to the first ancestor whose next siblings hold the next one, so
// consecutive functions cost the siblings between them, not a descent from the root each (which is
// what ts_node_parent does in tree-sitter 0.20.7).
class AncestorTracker {
public:
  explicit AncestorTracker(TSNode root) : m_cursor(ts_tree_cursor_new(root)), m_path{root} {}
  ~AncestorTracker() { ts_tree_cursor_delete(&m_cursor); }
  AncestorTracker(const AncestorTracker&) = delete;
  AncestorTracker& operator=(const AncestorTracker&) = delete;

  // The ancestors of `target`, from the root to its parent. `target` must come after the previous
  // one in document order; when it does not (or the cursor loses its way), false.
  bool ancestors(TSNode target, std::vector<TSNode>& out) {
    for (;;) {
      TSNode current = m_path.back();
      if (ts_node_eq(current, target)) {
        out.assign(m_path.begin(), m_path.end() - 1);
        return true;
      }
      if (contains(current, target) && ts_tree_cursor_goto_first_child(&m_cursor)) {
        m_path.push_back(ts_tree_cursor_current_node(&m_cursor));
        continue;
      }
      if (ts_node_start_byte(current) > ts_node_start_byte(target)) return false; // went past it
      while (!ts_tree_cursor_goto_next_sibling(&m_cursor)) {
        if (!ts_tree_cursor_goto_parent(&m_cursor)) return false;
        m_path.pop_back();
      }
      m_path.back() = ts_tree_cursor_current_node(&m_cursor);
    }
  }

private:
  TSTreeCursor m_cursor;
  std::vector<TSNode> m_path; // the cursor's node and its ancestors, root first
};

// The ancestors of `node` from the root, by ts_node_parent (slow): when the tracker lost its way.
std::vector<TSNode> ancestors_by_parent(TSNode node) {
  std::vector<TSNode> out;
  for (TSNode p = ts_node_parent(node); !ts_node_is_null(p); p = ts_node_parent(p)) out.push_back(p);
  std::reverse(out.begin(), out.end());
  return out;
}

// Per-function metrics from the captured nodes, in document order. Each node's level (enclosing
// function, nesting depth inside it) is the one of the nearest enclosing node that changed it: a
// stack of those, popped when a node starts past their end.
struct Measurer {
  Measurer(const MetricKinds& metric_kinds, TSSymbol else_clause_symbol, std::string_view text, TSNode root)
      : kinds(metric_kinds), else_clause(else_clause_symbol), lang(metric_kinds.language()), source(text), tracker(root) {}

  const MetricKinds& kinds;
  TSSymbol else_clause;
  const LanguageProfile& lang;
  std::string_view source;
  FileMeasures result;

  struct Level {
    int function = -1;   // index in result.functions of the enclosing function, -1 outside
    int depth = 0;       // nesting depth inside that function
  };
  struct Open {
    uint32_t end = 0;    // end byte of the node that set the level
    Level level;
  };
  std::vector<Open> open;
  std::unordered_set<const void*> else_ifs; // nodes that continue an if chain (no deeper nesting)
  AncestorTracker tracker;
  bool tracker_lost = false;

  bool is_logical(TSNode node) const { return is_logical_operation(lang, node); }

  // An `else if` continues its chain: same nesting as the first `if`. It is a child of an else_clause,
  // or its parent's `alternative` of the parent's own kind; both parents come before it, and mark it.
  void mark_else_ifs(TSNode node, uint8_t flags) {
    if (else_clause && ts_node_symbol(node) == else_clause) {
      for (uint32_t i = 0, n = ts_node_child_count(node); i < n; ++i) else_ifs.insert(ts_node_child(node, i).id);
    }
    if (flags & k_nesting) {
      TSNode alt = ts_node_child_by_field_name(node, "alternative", 11);
      if (!ts_node_is_null(alt) && std::strcmp(ts_node_type(alt), ts_node_type(node)) == 0) else_ifs.insert(alt.id);
    }
  }

  std::vector<TSNode> ancestors_of(TSNode node) {
    std::vector<TSNode> out;
    if (!tracker_lost && tracker.ancestors(node, out)) return out;
    tracker_lost = true;
    return ancestors_by_parent(node);
  }

  void add_function(TSNode node, const Level& up) {
    FunctionMetric m;
    m.name = function_name(node, source);
    const std::string enclosing = up.function < 0 ? "" : result.functions[static_cast<size_t>(up.function)].qualified;
    FunctionIdentity id = function_identity(lang, node, source, m.name, enclosing, ancestors_of(node));
    m.qualified = std::move(id.qualified);
    m.signature = std::move(id.signature);
    m.kind = std::move(id.kind);
    m.overload_stub = id.overload_stub;
    m.start_line = node::line_of(ts_node_start_point(node));
    m.end_line = node::line_of(ts_node_end_point(node));
    m.length = m.end_line - m.start_line + 1;
    result.functions.push_back(std::move(m));
    open.push_back({ts_node_end_byte(node), {static_cast<int>(result.functions.size()) - 1, 0}});
  }

  void count_debt(TSNode comment) { result.debt_markers += debt_markers_in(node::text_of(comment, source)); }

  void visit(TSNode node) {
    const uint32_t start = ts_node_start_byte(node);
    while (!open.empty() && open.back().end <= start) open.pop_back();
    const Level up = open.empty() ? Level{} : open.back().level;
    const uint8_t f = kinds.of_symbol(ts_node_symbol(node));
    mark_else_ifs(node, f);
    if (f & k_function) {
      add_function(node, up);
      return;
    }
    if (f & k_comment) count_debt(node);
    if (up.function < 0 || !f) return;
    FunctionMetric& metric = result.functions[static_cast<size_t>(up.function)];
    if ((f & k_branch) && !is_default_label(node)) ++metric.complexity;
    if ((f & k_logical) && is_logical(node)) ++metric.complexity;
    if ((f & k_nesting) && !else_ifs.count(node.id)) {
      metric.nesting = std::max(metric.nesting, up.depth + 1);
      open.push_back({ts_node_end_byte(node), {up.function, up.depth + 1}});
    }
  }
};

std::string alternation(const std::vector<std::string_view>& names) {
  std::string out;
  for (std::string_view n : names) {
    out += '(';
    out += n;
    out += ") ";
  }
  return out;
}

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

MetricPattern metric_pattern(const LanguageProfile& language) {
  const TSLanguage* grammar = language.grammar();
  // Each kind once, and only kinds the grammar has as named nodes (a query naming another would not
  // compile).
  std::vector<std::string_view> names;
  auto add = [&](std::string_view kind) {
    if (std::find(names.begin(), names.end(), kind) != names.end()) return;
    if (ts_language_symbol_for_name(grammar, kind.data(), static_cast<uint32_t>(kind.size()), true) == 0) return;
    names.push_back(kind);
  };
  for (const auto* kinds : {&language.function_kinds, &language.branch_kinds, &language.logical_kinds,
                            &language.nesting_kinds, &language.comment_kinds})
    for (std::string_view k : *kinds) add(k);
  MetricPattern out;
  out.else_clause = ts_language_symbol_for_name(grammar, "else_clause", 11, true);
  if (out.else_clause) add("else_clause");
  if (!names.empty()) out.text = "[" + alternation(names) + "] @__metric\n";
  return out;
}

FileMeasures MetricsBuilder::finish() {
  // The query cursor reports single-node matches as it enters each node (document order); sorting by
  // start, wider first, keeps that order and does not depend on it.
  std::stable_sort(m_nodes.begin(), m_nodes.end(), [](TSNode a, TSNode b) {
    uint32_t sa = ts_node_start_byte(a), sb = ts_node_start_byte(b);
    if (sa != sb) return sa < sb;
    return ts_node_end_byte(a) > ts_node_end_byte(b);
  });
  Measurer m(m_kinds, m_else_clause, m_source, m_root);
  for (TSNode node : m_nodes) m.visit(node);
  return std::move(m.result);
}

MetricsBuilder::MetricsBuilder(const MetricKinds& kinds, TSSymbol else_clause, std::string_view source, TSNode root)
    : m_kinds(kinds), m_else_clause(else_clause), m_source(source), m_root(root) {}

bool has_node_wider_than(TSNode root, uint32_t limit) {
  // A node with more than `limit` children spans more than `limit` bytes (every child but a MISSING
  // one, which error recovery inserts one at a time, has a byte at least): narrower nodes are skipped.
  if (ts_node_child_count(root) > limit) return true;
  if (width(root) <= limit) return false;
  TSTreeCursor cursor = ts_tree_cursor_new(root);
  bool found = false, descend = true;
  while (!found) {
    bool moved = descend && ts_tree_cursor_goto_first_child(&cursor);
    if (!moved) {
      while (!(moved = ts_tree_cursor_goto_next_sibling(&cursor)))
        if (!ts_tree_cursor_goto_parent(&cursor)) break;
      if (!moved) break;
    }
    TSNode n = ts_tree_cursor_current_node(&cursor);
    descend = width(n) > limit;
    found = descend && ts_node_child_count(n) > limit;
  }
  ts_tree_cursor_delete(&cursor);
  return found;
}

} // namespace scan
