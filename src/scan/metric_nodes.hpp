#pragma once
// Per-function metrics from the nodes the engine's combined query captures for them (its pattern is
// metric_pattern()): the query cursor's walk is the only walk of the tree (docs/ARCHITECTURE.md,
// "One walk per tree").

#include "scan/function_metrics.hpp"

#include <tree_sitter/api.h>

#include <string>
#include <string_view>
#include <vector>

namespace scan {

// The query pattern that captures the nodes the metrics count, as @__metric: each kind of the
// language's table its grammar has, and `else_clause` (an `else if` continues its chain).
struct MetricPattern {
  std::string text;           // `[(kind) ...] @__metric`; empty when the grammar has none of them
  TSSymbol else_clause = 0;   // the grammar's else_clause, 0 when it has none
};
MetricPattern metric_pattern(const LanguageProfile& language);

// Measures a file from the nodes metric_pattern() captured in its tree: add() each as the query
// cursor reports it, then finish() once (FileMeasures::widest is left 0: has_node_wider_than() answers
// what the engine asks of it). Throws nothing.
class MetricsBuilder {
public:
  MetricsBuilder(const MetricKinds& kinds, TSSymbol else_clause, std::string_view source, TSNode root);
  void add(TSNode node) { m_nodes.push_back(node); }
  FileMeasures finish();

private:
  const MetricKinds& m_kinds;
  TSSymbol m_else_clause;
  std::string_view m_source;
  TSNode m_root;
  std::vector<TSNode> m_nodes;
};

// Whether a node of the tree under `root` has more than `limit` children (generated tables). Looks
// only into nodes wide enough in bytes to hold that many, so it does not walk the whole tree.
bool has_node_wider_than(TSNode root, uint32_t limit);

} // namespace scan
