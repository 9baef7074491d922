#include "scan/checks_c.hpp"

#include "scan/node_util.hpp"

#include <tree_sitter/api.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <string>

namespace scan {

namespace {

// Bounds that keep every check linear in the code it looks at.
constexpr int k_max_constant_depth = 4;       // `#define A B`, `B` an enum constant, ...
constexpr uint32_t k_max_statements = 4096;   // statements followed after an allocation
constexpr uint32_t k_max_top_level = 20000;   // file-scope declarations looked through
constexpr uint32_t k_max_scope_nodes = 50000; // nodes of a function body looked through
constexpr uint64_t k_huge = uint64_t(1) << 40; // any size past this is "no bound"

// ---- tree helpers ---------------------------------------------------------------------------------

using node::field;
using node::is;
using node::is_any;
using node::text_of;
using node::walk;




bool one_of(std::string_view text, std::initializer_list<const char*> values) {
  return std::any_of(values.begin(), values.end(), [&](const char* v) { return text == v; });
}

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }


bool same(TSNode a, TSNode b) { return !ts_node_is_null(a) && !ts_node_is_null(b) && ts_node_eq(a, b); }

// The operator of a unary/binary/assignment/pointer/field expression, as written.
std::string_view operator_of(TSNode node) {
  TSNode op = field(node, "operator");
  return ts_node_is_null(op) ? std::string_view{} : std::string_view(ts_node_type(op));
}

// Named children through a cursor (ts_node_named_child(i) is linear in i).
template <class F> void for_each_named_child(TSNode node, F&& visit) {
  if (ts_node_is_null(node)) return;
  TSTreeCursor cursor = ts_tree_cursor_new(node);
  if (ts_tree_cursor_goto_first_child(&cursor)) {
    do {
      TSNode child = ts_tree_cursor_current_node(&cursor);
      if (ts_node_is_named(child) && !visit(child)) break;
    } while (ts_tree_cursor_goto_next_sibling(&cursor));
  }
  ts_tree_cursor_delete(&cursor);
}

// The root of the node's tree: the tree knows it (climbing with ts_node_parent, itself a descent from
// the root in tree-sitter 0.20.7, cost a quadratic walk for every call the allocation check saw).
TSNode root_of(TSNode node) { return ts_tree_root_node(node.tree); }

// Whether the tree was parsed with the C++ grammar (the C grammar has no template declarations).
bool parsed_as_cpp(TSNode node) {
  const TSLanguage* language = ts_tree_language(node.tree);
  return ts_language_symbol_for_name(language, "template_declaration", 20, true) != 0;
}

TSNode strip_parentheses(TSNode node) {
  while (is(node, "parenthesized_expression") && ts_node_named_child_count(node) == 1) node = ts_node_named_child(node, 0);
  return node;
}

// The name a (pointer/array/reference/init) declarator declares, or a null node.
TSNode declared_name(TSNode declarator) {
  for (int depth = 0; depth < 16 && !ts_node_is_null(declarator); ++depth) {
    if (is_any(declarator, {"identifier", "field_identifier"})) return declarator;
    if (is_any(declarator, {"pointer_declarator", "array_declarator", "reference_declarator", "init_declarator",
                            "function_declarator", "parenthesized_declarator", "attributed_declarator"})) {
      TSNode inner = field(declarator, "declarator");
      if (ts_node_is_null(inner) && ts_node_named_child_count(declarator) > 0)
        inner = ts_node_named_child(declarator, ts_node_named_child_count(declarator) - 1);
      declarator = inner;
      continue;
    }
    break;
  }
  return TSNode{};
}

// The top-level definitions of the file, looking into `extern "C" { }` and namespaces.
template <class F> void for_each_top_level(TSNode root, F&& visit) {
  uint32_t seen = 0;
  auto walk_list = [&](auto&& self, TSNode list, int depth) -> void {
    for_each_named_child(list, [&](TSNode child) {
      if (++seen > k_max_top_level) return false;
      if (depth < 3 && is_any(child, {"linkage_specification", "namespace_definition"})) {
        TSNode body = field(child, "body");
        if (!ts_node_is_null(body)) self(self, body, depth + 1);
        return true;
      }
      visit(child);
      return true;
    });
  };
  walk_list(walk_list, root, 0);
}

// Whether the file declares a function called `name` of its own: in a namespace, or (C++ only) any
// definition of it, macro-opened namespaces included (fmt's `FMT_BEGIN_NAMESPACE` ... `inline auto
// vsprintf(...)`): then an unqualified call of that name there is the project's function, not the C
// library's. A C file that defines `sprintf` is a C library, with the same contract: still reported.
bool declares_own_function(TSNode root, std::string_view name, std::string_view source) {
  const bool cpp = parsed_as_cpp(root);
  bool found = false;
  walk(
      root,
      [&](TSNode n) {
        if (!is_any(n, {"function_definition", "declaration"})) return !is(n, "compound_statement");
        TSNode fd = field(n, "declarator");
        for (int depth = 0; depth < 8 && !ts_node_is_null(fd) && !is(fd, "function_declarator"); ++depth)
          fd = field(fd, "declarator");
        if (!is(fd, "function_declarator") || text_of(declared_name(field(fd, "declarator")), source) != name) return false;
        if (cpp && is(n, "function_definition")) found = true;
        for (TSNode p = ts_node_parent(n); !ts_node_is_null(p) && !found; p = ts_node_parent(p))
          found = is(p, "namespace_definition");
        return false;
      },
      found);
  return found;
}

// ---- integer constants ----------------------------------------------------------------------------

std::optional<uint64_t> parse_integer(std::string_view text) {
  while (!text.empty() && std::strchr("uUlLzZ", text.back())) text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) base = 16, text.remove_prefix(2);
  else if (text.size() > 2 && text[0] == '0' && (text[1] == 'b' || text[1] == 'B')) base = 2, text.remove_prefix(2);
  else if (text.size() > 1 && text[0] == '0') base = 8, text.remove_prefix(1);
  uint64_t value = 0;
  for (char c : text) {
    if (c == '\'') continue;
    int digit;
    if (c >= '0' && c <= '9') digit = c - '0';
    else if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
    else return std::nullopt;
    if (digit >= base) return std::nullopt;
    value = value * base + digit;
    if (value > k_huge) return std::nullopt;
  }
  return value;
}

std::optional<uint64_t> evaluate(TSNode expr, TSNode root, std::string_view source, int depth);

// The value of a named integer constant the file defines once: `#define N 32`, an enumerator with
// an explicit value, or a `const`/`constexpr` integer initialised with a constant. Two definitions
// (e.g. under #if/#else) give no value.
std::optional<uint64_t> constant_named(std::string_view name, TSNode root, std::string_view source, int depth) {
  if (depth > k_max_constant_depth) return std::nullopt;
  std::optional<uint64_t> value;
  int definitions = 0;
  auto define = [&](std::optional<uint64_t> v) {
    ++definitions;
    value = v;
  };
  bool stop = false;
  uint32_t visited = 0;
  walk(root, [&](TSNode n) {
    if (++visited > 200000 || definitions > 1) {
      stop = true;
      return false;
    }
    if (is(n, "function_definition")) return false; // function-local constants are looked up elsewhere
    if (is(n, "preproc_def") && text_of(field(n, "name"), source) == name) {
      TSNode arg = field(n, "value");
      std::string_view t = text_of(arg, source);
      while (!t.empty() && (t.front() == ' ' || t.front() == '\t' || t.front() == '(')) t.remove_prefix(1);
      while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\n' || t.back() == ')' || t.back() == '\r'))
        t.remove_suffix(1);
      auto v = parse_integer(t);
      if (!v && !t.empty() && (std::isalpha(static_cast<unsigned char>(t.front())) || t.front() == '_') &&
          std::all_of(t.begin(), t.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }))
        v = constant_named(t, root, source, depth + 1);
      define(v);
      return false;
    }
    if (is(n, "enumerator") && text_of(field(n, "name"), source) == name) {
      TSNode v = field(n, "value");
      define(ts_node_is_null(v) ? std::nullopt : evaluate(v, root, source, depth + 1));
      return false;
    }
    if (is(n, "declaration")) {
      bool constant = false; // const, constexpr
      for_each_named_child(n, [&](TSNode d) {
        if (is(d, "type_qualifier") && one_of(text_of(d, source), {"const", "constexpr"})) constant = true;
        return true;
      });
      for_each_named_child(n, [&](TSNode d) {
        if (is(d, "init_declarator") && is(field(d, "declarator"), "identifier") &&
            text_of(field(d, "declarator"), source) == name)
          define(constant ? evaluate(field(d, "value"), root, source, depth + 1) : std::nullopt);
        return true;
      });
      return true; // an enum declared here holds enumerators
    }
    return true;
  }, stop);
  if (definitions != 1) return std::nullopt;
  return value;
}

// A constant integer expression: literals, named constants, + - * / << and parentheses.
std::optional<uint64_t> evaluate(TSNode expr, TSNode root, std::string_view source, int depth) {
  if (depth > k_max_constant_depth || ts_node_is_null(expr)) return std::nullopt;
  expr = strip_parentheses(expr);
  if (is(expr, "number_literal")) return parse_integer(text_of(expr, source));
  if (is(expr, "identifier")) return constant_named(text_of(expr, source), root, source, depth + 1);
  if (is(expr, "binary_expression")) {
    auto a = evaluate(field(expr, "left"), root, source, depth + 1);
    auto b = evaluate(field(expr, "right"), root, source, depth + 1);
    if (!a || !b) return std::nullopt;
    std::string_view op = operator_of(expr);
    uint64_t r;
    if (op == "+") r = *a + *b;
    else if (op == "-") {
      if (*b > *a) return std::nullopt;
      r = *a - *b;
    } else if (op == "*") r = *a * *b;
    else if (op == "/") {
      if (*b == 0) return std::nullopt;
      r = *a / *b;
    } else if (op == "<<") {
      if (*b > 40) return std::nullopt;
      r = *a << *b;
    } else
      return std::nullopt;
    if (r > k_huge) return std::nullopt;
    return r;
  }
  return std::nullopt;
}

// ---- malloc-without-check -------------------------------------------------------------------------

// Assertion and test macros that stop (or fail) when their argument is null. A name matches when
// it equals an entry or starts with one ending in '_' (or with a prefix marked below).
bool is_assertion_name(std::string_view name) {
  static const char* const k_exact[] = {"assert", "ASSERT", "Expects", "VERIFY", "ENSURE", "REQUIRE", "CHECK",
                                        "ok", "mu_assert", "mu_check", "TEST_CHECK", "TEST_ASSERT", "static_assert",
                                        "g_return_if_fail", "g_return_val_if_fail", "g_assert", "BUG_ON", "WARN_ON",
                                        "assume", "testing_assert"};
  // Families whose members all assert something of their arguments (Unity, Catch/doctest, GoogleTest,
  // GLib, Check, CUnit, µnit, cmocka, Criterion, Boost.Test, Zephyr, ATF, CHECK/DCHECK of glog/Abseil).
  static const char* const k_prefixes[] = {"assert_", "ASSERT_", "TEST_ASSERT", "TEST_CHECK", "CHECK", "DCHECK",
                                           "REQUIRE", "EXPECT_", "g_assert", "ck_assert", "fail_unless", "fail_if",
                                           "CU_ASSERT", "munit_assert", "cr_assert", "cr_expect", "BOOST_CHECK",
                                           "BOOST_REQUIRE", "BOOST_TEST", "BOOST_ASSERT", "zassert_", "ATF_CHECK",
                                           "ATF_REQUIRE", "UASSERT", "Q_ASSERT", "QVERIFY", "QCOMPARE", "TEST_ASSERT_",
                                           "ASSERT", "EXPECT"};
  for (const char* e : k_exact)
    if (name == e) return true;
  for (const char* p : k_prefixes)
    if (starts_with(name, p)) return true;
  return false;
}

// Functions that read or write through a pointer argument (any argument position): the C string
// and memory functions. The sprintf family and stdio reads only through the first one.
bool dereferences_argument(std::string_view callee, uint32_t index) {
  if (starts_with(callee, "std::")) callee.remove_prefix(5);
  static const char* const k_any[] = {"memcpy", "memmove", "memset", "memcmp", "memchr", "strcpy", "strncpy", "strcat",
                                      "strncat", "strlen", "strnlen", "strcmp", "strncmp", "strchr", "strrchr", "strstr",
                                      "strdup", "strndup", "strcasecmp", "strncasecmp", "strspn", "strcspn", "strpbrk",
                                      "strtok", "stpcpy", "wcscpy", "wcsncpy", "wcscat", "wcslen", "wcscmp", "wmemcpy",
                                      "wmemset", "bzero", "explicit_bzero", "strtol", "strtoul", "strtod", "atoi",
                                      "atol", "atof"};
  static const char* const k_first[] = {"sprintf", "snprintf", "vsprintf", "vsnprintf", "fgets", "fread", "fwrite",
                                        "fputs", "puts", "sscanf", "gets"};
  for (const char* f : k_any)
    if (callee == f) return true;
  if (index == 0)
    for (const char* f : k_first)
      if (callee == f) return true;
  return false;
}

bool is_null_constant(TSNode node, std::string_view source) {
  node = strip_parentheses(node);
  while (is(node, "cast_expression")) node = strip_parentheses(field(node, "value")); // (void*)0
  if (is(node, "null")) return true;
  std::string_view t = text_of(node, source);
  return is(node, "number_literal") ? parse_integer(t) == uint64_t(0) : one_of(t, {"NULL", "nullptr", "__null"});
}

enum class Occurrence { ignore, check, use, escape, reassigned };

// Operands that are never evaluated: `sizeof *p` reads nothing through p.
bool unevaluated(TSNode node) {
  return is_any(node, {"sizeof_expression", "alignof_expression", "offsetof_expression", "decltype", "typeof_expression",
                       "generic_expression"});
}

// `static_cast<T *>(x)` and its kin: a C++ cast spelled as a call. Returns the call when `node` is
// its only argument, else a null node.
TSNode named_cast_around(TSNode node, std::string_view source) {
  TSNode list = ts_node_parent(node);
  if (!is(list, "argument_list") || ts_node_named_child_count(list) != 1) return TSNode{};
  TSNode call = ts_node_parent(list);
  TSNode fn = field(call, "function");
  if (!is(call, "call_expression") || !is(fn, "template_function")) return TSNode{};
  return one_of(text_of(field(fn, "name"), source), {"static_cast", "reinterpret_cast", "const_cast"}) ? call : TSNode{};
}

// The argument index of `arg` in `list` (an argument_list).
uint32_t argument_index(TSNode list, TSNode arg) {
  uint32_t index = 0, found = 0;
  bool done = false;
  for_each_named_child(list, [&](TSNode child) {
    if (is(child, "comment")) return true;
    if (same(child, arg)) {
      found = index;
      done = true;
      return false;
    }
    ++index;
    return true;
  });
  return done ? found : UINT32_MAX;
}

Occurrence classify(TSNode occurrence, TSNode root, std::string_view source, FileFacts& facts, int depth);

// What `function` (a definition in this file) first does with its parameter `index`: a check (a
// helper such as `static void need(void *p) { if (!p) abort(); }`), a use (`p[0] = 0` before any
// check), or nothing telling.
Occurrence parameter_occurrence(TSNode function, uint32_t index, TSNode root, std::string_view source, FileFacts& facts,
                                int depth) {
  TSNode fd = field(function, "declarator");
  while (!ts_node_is_null(fd) && !is(fd, "function_declarator")) fd = field(fd, "declarator");
  TSNode params = field(fd, "parameters");
  TSNode param{};
  uint32_t i = 0;
  for_each_named_child(params, [&](TSNode p) {
    if (!is_any(p, {"parameter_declaration", "optional_parameter_declaration"})) return true;
    if (i++ == index) {
      param = p;
      return false;
    }
    return true;
  });
  std::string_view name = text_of(declared_name(field(param, "declarator")), source);
  if (name.empty()) return Occurrence::escape;
  Occurrence first = Occurrence::ignore;
  bool stop = false;
  walk(field(function, "body"), [&](TSNode n) {
    if (unevaluated(n)) return false;
    if (!is(n, "identifier") || text_of(n, source) != name) return true;
    first = classify(n, root, source, facts, depth + 1);
    stop = first != Occurrence::ignore;
    return false;
  }, stop);
  return first;
}

// What the expression `occurrence` (the pointer, or an expression whose value is it) does with the
// pointer, judged from where it stands.
Occurrence classify(TSNode occurrence, TSNode root, std::string_view source, FileFacts& facts, int depth) {
  TSNode node = occurrence;
  for (int steps = 0; steps < 64; ++steps) {
    TSNode parent = ts_node_parent(node);
    if (ts_node_is_null(parent)) return Occurrence::escape;
    if (is_any(parent, {"parenthesized_expression", "cast_expression"})) { // (char *)p keeps the pointer
      node = parent;
      continue;
    }
    if (TSNode cast = named_cast_around(node, source); !ts_node_is_null(cast)) {
      node = cast;
      continue;
    }
    if (is(parent, "pointer_expression")) {
      if (operator_of(parent) == "*") return Occurrence::use;
      return Occurrence::escape; // &p: it may be set or checked through the address
    }
    if (is(parent, "subscript_expression")) return same(field(parent, "argument"), node) ? Occurrence::use : Occurrence::ignore;
    if (is(parent, "field_expression")) {
      if (!same(field(parent, "argument"), node)) return Occurrence::ignore;
      return operator_of(parent) == "->" ? Occurrence::use : Occurrence::escape;
    }
    if (is(parent, "unary_expression")) return operator_of(parent) == "!" ? Occurrence::check : Occurrence::escape;
    if (is(parent, "binary_expression")) {
      std::string_view op = operator_of(parent);
      if (op == "&&" || op == "||") return Occurrence::check;
      if (op == "==" || op == "!=") {
        TSNode other = same(field(parent, "left"), node) ? field(parent, "right") : field(parent, "left");
        return is_null_constant(other, source) ? Occurrence::check : Occurrence::ignore;
      }
      if (op == "+" || op == "-") { // pointer arithmetic: p + n is as (un)checked as p
        node = parent;
        continue;
      }
      return Occurrence::ignore;
    }
    if (is(parent, "conditional_expression"))
      return same(field(parent, "condition"), node) ? Occurrence::check : Occurrence::escape;
    if (is_any(parent, {"if_statement", "while_statement", "do_statement", "for_statement", "condition_clause"}))
      return same(field(parent, "condition"), node) || is(parent, "condition_clause") ? Occurrence::check
                                                                                         : Occurrence::ignore;
    if (is(parent, "argument_list")) {
      TSNode call = ts_node_parent(parent);
      if (!is(call, "call_expression")) return Occurrence::escape; // a constructor call and the like
      std::string_view callee = text_of(field(call, "function"), source);
      if (is_assertion_name(callee)) return Occurrence::check;
      uint32_t index = argument_index(parent, node);
      if (dereferences_argument(callee, index)) return Occurrence::use;
      if (depth == 0 && is(field(call, "function"), "identifier")) {
        TSNode def = facts.function_named(root, callee);
        Occurrence inside =
            ts_node_is_null(def) ? Occurrence::escape : parameter_occurrence(def, index, root, source, facts, depth);
        if (inside == Occurrence::check || inside == Occurrence::use) return inside;
      }
      return Occurrence::escape; // an unknown function may check it, store it or free it
    }
    if (is(parent, "assignment_expression")) {
      if (same(field(parent, "left"), node)) return operator_of(parent) == "=" ? Occurrence::reassigned : Occurrence::escape;
      return Occurrence::escape; // aliased: q = p
    }
    if (is_any(parent, {"sizeof_expression", "alignof_expression", "expression_statement", "comma_expression"}))
      return Occurrence::ignore;
    return Occurrence::escape; // returned, stored in an initialiser, captured: not ours to follow
  }
  return Occurrence::escape;
}

bool is_allocator_name(std::string_view name) {
  if (starts_with(name, "std::")) name.remove_prefix(5);
  return one_of(name, {"malloc", "calloc", "realloc", "reallocarray", "strdup", "strndup", "aligned_alloc", "wcsdup"});
}

// Whether `call` allocates: a standard allocator, an allocator hook called through a struct field
// (`hooks->allocate(n)`, in C only: C++ allocators' allocate() throws), or a function of this
// file that returns a standard allocator's result directly.
bool allocates(TSNode call, TSNode root, std::string_view source, FileFacts& facts, int depth) {
  TSNode fn = field(call, "function");
  if (is_any(fn, {"identifier", "qualified_identifier"}) && is_allocator_name(text_of(fn, source))) return true;
  if (is(fn, "field_expression")) {
    std::string_view member = text_of(field(fn, "field"), source);
    if (one_of(member, {"malloc", "calloc", "realloc"})) return true;
    return one_of(member, {"allocate", "reallocate", "alloc", "realloc_fn", "malloc_fn"}) && !parsed_as_cpp(call);
  }
  if (depth > 0 || !is(fn, "identifier")) return false;
  return facts.allocating_wrapper(root, text_of(fn, source));
}

// Whether the node `target` (an lvalue the pointer was stored in) is denoted by `n`.
bool denotes(TSNode n, std::string_view target, bool target_is_name, std::string_view source) {
  if (target_is_name) return is(n, "identifier") && text_of(n, source) == target;
  if (!is_any(n, {"field_expression", "subscript_expression", "pointer_expression"})) return false;
  std::string_view t = text_of(n, source);
  if (t.size() < target.size()) return false;
  // Compare ignoring white space: `item -> name` and `item->name` are the same lvalue.
  size_t i = 0, j = 0;
  while (i < t.size() || j < target.size()) {
    while (i < t.size() && std::isspace(static_cast<unsigned char>(t[i]))) ++i;
    while (j < target.size() && std::isspace(static_cast<unsigned char>(target[j]))) ++j;
    if (i == t.size() || j == target.size()) return i == t.size() && j == target.size();
    if (t[i++] != target[j++]) return false;
  }
  return true;
}

// Follows the statements after `statement` (then those after each enclosing block, up to the
// function) in source order, and returns what the first telling occurrence of `target` does.
Occurrence first_occurrence_after(TSNode statement, std::string_view target, bool target_is_name, TSNode root,
                                  std::string_view source, FileFacts& facts) {
  uint32_t statements = 0;
  TSNode current = statement;
  while (is_any(ts_node_parent(current), {"compound_statement", "case_statement"})) {
    for (TSNode s = ts_node_next_named_sibling(current); !ts_node_is_null(s); s = ts_node_next_named_sibling(s)) {
      if (++statements > k_max_statements) return Occurrence::escape;
      Occurrence found = Occurrence::ignore;
      bool stop = false;
      walk(s, [&](TSNode n) {
        if (is_any(n, {"function_definition", "lambda_expression"}) || unevaluated(n)) return false;
        if (!denotes(n, target, target_is_name, source)) return true;
        found = classify(n, root, source, facts, 0);
        stop = found != Occurrence::ignore;
        return false;
      }, stop);
      if (found != Occurrence::ignore) return found;
    }
    // Out of this block: on with what follows the statement that holds it (an if, a loop, a block).
    TSNode up = ts_node_parent(current);
    while (!ts_node_is_null(up) && !is_any(ts_node_parent(up), {"compound_statement", "case_statement"})) {
      if (is_any(up, {"function_definition", "lambda_expression", "translation_unit"})) return Occurrence::ignore;
      up = ts_node_parent(up);
    }
    if (ts_node_is_null(up)) break;
    current = up;
  }
  return Occurrence::ignore;
}

// ---- casts ----------------------------------------------------------------------------------------

// `std::min<std::size_t>` -> `std::min`: the name without a trailing template argument list.
std::string_view without_template_arguments(std::string_view name) {
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  if (name.empty() || name.back() != '>') return name;
  int depth = 0;
  for (size_t i = name.size(); i-- > 0;) {
    if (name[i] == '>') ++depth;
    else if (name[i] == '<' && --depth == 0) return name.substr(0, i);
  }
  return name;
}

// ---- bounded copies -------------------------------------------------------------------------------

// The element count of the array `name` visible at `use`: a `T name[N]` declaration in an enclosing
// block (before the use) or at file scope. Parameters (arrays decay to pointers) give nothing.
std::optional<uint64_t> array_size(TSNode use, std::string_view name, TSNode root, std::string_view source) {
  auto from_declaration = [&](TSNode decl, bool& declared) -> std::optional<uint64_t> {
    std::optional<uint64_t> size;
    for_each_named_child(decl, [&](TSNode d) {
      TSNode inner = is(d, "init_declarator") ? field(d, "declarator") : d;
      if (text_of(declared_name(inner), source) != name) return true;
      declared = true;
      // Exactly `name[N]`: not an array of pointers, not a 2-D array.
      if (is(inner, "array_declarator") && is(field(inner, "declarator"), "identifier"))
        size = evaluate(field(inner, "size"), root, source, 0);
      return false;
    });
    return size;
  };
  uint32_t use_start = ts_node_start_byte(use);
  for (TSNode scope = ts_node_parent(use); !ts_node_is_null(scope); scope = ts_node_parent(scope)) {
    if (is(scope, "function_definition")) {
      TSNode fd = field(scope, "declarator");
      while (!ts_node_is_null(fd) && !is(fd, "function_declarator")) fd = field(fd, "declarator");
      bool shadowed = false;
      for_each_named_child(field(fd, "parameters"), [&](TSNode p) {
        if (text_of(declared_name(field(p, "declarator")), source) == name) shadowed = true;
        return !shadowed;
      });
      if (shadowed) return std::nullopt;
      continue;
    }
    if (!is_any(scope, {"compound_statement", "translation_unit", "declaration_list"})) continue;
    std::optional<uint64_t> size;
    bool declared = false;
    for_each_named_child(scope, [&](TSNode child) {
      if (ts_node_start_byte(child) >= use_start) return false;
      if (is(child, "declaration")) {
        bool here = false;
        auto s = from_declaration(child, here);
        if (here) declared = true, size = s; // the last declaration before the use wins
      }
      return true;
    });
    if (declared) return size;
  }
  return std::nullopt;
}

// Whether `node` is a string literal (possibly concatenated) and its length.
std::optional<uint64_t> literal_length(TSNode node, std::string_view source) {
  node = strip_parentheses(node);
  if (is(node, "concatenated_string")) {
    uint64_t total = 0;
    bool ok = true;
    for_each_named_child(node, [&](TSNode part) {
      auto n = c_literal_length(text_of(part, source));
      if (!n) ok = false;
      else total += *n;
      return ok;
    });
    if (!ok) return std::nullopt;
    return total;
  }
  if (!is_any(node, {"string_literal", "raw_string_literal"})) return std::nullopt;
  return c_literal_length(text_of(node, source));
}

std::optional<std::string> literal_value(TSNode node, std::string_view source) {
  node = strip_parentheses(node);
  if (is(node, "concatenated_string")) {
    std::string total;
    bool ok = true;
    for_each_named_child(node, [&](TSNode part) {
      auto v = c_literal_value(text_of(part, source));
      if (!v) ok = false;
      else total += *v;
      return ok;
    });
    if (!ok) return std::nullopt;
    return total;
  }
  if (!is(node, "string_literal")) return std::nullopt;
  return c_literal_value(text_of(node, source));
}

// Decodes a string literal's body; wide: count code points, not bytes.
std::optional<std::string> decode_literal(std::string_view literal, bool& wide) {
  wide = false;
  size_t quote = literal.find('"');
  if (quote == std::string_view::npos || literal.size() < quote + 2 || literal.back() != '"') return std::nullopt;
  std::string_view prefix = literal.substr(0, quote);
  bool raw = !prefix.empty() && prefix.back() == 'R';
  if (raw) prefix.remove_suffix(1);
  if (!one_of(prefix, {"", "L", "u", "U", "u8"})) return std::nullopt;
  wide = prefix == "L" || prefix == "u" || prefix == "U";
  std::string_view body = literal.substr(quote + 1, literal.size() - quote - 2);
  if (raw) { // R"delim( ... )delim"
    size_t open = body.find('(');
    if (open == std::string_view::npos || open > 16) return std::nullopt;
    std::string_view delim = body.substr(0, open);
    if (body.size() < 2 * open + 2 || body.substr(body.size() - open) != delim || body[body.size() - open - 1] != ')')
      return std::nullopt;
    return std::string(body.substr(open + 1, body.size() - 2 * open - 2));
  }
  std::string out;
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i >= body.size()) return std::nullopt;
    char e = body[i];
    if (e >= '0' && e <= '7') { // up to three octal digits
      int v = 0, n = 0;
      while (n < 3 && i < body.size() && body[i] >= '0' && body[i] <= '7') v = v * 8 + (body[i++] - '0'), ++n;
      --i;
      out += static_cast<char>(v);
    } else if (e == 'x') {
      int v = 0;
      while (i + 1 < body.size() && std::isxdigit(static_cast<unsigned char>(body[i + 1])))
        v = (v * 16 + (std::isdigit(static_cast<unsigned char>(body[i + 1])) ? body[i + 1] - '0'
                                                                                : (std::tolower(body[i + 1]) - 'a' + 10))) & 0xff,
        ++i;
      out += static_cast<char>(v);
    } else if (e == 'u' || e == 'U') { // a universal character name: one character
      size_t digits = e == 'u' ? 4 : 8;
      if (i + digits >= body.size()) return std::nullopt;
      i += digits;
      // In UTF-8 at most four bytes; as a code point, at most two UTF-16 units.
      out += wide ? "\xF0\x80\x80\x80" : "????";
    } else {
      static const char k_from[] = "ntrabfv\\'\"?e";
      static const char k_to[] = "\n\t\r\a\b\f\v\\'\"?\x1b";
      const char* at = std::strchr(k_from, e);
      if (!at) return std::nullopt;
      out += k_to[at - k_from];
    }
  }
  return out;
}

// Whether the body changes, returns or lends out the parameter `name`, which makes the copy the
// function's own: `s += x`, `s[0] = c`, `++n`, `s.erase(...)`, `std::transform(s.begin(), ...)`, `return s;`, `&s`.
// Whether a function of the file called `callee` takes its parameter at `index` by a reference that is
// not const (`std::vector<std::string>& in`, a forwarding `T&&`): then passing the parameter there may
// change it (cli11's tuple_type_conversion consumes the strings it reads). nullopt when the file declares
// no function of that name: what it takes is not known here.
std::optional<bool> takes_mutable_reference(TSNode root, std::string_view callee, uint32_t index, std::string_view source) {
  bool found = false, declared = false;
  walk(
      root,
      [&](TSNode n) {
        if (!is_any(n, {"function_definition", "declaration", "field_declaration"})) return !is(n, "compound_statement");
        TSNode fd = field(n, "declarator");
        for (int depth = 0; depth < 8 && !ts_node_is_null(fd) && !is(fd, "function_declarator"); ++depth)
          fd = field(fd, "declarator");
        if (!is(fd, "function_declarator") || text_of(declared_name(field(fd, "declarator")), source) != callee) return false;
        declared = true;
        uint32_t i = 0;
        for_each_named_child(field(fd, "parameters"), [&](TSNode param) {
          if (is(param, "comment")) return true;
          if (i++ != index) return true;
          std::string_view text = text_of(param, source);
          found = is_any(param, {"parameter_declaration", "optional_parameter_declaration"}) &&
                  text.find('&') != std::string_view::npos && text.find("const") == std::string_view::npos;
          return false;
        });
        return false;
      },
      found);
  if (!declared) return std::nullopt;
  return found;
}

// Whether the file defines `name` as a function-like macro: what it does with its arguments is text
// the tree does not show (`#define RESET(x) (x).clear()`).
bool function_macro_defined(TSNode root, std::string_view name, std::string_view source) {
  bool found = false;
  walk(
      root,
      [&](TSNode n) {
        if (is(n, "preproc_function_def") && text_of(field(n, "name"), source) == name) found = true;
        return !found && !is(n, "compound_statement");
      },
      found);
  return found;
}

bool parameter_changed(TSNode body, std::string_view name, std::string_view source) {
  bool changed = false, stop = false;
  uint32_t visited = 0;
  walk(body, [&](TSNode n) {
    if (++visited > k_max_scope_nodes) {
      changed = stop = true; // too long to tell: say nothing
      return false;
    }
    if (!is(n, "identifier") || text_of(n, source) != name) return true;
    TSNode node = n;
    bool whole = true; // the parameter itself, not an element or member of it
    for (int steps = 0; steps < 16; ++steps) {
      TSNode parent = ts_node_parent(node);
      if (is(parent, "assignment_expression") && same(field(parent, "left"), node)) changed = true;
      else if (is(parent, "update_expression")) changed = true;
      else if (whole && is(parent, "pointer_expression") && operator_of(parent) == "&") changed = true;
      else if (whole && is(parent, "return_statement")) changed = true;
      // `in >> s`: a stream extraction into it.
      else if (whole && is(parent, "binary_expression") && operator_of(parent) == ">>" && same(field(parent, "right"), node))
        changed = true;
      // `for (auto& c : s) c = ...`: a loop over it by a reference that is not const.
      else if (whole && is(parent, "for_range_loop") && same(field(parent, "right"), node) &&
               text_of(field(parent, "declarator"), source).find('&') != std::string_view::npos &&
               source.substr(ts_node_start_byte(parent), ts_node_start_byte(node) - ts_node_start_byte(parent))
                       .find("const") == std::string_view::npos)
        changed = true;
      else if (is(parent, "field_expression") && same(field(parent, "argument"), node) &&
               is(ts_node_parent(parent), "call_expression") &&
               one_of(text_of(field(parent, "field"), source),
                      {"erase", "insert", "push_back", "emplace_back", "push_front", "emplace_front", "pop_back",
                       "pop_front", "append", "clear", "resize", "assign", "replace", "swap", "emplace", "sort",
                       "reverse", "unique", "remove", "remove_if", "merge", "splice", "shrink_to_fit", "reserve"}))
        changed = true;
      else if (is_any(parent, {"subscript_expression", "field_expression"}) && same(field(parent, "argument"), node)) {
        node = parent; // s[0] = c, s.field = x
        whole = false;
        continue;
      } else if (is(parent, "parenthesized_expression")) {
        node = parent;
        continue;
      }
      break;
    }
    // Handed on whole: moved (a sink parameter), to a function of the file that takes it by a reference
    // it may change, or to a free function the file does not declare, whose parameter may be such a
    // reference (cli11's `trim(commandline)`, trim declared in another header as trim(std::string&)): a
    // const reference would not compile there. The standard library's own (`std::`) are known: the ones
    // that change an argument are listed below.
    if (!changed && is(ts_node_parent(n), "argument_list") && is(ts_node_parent(ts_node_parent(n)), "call_expression")) {
      TSNode call = ts_node_parent(ts_node_parent(n));
      TSNode fn = field(call, "function");
      if (is(fn, "template_function")) fn = field(fn, "name");
      std::string_view callee = text_of(fn, source);
      const bool standard = callee.rfind("std::", 0) == 0;
      if (size_t colons = callee.rfind("::"); colons != std::string_view::npos) callee = callee.substr(colons + 2);
      const std::optional<bool> mutable_reference =
          takes_mutable_reference(root_of(body), callee, argument_index(ts_node_parent(n), n), source);
      const bool unknown_function = !mutable_reference && !standard && is_any(fn, {"identifier", "qualified_identifier"});
      if (one_of(callee, {"move", "forward"}) || function_macro_defined(root_of(body), callee, source) ||
          mutable_reference.value_or(false) || unknown_function)
        changed = true;
    }
    // An algorithm writing through iterators into it: std::transform(s.begin(), s.end(), s.begin(), f).
    for (TSNode a = ts_node_parent(n); !changed && !ts_node_is_null(a) && !same(a, body); a = ts_node_parent(a)) {
      if (!is(a, "call_expression")) continue;
      std::string_view callee = text_of(field(a, "function"), source);
      if (size_t colons = callee.rfind("::"); colons != std::string_view::npos) callee = callee.substr(colons + 2);
      if (one_of(callee, {"transform", "sort", "stable_sort", "reverse", "remove", "remove_if", "unique", "replace",
                          "replace_if", "fill", "iota", "shuffle", "rotate", "partition", "nth_element", "getline",
                          "swap", "erase", "erase_if"}))
        changed = true;
    }
    stop = changed;
    return false;
  }, stop);
  return changed;
}

// ---- fixes: what a template may take for granted -----------------------------------------------

// The declaration of `name` visible at `use`, looking through the enclosing blocks (before the use),
// for-statement initialisers, the function's parameters and the file scope; its declarator (inside
// any init_declarator) is returned with the declaration. A null pair when not found or ambiguous.
struct Declared {
  TSNode declaration{}; // declaration, parameter_declaration, optional_parameter_declaration
  TSNode declarator{};  // the declarator whose name is `name` (init_declarator's inner one)
};

Declared declaration_of(TSNode use, std::string_view name, std::string_view source) {
  Declared found;
  auto from = [&](TSNode decl) {
    bool here = false;
    for_each_named_child(decl, [&](TSNode d) {
      TSNode inner = is(d, "init_declarator") ? field(d, "declarator") : d;
      if (!is_any(inner, {"identifier", "pointer_declarator", "array_declarator", "reference_declarator",
                          "function_declarator", "parenthesized_declarator"}))
        return true;
      if (text_of(declared_name(inner), source) != name) return true;
      found = {decl, inner};
      here = true;
      return false;
    });
    return here;
  };
  const uint32_t use_start = ts_node_start_byte(use);
  uint32_t scanned = 0;
  for (TSNode scope = ts_node_parent(use); !ts_node_is_null(scope); scope = ts_node_parent(scope)) {
    if (is_any(scope, {"function_definition", "lambda_expression"})) {
      TSNode fd = field(scope, "declarator");
      while (!ts_node_is_null(fd) && !is_any(fd, {"function_declarator", "abstract_function_declarator"}))
        fd = field(fd, "declarator");
      bool hit = false;
      for_each_named_child(field(fd, "parameters"), [&](TSNode p) {
        TSNode d = field(p, "declarator");
        if (text_of(declared_name(d), source) == name) found = {p, d}, hit = true;
        return !hit;
      });
      if (hit) return found;
      if (is(scope, "lambda_expression")) return Declared{}; // captures: the type is not visible here
      continue;
    }
    if (is(scope, "for_statement")) {
      TSNode init = field(scope, "initializer");
      if (is(init, "declaration") && from(init)) return found;
      continue;
    }
    if (!is_any(scope, {"compound_statement", "translation_unit"})) continue;
    bool hit = false;
    for_each_named_child(scope, [&](TSNode child) {
      if (++scanned > k_max_scope_nodes || ts_node_start_byte(child) >= use_start) return false;
      if (is(child, "declaration")) {
        Declared before = found;
        if (from(child)) hit = true;
        else found = before;
      }
      return true; // the last declaration before the use wins
    });
    if (hit) return found;
  }
  return Declared{};
}

// `T *name` (also `T *const name`): a declarator that makes `name` itself a pointer, not an array
// of pointers nor a function returning one.
bool pointer_declarator_of_name(TSNode declarator) {
  return is(declarator, "pointer_declarator") && is_any(field(declarator, "declarator"), {"identifier", "field_identifier"});
}

// The declaration's element type is a plain character type: `char`, `signed char`, `unsigned char`.
bool char_element_type(TSNode declaration, std::string_view source) {
  TSNode type = field(declaration, "type");
  if (is(type, "primitive_type")) return text_of(type, source) == "char";
  if (is(type, "sized_type_specifier")) {
    std::string_view t = text_of(type, source);
    return t == "unsigned char" || t == "signed char";
  }
  return false;
}

bool includes_header(std::string_view source, std::initializer_list<const char*> headers) {
  for (size_t at = source.find("#include"); at != std::string_view::npos; at = source.find("#include", at + 1)) {
    size_t end = source.find('\n', at);
    std::string_view line = source.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
    for (const char* h : headers)
      if (line.find(h) != std::string_view::npos) return true;
  }
  return false;
}

} // namespace

bool char_array_destination(TSNode call, std::string_view source) {
  if (!is(call, "call_expression")) return false;
  std::string_view fn = text_of(field(call, "function"), source);
  if (starts_with(fn, "std::")) fn.remove_prefix(5);
  if (!one_of(fn, {"sprintf", "vsprintf", "gets", "strcpy", "strcat"})) return false;
  TSNode args = field(call, "arguments");
  if (ts_node_named_child_count(args) == 0) return false;
  TSNode dest = ts_node_named_child(args, 0);
  if (!is(dest, "identifier")) return false; // `(char *)buf`, `buf + 2`, `o->text`: sizeof would not be the room
  Declared d = declaration_of(call, text_of(dest, source), source);
  // `char name[N]` (or `char name[] = "..."`), one dimension, a variable of this file: a parameter
  // declared as an array is a pointer, and `extern char name[];` has no size.
  if (!is(d.declaration, "declaration") || !is(d.declarator, "array_declarator") ||
      !is(field(d.declarator, "declarator"), "identifier") || !char_element_type(d.declaration, source))
    return false;
  TSNode parent = ts_node_parent(d.declarator);
  if (ts_node_is_null(field(d.declarator, "size")) && !is(parent, "init_declarator")) return false;
  if (fn == "strcpy") {
    // -> snprintf(dest, sizeof dest, "%s", src): an int instead of strcpy's char *, so only where the
    // value is not used, and only where <stdio.h> is visibly included.
    if (!is(ts_node_parent(call), "expression_statement")) return false;
    if (!includes_header(source, {"<stdio.h>", "<cstdio>"})) return false;
  }
  return true;
}

bool cpp_arithmetic_type(TSNode type, std::string_view source) {
  if (is(type, "type_descriptor")) {
    if (ts_node_named_child_count(type) != 1) return false; // const, pointers, references
    type = ts_node_named_child(type, 0);
  }
  if (is(type, "primitive_type")) return text_of(type, source) != "void";
  if (is(type, "sized_type_specifier")) {
    // `unsigned`, `long long`, `unsigned char`: a sized specifier over a primitive or nothing.
    TSNode base = field(type, "type");
    return ts_node_is_null(base) || (is(base, "primitive_type") && text_of(base, source) != "void");
  }
  if (!is_any(type, {"type_identifier", "qualified_identifier"})) return false;
  std::string_view t = text_of(type, source);
  if (starts_with(t, "std::")) t.remove_prefix(5);
  if (one_of(t, {"size_t", "ptrdiff_t", "intmax_t", "uintmax_t", "intptr_t", "uintptr_t", "ssize_t", "wchar_t",
                 "char8_t", "char16_t", "char32_t"}))
    return true;
  // <cstdint>'s fixed-width names: int8_t ... uint64_t, int_least16_t, uint_fast32_t, ...
  std::string_view rest = t;
  if (starts_with(rest, "u")) rest.remove_prefix(1);
  if (!starts_with(rest, "int")) return false;
  rest.remove_prefix(3);
  if (starts_with(rest, "_least")) rest.remove_prefix(6);
  else if (starts_with(rest, "_fast")) rest.remove_prefix(5);
  return one_of(rest, {"8_t", "16_t", "32_t", "64_t"});
}

std::vector<Capture> typedef_alias_captures(TSNode definition, std::string_view source) {
  std::vector<Capture> none, out;
  if (!is(definition, "type_definition")) return none;
  const uint32_t count = ts_node_child_count(definition);
  if (count < 4 || std::strcmp(ts_node_type(ts_node_child(definition, 0)), "typedef") != 0) return none; // __extension__
  uint32_t spec_start = 0, spec_end = 0;
  std::vector<TSNode> declarators;
  bool bad = false;
  // Field names through a cursor (ts_node_field_name_for_child mislabels children in some versions).
  TSTreeCursor cursor = ts_tree_cursor_new(definition);
  bool more = ts_tree_cursor_goto_first_child(&cursor); // 'typedef'
  while (more && !bad && (more = ts_tree_cursor_goto_next_sibling(&cursor))) {
    TSNode c = ts_tree_cursor_current_node(&cursor);
    const char* f = ts_tree_cursor_current_field_name(&cursor);
    if (f && !std::strcmp(f, "declarator")) {
      declarators.push_back(c);
    } else if (!ts_node_is_named(c)) {
      const char* t = ts_node_type(c);
      if (std::strcmp(t, ";") != 0 && std::strcmp(t, ",") != 0) bad = true;
    } else if (is(c, "type_qualifier") || (f && !std::strcmp(f, "type"))) {
      if (!declarators.empty()) bad = true;
      if (spec_start == 0) spec_start = ts_node_start_byte(c);
      spec_end = ts_node_end_byte(c);
      // A struct, union, enum or class defined here: an alias declaration may define one, but the
      // typedef name would no longer name an unnamed one for linkage.
      if (is_any(c, {"struct_specifier", "union_specifier", "enum_specifier", "class_specifier"}) &&
          !ts_node_is_null(field(c, "body")))
        bad = true;
    } else {
      bad = true; // attributes, comments, anything unexpected
    }
  }
  ts_tree_cursor_delete(&cursor);
  if (bad || spec_start == 0 || declarators.empty() || declarators.size() > 3) return none;
  bool stop = false;
  walk(definition, [&](TSNode n) {
    if (is_any(n, {"comment", "attribute_specifier", "attribute_declaration", "ms_declspec_modifier",
                   "ms_call_modifier", "ms_based_modifier", "ms_pointer_modifier", "ERROR"}))
      bad = stop = true;
    return !stop;
  }, stop);
  if (bad) return none;
  auto trimmed_end = [&](uint32_t from, uint32_t to) {
    while (to > from && std::strchr(" \t\r\n", source[to - 1])) --to;
    return to;
  };
  auto add = [&](const std::string& name, uint32_t from, uint32_t to) { out.push_back({name, from, to}); };
  for (size_t k = 0; k < declarators.size(); ++k) {
    TSNode d = declarators[k], name{};
    for (int depth = 0; depth < 16 && ts_node_is_null(name); ++depth) {
      if (is(d, "type_identifier")) {
        name = d;
        break;
      }
      if (is_any(d, {"pointer_declarator", "array_declarator", "function_declarator"})) d = field(d, "declarator");
      else if (is_any(d, {"reference_declarator", "parenthesized_declarator"}) && ts_node_named_child_count(d) == 1)
        d = ts_node_named_child(d, 0);
      else
        return none;
    }
    // `typedef int (A);`: dropping the name would leave `int ()`, a function type.
    if (ts_node_is_null(name) || is(ts_node_parent(name), "parenthesized_declarator")) return none;
    TSNode decl = declarators[k];
    const uint32_t ns = ts_node_start_byte(name), ne = ts_node_end_byte(name), de = ts_node_end_byte(decl);
    if (k == 0) {
      add("alias_name", ns, ne);
      add("alias_type", spec_start, trimmed_end(spec_start, ns));
      add("alias_type_tail", ne, de);
    } else {
      std::string n = std::to_string(k + 1);
      const uint32_t ds = ts_node_start_byte(decl);
      add("alias_name" + n, ns, ne);
      add("alias_pre" + n, ds, trimmed_end(ds, ns));
      add("alias_tail" + n, ne, de);
    }
  }
  if (declarators.size() > 1) {
    // Further declarators become lines of their own, indented as the typedef is.
    const uint32_t start = ts_node_start_byte(definition);
    uint32_t line = start;
    while (line > 0 && (source[line - 1] == ' ' || source[line - 1] == '\t')) --line;
    if (line > 0 && source[line - 1] != '\n') return none;
    // Nor code after it on its line (`typedef int A, *B; int y;`): the new lines would go between.
    uint32_t after = ts_node_end_byte(definition);
    while (after < source.size() && (source[after] == ' ' || source[after] == '\t' || source[after] == '\r')) ++after;
    if (after < source.size() && source[after] != '\n') return none;
    add("alias_base", spec_start, spec_end);
    add("alias_indent", line, start);
  }
  return out;
}

std::vector<Capture> cast_operand_capture(TSNode cast) {
  TSNode value = field(cast, "value");
  if (ts_node_is_null(value)) return {};
  // `(uint8_t)(x >> 8)` -> static_cast<uint8_t>(x >> 8): the parentheses are the call's.
  if (is(value, "parenthesized_expression") && ts_node_named_child_count(value) == 1 &&
      !is(ts_node_named_child(value, 0), "comment"))
    value = ts_node_named_child(value, 0);
  return {Capture{"cast_operand", ts_node_start_byte(value), ts_node_end_byte(value)}};
}

bool null_literal_is_pointer(TSNode literal, std::string_view source) {
  if (!is(literal, "number_literal")) return true; // NULL: the query's places are pointer places already
  TSNode parent = ts_node_parent(literal);
  if (is_any(parent, {"init_declarator", "optional_parameter_declaration", "field_declaration"}))
    return pointer_declarator_of_name(field(parent, "declarator"));
  auto names_pointer = [&](TSNode operand) {
    operand = strip_parentheses(operand);
    if (is(operand, "this")) return true;
    if (!is(operand, "identifier")) return false;
    Declared d = declaration_of(operand, text_of(operand, source), source);
    return !ts_node_is_null(d.declaration) && pointer_declarator_of_name(d.declarator);
  };
  if (is(parent, "binary_expression")) {
    TSNode left = field(parent, "left"), right = field(parent, "right");
    return names_pointer(same(left, literal) ? right : left);
  }
  if (is(parent, "assignment_expression")) return names_pointer(field(parent, "left"));
  if (is(parent, "return_statement")) {
    // The enclosing function returns a pointer: `T *f(...)`, not a lambda.
    for (TSNode a = ts_node_parent(parent); !ts_node_is_null(a); a = ts_node_parent(a)) {
      if (is(a, "lambda_expression")) return false;
      if (!is(a, "function_definition")) continue;
      TSNode d = field(a, "declarator");
      return is(d, "pointer_declarator") && is(field(d, "declarator"), "function_declarator");
    }
  }
  return false;
}

namespace {

// The name a function definition defines (`f`, `A::f`, `ns::A<T>::f`), through pointer and
// reference declarators; a null node when it is not a function declarator.
TSNode defined_name(TSNode function) {
  TSNode d = field(function, "declarator");
  for (int depth = 0; depth < 8 && is_any(d, {"pointer_declarator", "reference_declarator"}); ++depth)
    d = is(d, "pointer_declarator") ? field(d, "declarator") : ts_node_named_child(d, 0);
  return is(d, "function_declarator") ? field(d, "declarator") : TSNode{};
}

// The last class name of a qualified name's scope: `ns::A<T>::f` -> "A".
std::string_view owner_class(TSNode qualified, std::string_view source) {
  std::string_view owner;
  for (TSNode q = qualified; is(q, "qualified_identifier"); q = field(q, "name")) {
    TSNode scope = field(q, "scope");
    owner = text_of(is(scope, "template_type") ? field(scope, "name") : scope, source);
  }
  return owner;
}

// For an out-of-line definition `A::f(...)`: whether the file shows A's declaration of f and it is
// not virtual. The other case (a class of another file, a virtual member, a namespace-qualified
// free function) is not reported: whether the signature may change is decided where it is declared
// (clang-tidy leaves virtual functions alone too), and a fix of the definition alone would not compile.
bool member_declared_here_not_virtual(TSNode qualified, std::string_view source, TSNode root) {
  std::string_view owner = owner_class(qualified, source), member;
  for (TSNode q = qualified; !ts_node_is_null(q); q = field(q, "name")) {
    if (!is(q, "qualified_identifier")) {
      member = text_of(q, source);
      break;
    }
  }
  if (owner.empty() || member.empty()) return false;
  bool declared = false, is_virtual = false;
  walk(root, [&](TSNode n) {
    if (!is_any(n, {"class_specifier", "struct_specifier"}) || text_of(field(n, "name"), source) != owner) return true;
    TSNode body = field(n, "body");
    for (uint32_t i = 0; i < ts_node_named_child_count(body); ++i) {
      TSNode m = ts_node_named_child(body, i);
      if (!is_any(m, {"field_declaration", "declaration", "function_definition"})) continue;
      TSNode name = defined_name(m);
      if (text_of(name, source) != member) continue;
      declared = true;
      std::string_view whole = text_of(m, source);
      for (const char* word : {"virtual", "override", "final"}) {
        size_t at = whole.find(word);
        size_t len = std::strlen(word);
        while (at != std::string_view::npos) {
          bool left = at == 0 || !(std::isalnum(static_cast<unsigned char>(whole[at - 1])) || whole[at - 1] == '_');
          bool right = at + len >= whole.size() ||
                       !(std::isalnum(static_cast<unsigned char>(whole[at + len])) || whole[at + len] == '_');
          if (left && right) is_virtual = true;
          at = whole.find(word, at + 1);
        }
      }
    }
    return false;
  });
  return declared && !is_virtual;
}

} // namespace

bool declares_itself(TSNode function) { return !is(defined_name(function), "qualified_identifier"); }

namespace {

// Whether another parameter of the function is a reference or pointer, not const, through which the caller
// may pass the same object as `param` (or one holding it: `f(out[0], out)`): by value the body keeps its
// own copy while it writes through the other; by const reference it would see the writes, or dangle.
bool may_alias_another_parameter(TSNode param, std::string_view source) {
  std::string_view type = text_of(field(param, "type"), source);
  TSNode list = ts_node_parent(param);
  if (type.empty() || !is(list, "parameter_list")) return false; // not a parameter: nothing to alias
  bool aliased = false;
  for_each_named_child(list, [&](TSNode other) {
    if (same(other, param) || !is_any(other, {"parameter_declaration", "optional_parameter_declaration"})) return true;
    std::string_view text = text_of(other, source);
    aliased = text.find_first_of("&*") != std::string_view::npos && text.find("const") == std::string_view::npos &&
              text.find(type) != std::string_view::npos;
    return !aliased;
  });
  return aliased;
}

} // namespace

bool parameter_only_read(const CheckInput& input) {
  std::string_view name;
  TSNode function{};
  for (const auto& c : input.captures)
    if (c.name == "pname") name = input.source.substr(c.start_byte, c.end_byte - c.start_byte);
  for (TSNode a = ts_node_parent(input.node); !ts_node_is_null(a); a = ts_node_parent(a))
    if (is_any(a, {"function_definition", "lambda_expression"})) {
      function = a;
      break;
    }
  if (name.empty() || ts_node_is_null(function)) return true;
  if (TSNode defined = defined_name(function); is(defined, "qualified_identifier")) {
    TSNode root = function;
    while (!ts_node_is_null(ts_node_parent(root))) root = ts_node_parent(root);
    if (!member_declared_here_not_virtual(defined, input.source, root)) return false;
  }
  if (may_alias_another_parameter(input.node, input.source)) return false;
  // The whole function: a constructor's member initialisers may move or hand the parameter on too.
  return !parameter_changed(function, name, input.source);
}

bool FileFacts::compiled_as_c_too() {
  if (!m_compiled_as_c_too) m_compiled_as_c_too = scan::compiled_as_c_too(m_source);
  return *m_compiled_as_c_too;
}

bool FileFacts::shows_cpp_syntax() {
  if (!m_shows_cpp_syntax) m_shows_cpp_syntax = scan::shows_cpp_syntax(m_source);
  return *m_shows_cpp_syntax;
}

TSNode FileFacts::function_named(TSNode root, std::string_view name) {
  if (!m_functions_listed) {
    // Every definition's name at once: the first of a name wins, as a search from the top would find it.
    for_each_top_level(root, [&](TSNode child) {
      if (!is(child, "function_definition")) return;
      TSNode fd = field(child, "declarator");
      while (!ts_node_is_null(fd) && !is(fd, "function_declarator")) fd = field(fd, "declarator");
      m_functions.emplace(text_of(declared_name(field(fd, "declarator")), m_source), child);
    });
    m_functions_listed = true;
  }
  auto it = m_functions.find(name);
  return it == m_functions.end() ? TSNode{} : it->second;
}

bool FileFacts::allocating_wrapper(TSNode root, std::string_view name) {
  if (auto known = m_wrappers.find(name); known != m_wrappers.end()) return known->second;
  TSNode def = function_named(root, name);
  bool wraps = false, stop = false;
  if (!ts_node_is_null(def))
    walk(field(def, "body"), [&](TSNode n) {
      if (!is(n, "return_statement")) return true;
      TSNode value = ts_node_named_child_count(n) ? strip_parentheses(ts_node_named_child(n, 0)) : TSNode{};
      while (is(value, "cast_expression")) value = strip_parentheses(field(value, "value"));
      if (is(value, "call_expression") && allocates(value, root, m_source, *this, 1)) stop = wraps = true;
      return false;
    }, stop);
  m_wrappers.emplace(name, wraps);
  return wraps;
}

bool compiled_as_c_too(std::string_view source) {
  for (size_t at = source.find("__cplusplus"); at != std::string_view::npos; at = source.find("__cplusplus", at + 1)) {
    size_t line_start = source.rfind('\n', at);
    line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
    size_t line_end = source.find('\n', at);
    std::string_view line = source.substr(line_start, (line_end == std::string_view::npos ? source.size() : line_end) - line_start);
    // `#ifdef __cplusplus`, `#if defined(__cplusplus)`, `# if defined __cplusplus`; not a version test.
    size_t hash = line.find_first_not_of(" \t");
    if (hash == std::string_view::npos || line[hash] != '#') continue;
    if (line.find_first_of("<>=") != std::string_view::npos) continue;
    std::string_view directive = line.substr(hash + 1);
    directive.remove_prefix(std::min(directive.find_first_not_of(" \t"), directive.size()));
    if (!starts_with(directive, "ifdef") && !starts_with(directive, "if")) continue;
    // The guarded block opens C linkage within the next few lines.
    size_t window_end = line_end;
    for (int lines = 0; lines < 3 && window_end != std::string_view::npos; ++lines)
      window_end = source.find('\n', window_end + 1);
    std::string_view window =
        source.substr(line_start, (window_end == std::string_view::npos ? source.size() : window_end) - line_start);
    if (window.find("extern \"C\"") != std::string_view::npos) return true;
  }
  return false;
}

bool shows_cpp_syntax(std::string_view source) {
  auto word_at = [&](size_t i, std::string_view word) {
    if (source.substr(i, word.size()) != word) return false;
    auto ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    return (i == 0 || !ident(source[i - 1])) && (i + word.size() >= source.size() || !ident(source[i + word.size()]));
  };
  for (size_t i = 0; i < source.size(); ++i) {
    char c = source[i];
    if (c == '/' && i + 1 < source.size() && source[i + 1] == '/') { // line comment
      size_t end = source.find('\n', i);
      if (end == std::string_view::npos) break;
      i = end;
    } else if (c == '/' && i + 1 < source.size() && source[i + 1] == '*') { // block comment
      size_t end = source.find("*/", i + 2);
      if (end == std::string_view::npos) break;
      i = end + 1;
    } else if (c == '"' || c == '\'') { // string or character literal
      size_t j = i + 1;
      while (j < source.size() && source[j] != c && source[j] != '\n') j += source[j] == '\\' ? 2 : 1;
      i = j;
    } else if (c == ':' && i + 1 < source.size() && source[i + 1] == ':') {
      return true;
    } else if (std::isalpha(static_cast<unsigned char>(c))) {
      for (const char* word : {"template", "namespace", "class", "nullptr", "constexpr", "operator", "typename",
                               "static_cast", "reinterpret_cast", "const_cast", "dynamic_cast", "decltype", "noexcept"})
        if (word_at(i, word)) return true;
      while (i + 1 < source.size() && (std::isalnum(static_cast<unsigned char>(source[i + 1])) || source[i + 1] == '_')) ++i;
    }
  }
  return false;
}

std::optional<uint64_t> c_literal_length(std::string_view literal) {
  bool wide = false;
  auto value = decode_literal(literal, wide);
  if (!value) return std::nullopt;
  if (!wide) return value->size();
  // Code units of the widest kind that needs most: a four-byte UTF-8 sequence is a UTF-16 pair.
  uint64_t n = 0;
  for (char c : *value) {
    unsigned char b = static_cast<unsigned char>(c);
    if ((b & 0xC0) != 0x80) n += (b & 0xF8) == 0xF0 ? 2 : 1;
  }
  return n;
}

std::optional<std::string> c_literal_value(std::string_view literal) {
  bool wide = false;
  auto value = decode_literal(literal, wide);
  if (!value || wide) return std::nullopt;
  return value;
}

std::optional<uint64_t> c_format_max_length(std::string_view format, const std::vector<std::optional<uint64_t>>& string_args,
                                            const std::vector<bool>& byte_args) {
  uint64_t total = 0;
  size_t arg = 0;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') {
      ++total;
      continue;
    }
    if (++i >= format.size()) return std::nullopt;
    if (format[i] == '%') {
      ++total;
      continue;
    }
    bool alternate = false;
    while (i < format.size() && std::strchr("-+ #0'", format[i])) {
      if (format[i] == '#') alternate = true;
      ++i;
    }
    uint64_t width = 0;
    if (i < format.size() && format[i] == '*') return std::nullopt;
    while (i < format.size() && std::isdigit(static_cast<unsigned char>(format[i]))) {
      width = width * 10 + (format[i++] - '0');
      if (width > k_huge) return std::nullopt;
    }
    std::optional<uint64_t> precision;
    if (i < format.size() && format[i] == '.') {
      ++i;
      if (i < format.size() && format[i] == '*') return std::nullopt;
      uint64_t p = 0;
      while (i < format.size() && std::isdigit(static_cast<unsigned char>(format[i]))) {
        p = p * 10 + (format[i++] - '0');
        if (p > k_huge) return std::nullopt;
      }
      precision = p;
    }
    // Length modifiers: 0 = int, 1 = char, 2 = short, 3 = long/long long/intmax_t/size_t/ptrdiff_t.
    int size = 0;
    if (format.substr(i, 2) == "hh") size = 1, i += 2;
    else if (format.substr(i, 2) == "ll") size = 3, i += 2;
    else if (i < format.size() && format[i] == 'h') size = 2, ++i;
    else if (i < format.size() && std::strchr("ljztqL", format[i])) size = 3, ++i;
    if (i >= format.size()) return std::nullopt;
    char conversion = format[i];
    if (size == 0 && arg < byte_args.size() && byte_args[arg] && std::strchr("diuxXo", conversion)) size = 1;
    uint64_t digits;
    switch (conversion) {
    case 'd':
    case 'i': digits = (size == 1 ? 3 : size == 2 ? 5 : size == 3 ? 19 : 10); break;
    case 'u': digits = (size == 1 ? 3 : size == 2 ? 5 : size == 3 ? 20 : 10); break;
    case 'x':
    case 'X': digits = (size == 1 ? 2 : size == 2 ? 4 : size == 3 ? 16 : 8); break;
    case 'o': digits = (size == 1 ? 3 : size == 2 ? 6 : size == 3 ? 22 : 11); break;
    case 'c': digits = size == 3 ? 0 : 1; break; // %lc: a multibyte sequence of MB_CUR_MAX bytes
    case 'p': digits = 18; break;                 // 0x + 16 hex digits ("(nil)" is shorter)
    case 's': digits = 0; break;
    case 'e':
    case 'E':
    case 'g':
    case 'G': {
      // -d.ddde+308: sign, P + 1 digits, '.', 'e', the exponent's sign and up to three digits (five for
      // long double); %g (P significant digits) and its fixed form ("-0.0000ddd") are never longer.
      uint64_t p = precision ? std::max<uint64_t>(*precision, 1) : 6;
      uint64_t exponent = size == 3 && format[i - 1] == 'L' ? 5 : 3;
      total += std::max<uint64_t>(width, p + 5 + exponent);
      if (total > k_huge) return std::nullopt;
      ++arg;
      continue;
    }
    case 'f':
    case 'F': {
      // -ddd.ddd: a double has at most 309 integer digits (DBL_MAX), a long double 4933.
      uint64_t p = precision ? *precision : 6;
      uint64_t integer = size == 3 && format[i - 1] == 'L' ? 4933 : 309;
      total += std::max<uint64_t>(width, 1 + integer + 1 + p);
      if (total > k_huge) return std::nullopt;
      ++arg;
      continue;
    }
    default: return std::nullopt; // %a, %n, %m, unknown
    }
    uint64_t length;
    if (conversion == 's') {
      std::optional<uint64_t> value = arg < string_args.size() ? string_args[arg] : std::nullopt;
      if (size == 3 && !precision) return std::nullopt; // %ls of a wide string: bytes depend on the locale
      if (value && precision) length = std::min(*value, *precision);
      else if (value) length = *value;
      else if (precision && size != 3) length = *precision;
      else return std::nullopt;
    } else if (conversion == 'c') {
      if (digits == 0) return std::nullopt;
      length = 1;
    } else if (conversion == 'p') {
      length = digits;
    } else {
      length = precision ? std::max(digits, *precision) : digits;
      if (conversion == 'd' || conversion == 'i') length += 1; // '-', or '+'/' ' with those flags
      else if (alternate && (conversion == 'x' || conversion == 'X')) length += 2;
      else if (alternate && conversion == 'o') length += 1;
    }
    total += std::max(length, width);
    if (total > k_huge) return std::nullopt;
    ++arg;
  }
  return total;
}

bool allocation_unchecked(const CheckInput& input) {
  TSNode call = input.node;
  if (!is(call, "call_expression")) return false;
  TSNode root = root_of(call);
  // Whether it allocates through a wrapper of this file is asked before the climb to the parent that
  // tells whether the result is stored: in tree-sitter 0.20.7 each ts_node_parent is a descent from the
  // root, and most calls of a file allocate nothing (the wrappers are listed once per file).
  if (!allocates(call, root, input.source, input.facts, 1)) {
    if (!allocates(call, root, input.source, input.facts, 0)) return false;
    TSNode v = call;
    while (is_any(ts_node_parent(v), {"cast_expression", "parenthesized_expression"})) v = ts_node_parent(v);
    if (!is_any(ts_node_parent(v), {"init_declarator", "assignment_expression"})) return false;
  }
  // Through casts and parentheses to where the value goes.
  TSNode value = call;
  for (;;) {
    if (is_any(ts_node_parent(value), {"cast_expression", "parenthesized_expression"})) value = ts_node_parent(value);
    else if (TSNode cast = named_cast_around(value, input.source); !ts_node_is_null(cast)) value = cast;
    else break;
  }
  TSNode holder = ts_node_parent(value);
  std::string_view target;
  bool target_is_name = true;
  TSNode statement{};
  if (is(holder, "init_declarator") && same(field(holder, "value"), value)) {
    target = text_of(declared_name(field(holder, "declarator")), input.source);
    statement = ts_node_parent(holder);
  } else if (is(holder, "assignment_expression") && same(field(holder, "right"), value) && operator_of(holder) == "=") {
    TSNode left = strip_parentheses(field(holder, "left"));
    if (!is_any(left, {"identifier", "field_expression", "subscript_expression", "pointer_expression"})) return false;
    target = text_of(left, input.source);
    target_is_name = is(left, "identifier");
    // `if ((p = malloc(n)) == NULL)`, `while (!(p = malloc(n)))`, `strcpy(p = malloc(n), s)`.
    Occurrence inline_use = classify(holder, root, input.source, input.facts, 0);
    if (inline_use == Occurrence::check || inline_use == Occurrence::use) return inline_use == Occurrence::use;
    if (inline_use != Occurrence::ignore) return false;
    statement = ts_node_parent(holder);
    while (is_any(statement, {"parenthesized_expression", "comma_expression"})) statement = ts_node_parent(statement);
  } else {
    // Used at once: `memcpy(malloc(n), src, n)`, `((struct s *)malloc(sizeof *s))->x = 1`.
    return classify(call, root, input.source, input.facts, 0) == Occurrence::use;
  }
  if (target.empty() || !is_any(statement, {"declaration", "expression_statement"})) return false;
  return first_occurrence_after(statement, target, target_is_name, root, input.source, input.facts) == Occurrence::use;
}

std::vector<Capture> allocation_check_captures(TSNode call, std::string_view source) {
  if (!is(call, "call_expression") || !includes_header(source, {"<stdlib.h>", "<cstdlib>"})) return {};
  TSNode value = call;
  for (;;) {
    if (is_any(ts_node_parent(value), {"cast_expression", "parenthesized_expression"})) value = ts_node_parent(value);
    else if (TSNode cast = named_cast_around(value, source); !ts_node_is_null(cast)) value = cast;
    else break;
  }
  TSNode holder = ts_node_parent(value), target{}, statement{};
  if (is(holder, "init_declarator") && same(field(holder, "value"), value)) {
    target = declared_name(field(holder, "declarator"));
    statement = ts_node_parent(holder);
    if (!is(statement, "declaration")) return {};
  } else if (is(holder, "assignment_expression") && same(field(holder, "right"), value) && operator_of(holder) == "=") {
    target = field(holder, "left");
    statement = ts_node_parent(holder);
    if (!is(statement, "expression_statement")) return {};
    // `p`, `it->name`, `s.buf`: read again in the check without side effects (no calls, no subscripts).
    for (TSNode t = target; !ts_node_is_null(t) && !is(t, "identifier"); t = field(t, "argument"))
      if (!is(t, "field_expression")) return {};
  } else {
    return {};
  }
  if (!is_any(target, {"identifier", "field_expression"}) || !is(ts_node_parent(statement), "compound_statement")) return {};
  // The check goes on a line of its own after the statement, indented as it is.
  uint32_t start = ts_node_start_byte(statement), end = ts_node_end_byte(statement), line = start;
  while (line > 0 && (source[line - 1] == ' ' || source[line - 1] == '\t')) --line;
  if (line > 0 && source[line - 1] != '\n') return {};
  size_t after = end;
  while (after < source.size() && (source[after] == ' ' || source[after] == '\t' || source[after] == '\r')) ++after;
  if (after < source.size() && source[after] != '\n') return {};
  return {Capture{"alloc_target", ts_node_start_byte(target), ts_node_end_byte(target)}, Capture{"alloc_statement", start, end},
          Capture{"alloc_indent", line, start}};
}

bool is_real_cast(const CheckInput& input) {
  TSNode cast = input.node;
  if (!is(cast, "cast_expression")) return true;
  TSNode type = field(cast, "type");
  // A type_descriptor of one name, nothing around it (no *, &, const, unsigned): only then can the
  // parentheses hold a function or variable name rather than a type.
  if (ts_node_named_child_count(type) != 1) return true;
  TSNode name = ts_node_named_child(type, 0);
  if (!is_any(name, {"type_identifier", "qualified_identifier", "template_type"})) return true;
  std::string_view spelled = text_of(name, input.source);
  // The last component: `std::numeric_limits<int>::max` -> `max`.
  std::string_view last = without_template_arguments(spelled);
  if (size_t colons = last.rfind("::"); colons != std::string_view::npos) last = last.substr(colons + 2);
  TSNode value = field(cast, "value");
  // `(std::min)(a, b)`, `(std::max)(x, y)`, `(numeric_limits<T>::max)()`: parenthesised so that the
  // Windows min/max macros do not expand. A cast of a comma expression or of nothing is no cast.
  if (one_of(last, {"min", "max", "lowest", "min_element", "max_element", "minmax", "epsilon", "infinity", "quiet_NaN",
                    "signaling_NaN", "denorm_min", "round_error"}))
    return false;
  // `(std::abs)(x)`, `(std::isnan)(v)`: a function of the standard library called through parentheses
  // (the same macro guard). Its types end in _t or are the few named below.
  if (starts_with(spelled, "std::") && spelled.find("::", 5) == std::string_view::npos && last == spelled.substr(5) &&
      is(value, "parenthesized_expression") && !(last.size() > 2 && last.substr(last.size() - 2) == "_t") &&
      !one_of(last, {"byte", "string", "wstring", "u8string", "u16string", "u32string", "string_view", "wstring_view",
                     "streamsize", "streamoff", "any", "function"}))
    return false;
  TSNode operand = value;
  if (is(operand, "parenthesized_expression") && is(strip_parentheses(operand), "comma_expression")) return false;
  return true;
}

namespace {

// ---- a copy into what was just allocated for it ----------------------------------------------------

// The text of an expression without white space: `*a + * a_size` and `*a+*a_size` are the same.
std::string compact(TSNode node, std::string_view source) {
  std::string out;
  for (char c : text_of(node, source))
    if (!std::isspace(static_cast<unsigned char>(c))) out += c;
  return out;
}

// The terms of a sum (`a + (b + 1)` -> a, b, 1), each compacted; parentheses and casts do not count.
void sum_terms(TSNode expr, std::string_view source, std::vector<std::string>& out) {
  expr = strip_parentheses(expr);
  if (is(expr, "binary_expression") && operator_of(expr) == "+") {
    sum_terms(field(expr, "left"), source, out);
    sum_terms(field(expr, "right"), source, out);
    return;
  }
  out.push_back(compact(expr, source));
}

// The size a statement allocates for `target` (compacted): `target = malloc(n)`, `target = realloc(target,
// n)`, `T *target = malloc(n)`, casts allowed. A null node when the statement does not.
TSNode allocated_size_for(TSNode statement, const std::string& target, std::string_view source) {
  TSNode value{}, holder{};
  if (is(statement, "expression_statement")) {
    holder = strip_parentheses(ts_node_named_child(statement, 0));
    if (!is(holder, "assignment_expression") || operator_of(holder) != "=" ||
        compact(field(holder, "left"), source) != target)
      return TSNode{};
    value = field(holder, "right");
  } else if (is(statement, "declaration")) {
    for_each_named_child(statement, [&](TSNode d) {
      if (is(d, "init_declarator") && text_of(declared_name(field(d, "declarator")), source) == target)
        value = field(d, "value");
      return ts_node_is_null(value);
    });
  }
  value = strip_parentheses(value);
  while (is(value, "cast_expression")) value = strip_parentheses(field(value, "value"));
  if (!is(value, "call_expression")) return TSNode{};
  std::string_view fn = text_of(field(value, "function"), source);
  if (starts_with(fn, "std::")) fn.remove_prefix(5);
  std::vector<TSNode> args;
  for_each_named_child(field(value, "arguments"), [&](TSNode a) {
    if (!is(a, "comment")) args.push_back(a);
    return true;
  });
  if (fn == "malloc" && args.size() == 1) return args[0];
  if (fn == "realloc" && args.size() == 2) return args[1];
  return TSNode{};
}

// Whether `statement` assigns (=, op=, ++, --) one of `names` (compacted lvalues).
bool assigns_any(TSNode statement, const std::vector<std::string>& names, std::string_view source) {
  bool found = false;
  walk(
      statement,
      [&](TSNode n) {
        TSNode target{};
        if (is(n, "assignment_expression")) target = field(n, "left");
        else if (is(n, "update_expression")) target = field(n, "argument");
        else if (is(n, "init_declarator")) target = declared_name(field(n, "declarator"));
        if (!ts_node_is_null(target)) {
          std::string t = compact(target, source);
          found = std::find(names.begin(), names.end(), t) != names.end();
        }
        return !found;
      },
      found);
  return found;
}

// `strcpy(dest, src)` right after `dest` was (re)allocated for it: the size is the destination's offset
// (`strcpy(*a + *a_size, h)` after `realloc(*a, *a_size + len + 1)`), the source's length (strlen(src), or
// a name set to strlen(src) before the allocation) and 1 for the terminator, in any order; nothing in
// between assigns the pointer, the offset, the source or that length. libxcrypt's test helpers, and the
// strdup idiom `p = malloc(strlen(s) + 1); strcpy(p, s);`.
bool copies_into_fresh_allocation(TSNode call, TSNode dest, TSNode src, std::string_view source) {
  constexpr size_t k_max_back = 6; // statements looked at before the copy
  std::vector<std::string> dest_terms;
  sum_terms(dest, source, dest_terms);
  const std::string base = dest_terms.front();
  const std::vector<std::string> offsets(dest_terms.begin() + 1, dest_terms.end());
  const std::string src_text = compact(src, source);
  if (!is_any(strip_parentheses(src), {"identifier", "field_expression", "pointer_expression"})) return false;
  TSNode statement = call;
  while (!ts_node_is_null(statement) && !is(ts_node_parent(statement), "compound_statement"))
    statement = ts_node_parent(statement);
  if (ts_node_is_null(statement)) return false;
  // The statements before the copy, nearest first.
  std::vector<TSNode> before;
  for (TSNode s = ts_node_prev_named_sibling(statement); !ts_node_is_null(s) && before.size() < k_max_back;
       s = ts_node_prev_named_sibling(s))
    before.push_back(s);
  std::vector<std::string> watched = dest_terms;
  watched.push_back(src_text);
  for (size_t k = 0; k < before.size(); ++k) {
    TSNode size = allocated_size_for(before[k], base, source);
    if (ts_node_is_null(size)) {
      if (assigns_any(before[k], watched, source)) return false;
      continue;
    }
    std::vector<std::string> terms;
    sum_terms(size, source, terms);
    // Take away the offsets and the terminator; what is left must be the source's length.
    for (const std::string& want : offsets) {
      auto at = std::find(terms.begin(), terms.end(), want);
      if (at == terms.end()) return false;
      terms.erase(at);
    }
    auto one = std::find(terms.begin(), terms.end(), "1");
    if (one == terms.end()) return false;
    terms.erase(one);
    if (terms.size() != 1) return false;
    const std::string strlen_src = "strlen(" + src_text + ")";
    const std::string length = terms.front();
    if (length == strlen_src) return true;
    // A name set to strlen(src) before the allocation, neither it nor the source changed since.
    for (size_t j = 0; j < before.size(); ++j) {
      if (j == k || !assigns_any(before[j], {length}, source)) continue;
      if (j < k) return false; // changed after the allocation
      if (assigns_any(before[j], {src_text}, source)) return false;
      for (size_t between = k + 1; between < j; ++between)
        if (assigns_any(before[between], {src_text}, source)) return false;
      TSNode value{};
      if (is(before[j], "declaration")) {
        for_each_named_child(before[j], [&](TSNode d) {
          if (is(d, "init_declarator") && text_of(declared_name(field(d, "declarator")), source) == length)
            value = field(d, "value");
          return ts_node_is_null(value);
        });
      } else if (TSNode e = strip_parentheses(ts_node_named_child(before[j], 0));
                 is(e, "assignment_expression") && operator_of(e) == "=") {
        value = field(e, "right");
      }
      return !ts_node_is_null(value) && compact(value, source) == strlen_src;
    }
    return false;
  }
  return false;
}

// ---- a loop writing fixed-width pieces into a buffer ---------------------------------------------

// An unsigned byte type: unsigned char, uint8_t and its spellings (white space collapsed).
bool byte_type(std::string_view text) {
  std::string t;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!t.empty() && t.back() != ' ') t += ' ';
    } else {
      t += c;
    }
  }
  while (!t.empty() && t.back() == ' ') t.pop_back();
  if (starts_with(t, "const ")) t.erase(0, 6);
  return one_of(t, {"unsigned char", "uint8_t", "std::uint8_t", "u_int8_t", "u8"});
}

// Whether `arg` is visibly an unsigned byte: `(unsigned char)x`, a name declared as one, or `a[i]` /
// `*p` where `a`/`p` is declared as an array of or a pointer to one.
bool byte_value(TSNode arg, std::string_view source) {
  arg = strip_parentheses(arg);
  if (is(arg, "cast_expression")) return byte_type(text_of(field(arg, "type"), source));
  if (is(arg, "identifier")) {
    Declared v = declaration_of(arg, text_of(arg, source), source);
    return is(v.declarator, "identifier") && byte_type(text_of(field(v.declaration, "type"), source));
  }
  TSNode base{};
  if (is(arg, "subscript_expression")) base = field(arg, "argument");
  else if (is(arg, "pointer_expression") && operator_of(arg) == "*") base = field(arg, "argument");
  base = strip_parentheses(base);
  if (!is(base, "identifier")) return false;
  Declared v = declaration_of(arg, text_of(base, source), source);
  TSNode d = v.declarator;
  if (!is_any(d, {"array_declarator", "pointer_declarator"}) || !is(field(d, "declarator"), "identifier")) return false;
  return byte_type(text_of(field(v.declaration, "type"), source));
}

// The index of a subscript, in C (`index`) and C++ (`indices`, a list of one).
TSNode subscript_index(TSNode subscript) {
  TSNode index = field(subscript, "index");
  if (!ts_node_is_null(index)) return index;
  TSNode list = field(subscript, "indices");
  return ts_node_named_child_count(list) == 1 ? ts_node_named_child(list, 0) : TSNode{};
}

// `i * K`, `K * i` or `i` (K = 1): the loop variable and the stride.
bool strided_index(TSNode index, TSNode root, std::string_view source, std::string& variable, uint64_t& stride) {
  index = strip_parentheses(index);
  if (is(index, "identifier")) {
    variable = std::string(text_of(index, source));
    stride = 1;
    return true;
  }
  if (!is(index, "binary_expression") || operator_of(index) != "*") return false;
  TSNode l = strip_parentheses(field(index, "left")), r = strip_parentheses(field(index, "right"));
  if (!is(l, "identifier")) std::swap(l, r);
  auto k = evaluate(r, root, source, 0);
  if (!is(l, "identifier") || !k || *k == 0) return false;
  variable = std::string(text_of(l, source));
  stride = *k;
  return true;
}

// The loop `for (i = 0; i < N; ++i)` (or `i++`, `i += 1`, `T i = 0`) around `call` over `variable`,
// whose body does not assign it; its bound N. A null node when the call is in no such loop.
TSNode counting_loop_bound(TSNode call, const std::string& variable, std::string_view source, TSNode& loop) {
  for (loop = ts_node_parent(call); !ts_node_is_null(loop) && !is(loop, "for_statement"); loop = ts_node_parent(loop))
    if (is_any(loop, {"function_definition", "lambda_expression"})) return TSNode{};
  if (ts_node_is_null(loop)) return TSNode{};
  TSNode init = field(loop, "initializer"), cond = strip_parentheses(field(loop, "condition")),
         update = field(loop, "update");
  bool starts_at_zero = compact(init, source) == variable + "=0";
  if (is(init, "declaration") && ts_node_named_child_count(init) == 2) { // `size_t i = 0`: a type and one declarator
    TSNode d = ts_node_named_child(init, 1);
    starts_at_zero = is(d, "init_declarator") && compact(field(d, "declarator"), source) == variable &&
                     compact(field(d, "value"), source) == "0";
  }
  std::string u = compact(update, source);
  bool steps_by_one = u == variable + "++" || u == "++" + variable || u == variable + "+=1";
  if (!starts_at_zero || !steps_by_one || !is(cond, "binary_expression") || operator_of(cond) != "<" ||
      compact(field(cond, "left"), source) != variable)
    return TSNode{};
  if (assigns_any(field(loop, "body"), {variable}, source)) return TSNode{};
  return field(cond, "right");
}

// The value of a loop bound: a constant, or `sizeof a` / `sizeof(a)` of a byte array declared here.
std::optional<uint64_t> bound_value(TSNode bound, TSNode root, std::string_view source) {
  bound = strip_parentheses(bound);
  if (!is(bound, "sizeof_expression")) return evaluate(bound, root, source, 0);
  TSNode inner = field(bound, "value");
  if (ts_node_is_null(inner)) inner = field(bound, "type"); // `sizeof(a)` may parse as a type name
  std::string name = compact(inner, source);
  while (!name.empty() && name.front() == '(' && name.back() == ')') name = name.substr(1, name.size() - 2);
  Declared v = declaration_of(bound, name, source);
  if (!is(v.declarator, "array_declarator") || !byte_type(text_of(field(v.declaration, "type"), source))) return std::nullopt;
  return array_size(bound, name, root, source);
}

// A guard before `loop` in its block: `if (S <= E) return ...;` (or `E >= S`), S being the parameter
// that follows `buffer` in the function's parameters (the (pointer, size) convention) and E the product
// `bound * stride` as written; neither S nor the bound assigned between. It proves S > bound * stride.
bool guarded_room(TSNode loop, const Declared& buffer, TSNode bound, uint64_t stride, std::string_view source) {
  if (!is(buffer.declaration, "parameter_declaration")) return false;
  std::string size_name;
  bool next = false;
  for_each_named_child(ts_node_parent(buffer.declaration), [&](TSNode p) {
    if (next) {
      size_name = std::string(text_of(declared_name(field(p, "declarator")), source));
      return false;
    }
    next = ts_node_eq(p, buffer.declaration);
    return true;
  });
  if (size_name.empty()) return false;
  const std::string n = compact(bound, source), k = std::to_string(stride);
  auto is_product = [&](TSNode e) {
    e = strip_parentheses(e);
    if (!is(e, "binary_expression") || operator_of(e) != "*") return false;
    std::string l = compact(strip_parentheses(field(e, "left")), source), r = compact(strip_parentheses(field(e, "right")), source);
    return (l == n && r == k) || (l == k && r == n);
  };
  TSNode statement = loop;
  while (!ts_node_is_null(statement) && !is(ts_node_parent(statement), "compound_statement")) statement = ts_node_parent(statement);
  for (TSNode s = ts_node_prev_named_sibling(statement); !ts_node_is_null(s); s = ts_node_prev_named_sibling(s)) {
    if (is(s, "if_statement") && ts_node_is_null(field(s, "alternative"))) {
      TSNode cond = field(s, "condition");
      if (is(cond, "condition_clause") && ts_node_named_child_count(cond) == 1) cond = ts_node_named_child(cond, 0); // C++
      cond = strip_parentheses(cond);
      TSNode then = field(s, "consequence");
      if (is(then, "compound_statement") && ts_node_named_child_count(then) == 1) then = ts_node_named_child(then, 0);
      if (is(cond, "binary_expression") && is(then, "return_statement")) {
        std::string_view op = operator_of(cond);
        TSNode left = field(cond, "left"), right = field(cond, "right");
        if ((op == "<=" && compact(left, source) == size_name && is_product(right)) ||
            (op == ">=" && compact(right, source) == size_name && is_product(left)))
          return true;
      }
    }
    if (assigns_any(s, {size_name, n}, source)) return false;
  }
  return false;
}

// `sprintf(&buf[i * K], fmt, ...)` / `sprintf(buf + i * K, ...)` in `for (i = 0; i < N; ++i)`, each
// write at most W characters and its terminator: the last ends at K * (N - 1) + W + 1, which fits an
// array of this file of that size, or a buffer whose size parameter a guard before the loop proves to
// exceed K * N (then W <= K). The hex dump of a digest, `%02x` of a byte per two characters.
bool strided_writes_fit(TSNode call, const std::vector<TSNode>& args, std::string_view source) {
  TSNode dest = strip_parentheses(args[0]);
  TSNode buffer{}, index{};
  if (is(dest, "pointer_expression") && operator_of(dest) == "&" && is(strip_parentheses(field(dest, "argument")), "subscript_expression")) {
    TSNode sub = strip_parentheses(field(dest, "argument"));
    buffer = strip_parentheses(field(sub, "argument"));
    index = subscript_index(sub);
  } else if (is(dest, "binary_expression") && operator_of(dest) == "+") {
    buffer = strip_parentheses(field(dest, "left"));
    index = field(dest, "right");
  }
  if (!is(buffer, "identifier") || ts_node_is_null(index)) return false;
  TSNode root = root_of(call);
  std::string variable;
  uint64_t stride = 0;
  if (!strided_index(index, root, source, variable, stride)) return false;
  TSNode loop{};
  TSNode bound = counting_loop_bound(call, variable, source, loop);
  if (ts_node_is_null(bound)) return false;
  auto format = literal_value(args[1], source);
  if (!format) return false;
  std::vector<std::optional<uint64_t>> strings;
  std::vector<bool> bytes;
  for (size_t i = 2; i < args.size(); ++i) {
    strings.push_back(literal_length(args[i], source));
    bytes.push_back(byte_value(args[i], source));
  }
  auto width = c_format_max_length(*format, strings, bytes);
  if (!width) return false;
  const std::string_view name = text_of(buffer, source);
  if (auto capacity = array_size(call, name, root, source)) {
    auto n = bound_value(bound, root, source);
    return n && *n > 0 && stride * (*n - 1) + *width + 1 <= *capacity;
  }
  return *width <= stride && guarded_room(loop, declaration_of(call, name, source), bound, stride, source);
}

} // namespace

bool copy_may_overflow(const CheckInput& input) {
  TSNode call = input.node;
  if (!is(call, "call_expression")) return true;
  std::string_view fn = text_of(field(call, "function"), input.source);
  if (starts_with(fn, "std::")) {
    fn.remove_prefix(5);
  } else if (declares_own_function(root_of(call), fn, input.source)) {
    return false;
  }
  std::vector<TSNode> args;
  for_each_named_child(field(call, "arguments"), [&](TSNode a) {
    if (!is(a, "comment")) args.push_back(a);
    return args.size() < 64;
  });
  if (args.size() < 2) return true;
  if (one_of(fn, {"strcpy", "stpcpy"}) && args.size() == 2 &&
      copies_into_fresh_allocation(call, strip_parentheses(args[0]), args[1], input.source))
    return false;
  if (fn == "sprintf" && strided_writes_fit(call, args, input.source)) return false;
  TSNode dest = strip_parentheses(args[0]);
  while (is(dest, "cast_expression")) dest = strip_parentheses(field(dest, "value")); // (char *)buf
  if (!is(dest, "identifier")) return true;
  TSNode root = root_of(call);
  std::optional<uint64_t> capacity = array_size(call, text_of(dest, input.source), root, input.source);
  if (!capacity) return true;
  std::optional<uint64_t> needed;
  if (one_of(fn, {"strcpy", "wcscpy", "stpcpy"}) && args.size() == 2) {
    needed = literal_length(args[1], input.source);
  } else if (fn == "sprintf") {
    auto format = literal_value(args[1], input.source);
    if (!format) return true;
    std::vector<std::optional<uint64_t>> strings;
    std::vector<bool> bytes;
    for (size_t i = 2; i < args.size(); ++i) {
      strings.push_back(literal_length(args[i], input.source));
      bytes.push_back(byte_value(args[i], input.source));
    }
    needed = c_format_max_length(*format, strings, bytes);
  }
  if (!needed) return true;
  return *needed + 1 > *capacity; // the terminator needs its place too
}

} // namespace scan
