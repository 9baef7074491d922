#include "scan/engine.hpp"

#include "core/error.hpp"
#include "scan/assumptions.hpp"
#include "scan/checks.hpp"
#include "fix/template.hpp"
#include "scan/function_identity.hpp"
#include "scan/metric_nodes.hpp"
#include "scan/node_util.hpp"
#include "scan/predicates.hpp"
#include "scan/python_imports.hpp"
#include "scan/ts_handle.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstring>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

namespace scan {

namespace {

constexpr const char* k_engine_version = "engine-6"; // 2: per-finding safety (rule assumptions); 3: function identity; 4: region contexts; 5: captures added by checks; 6: suggest where the fix does not apply

// One parser and one query cursor per thread, reused across files.
struct ThreadTools {
  ts::Parser parser{ts_parser_new()};
  ts::QueryCursor cursor{ts_query_cursor_new()};
};
ThreadTools& thread_tools() {
  thread_local ThreadTools tools;
  return tools;
}

ts::Tree parse(const LanguageProfile& language, std::string_view source, uint32_t timeout_ms) {
  return ts::parse(thread_tools().parser.get(), language, source, timeout_ms);
}

// An ERROR node (0.20.7 has no ts_node_is_error).
bool is_error_node(TSNode node) { return std::strcmp(ts_node_type(node), "ERROR") == 0; }

// Nodes wider than this (generated tables) make 0.20.7's query cursor crawl: such files get metrics
// but no rule matching.
constexpr uint32_t k_max_children = 5000;

std::string first_line(std::string_view text) {
  auto nl = text.find('\n');
  std::string line(text.substr(0, nl));
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
  size_t start = line.find_first_not_of(" \t");
  line = start == std::string::npos ? std::string() : line.substr(start);
  if (line.size() > 200) line = line.substr(0, 197) + "...";
  return line;
}

std::string expand_message(const std::string& message, const std::vector<Capture>& captures, std::string_view source) {
  std::string out;
  size_t i = 0;
  while (i < message.size()) {
    auto open = message.find("{{", i);
    if (open == std::string::npos) break;
    auto close = message.find("}}", open + 2);
    if (close == std::string::npos) break;
    out.append(message, i, open - i);
    std::string name = message.substr(open + 2, close - open - 2);
    auto it = std::find_if(captures.begin(), captures.end(), [&](const Capture& c) { return c.name == name; });
    if (it != captures.end()) {
      std::string text = first_line(source.substr(it->start_byte, it->end_byte - it->start_byte));
      if (text.size() > 60) text = text.substr(0, 57) + "...";
      out += text;
    }
    i = close + 2;
  }
  out.append(message, i, std::string::npos);
  return out;
}

} // namespace

struct PatternInfo {
  size_t rule = 0;                    // index into Engine::m_rules
  std::vector<Predicate> predicates;
};

// No pattern: a query without the metrics pattern.
constexpr uint32_t k_no_pattern = UINT32_MAX;

// One compiled query of a language: rules' patterns and, in the main one, the metrics pattern last.
struct QueryPart {
  ts::Query query;
  uint32_t metric_pattern = k_no_pattern;           // its index in `query`
  std::vector<PatternInfo> patterns;                // by pattern index (the metrics pattern's unused)
  std::vector<std::string> capture_names;
};

struct Engine::Compiled {
  std::optional<MetricKinds> metric_kinds;
  MetricPattern metric;
  // The enabled rules' patterns and, last, the metrics pattern (metric.text): one run of
  // its cursor finds the rules' matches and the nodes the metrics count.
  QueryPart main;
  // Each rule that can only match a file whose text holds one of its words (each of its patterns
  // requires a capture to equal one of them: pattern_gate): a query of its own, run only on such
  // files (a rule that looks at every statement costs JavaScript's scan 2-3 times its parse).
  struct Gated {
    QueryPart part;
    std::vector<std::string> words;
  };
  std::vector<Gated> gated;
  bool empty = true;                                // no rule for this language

  // The metrics pattern alone (pattern 0), for files too wide to match rules on: compiled at the
  // first such file.
  const TSQuery* metrics_query() const {
    std::call_once(m_metrics_once, [&] {
      const std::string& p = metric.text;
      uint32_t off = 0;
      TSQueryError err = TSQueryErrorNone;
      if (!p.empty())
        m_metrics_query.reset(ts_query_new(metric_kinds->language().grammar(), p.data(), static_cast<uint32_t>(p.size()),
                                           &off, &err));
    });
    return m_metrics_query.get();
  }

private:
  mutable std::once_flag m_metrics_once;
  mutable ts::Query m_metrics_query;
};

Engine::Engine(std::vector<Rule> rules, uint32_t parse_timeout_ms)
    : m_rules(std::move(rules)), m_parse_timeout_ms(parse_timeout_ms) {
  std::string all = k_engine_version;
  for (const auto& r : m_rules) {
    if (!r.enabled) continue;
    all += '\0' + r.id + '\0' + r.query + '\0' + r.check + '\0' + r.message + '\0' +
           std::string(core::to_string(r.category)) + '\0' + r.severity + '\0' + std::string(core::to_string(r.safety));
    if (r.assumption)
      all += '\0' + r.assumption->text + '\0' + r.assumption->established_by + '\0' + r.assumption->subject;
    for (const auto& l : r.languages) all += '\0' + l;
    // A finding's safety depends on whether the fix covers it, and its match on the calls it means.
    for (const auto& c : r.calls) all += '\0' + c;
    for (const auto& e : r.fix) {
      all += '\0' + std::to_string(static_cast<int>(e.op)) + e.capture + '\0' + e.text + '\0' + e.key + '\0' + e.when +
             '\0' + e.unless;
      for (const auto& [from, to] : e.map) all += '\0' + from + '\0' + to;
    }
  }
  m_ruleset_hash = hash_hex(all);
}

Engine::~Engine() = default;

namespace {

// Position in a rule's file of byte `offset` of its query text.
[[noreturn]] void query_error(const Rule& rule, const std::string& query, uint32_t offset, const std::string& what) {
  int line = rule.query_line, col = rule.query_column;
  for (uint32_t i = 0; i < offset && i < query.size(); ++i) {
    if (query[i] == '\n') {
      ++line;
      col = rule.query_column;
    } else {
      ++col;
    }
  }
  throw core::LocatedError(rule.source, line, col, "rule " + rule.id + ": " + what);
}

// tree-sitter's query parser recurses once per nested (, [ or {: a repository rule nested tens of
// thousands deep overflows the stack (the worker died of SIGSEGV). Built-in rules nest under 10.
constexpr int k_max_query_depth = 100;

// Refuses a query nested deeper than k_max_query_depth, pointing at the bracket that went too deep.
// Strings and comments are skipped, as the query parser reads them.
void check_query_depth(const Rule& rule) {
  const std::string& q = rule.query;
  int depth = 0;
  for (size_t i = 0; i < q.size(); ++i) {
    const char c = q[i];
    if (c == '"') {
      for (++i; i < q.size() && q[i] != '"'; ++i)
        if (q[i] == '\\') ++i;
    } else if (c == ';') {
      while (i < q.size() && q[i] != '\n') ++i;
    } else if (c == '(' || c == '[' || c == '{') {
      if (++depth > k_max_query_depth)
        query_error(rule, q, static_cast<uint32_t>(i),
                    "the query nests deeper than " + std::to_string(k_max_query_depth) + " levels");
    } else if (c == ')' || c == ']' || c == '}') {
      --depth;
    }
  }
}

const char* query_error_name(TSQueryError e) {
  switch (e) {
  case TSQueryErrorSyntax: return "query syntax error";
  case TSQueryErrorNodeType: return "unknown node type in query";
  case TSQueryErrorField: return "unknown field in query";
  case TSQueryErrorCapture: return "unknown capture in query";
  case TSQueryErrorStructure: return "impossible pattern structure in query";
  case TSQueryErrorLanguage: return "query language mismatch";
  default: return "query error";
  }
}

} // namespace

namespace {

// The words a match of pattern `p` needs in the file's text, or none: its captures that every match
// has (quantifier one or one-or-more) and that an #eq? or #any-of? compares with literals give
// candidates (the capture's text, a part of the file, is one of them); the candidate set whose
// shortest word is longest is taken. Words under k_min_gate_word bytes are no gate: they hide inside
// too many other words (`any`, `eval`, `open`) to spare the second query's walk.
constexpr size_t k_min_gate_word = 5;

std::vector<std::string> pattern_gate(const TSQuery* query, uint32_t p, const std::vector<Predicate>& predicates) {
  std::vector<std::string> best;
  size_t best_shortest = 0;
  for (const auto& pred : predicates) {
    bool literal = (pred.kind == Predicate::Kind::eq && !pred.other_is_capture) || pred.kind == Predicate::Kind::any_of;
    if (!literal || pred.values.empty()) continue;
    TSQuantifier q = ts_query_capture_quantifier_for_id(query, p, pred.capture);
    if (q != TSQuantifierOne && q != TSQuantifierOneOrMore) continue;
    size_t shortest = SIZE_MAX;
    for (const auto& v : pred.values) shortest = std::min(shortest, v.size());
    if (shortest > best_shortest) {
      best_shortest = shortest;
      best = pred.values;
    }
  }
  if (best_shortest < k_min_gate_word) return {};
  return best;
}

// Compiles the rules `indices` (of `rules`, for `language`) as one query, with `metric_text` last
// when not empty.
QueryPart compile_part(const LanguageProfile& language, const std::vector<Rule>& rules,
                       const std::vector<size_t>& indices, const std::string& metric_text) {
  QueryPart part;
  // Each rule's text occupies a known byte range of the query, which maps a pattern (by its start
  // byte) back to its rule.
  std::string source;
  std::vector<std::pair<uint32_t, size_t>> starts; // byte offset → rule index
  for (size_t i : indices) {
    starts.emplace_back(static_cast<uint32_t>(source.size()), i);
    source += rules[i].query;
    source += "\n";
  }
  const uint32_t metric_start = static_cast<uint32_t>(source.size());
  source += metric_text;
  if (source.empty()) return part;
  uint32_t err_off = 0;
  TSQueryError err = TSQueryErrorNone;
  part.query.reset(ts_query_new(language.grammar(), source.data(), static_cast<uint32_t>(source.size()), &err_off, &err));
  if (!part.query) {
    // Compiling is slow (tens of ms per language), so rules are compiled alone only to find the
    // culprit, and the error points into its own file.
    for (const auto& [offset, index] : starts) {
      const Rule& r = rules[index];
      uint32_t off = 0;
      TSQueryError e = TSQueryErrorNone;
      ts::Query alone(ts_query_new(language.grammar(), r.query.data(), static_cast<uint32_t>(r.query.size()), &off, &e));
      if (!alone) {
        // The word at the error: the unknown node type, field or capture.
        size_t end = off;
        while (end < r.query.size() && (std::isalnum(static_cast<unsigned char>(r.query[end])) || r.query[end] == '_'))
          ++end;
        std::string word = end > off && e != TSQueryErrorSyntax ? " '" + r.query.substr(off, std::min<size_t>(end - off, 64)) + "'" : "";
        query_error(r, r.query, off, std::string(query_error_name(e)) + word + " (" + std::string(language.name) + ")");
      }
    }
    throw core::Error("the combined query for " + std::string(language.name) + " does not compile (" +
                      query_error_name(err) + " at byte " + std::to_string(err_off) + ")");
  }
  uint32_t n = ts_query_pattern_count(part.query.get());
  part.patterns.resize(n);
  for (uint32_t p = 0; p < n; ++p) {
    uint32_t at = ts_query_start_byte_for_pattern(part.query.get(), p);
    if (at >= metric_start) {
      part.metric_pattern = p;
      continue;
    }
    auto it = std::upper_bound(starts.begin(), starts.end(), at,
                               [](uint32_t v, const std::pair<uint32_t, size_t>& s) { return v < s.first; });
    part.patterns[p].rule = std::prev(it)->second;
    // `(pattern) (#eq? ...)` makes the predicate a pattern of its own and the first one matches
    // everything: refuse it rather than flood the queue.
    if (source.compare(at, 2, "(#") == 0) {
      const Rule& bad = rules[part.patterns[p].rule];
      query_error(bad, bad.query, at - std::prev(it)->first,
                  "a predicate must sit inside its pattern's parentheses: ((node) @x (#eq? @x \"...\"))");
    }
    part.patterns[p].predicates = read_predicates(part.query.get(), p, rules[part.patterns[p].rule]);
  }
  for (uint32_t i = 0; i < ts_query_capture_count(part.query.get()); ++i) {
    uint32_t len = 0;
    const char* name = ts_query_capture_name_for_id(part.query.get(), i, &len);
    part.capture_names.emplace_back(name, len);
  }
  return part;
}

// Whether the query's text has an #eq? or #any-of? whose quoted words are all k_min_gate_word bytes or
// longer: only such a rule can have a gate, and only it is compiled alone to find out. A reading of
// the text, not of the compiled query: a miss costs speed, never a finding.
bool may_have_gate(const std::string& query) {
  for (const char* head : {"(#eq?", "(#any-of?"}) {
    for (size_t at = query.find(head); at != std::string::npos; at = query.find(head, at + 1)) {
      size_t end = query.find(')', at);
      bool any = false, all_long = true;
      for (size_t q = query.find('"', at); q != std::string::npos && q < end; q = query.find('"', q + 1)) {
        size_t close = query.find('"', q + 1);
        if (close == std::string::npos || close > end) break;
        any = true;
        all_long = all_long && close - q - 1 >= k_min_gate_word;
        q = close;
      }
      if (any && all_long) return true;
    }
  }
  return false;
}

// The words a file must hold for the rule of `alone` (its own query) to match: those of each of its
// patterns (pattern_gate), or none when one of its patterns has no gate.
std::vector<std::string> rule_gate(const QueryPart& alone) {
  std::vector<std::string> words;
  for (uint32_t p = 0; p < alone.patterns.size(); ++p) {
    std::vector<std::string> gate = pattern_gate(alone.query.get(), p, alone.patterns[p].predicates);
    if (gate.empty()) return {};
    words.insert(words.end(), gate.begin(), gate.end());
  }
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  return words;
}

} // namespace

const Engine::Compiled& Engine::compiled(const LanguageProfile& language) const {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    for (const auto& [lang, c] : m_compiled)
      if (lang == &language) return *c;
  }
  // Compiled outside the lock so two threads compile two languages at once; a rare duplicate
  // compile of the same language is discarded below.
  auto c = std::make_unique<Compiled>();
  c->metric_kinds.emplace(language);
  c->metric = metric_pattern(language);
  std::vector<size_t> indices;
  for (size_t i = 0; i < m_rules.size(); ++i) {
    const Rule& r = m_rules[i];
    if (!r.enabled || std::find(r.languages.begin(), r.languages.end(), language.name) == r.languages.end()) continue;
    check_query_depth(r);
    indices.push_back(i);
  }
  c->empty = indices.empty();
  // A rule whose every pattern needs a word of the file's text gets a query of its own; the others
  // share the main query. Only rules that compare a capture with long enough literals can be gated, so
  // only those are compiled alone to look at their patterns (compiling costs tens of ms per language).
  std::vector<size_t> main_rules;
  for (size_t i : indices) {
    if (!may_have_gate(m_rules[i].query)) {
      main_rules.push_back(i);
      continue;
    }
    QueryPart alone;
    try {
      alone = compile_part(language, m_rules, {i}, "");
    } catch (const core::Error&) {
      main_rules.push_back(i); // reported by the main query's compile, in the rules' order
      continue;
    }
    std::vector<std::string> words = rule_gate(alone);
    if (words.empty()) main_rules.push_back(i);
    else c->gated.push_back({std::move(alone), std::move(words)});
  }
  c->main = compile_part(language, m_rules, main_rules, c->metric.text);
  std::lock_guard<std::mutex> lock(m_mutex);
  for (const auto& [lang, existing] : m_compiled)
    if (lang == &language) return *existing;
  m_compiled.emplace_back(&language, std::move(c));
  return *m_compiled.back().second;
}

std::optional<std::string> query_problem(const Rule& rule) {
  Rule alone = rule;
  alone.enabled = true;
  try {
    Engine engine({alone});
    for (const auto& name : rule.languages)
      if (const LanguageProfile* language = language_by_name(name)) engine.compile(*language);
  } catch (const core::Error& e) {
    return std::string(e.what());
  }
  return std::nullopt;
}

void Engine::compile(const LanguageProfile& language) const { compiled(language); }

int Engine::syntax_errors(const LanguageProfile& language, std::string_view source) const {
  ts::Tree tree = parse(language, source, m_parse_timeout_ms);
  if (!tree) return -1;
  return ts::count_errors(ts_tree_root_node(tree.get()));
}

namespace {

// One run of `query`'s cursor over the tree: the rules' matches become findings in `out` (only those
// of `only`, when given), and the nodes of `metric_pattern` go to `metrics` (when given). False when
// the cursor dropped matches in progress (over its match limit): the metrics may then miss nodes.
bool run_query(const TSQuery* query, const std::vector<PatternInfo>& patterns, const std::vector<std::string>& capture_names,
               uint32_t metric_pattern, MetricsBuilder* metrics, const std::vector<Rule>& rules, const Rule* only,
               TSNode root, std::string_view source, const LanguageProfile& language, std::vector<Finding>& out) {
  TSQueryCursor* cursor = thread_tools().cursor.get();
  ts_query_cursor_set_match_limit(cursor, 4096);
  ts_query_cursor_exec(cursor, query, root);
  TSQueryMatch match;
  std::map<std::pair<std::string, uint64_t>, size_t> seen; // one finding per rule and node: its index in `out`
  ExhaustedRegexes exhausted;
  PythonImports python_imports(source); // rules' `calls`: the file's module-level imports, read once
  FileFacts facts(source);               // the checks' whole-file questions, answered once
  while (ts_query_cursor_next_match(cursor, &match)) {
    if (match.pattern_index == metric_pattern) {
      if (metrics && match.capture_count) metrics->add(match.captures[0].node);
      continue;
    }
    const PatternInfo& info = patterns[match.pattern_index];
    const Rule& rule = rules[info.rule];
    if (only && only != &rule) continue;
    // The filters below are pure, so their order does not change which matches are kept: the cheap
    // ones go first (most candidate matches of the built-in rules are calls that a predicate, the
    // callee's imports or a check turn away).
    if (!predicates_hold(info.predicates, match, source, exhausted)) continue;
    if (match.capture_count == 0) continue;
    if (!rule.calls.empty()) {
      bool callee_ok = true;
      for (uint16_t i = 0; i < match.capture_count; ++i)
        if (capture_names[match.captures[i].index] == "callee")
          callee_ok = python_imports.callee_is(match.captures[i].node, rule.calls);
      if (!callee_ok) continue;
    }
    // The reported node: @match, or the first capture.
    TSNode node = match.captures[0].node;
    std::vector<Capture> captures;
    captures.reserve(match.capture_count);
    for (uint16_t i = 0; i < match.capture_count; ++i) {
      const std::string& name = capture_names[match.captures[i].index];
      TSNode n = match.captures[i].node;
      captures.push_back({name, ts_node_start_byte(n), ts_node_end_byte(n)});
      if (name == "match") node = n;
    }
    CheckInput input{rule, language, node, captures, source, facts};
    CheckOutcome outcome = run_check(rule.check, input);
    if (!outcome.keep) continue;
    // Matches inside ERROR nodes are unreliable. The ancestors also place the finding (below).
    std::vector<TSNode> ancestors = node::ancestors_of(root, node);
    if (ancestors.empty() && !ts_node_eq(root, node))
      for (TSNode a = ts_node_parent(node); !ts_node_is_null(a); a = ts_node_parent(a)) ancestors.push_back(a);
    if (ts_node_has_error(root) &&
        (is_error_node(node) || std::any_of(ancestors.begin(), ancestors.end(), is_error_node)))
      continue;
    for (auto& c : outcome.captures) captures.push_back(std::move(c));
    uint64_t key = (uint64_t(ts_node_start_byte(node)) << 32) | ts_node_end_byte(node);
    auto [slot, fresh] = seen.emplace(std::make_pair(rule.id, key), out.size());
    if (!fresh) {
      // Two patterns of a rule may report one node (a call, and the same call as a statement the fix
      // can delete): the match the fix covers wins over one it does not.
      if (out[slot->second].safety != core::Safety::suggest || rule.safety == core::Safety::suggest || rule.fix.empty())
        continue;
      Finding probe;
      probe.captures = captures;
      if (!fix::fix_edits(rule, probe, source)) continue;
    }

    Finding f;
    f.rule_id = rule.id;
    f.start_byte = ts_node_start_byte(node);
    f.end_byte = ts_node_end_byte(node);
    f.start_line = node::line_of(ts_node_start_point(node));
    f.end_line = node::line_of(ts_node_end_point(node));
    if (ts_node_end_point(node).column == 0 && f.end_line > f.start_line) --f.end_line;
    std::string_view text = node::text_of(node, source);
    f.snippet = first_line(text);
    f.message = expand_message(rule.message, captures, source);
    f.safety = rule.safety;
    if (rule.assumption && rule.safety != core::Safety::suggest) {
      TSNode subject{};
      for (uint16_t i = 0; i < match.capture_count; ++i)
        if (capture_names[match.captures[i].index] == rule.assumption->subject) subject = match.captures[i].node;
      if (!assumption_established(rule.assumption->established_by, subject, source)) {
        // Reported, never fixed: the reason goes with the finding to `queue`, `scan` and reports.
        f.safety = core::Safety::suggest;
        f.message += " (suggestion only: the fix assumes " + expand_message(rule.assumption->text, captures, source) +
                     ", which the code here does not establish)";
      }
    }
    // A form of the code the fix template does not cover (a computed command, a typed parameter, a
    // statement sharing its line): reported and never fixed, like an unestablished assumption.
    if (f.safety != core::Safety::suggest && !rule.fix.empty()) {
      Finding probe;
      probe.captures = captures;
      if (!fix::fix_edits(rule, probe, source)) {
        f.safety = core::Safety::suggest;
        f.message += " (suggestion only: the rule's fix does not cover this form of the code)";
      }
    }
    // The nearest ancestors' kinds place the finding without depending on line numbers. The
    // enclosing function's name is added by the caller from the metrics walk.
    std::string ancestry;
    for (size_t level = 0; level < ancestors.size() && level < k_ancestry_levels; ++level) {
      ancestry += ts_node_type(ancestors[level]);
      ancestry += '/';
    }
    f.node_hash = node_hash(text, ancestry);
    f.deferred_check = outcome.deferred_check;
    f.subject = outcome.subject;
    f.subject_start_line = outcome.subject_start_line;
    f.subject_end_line = outcome.subject_end_line;
    f.captures = std::move(captures);
    // Content-only, so cached with the finding; the scanner compares it with the rule's not_in.
    f.contexts = region_contexts(node, source, language.name);
    if (fresh) out.push_back(std::move(f));
    else out[slot->second] = std::move(f);
  }
  return !ts_query_cursor_did_exceed_match_limit(cursor);
}

// Whether `source` holds one of `words` (a gated rule's: it cannot match without one).
bool holds_any_word(std::string_view source, const std::vector<std::string>& words) {
  return std::any_of(words.begin(), words.end(), [&](const std::string& w) { return source.find(w) != std::string_view::npos; });
}

} // namespace

FileResult Engine::scan(const LanguageProfile& language, std::string_view source) const {
  FileResult result;
  result.language = std::string(language.name);
  result.lines = static_cast<int>(std::count(source.begin(), source.end(), '\n')) +
                 (!source.empty() && source.back() != '\n' ? 1 : 0);
  const Compiled& c = compiled(language);
  ts::Tree tree = parse(language, source, m_parse_timeout_ms);
  if (!tree) {
    result.timed_out = true;
    return result;
  }
  TSNode root = ts_tree_root_node(tree.get());
  result.syntax_errors = ts::count_errors(root);
  // One walk of the tree: the query cursor's, which finds the rules' matches and the nodes the
  // metrics count (the choice and its measurements: docs/ARCHITECTURE.md, "One walk per tree").
  std::optional<MetricsBuilder> metrics(std::in_place, *c.metric_kinds, c.metric.else_clause, source, root);
  bool metrics_whole = false;
  if (has_node_wider_than(root, k_max_children)) {
    result.timed_out = true; // generated data: no matching
  } else {
    if (c.main.query)
      metrics_whole = run_query(c.main.query.get(), c.main.patterns, c.main.capture_names, c.main.metric_pattern,
                                &*metrics, m_rules, nullptr, root, source, language, result.findings);
    for (const auto& g : c.gated)
      if (holds_any_word(source, g.words))
        run_query(g.part.query.get(), g.part.patterns, g.part.capture_names, k_no_pattern, nullptr, m_rules, nullptr,
                  root, source, language, result.findings);
  }
  // The metrics pattern alone (a few matches in progress at a time) when the rules were not matched,
  // or when the rules' matches in progress overflowed the cursor's limit and it dropped some.
  if (!metrics_whole) {
    metrics.emplace(*c.metric_kinds, c.metric.else_clause, source, root);
    if (const TSQuery* alone = c.metrics_query())
      run_query(alone, {}, {}, 0, &*metrics, m_rules, nullptr, root, source, language, result.findings);
  }
  FileMeasures measures = metrics->finish();
  result.functions = std::move(measures.functions);
  result.debt_markers = measures.debt_markers;
  if (!result.findings.empty()) {
    add_enclosing_names(result.findings, result.functions);
    number_occurrences(result.findings);
  }
  // After the findings took their enclosing functions' names: folding stubs must not move fingerprints.
  settle_identities(result.functions);
  std::sort(result.findings.begin(), result.findings.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.start_byte, a.rule_id) < std::tie(b.start_byte, b.rule_id);
  });
  return result;
}

std::vector<FileResult> Engine::scan_many(const std::vector<ScanJob>& jobs, unsigned threads) const {
  std::vector<FileResult> results(jobs.size());
  // Each thread takes the next job: one parser and cursor per thread, the compiled queries shared.
  std::atomic<size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < jobs.size();) {
      try {
        results[i] = scan(*jobs[i].language, jobs[i].source);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
      }
    }
  };
  const size_t n = std::max<size_t>(1, std::min<size_t>(std::max(1u, threads), jobs.size()));
  if (n == 1) {
    work();
  } else {
    std::vector<std::thread> pool;
    for (size_t t = 0; t < n; ++t) pool.emplace_back(work);
    for (auto& t : pool) t.join();
  }
  if (error) std::rethrow_exception(error);
  return results;
}

std::vector<Finding> Engine::match_rule(const Rule& rule, const LanguageProfile& language, std::string_view source) const {
  const Compiled& c = compiled(language);
  std::vector<Finding> out;
  if (c.empty) return out;
  ts::Tree tree = parse(language, source, m_parse_timeout_ms);
  if (!tree) return out;
  const Rule* only = nullptr;
  for (const auto& r : m_rules)
    if (r.id == rule.id) only = &r;
  if (!only) return out;
  // As scan() runs them: a gated rule only on a file holding one of its words.
  std::vector<const QueryPart*> parts{&c.main};
  for (const auto& g : c.gated)
    if (holds_any_word(source, g.words)) parts.push_back(&g.part);
  for (const QueryPart* part : parts)
    if (part->query)
      run_query(part->query.get(), part->patterns, part->capture_names, part->metric_pattern, nullptr, m_rules, only,
                ts_tree_root_node(tree.get()), source, language, out);
  number_occurrences(out);
  return out;
}

std::vector<Finding> apply_context(std::vector<Finding> findings, std::string_view source, const FileContext& context) {
  // Lines that carry an inline suppression comment.
  std::vector<std::pair<int, std::string>> ignores; // line → rule id or "" for all
  {
    int line = 1;
    size_t pos = 0;
    while (pos <= source.size()) {
      size_t nl = source.find('\n', pos);
      std::string_view l = source.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
      size_t at = l.find("autoloop: ignore");
      if (at != std::string_view::npos) {
        std::string_view rest = l.substr(at + 16);
        if (!rest.empty() && rest[0] == '[') {
          size_t close = rest.find(']');
          std::string_view ids = rest.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1);
          size_t s = 0;
          while (s <= ids.size()) {
            size_t comma = ids.find(',', s);
            std::string_view id = ids.substr(s, comma == std::string_view::npos ? std::string_view::npos : comma - s);
            while (!id.empty() && id.front() == ' ') id.remove_prefix(1);
            while (!id.empty() && id.back() == ' ') id.remove_suffix(1);
            ignores.emplace_back(line, std::string(id));
            if (comma == std::string_view::npos) break;
            s = comma + 1;
          }
        } else {
          ignores.emplace_back(line, "");
        }
      }
      if (nl == std::string_view::npos) break;
      pos = nl + 1;
      ++line;
    }
  }
  auto suppressed = [&](const Finding& f) {
    for (const auto& [line, id] : ignores)
      if ((line == f.start_line || line == f.start_line - 1) && (id.empty() || id == f.rule_id)) return true;
    return false;
  };
  std::vector<Finding> out;
  for (auto& f : findings) {
    if (suppressed(f)) continue;
    if (!apply_deferred_check(f, context)) continue;
    f.fingerprint = fingerprint(f, context.path);
    out.push_back(std::move(f));
  }
  return out;
}

} // namespace scan
