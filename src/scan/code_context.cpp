#include "scan/code_context.hpp"

#include "core/glob.hpp"
#include "scan/checks.hpp"
#include "scan/node_util.hpp"

#include <tree_sitter/api.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>

namespace scan {

namespace {

// ---------------------------------------------------------------------------------------------
// Paths

constexpr std::array<std::string_view, 20> k_test_dirs = {
    "test",     "tests",     "testing",   "__tests__", "__test__",          "spec",          "specs",
    "__mocks__", "__fixtures__", "testdata", "test_data", "test-data",       "unittests",     "unit_tests",
    "unit-tests", "integration_tests", "integration-tests", "e2e", "cypress", "functional_tests"};
constexpr std::array<std::string_view, 10> k_example_dirs = {"example", "examples", "_example", "_examples", "demo",
                                                             "demos",   "sample",   "samples",  "tutorial", "tutorials"};
constexpr std::array<std::string_view, 6> k_benchmark_dirs = {"bench",     "benches",      "benchmark",
                                                              "benchmarks", "benchmarking", "asv_bench"};
constexpr std::array<std::string_view, 8> k_js_extensions = {".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts"};
constexpr std::array<std::string_view, 4> k_c_extensions = {".c", ".cc", ".cpp", ".cxx"};

template <class List> bool in(const List& list, std::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool starts_with(std::string_view s, std::string_view p) { return s.size() >= p.size() && s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

// "a/b/c.test.js" -> name "c.test.js", stem "c.test", extension ".js".
struct FileName {
  std::string_view name, stem, extension;
};

FileName split_name(std::string_view path) {
  FileName f;
  auto slash = path.rfind('/');
  f.name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  auto dot = f.name.rfind('.');
  f.stem = dot == std::string_view::npos || dot == 0 ? f.name : f.name.substr(0, dot);
  f.extension = f.stem.size() == f.name.size() ? std::string_view() : f.name.substr(f.stem.size());
  return f;
}

// The last dotted part of a stem: "c.test" -> "test", "c" -> "".
std::string_view inner_suffix(std::string_view stem) {
  auto dot = stem.rfind('.');
  return dot == std::string_view::npos || dot == 0 ? std::string_view() : stem.substr(dot + 1);
}

bool is_test_file_name(const FileName& f) {
  const std::string_view n = f.name, s = f.stem, e = f.extension;
  if (e == ".py")
    return starts_with(n, "test_") || ends_with(s, "_test") || ends_with(s, "_tests") || n == "tests.py" ||
           n == "conftest.py";
  if (e == ".go") return ends_with(s, "_test");
  if (in(k_js_extensions, e)) {
    std::string_view inner = inner_suffix(s);
    return inner == "test" || inner == "spec" || inner == "cy" || inner == "e2e" || inner == "e2e-spec";
  }
  if (e == ".java") {
    if (ends_with(s, "Test") || ends_with(s, "Tests") || ends_with(s, "IT") || ends_with(s, "TestCase")) return true;
    return s.size() > 4 && starts_with(s, "Test") && std::isupper(static_cast<unsigned char>(s[4]));
  }
  if (in(k_c_extensions, e))
    return ends_with(s, "_test") || ends_with(s, "_tests") || ends_with(s, "_unittest") || starts_with(s, "test_");
  if (e == ".rs") return n == "tests.rs";
  return false;
}

bool is_example_file_name(const FileName& f) {
  std::string s = lower(f.stem);
  return s == "example" || s == "examples" || s == "demo" || starts_with(s, "example_") || starts_with(s, "demo_") ||
         ends_with(s, "_example") || ends_with(s, "_demo");
}

bool is_benchmark_file_name(const FileName& f) {
  std::string s = lower(f.stem);
  if (starts_with(s, "bench_") || starts_with(s, "benchmark_") || ends_with(s, "_bench") || ends_with(s, "_benchmark"))
    return true;
  if (f.extension == ".java" && ends_with(f.stem, "Benchmark")) return true;
  return in(k_js_extensions, f.extension) && inner_suffix(f.stem) == "bench";
}

bool is_declaration_file(const FileName& f) {
  return f.extension == ".pyi" || ends_with(f.name, ".d.ts") || ends_with(f.name, ".d.mts") ||
         ends_with(f.name, ".d.cts");
}

} // namespace

const std::vector<std::string>& context_names() {
  static const std::vector<std::string> k = {"tests", "examples", "benchmarks", "type_checking", "codegen"};
  return k;
}

std::optional<ContextSet> context_by_name(std::string_view name) {
  const auto& names = context_names();
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return ContextSet{1u << i};
  return std::nullopt;
}

std::string describe_contexts(ContextSet set) {
  std::string out;
  const auto& names = context_names();
  for (size_t i = 0; i < names.size(); ++i)
    if (set & (1u << i)) out += (out.empty() ? "" : ", ") + names[i];
  return out;
}

std::string first_context(ContextSet set) {
  const auto& names = context_names();
  for (size_t i = 0; i < names.size(); ++i)
    if (set & (1u << i)) return names[i];
  return "";
}

ContextSet detected_path_contexts(std::string_view path, const PathExists& exists) {
  ContextSet out = 0;
  const FileName file = split_name(path);
  // Directory segments.
  size_t at = 0;
  while (true) {
    size_t slash = path.find('/', at);
    if (slash == std::string_view::npos) break;
    std::string segment = lower(path.substr(at, slash - at));
    if (in(k_test_dirs, segment)) out |= bit(CodeContext::tests);
    if (in(k_example_dirs, segment)) out |= bit(CodeContext::examples);
    if (in(k_benchmark_dirs, segment)) out |= bit(CodeContext::benchmarks);
    // pytest collects everything below a conftest.py; the root's configures the whole project.
    if (exists && !(out & bit(CodeContext::tests)) && exists(std::string(path.substr(0, slash)) + "/conftest.py"))
      out |= bit(CodeContext::tests);
    at = slash + 1;
  }
  if (is_test_file_name(file)) out |= bit(CodeContext::tests);
  if (is_example_file_name(file)) out |= bit(CodeContext::examples);
  if (is_benchmark_file_name(file)) out |= bit(CodeContext::benchmarks);
  if (is_declaration_file(file)) out |= bit(CodeContext::type_checking);
  return out;
}

FileContexts file_contexts(const core::Config& config, std::string_view path, const PathExists& exists) {
  FileContexts out;
  out.all = out.for_security = detected_path_contexts(path, exists);
  struct Globs {
    const std::vector<std::string>& globs;
    const char* key;
    CodeContext context;
  };
  const Globs lists[] = {{config.scan.test_paths, "scan.test_paths", CodeContext::tests},
                         {config.scan.example_paths, "scan.example_paths", CodeContext::examples},
                         {config.scan.benchmark_paths, "scan.benchmark_paths", CodeContext::benchmarks}};
  for (const auto& l : lists) {
    if (!core::glob_any(l.globs, path)) continue;
    out.all |= bit(l.context);
    if (!config.from_repository.count(l.key)) out.for_security |= bit(l.context);
  }
  return out;
}

std::optional<std::string> skipped_context(const Rule& rule, const FileContexts& file, ContextSet region) {
  const ContextSet where = (rule.category == core::Category::security_fixes ? file.for_security : file.all) | region;
  if (ContextSet hit = where & rule.not_in) return first_context(hit);
  return std::nullopt;
}

void apply_context_overrides(std::vector<Rule>& rules, const core::Config& config) {
  for (auto& rule : rules) {
    auto it = config.rules.contexts.find(rule.id);
    if (it == config.rules.contexts.end()) continue;
    ContextSet wanted = 0;
    for (const auto& name : it->second)
      if (auto b = context_by_name(name)) wanted |= *b; // names were validated with the configuration
    const bool shared = config.from_repository.count("rules.contexts." + rule.id) > 0;
    if (shared && rule.category == core::Category::security_fixes && (wanted & ~rule.not_in)) {
      rule.not_in_note = "rules.contexts in the repository's .autoloop.yml may not add " +
                         describe_contexts(wanted & ~rule.not_in) +
                         " to a security rule (set it in .git/autoloop/config.yml to skip them)";
      wanted &= rule.not_in;
    } else {
      rule.not_in_note = "set by rules.contexts";
    }
    rule.not_in = wanted;
  }
}

// ---------------------------------------------------------------------------------------------
// Regions of the syntax tree

namespace {

// Null nodes (a missing field, an odd tree) are allowed everywhere below (scan/node_util.hpp).
using node::field;
using node::is;
using node::text_of;




// `TYPE_CHECKING` or `<anything>.TYPE_CHECKING`.
bool is_type_checking_flag(TSNode cond, std::string_view source) {
  if (is(cond, "parenthesized_expression") && ts_node_named_child_count(cond) == 1) cond = ts_node_named_child(cond, 0);
  if (ts_node_is_null(cond)) return false;
  if (is(cond, "identifier")) return text_of(cond, source) == "TYPE_CHECKING";
  if (is(cond, "attribute")) return text_of(field(cond, "attribute"), source) == "TYPE_CHECKING";
  return false;
}

// Inside the body (not the else) of `if TYPE_CHECKING:`.
bool in_type_checking_block(TSNode node, std::string_view source) {
  TSNode child = node;
  for (TSNode a = ts_node_parent(node); !ts_node_is_null(a); child = a, a = ts_node_parent(a)) {
    if (!is(a, "if_statement")) continue;
    TSNode consequence = field(a, "consequence");
    if (!ts_node_is_null(consequence) && ts_node_eq(consequence, child) && is_type_checking_flag(field(a, "condition"), source))
      return true;
  }
  return false;
}

bool is_function(TSNode n) {
  static const char* const k[] = {"function_definition", "function_declaration", "function_expression",
                                  "arrow_function",      "method_definition",    "generator_function_declaration",
                                  "generator_function",  "lambda"};
  for (const char* t : k)
    if (is(n, t)) return true;
  return false;
}

TSNode enclosing_function(TSNode node) {
  for (TSNode a = ts_node_parent(node); !ts_node_is_null(a); a = ts_node_parent(a))
    if (is_function(a)) return a;
  return TSNode{};
}

// The root name of `x`, `x.y.z`; "" for anything else.
std::string_view root_name(TSNode n, std::string_view source) {
  while (is(n, "attribute")) n = field(n, "object");
  return is(n, "identifier") ? text_of(n, source) : std::string_view();
}

std::vector<std::string_view> python_parameters(TSNode function, std::string_view source) {
  std::vector<std::string_view> out;
  TSNode params = field(function, "parameters");
  if (ts_node_is_null(params)) return out;
  for (uint32_t i = 0; i < ts_node_named_child_count(params); ++i) {
    TSNode p = ts_node_named_child(params, i);
    if (is(p, "identifier")) {
      out.push_back(text_of(p, source));
      continue;
    }
    TSNode name = field(p, "name");
    if (ts_node_is_null(name) && ts_node_named_child_count(p) > 0) name = ts_node_named_child(p, 0);
    if (is(name, "identifier")) out.push_back(text_of(name, source));
  }
  return out;
}

// Depth-first search below `root` (itself included) for a named node that satisfies `pred`, visiting
// only nodes that start before `limit`. Iterative: a long chain of `+` is a deep tree.
template <class Pred> bool any_node(TSNode root, uint32_t limit, const Pred& pred) {
  if (ts_node_is_null(root) || ts_node_start_byte(root) >= limit) return false;
  TSTreeCursor cursor = ts_tree_cursor_new(root);
  bool found = false;
  for (;;) {
    TSNode n = ts_tree_cursor_current_node(&cursor);
    if (ts_node_is_named(n) && pred(n)) {
      found = true;
      break;
    }
    if (ts_tree_cursor_goto_first_child(&cursor)) {
      if (ts_node_start_byte(ts_tree_cursor_current_node(&cursor)) < limit) continue;
      ts_tree_cursor_goto_parent(&cursor);
    }
    // Next sibling that starts before the limit, climbing while there is none.
    bool moved = false;
    while (!moved) {
      if (ts_tree_cursor_goto_next_sibling(&cursor)) {
        if (ts_node_start_byte(ts_tree_cursor_current_node(&cursor)) < limit) moved = true;
        else if (!ts_tree_cursor_goto_parent(&cursor)) break;
      } else if (!ts_tree_cursor_goto_parent(&cursor)) {
        break;
      }
      if (!moved && ts_node_eq(ts_tree_cursor_current_node(&cursor), root)) break;
    }
    if (!moved) break;
  }
  ts_tree_cursor_delete(&cursor);
  return found;
}

// Whether `name` is assigned (=, +=, for, with ... as, :=) in `scope` before byte `limit`.
bool python_assigned_before(TSNode scope, std::string_view name, uint32_t limit, std::string_view source) {
  auto names_it = [&](TSNode target) {
    return any_node(target, UINT32_MAX, [&](TSNode n) { return is(n, "identifier") && text_of(n, source) == name; });
  };
  return any_node(scope, limit, [&](TSNode n) {
    if (is(n, "assignment") || is(n, "augmented_assignment")) return names_it(field(n, "left"));
    if (is(n, "for_statement")) return names_it(field(n, "left"));
    if (is(n, "named_expression")) return text_of(field(n, "name"), source) == name;
    if (is(n, "as_pattern")) return names_it(field(n, "alias"));
    return false;
  });
}

// The subjects X of a narrowing condition (`X is not None`, `isinstance(X, T)`, `a and b`); false when
// the condition is anything else.
bool narrowing_subjects(TSNode cond, std::string_view source, std::vector<TSNode>& out) {
  if (is(cond, "parenthesized_expression") && ts_node_named_child_count(cond) == 1)
    return narrowing_subjects(ts_node_named_child(cond, 0), source, out);
  if (is(cond, "boolean_operator")) {
    TSNode op = field(cond, "operator");
    if (ts_node_is_null(op) || text_of(op, source) != "and") return false;
    return narrowing_subjects(field(cond, "left"), source, out) && narrowing_subjects(field(cond, "right"), source, out);
  }
  if (is(cond, "comparison_operator")) {
    // `X is not None`: children X, "is not", none.
    if (ts_node_named_child_count(cond) != 2) return false;
    TSNode left = ts_node_named_child(cond, 0), right = ts_node_named_child(cond, 1);
    if (!is(right, "none")) return false;
    std::string_view between = source.substr(ts_node_end_byte(left), ts_node_start_byte(right) - ts_node_end_byte(left));
    std::string words;
    for (char c : between)
      if (!std::isspace(static_cast<unsigned char>(c))) words += c;
    if (words != "isnot") return false;
    out.push_back(left);
    return true;
  }
  if (is(cond, "call")) {
    if (text_of(field(cond, "function"), source) != "isinstance") return false;
    TSNode args = field(cond, "arguments");
    if (ts_node_is_null(args) || ts_node_named_child_count(args) != 2) return false;
    out.push_back(ts_node_named_child(args, 0));
    return true;
  }
  return false;
}

bool is_narrowing_assert(TSNode assert_node, std::string_view source) {
  // A message is written for a person who hits the assert (`'can only join a started process'`): that
  // is a check of how the code is used, not a note to the type checker.
  if (ts_node_named_child_count(assert_node) != 1) return false;
  std::vector<TSNode> subjects;
  if (!narrowing_subjects(ts_node_named_child(assert_node, 0), source, subjects) || subjects.empty()) return false;
  TSNode function = enclosing_function(assert_node);
  std::vector<std::string_view> params;
  if (!ts_node_is_null(function)) params = python_parameters(function, source);
  const uint32_t at = ts_node_start_byte(assert_node);
  for (TSNode x : subjects) {
    std::string_view root = root_name(x, source);
    if (root.empty()) return false;
    const bool is_param = std::find(params.begin(), params.end(), root) != params.end();
    const bool is_self = !params.empty() && root == params.front() && (root == "self" || root == "cls");
    if (is_param && !is_self && !python_assigned_before(field(function, "body"), root, at, source)) return false;
    // Used again after the assert in the same block.
    std::string_view x_text = text_of(x, source);
    bool used = false;
    for (TSNode s = ts_node_next_named_sibling(assert_node); !used && !ts_node_is_null(s); s = ts_node_next_named_sibling(s))
      used = any_node(s, UINT32_MAX, [&](TSNode n) {
        return (is(n, "identifier") || is(n, "attribute")) && text_of(n, source) == x_text;
      });
    if (!used) return false;
  }
  return true;
}

// Words of an identifier: "FunctionBuilder" -> function, builder; "_make_init" -> make, init.
std::vector<std::string> words_of(std::string_view name) {
  std::vector<std::string> out;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) out.push_back(lower(word));
    word.clear();
  };
  for (size_t i = 0; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (!std::isalnum(c)) {
      flush();
      continue;
    }
    if (std::isupper(c) && !word.empty() &&
        (std::islower(static_cast<unsigned char>(word.back())) ||
         (i + 1 < name.size() && std::islower(static_cast<unsigned char>(name[i + 1])))))
      flush();
    word += static_cast<char>(c);
  }
  flush();
  return out;
}

bool name_says_codegen(std::string_view name) {
  static const std::array<std::string_view, 15> k_words = {
      "codegen",  "gen",       "generate",   "generated",  "generator",  "compile",    "compiler",  "compiled",
      "template", "templates", "templating", "synthesize", "synthesise", "builder",    "codegenerator"};
  static const std::array<std::string_view, 3> k_verbs = {"make", "create", "build"};
  static const std::array<std::string_view, 13> k_objects = {"fn",   "func", "function", "method", "class", "init", "code",
                                                             "source", "src", "repr",    "eq",     "hash",  "funcs"};
  auto words = words_of(name);
  for (size_t i = 0; i < words.size(); ++i) {
    if (in(k_words, words[i])) return true;
    if (i + 1 < words.size() && in(k_verbs, words[i]) && in(k_objects, words[i + 1])) return true;
  }
  return false;
}

// The names of the functions and classes around `node` (for JavaScript also the variable or property a
// function expression is assigned to).
bool enclosing_name_says_codegen(TSNode node, std::string_view source) {
  for (TSNode a = ts_node_parent(node); !ts_node_is_null(a); a = ts_node_parent(a)) {
    TSNode name = field(a, "name");
    if (!ts_node_is_null(name) && (is_function(a) || is(a, "class_definition") || is(a, "class_declaration") ||
                                   is(a, "class") || is(a, "variable_declarator") || is(a, "pair")) &&
        name_says_codegen(text_of(name, source)))
      return true;
    if (is(a, "pair") && name_says_codegen(text_of(field(a, "key"), source))) return true;
    if (is(a, "assignment_expression")) {
      TSNode left = field(a, "left");
      TSNode prop = is(left, "member_expression") ? field(left, "property") : left;
      if (name_says_codegen(text_of(prop, source))) return true;
    }
  }
  return false;
}

bool is_string(TSNode n) { return is(n, "string") || is(n, "template_string") || is(n, "concatenated_string"); }

// Whether `n` is code text built from a template (see the header); `scope` and `limit` resolve names.
bool template_built(TSNode n, TSNode scope, uint32_t limit, std::string_view source, int depth);

// A name assigned or `+=`-extended from a template-built value in `scope` before `limit`.
bool name_template_built(std::string_view name, TSNode scope, uint32_t limit, std::string_view source, int depth) {
  if (ts_node_is_null(scope) || depth > 4) return false;
  return any_node(scope, limit, [&](TSNode n) {
    TSNode left, right;
    bool extend = false;
    if (is(n, "assignment") || is(n, "assignment_expression")) {
      left = field(n, "left");
      right = field(n, "right");
    } else if (is(n, "augmented_assignment") || is(n, "augmented_assignment_expression")) {
      left = field(n, "left");
      right = field(n, "right");
      extend = text_of(field(n, "operator"), source) == "+=";
    } else if (is(n, "variable_declarator")) {
      left = field(n, "name");
      right = field(n, "value");
    } else {
      return false;
    }
    if (!is(left, "identifier") || text_of(left, source) != name || ts_node_is_null(right)) return false;
    // `src += "..."` extends the code text piece by piece; a generator does that in loops.
    if (extend && (is_string(right) || template_built(right, scope, limit, source, depth + 1))) return true;
    return template_built(right, scope, ts_node_start_byte(n), source, depth + 1);
  });
}

bool template_built(TSNode n, TSNode scope, uint32_t limit, std::string_view source, int depth) {
  if (ts_node_is_null(n) || depth > 6) return false;
  if (is(n, "parenthesized_expression") && ts_node_named_child_count(n) == 1)
    return template_built(ts_node_named_child(n, 0), scope, limit, source, depth + 1);
  // f-strings and template literals with substitutions.
  if (is(n, "string") || is(n, "template_string"))
    return any_node(n, UINT32_MAX, [](TSNode c) { return is(c, "interpolation") || is(c, "template_substitution"); });
  if (is(n, "binary_operator") || is(n, "binary_expression")) {
    std::string_view op = text_of(field(n, "operator"), source);
    TSNode left = field(n, "left"), right = field(n, "right");
    // Code text formatted with `%` (a number is no code to run: the left side is a template string).
    if (op == "%") return true;
    if (op == "+")
      return is_string(left) || is_string(right) || template_built(left, scope, limit, source, depth + 1) ||
             template_built(right, scope, limit, source, depth + 1);
    return false;
  }
  if (is(n, "call") || is(n, "call_expression")) {
    TSNode fn = field(n, "function");
    if (is(fn, "attribute") || is(fn, "member_expression")) {
      std::string_view method = text_of(field(fn, is(fn, "attribute") ? "attribute" : "property"), source);
      if (method == "format" || method == "substitute" || method == "safe_substitute" || method == "join") return true;
      if (method == "dedent" || method == "cleandoc") {
        TSNode args = field(n, "arguments");
        return !ts_node_is_null(args) && ts_node_named_child_count(args) > 0 &&
               template_built(ts_node_named_child(args, 0), scope, limit, source, depth + 1);
      }
    }
    return false;
  }
  if (is(n, "identifier")) return name_template_built(text_of(n, source), scope, limit, source, depth + 1);
  return false;
}

// The scope names resolve in: the enclosing function's body, else the whole file.
TSNode scope_of(TSNode node) {
  TSNode f = enclosing_function(node);
  if (!ts_node_is_null(f)) return f;
  TSNode root = node;
  for (TSNode a = ts_node_parent(node); !ts_node_is_null(a); a = ts_node_parent(a)) root = a;
  return root;
}

bool is_compile_call(TSNode n, std::string_view source) {
  return is(n, "call") && text_of(field(n, "function"), source) == "compile";
}

bool python_codegen(TSNode call, std::string_view source) {
  std::string_view fn = text_of(field(call, "function"), source);
  if (fn != "exec" && fn != "eval") return false;
  TSNode args = field(call, "arguments");
  if (ts_node_is_null(args) || ts_node_named_child_count(args) == 0) return false;
  TSNode code = ts_node_named_child(args, 0);
  if (is(code, "keyword_argument")) return false;
  TSNode scope = scope_of(call);
  const uint32_t at = ts_node_start_byte(call);
  // A compile()d code object: generated when its source is a template (or literal) or the function says
  // it generates code; compiling a file's text (running a script) is not.
  auto generated_code_object = [&](TSNode compile_call) {
    TSNode cargs = field(compile_call, "arguments");
    TSNode text = ts_node_is_null(cargs) || ts_node_named_child_count(cargs) == 0 ? TSNode{} : ts_node_named_child(cargs, 0);
    return is(text, "string") || template_built(text, scope, at, source, 0) || enclosing_name_says_codegen(call, source);
  };
  if (is_compile_call(code, source)) return generated_code_object(code);
  if (is(code, "identifier")) {
    std::string_view name = text_of(code, source);
    TSNode compiled{};
    any_node(scope, at, [&](TSNode n) {
      if (is(n, "assignment") && text_of(field(n, "left"), source) == name && is_compile_call(field(n, "right"), source))
        compiled = field(n, "right");
      return false; // the last one before the call
    });
    if (!ts_node_is_null(compiled)) return generated_code_object(compiled);
  }
  if (!template_built(code, scope, at, source, 0)) return false;
  const bool namespace_given = ts_node_named_child_count(args) >= 2 && !is(ts_node_named_child(args, 1), "keyword_argument");
  return namespace_given || enclosing_name_says_codegen(call, source);
}

bool javascript_codegen(TSNode call, std::string_view source) {
  TSNode callee = is(call, "new_expression") ? field(call, "constructor") : field(call, "function");
  if (is(callee, "member_expression")) callee = field(callee, "property");
  std::string_view name = text_of(callee, source);
  if (name != "Function" && name != "eval") return false;
  TSNode args = field(call, "arguments");
  uint32_t count = ts_node_is_null(args) ? 0 : ts_node_named_child_count(args);
  if (count == 0) return false;
  TSNode code = ts_node_named_child(args, name == "Function" ? count - 1 : 0);
  return template_built(code, scope_of(call), ts_node_start_byte(call), source, 0) &&
         enclosing_name_says_codegen(call, source);
}

} // namespace

ContextSet region_contexts(TSNode node, std::string_view source, std::string_view language) {
  ContextSet out = 0;
  if (ts_node_is_null(node)) return out;
  if (language == "python") {
    if (in_type_checking_block(node, source) || (is(node, "assert_statement") && is_narrowing_assert(node, source)))
      out |= bit(CodeContext::type_checking);
    if (is(node, "call") && python_codegen(node, source)) out |= bit(CodeContext::codegen);
  } else if (language == "javascript" || language == "typescript" || language == "tsx") {
    if ((is(node, "call_expression") || is(node, "new_expression")) && javascript_codegen(node, source))
      out |= bit(CodeContext::codegen);
  }
  return out;
}

} // namespace scan
