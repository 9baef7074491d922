#include "scan/assumptions.hpp"

#include "scan/checks.hpp"
#include "scan/checks_c.hpp"
#include "scan/checks_python.hpp"
#include "scan/js_scope.hpp"
#include "scan/node_util.hpp"
#include <tree_sitter/api.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <initializer_list>
#include <optional>

namespace scan {

namespace {

using node::field;
using node::is;
using node::is_any;
using node::text_of;
using node::walk;

// How deep a name may lead to another name (`a = {}; b = a`) before the analysis gives up.
constexpr int k_max_alias_depth = 3;




bool one_of(std::string_view text, std::initializer_list<const char*> values) {
  return std::any_of(values.begin(), values.end(), [&](const char* v) { return text == v; });
}


// Whether `node` is `ancestor` or lies inside it.
bool within(TSNode node, TSNode ancestor) {
  return ts_node_start_byte(node) >= ts_node_start_byte(ancestor) && ts_node_end_byte(node) <= ts_node_end_byte(ancestor);
}

TSNode unwrap_parentheses(TSNode node) {
  while (is(node, "parenthesized_expression") && ts_node_named_child_count(node) == 1) node = ts_node_named_child(node, 0);
  return node;
}

// ---- Python: a real dict -------------------------------------------------------------------------

// Whether the module imports `name` from collections (`from collections import Counter`), so a bare
// `Counter(...)` is the standard one and not, say, a metrics client's.
bool imported_from_collections(TSNode module, std::string_view name, std::string_view source) {
  bool found = false;
  for (uint32_t i = 0; i < ts_node_named_child_count(module) && !found; ++i) {
    TSNode stmt = ts_node_named_child(module, i);
    if (!is(stmt, "import_from_statement") || text_of(field(stmt, "module_name"), source) != "collections") continue;
    walk(stmt, [&](TSNode n) {
      if (is(n, "aliased_import")) return false; // `import Counter as C` binds C, not Counter (and C is not looked up)
      if (is(n, "dotted_name") && !ts_node_eq(n, field(stmt, "module_name")) && text_of(n, source) == name) found = true;
      return !found;
    });
  }
  return found;
}

TSNode module_of(TSNode node) {
  TSNode last = node;
  for (TSNode p = ts_node_parent(node); !ts_node_is_null(p); p = ts_node_parent(p)) last = p;
  return last;
}

// A type annotation naming a dict type: dict, Dict, defaultdict, DefaultDict, OrderedDict, Counter, with
// or without `typing.` / `collections.` and type arguments.
bool python_dict_annotation(TSNode type, std::string_view source) {
  std::string_view t = text_of(type, source);
  t = t.substr(0, t.find('['));
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  for (const char* prefix : {"typing.", "collections.", "t."})
    if (t.rfind(prefix, 0) == 0) t.remove_prefix(std::strlen(prefix));
  return one_of(t, {"dict", "Dict", "defaultdict", "DefaultDict", "OrderedDict", "Counter"});
}

bool python_dict_name(TSNode use, std::string_view name, std::string_view source, int depth);
bool python_name_rebound(TSNode module, std::string_view name, std::string_view source);

// A value that is a real dict: a display, a comprehension, dict(...), collections' defaultdict /
// OrderedDict / Counter (called through `collections.` or imported from it), or a name bound to one.
bool python_dict_value(TSNode value, std::string_view source, int depth) {
  value = unwrap_parentheses(value);
  if (is_any(value, {"dictionary", "dictionary_comprehension"})) return true;
  if (is(value, "identifier")) return python_dict_name(value, text_of(value, source), source, depth + 1);
  if (!is(value, "call")) return false;
  TSNode fn = field(value, "function");
  // The constructor's name means the standard one only while nothing in the file rebinds it
  // (`dict = OrderedMapping`, `collections = metrics`).
  if (is(fn, "identifier")) {
    std::string_view f = text_of(fn, source);
    const TSNode module = module_of(value);
    if (f == "dict") return !python_name_rebound(module, f, source);
    return one_of(f, {"defaultdict", "OrderedDict", "Counter"}) && imported_from_collections(module, f, source) &&
           !python_name_rebound(module, f, source);
  }
  if (is(fn, "attribute"))
    return text_of(field(fn, "object"), source) == "collections" &&
           one_of(text_of(field(fn, "attribute"), source), {"defaultdict", "OrderedDict", "Counter"}) &&
           !python_name_rebound(module_of(value), "collections", source);
  return false;
}

bool python_scope(TSNode node) {
  return is_any(node, {"module", "function_definition", "lambda", "class_definition", "list_comprehension",
                       "set_comprehension", "dictionary_comprehension", "generator_expression"});
}

bool python_comprehension(TSNode node) {
  return is_any(node, {"list_comprehension", "set_comprehension", "dictionary_comprehension", "generator_expression"});
}

// What one scope says about a name.
struct Bindings {
  int count = 0;                        // every binding of the name in the scope
  int dict_values = 0;                  // ... of which plain assignments of a real dict
  int annotations = 0;                  // annotations (parameters, `d: T = ...`)
  int dict_annotations = 0;             // ... naming a dict type
  bool declared_elsewhere = false;      // global / nonlocal: bound outside this scope
};

// Whether a target (identifier, or a tuple/list pattern, starred) binds `name`.
bool target_binds(TSNode target, std::string_view name, std::string_view source) {
  if (is(target, "identifier")) return text_of(target, source) == name;
  if (!is_any(target, {"pattern_list", "tuple_pattern", "list_pattern", "list_splat_pattern", "parenthesized_expression",
                       "expression_list", "tuple", "list"}))
    return false;
  for (uint32_t i = 0; i < ts_node_named_child_count(target); ++i)
    if (target_binds(ts_node_named_child(target, i), name, source)) return true;
  return false;
}

// The bindings of `name` made in `scope` itself (nested scopes keep theirs; a nested def or class
// binds its own name here). `depth`: how many names led here (`b = a` looks up a).
Bindings bindings_in(TSNode scope, std::string_view name, std::string_view source, int depth) {
  Bindings b;
  // Parameters belong to the function's (or lambda's) own scope.
  TSNode params = field(scope, "parameters");
  if (!ts_node_is_null(params)) {
    for (uint32_t i = 0; i < ts_node_named_child_count(params); ++i) {
      TSNode p = ts_node_named_child(params, i);
      if (is(p, "identifier")) {
        b.count += text_of(p, source) == name;
      } else if (is(p, "default_parameter")) {
        b.count += text_of(field(p, "name"), source) == name;
      } else if (is_any(p, {"typed_parameter", "typed_default_parameter"})) {
        TSNode id = is(p, "typed_default_parameter") ? field(p, "name") : ts_node_named_child(p, 0);
        bool dict_splat = is(id, "dictionary_splat_pattern");
        if (is_any(id, {"list_splat_pattern", "dictionary_splat_pattern"})) id = ts_node_named_child(id, 0);
        if (text_of(id, source) != name) continue;
        ++b.count;
        ++b.annotations;
        // `**kw: int` annotates the values; kw itself is always a fresh dict.
        if (dict_splat || python_dict_annotation(field(p, "type"), source)) ++b.dict_annotations;
      } else if (is(p, "dictionary_splat_pattern")) {
        // `**kw` is always a fresh dict.
        if (text_of(ts_node_named_child(p, 0), source) == name) {
          ++b.count;
          ++b.dict_values;
        }
      } else if (is(p, "list_splat_pattern")) {
        b.count += text_of(ts_node_named_child(p, 0), source) == name;
      }
    }
  }
  walk(scope, [&](TSNode n) {
    if (!ts_node_is_null(params) && ts_node_eq(n, params)) return false;
    if (python_scope(n)) {
      if (is_any(n, {"function_definition", "class_definition"}) && text_of(field(n, "name"), source) == name) ++b.count;
      // A comprehension's first iterable is evaluated here, but binds nothing here.
      return false;
    }
    if (is(n, "assignment")) {
      TSNode left = field(n, "left"), right = field(n, "right"), type = field(n, "type");
      if (target_binds(left, name, source)) {
        ++b.count;
        if (!ts_node_is_null(type)) {
          ++b.annotations;
          if (python_dict_annotation(type, source)) ++b.dict_annotations;
        }
        if (is(left, "identifier")) {
          // `a = b = {}`: the value is the innermost right-hand side.
          while (is(right, "assignment")) right = field(right, "right");
          if (!ts_node_is_null(right) && python_dict_value(right, source, depth)) ++b.dict_values;
        }
      }
      return true;
    }
    if (is(n, "augmented_assignment") && target_binds(field(n, "left"), name, source)) ++b.count;
    else if (is_any(n, {"for_statement", "for_in_clause"}) && target_binds(field(n, "left"), name, source)) ++b.count;
    else if (is(n, "named_expression") && text_of(field(n, "name"), source) == name) ++b.count;
    else if (is(n, "as_pattern_target") && target_binds(ts_node_named_child(n, 0), name, source)) ++b.count;
    else if (is(n, "delete_statement") && text_of(n, source).find(name) != std::string_view::npos) ++b.count;
    else if (is_any(n, {"import_statement", "import_from_statement"})) {
      walk(n, [&](TSNode m) {
        if (is(m, "aliased_import")) {
          b.count += text_of(field(m, "alias"), source) == name;
          return false;
        }
        if (is(m, "dotted_name")) {
          // `import a.b` binds a; `from m import x` binds x.
          std::string_view t = text_of(m, source);
          b.count += t.substr(0, t.find('.')) == name;
          return false;
        }
        return true;
      });
      return false;
    }
    return true;
  });
  // `global d` / `nonlocal d` anywhere inside (a nested function too) binds d from somewhere else.
  walk(scope, [&](TSNode n) {
    if (!is_any(n, {"global_statement", "nonlocal_statement"})) return !b.declared_elsewhere;
    for (uint32_t i = 0; i < ts_node_named_child_count(n); ++i)
      if (text_of(ts_node_named_child(n, i), source) == name) b.declared_elsewhere = true;
    return false;
  });
  return b;
}

// A name is a real dict when the scope it resolves to annotates it only with dict types, or binds it
// exactly once, to a real dict. Lookup follows Python: the innermost scope that binds the name, class
// bodies skipped from inside their methods.
bool python_dict_name(TSNode use, std::string_view name, std::string_view source, int depth) {
  if (depth > k_max_alias_depth) return false;
  bool innermost = true;
  for (TSNode scope = ts_node_parent(use); !ts_node_is_null(scope); scope = ts_node_parent(scope)) {
    if (!python_scope(scope)) continue;
    // A comprehension's first iterable belongs to the enclosing scope.
    if (python_comprehension(scope)) {
      TSNode first{};
      for (uint32_t i = 0; i < ts_node_named_child_count(scope) && ts_node_is_null(first); ++i)
        if (is(ts_node_named_child(scope, i), "for_in_clause")) first = ts_node_named_child(scope, i);
      if (!ts_node_is_null(first) && within(use, field(first, "right"))) continue;
    }
    if (is(scope, "class_definition") && !innermost) continue;
    innermost = false;
    Bindings b = bindings_in(scope, name, source, depth);
    if (b.declared_elsewhere) return false;
    if (b.count == 0) continue;
    // Annotated: every binding is annotated with a dict type (`d = wrap(d)` after `d: dict` rebinds it).
    if (b.annotations) return b.annotations == b.dict_annotations && b.count == b.annotations;
    return b.count == 1 && b.dict_values == 1;
  }
  return false;
}

bool python_dict(TSNode subject, std::string_view source) {
  subject = unwrap_parentheses(subject);
  if (is(subject, "identifier")) return python_dict_name(subject, text_of(subject, source), source, 0);
  return python_dict_value(subject, source, 0);
}

// ---- Python: a comparison used only as a truth value ---------------------------------------------

// The comparison is the test of an if/elif/while/assert/conditional expression or a comprehension
// filter, directly or through parentheses, `not`, `and`, `or`: its value is only ever asked for its
// truth, so an overloaded __eq__ (SQLAlchemy columns, numpy arrays) cannot be building something.
bool python_truth_value(TSNode subject, std::string_view) {
  TSNode node = subject;
  for (TSNode p = ts_node_parent(node); !ts_node_is_null(p); node = p, p = ts_node_parent(p)) {
    if (is_any(p, {"parenthesized_expression", "not_operator", "boolean_operator"})) continue;
    if (is_any(p, {"if_statement", "elif_clause", "while_statement"})) return ts_node_eq(field(p, "condition"), node);
    if (is(p, "assert_statement")) return ts_node_eq(ts_node_named_child(p, 0), node);
    if (is(p, "conditional_expression")) return ts_node_eq(ts_node_named_child(p, 1), node);
    if (is(p, "if_clause")) return true;
    return false;
  }
  return false;
}

// ---- Python: a default value that means the same inside the function ------------------------------

// Whether the identifier `id` binds its name where it stands: an assignment's or a loop's target (also
// inside a tuple or list of targets), a walrus, a `with`/`except` alias, a parameter, a def or class
// name, an import, `global`/`nonlocal`, `del`.
bool python_binds(TSNode id) {
  TSNode node = id, p = ts_node_parent(id);
  while (is_any(p, {"pattern_list", "tuple_pattern", "list_pattern", "list_splat_pattern", "tuple", "list",
                    "parenthesized_expression", "expression_list"})) {
    node = p;
    p = ts_node_parent(p);
  }
  if (is_any(p, {"assignment", "augmented_assignment", "for_statement", "for_in_clause"}))
    return ts_node_eq(field(p, "left"), node);
  if (is(p, "named_expression")) return ts_node_eq(field(p, "name"), node);
  if (is_any(p, {"function_definition", "class_definition"})) return ts_node_eq(field(p, "name"), node);
  if (is_any(p, {"default_parameter", "typed_default_parameter"})) return ts_node_eq(field(p, "name"), node);
  if (is_any(p, {"parameters", "lambda_parameters", "typed_parameter", "dictionary_splat_pattern", "as_pattern_target",
                 "global_statement", "nonlocal_statement", "delete_statement"}))
    return true;
  if (is(p, "except_clause")) return !ts_node_eq(ts_node_named_child(p, 0), node);
  if (is(p, "aliased_import")) return ts_node_eq(field(p, "alias"), node);
  if (is(p, "dotted_name")) {
    // `import a.b` binds `a`; `from m import a` binds `a` (not the module's own name).
    TSNode stmt = ts_node_parent(p);
    if (is(stmt, "import_statement")) return ts_node_eq(ts_node_named_child(p, 0), id);
    if (is(stmt, "import_from_statement")) return !ts_node_eq(field(stmt, "module_name"), p);
  }
  return false;
}

// Whether `name` is bound anywhere in the file other than by `from collections import name` (or, for
// `collections` itself, `import collections`).
bool python_name_rebound(TSNode module, std::string_view name, std::string_view source) {
  bool found = false;
  walk(module, [&](TSNode n) {
    if (is(n, "import_from_statement") && text_of(field(n, "module_name"), source) == "collections") return false;
    if (is(n, "import_statement") && text_of(n, source) == "import collections") return false;
    if (is(n, "identifier") && text_of(n, source) == name && python_binds(n)) found = true;
    return !found;
  }, found);
  return found;
}

// `def f(acc=VALUE)` -> `def f(acc=None)` and `acc = VALUE` in the body moves VALUE from the def's
// scope and time to the call's: it means the same only when it names nothing but builtins (and
// collections' containers imported from collections) that nothing in the file rebinds. A name of the
// module, a parameter, a loop variable or a class attribute may hold something else at call time, or
// be a local of the body (UnboundLocalError), or not be visible there at all (a class body). A
// parameter named as a cache or memo is the sharing on purpose.
bool python_default_movable(TSNode value, std::string_view source) {
  TSNode param = ts_node_parent(value);
  if (!is(param, "default_parameter") || !ts_node_eq(field(param, "value"), value)) return false;
  std::string name(text_of(field(param, "name"), source));
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* purpose : {"cache", "memo", "registry"})
    if (name.find(purpose) != std::string::npos) return false;
  std::vector<std::string_view> local_to_value; // comprehension variables of the value itself
  bool has_lambda = false;
  walk(value, [&](TSNode n) {
    if (is(n, "lambda")) has_lambda = true;
    if (is(n, "identifier") && python_binds(n)) local_to_value.push_back(text_of(n, source));
    return true;
  });
  if (has_lambda) return false;
  const TSNode module = module_of(value);
  bool movable = true;
  walk(value, [&](TSNode n) {
    if (!movable || !is(n, "identifier")) return movable;
    TSNode parent = ts_node_parent(n);
    if (is(parent, "attribute") && ts_node_eq(field(parent, "attribute"), n)) return true;
    if (is(parent, "keyword_argument") && ts_node_eq(field(parent, "name"), n)) return true;
    std::string_view id = text_of(n, source);
    if (std::find(local_to_value.begin(), local_to_value.end(), id) != local_to_value.end()) return true;
    const bool builtin = one_of(id, {"int", "str", "float", "bool", "bytes", "complex", "object", "list", "dict",
                                     "set", "tuple", "frozenset", "bytearray", "range"});
    const bool from_collections = one_of(id, {"defaultdict", "OrderedDict", "deque", "Counter"}) &&
                                  imported_from_collections(module, id, source);
    movable = (builtin || from_collections) && !python_name_rebound(module, id, source);
    return movable;
  });
  return movable;
}

// `eval(text)` -> `ast.literal_eval(text)`: the call is the builtin eval with one plain argument (no
// globals or locals, which literal_eval does not take), and the module imports ast itself, once, at its
// top level (`import ast`), with neither name bound anywhere else in the file.
bool python_eval_of_literal(TSNode call, std::string_view source) {
  if (!is(call, "call") || text_of(field(call, "function"), source) != "eval") return false;
  TSNode args = field(call, "arguments");
  if (!is(args, "argument_list") || ts_node_named_child_count(args) != 1) return false;
  if (is_any(ts_node_named_child(args, 0), {"keyword_argument", "list_splat", "dictionary_splat"})) return false;
  const TSNode module = module_of(call);
  if (python_name_rebound(module, "eval", source)) return false;
  int imports = 0, bindings = 0;
  walk(module, [&](TSNode n) {
    if (is(n, "identifier") && text_of(n, source) == "ast" && python_binds(n)) ++bindings;
    if (is(n, "import_statement") && ts_node_eq(ts_node_parent(n), module) && text_of(n, source) == "import ast") ++imports;
    return true;
  });
  return imports == 1 && bindings == 1;
}

// ---- C++: a standard container -------------------------------------------------------------------

// `std::vector<...>`, `std::string`, ...: standard types whose empty() is size() == 0. (forward_list
// has no size(), bitset and valarray no empty().)
bool cpp_std_container_name(std::string_view name) {
  return one_of(name, {"string", "wstring", "u8string", "u16string", "u32string", "string_view", "wstring_view", "vector",
                       "deque", "list", "array", "map", "multimap", "set", "multiset", "unordered_map",
                       "unordered_multimap", "unordered_set", "unordered_multiset", "stack", "queue", "priority_queue",
                       "span"});
}

bool cpp_std_container_type(TSNode type, std::string_view source) {
  if (!is(type, "qualified_identifier") || text_of(field(type, "scope"), source) != "std") return false;
  TSNode name = field(type, "name");
  if (is(name, "template_type")) name = field(name, "name");
  if (!is(name, "type_identifier")) return false;
  return cpp_std_container_name(text_of(name, source));
}

// `std::valarray<...>`, `std::bitset<...>`: standard types with size() but no empty(), where the fix
// would not compile.
bool cpp_std_type_without_empty(TSNode type, std::string_view source) {
  if (!is(type, "qualified_identifier") || text_of(field(type, "scope"), source) != "std") return false;
  TSNode name = field(type, "name");
  if (is(name, "template_type")) name = field(name, "name");
  return is(name, "type_identifier") && one_of(text_of(name, source), {"valarray", "bitset"});
}

// The last name of a type or of a constructor call's callee, without scope or template arguments:
// `ns::T<int>` -> "T"; empty for anything else (primitive types, expressions).
std::string_view cpp_last_type_name(TSNode n, std::string_view source) {
  for (int depth = 0; depth < 8 && !ts_node_is_null(n); ++depth) {
    if (is(n, "qualified_identifier")) n = field(n, "name");
    else if (is_any(n, {"template_type", "template_function"})) n = field(n, "name");
    else break;
  }
  return is_any(n, {"type_identifier", "identifier"}) ? text_of(n, source) : std::string_view{};
}

// A class type that the file does not show to have empty(): named by `type` or, for `auto x = T(...)`,
// by the constructor call `value`; not a standard type (std::, or a standard container's name used
// unqualified), not a template parameter of an enclosing template, and not a class of this file with an
// `empty` member. fmt's `constexpr auto str = basic_string_view<Char>(s); str.size() == 0`: its own
// string view has no empty(), so `str.empty()` would not compile.
bool cpp_class_without_visible_empty(TSNode type, TSNode value, std::string_view source) {
  TSNode named = type;
  bool by_call = is(type, "placeholder_type_specifier") || text_of(type, source) == "auto";
  if (by_call) named = is(value, "call_expression") ? field(value, "function") : TSNode{};
  if (ts_node_is_null(named) || text_of(named, source).substr(0, 5) == "std::") return false;
  std::string_view name = cpp_last_type_name(named, source);
  if (name.empty() || cpp_std_container_name(name) || one_of(name, {"valarray", "bitset"})) return false;
  // `auto v = make(...)` calls a function of unknown result; `auto v = T<A>(...)` names a class
  // template (make_*<T>(...) factories aside), and `auto v = T(...)` one only when this file defines T.
  bool template_call = by_call && (is(named, "template_function") ||
                                   (is(named, "qualified_identifier") && is(field(named, "name"), "template_function")));
  if (template_call && name.substr(0, 4) == "make") return false;
  bool must_be_defined_here = by_call && !template_call;
  bool defined_here = false;
  TSNode root = named;
  for (TSNode p = ts_node_parent(root); !ts_node_is_null(p); p = ts_node_parent(p)) {
    root = p;
    if (!is(p, "template_declaration")) continue;
    bool parameter = false;
    walk(field(p, "parameters"), [&](TSNode t) {
      if (is(t, "type_identifier") && text_of(t, source) == name) parameter = true;
      return !parameter;
    });
    if (parameter) return false;
  }
  bool has_empty = false;
  walk(root, [&](TSNode n) {
    if (is_any(n, {"class_specifier", "struct_specifier"}) && text_of(field(n, "name"), source) == name) {
      defined_here = defined_here || !ts_node_is_null(field(n, "body"));
      std::string_view body = text_of(field(n, "body"), source);
      for (size_t at = body.find("empty"); at != std::string_view::npos && !has_empty; at = body.find("empty", at + 1)) {
        size_t after = body.find_first_not_of(" \t", at + 5);
        has_empty = after != std::string_view::npos && body[after] == '(' &&
                    (at == 0 || !(std::isalnum(static_cast<unsigned char>(body[at - 1])) || body[at - 1] == '_'));
      }
      return false;
    }
    return !has_empty;
  });
  if (must_be_defined_here && !defined_here) return false;
  return !has_empty;
}

// The declared name of a declarator and whether it declares a pointer; nullopt for functions and arrays.
struct Declared {
  std::string_view name;
  bool pointer = false;
};
std::optional<Declared> cpp_declared(TSNode d, std::string_view source) {
  Declared out;
  for (int depth = 0; depth < 8 && !ts_node_is_null(d); ++depth) {
    if (is_any(d, {"identifier", "field_identifier"})) {
      out.name = text_of(d, source);
      return out;
    }
    if (is(d, "pointer_declarator")) {
      out.pointer = true;
      d = field(d, "declarator");
    } else if (is_any(d, {"init_declarator", "parenthesized_declarator"})) {
      d = is(d, "init_declarator") ? field(d, "declarator") : ts_node_named_child(d, 0);
    } else if (is(d, "reference_declarator")) {
      d = ts_node_named_child(d, 0);
    } else {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

// What the declarations of one name in one region say.
struct CppDecls {
  int count = 0;
  int containers = 0;                   // of a standard container type, pointer-ness as used
  int without_empty = 0;                // of a standard type with size() but no empty()
};

// Counts the declarators of `decl` (`int a, *b;` has two) that declare `name`. A tree cursor names each
// child's field (ts_node_field_name_for_child misreports fields after a `const` in 0.20.7).
void cpp_count_declarators(TSNode decl, std::string_view name, bool via_pointer, std::string_view source, CppDecls& out) {
  TSNode type = field(decl, "type");
  TSTreeCursor cursor = ts_tree_cursor_new(decl);
  if (ts_tree_cursor_goto_first_child(&cursor)) {
    do {
      const char* f = ts_tree_cursor_current_field_name(&cursor);
      if (!f || std::strcmp(f, "declarator") != 0) continue;
      auto d = cpp_declared(ts_tree_cursor_current_node(&cursor), source);
      if (!d || d->name != name) continue;
      ++out.count;
      if (d->pointer == via_pointer && cpp_std_container_type(type, source)) ++out.containers;
      if (d->pointer == via_pointer &&
          (cpp_std_type_without_empty(type, source) ||
           cpp_class_without_visible_empty(type, field(ts_tree_cursor_current_node(&cursor), "value"), source)))
        ++out.without_empty;
    } while (ts_tree_cursor_goto_next_sibling(&cursor));
  }
  ts_tree_cursor_delete(&cursor);
}

void cpp_collect(TSNode region, std::string_view name, bool via_pointer, std::string_view source, CppDecls& out) {
  walk(region, [&](TSNode n) {
    if (!is_any(n, {"parameter_declaration", "optional_parameter_declaration", "declaration", "field_declaration",
                    "for_range_loop"}))
      return !is_any(n, {"class_specifier", "struct_specifier", "union_specifier"}); // members of nested types are theirs
    cpp_count_declarators(n, name, via_pointer, source, out);
    return !is(n, "field_declaration");
  });
}

// The body of the class an out-of-line member definition (`T A::f(...) {...}`, `A<M>::f`, `ns::A::f`)
// belongs to, when this file defines that class; else a null node.
TSNode cpp_class_body_of_out_of_line(TSNode function, std::string_view source) {
  TSNode fd = field(function, "declarator");
  for (int depth = 0; depth < 8 && !ts_node_is_null(fd) && !is(fd, "function_declarator"); ++depth)
    fd = field(fd, "declarator");
  TSNode name = field(fd, "declarator");
  if (!is(name, "qualified_identifier")) return TSNode{};
  while (is(field(name, "name"), "qualified_identifier")) name = field(name, "name"); // ns::A::f -> A::f
  TSNode scope = field(name, "scope"); // `A` parses as a namespace_identifier, `A<M>` as a template_type
  std::string_view cls = is(scope, "namespace_identifier") ? text_of(scope, source) : cpp_last_type_name(scope, source);
  if (cls.empty()) return TSNode{};
  TSNode body{};
  walk(ts_tree_root_node(function.tree), [&](TSNode n) {
    if (!ts_node_is_null(body) || is_any(n, {"function_definition", "compound_statement"})) return false;
    if (is_any(n, {"class_specifier", "struct_specifier"}) && text_of(field(n, "name"), source) == cls &&
        !ts_node_is_null(field(n, "body")))
      body = field(n, "body");
    return ts_node_is_null(body);
  });
  return body;
}

void cpp_count_members(TSNode class_body, std::string_view name, bool via_pointer, std::string_view source, CppDecls& d) {
  for (uint32_t i = 0; i < ts_node_named_child_count(class_body); ++i) {
    TSNode member = ts_node_named_child(class_body, i);
    if (is(member, "field_declaration")) cpp_count_declarators(member, name, via_pointer, source, d);
  }
}

// The declarations of the receiver: in the enclosing function (a parameter, a local, a range-for
// variable) or, failing that, as members of the class the function is defined in (its body holds the
// definition, or this file defines the class of an out-of-line member). `this->items_` is looked up
// among the members only. Empty counts when none declares it (a member of a class of another file,
// a global, an expression such as `msg.name` or `m[k]`).
CppDecls cpp_receiver_declarations(TSNode subject, std::string_view source) {
  CppDecls d;
  TSNode access = ts_node_parent(subject);
  bool via_pointer = is(access, "field_expression") && text_of(field(access, "operator"), source) == "->";
  bool member_only = false;
  if (is(subject, "field_expression") && text_of(field(subject, "argument"), source) == "this" &&
      text_of(field(subject, "operator"), source) == "->") {
    subject = field(subject, "field");
    member_only = true;
  }
  if (!is(subject, "identifier") && !is(subject, "field_identifier")) return d;
  std::string_view name = text_of(subject, source);
  for (TSNode p = ts_node_parent(subject); !ts_node_is_null(p); p = ts_node_parent(p)) {
    if (is_any(p, {"function_definition", "lambda_expression"})) {
      if (!member_only) cpp_collect(p, name, via_pointer, source, d);
      if (d.count) return d;
      if (is(p, "lambda_expression")) continue;
      // Not declared in the function: a member of the class whose body holds the definition, or of the
      // class of this file an out-of-line definition belongs to.
      TSNode body = ts_node_parent(p);
      if (!is(body, "field_declaration_list")) body = cpp_class_body_of_out_of_line(p, source);
      if (!ts_node_is_null(body)) cpp_count_members(body, name, via_pointer, source, d);
      return d;
    }
  }
  return d;
}

// The receiver is declared exactly once there, with a `std::` container type: then empty() exists
// and means size() == 0. Anything else is not established.
bool cpp_std_container(TSNode subject, std::string_view source) {
  CppDecls d = cpp_receiver_declarations(subject, source);
  return d.count == 1 && d.containers == 1;
}

} // namespace

bool cpp_receiver_may_have_empty(TSNode subject, std::string_view source) {
  CppDecls d = cpp_receiver_declarations(subject, source);
  return d.count > 0 && !(d.count == 1 && d.without_empty == 1);
}

namespace {

// ---- JavaScript / TypeScript: operands of one primitive type -------------------------------------

std::string_view js_type(TSNode node, std::string_view source, int depth);

// The value of a `const` that is the file's only binding of `name`, or a null node.
TSNode js_const_value(TSNode use, std::string_view name, std::string_view source) {
  if (source.find("const") == std::string_view::npos) return {};
  TSNode program = module_of(use);
  int bindings = 0;
  TSNode value{};
  walk(program, [&](TSNode n) {
    if (is(n, "variable_declarator")) {
      TSNode id = field(n, "name");
      if (is(id, "identifier")) {
        if (text_of(id, source) == name) {
          ++bindings;
          TSNode decl = ts_node_parent(n);
          bool is_const = is(decl, "lexical_declaration") && text_of(field(decl, "kind"), source) == "const";
          value = is_const ? field(n, "value") : TSNode{};
        }
      } else if (text_of(id, source).find(name) != std::string_view::npos) {
        ++bindings; // a destructuring pattern that may bind it
      }
      return true;
    }
    if (is_any(n, {"formal_parameters", "catch_clause", "import_clause", "import_specifier", "namespace_import"}) ||
        (is(n, "arrow_function") && !ts_node_is_null(field(n, "parameter")))) {
      TSNode region = is(n, "arrow_function") ? field(n, "parameter") : is(n, "catch_clause") ? field(n, "parameter") : n;
      bool hit = is(region, "identifier") && text_of(region, source) == name;
      if (!hit && !ts_node_is_null(region))
        walk(region, [&](TSNode m) {
          if (is_any(m, {"identifier", "shorthand_property_identifier_pattern"}) && text_of(m, source) == name) hit = true;
          return !hit && !is_any(m, {"statement_block", "object", "array", "call_expression"});
        });
      bindings += hit;
      return !is(n, "formal_parameters") && !is_any(n, {"import_clause", "import_specifier", "namespace_import"});
    }
    if (is_any(n, {"function_declaration", "generator_function_declaration", "class_declaration", "function_expression",
                   "class"}) &&
        text_of(field(n, "name"), source) == name)
      ++bindings;
    if (is(n, "for_in_statement") && text_of(field(n, "left"), source).find(name) != std::string_view::npos) ++bindings;
    return true;
  });
  return bindings == 1 ? value : TSNode{};
}

// "string", "number", "bigint", "boolean", or "" when the code does not show it.
std::string_view js_type(TSNode node, std::string_view source, int depth) {
  node = unwrap_parentheses(node);
  if (is_any(node, {"string", "template_string"})) return "string";
  if (is(node, "number")) {
    std::string_view t = text_of(node, source);
    return !t.empty() && t.back() == 'n' ? "bigint" : "number";
  }
  if (is_any(node, {"true", "false"})) return "boolean";
  if (is(node, "unary_expression")) {
    std::string_view op = text_of(field(node, "operator"), source);
    if (op == "typeof") return "string";
    if (op == "!") return "boolean";
    if (op == "+") return "number";
    if (op == "-" || op == "~") return js_type(field(node, "argument"), source, depth);
    return "";
  }
  if (is(node, "binary_expression")) {
    std::string_view op = text_of(field(node, "operator"), source);
    if (one_of(op, {"<", ">", "<=", ">=", "==", "!=", "===", "!==", "instanceof", "in"})) return "boolean";
    if (op == "+" && (js_type(field(node, "left"), source, depth) == "string" ||
                      js_type(field(node, "right"), source, depth) == "string"))
      return "string";
    return "";
  }
  if (is(node, "identifier") && depth < k_max_alias_depth) {
    TSNode value = js_const_value(node, text_of(node, source), source);
    return ts_node_is_null(value) ? std::string_view() : js_type(value, source, depth + 1);
  }
  return "";
}

// Both operands of the comparison have one statically known primitive type: `==` and `===` agree.
bool js_same_primitive_type(TSNode subject, std::string_view source) {
  subject = unwrap_parentheses(subject);
  if (!is(subject, "binary_expression")) return false;
  TSNode left = unwrap_parentheses(field(subject, "left")), right = unwrap_parentheses(field(subject, "right"));
  // A name costs a walk of the file: literals first, and no walk once one side is unknown.
  const bool left_name = is(left, "identifier"), right_name = is(right, "identifier");
  std::string_view l = left_name ? std::string_view() : js_type(left, source, 0);
  std::string_view r = right_name ? std::string_view() : js_type(right, source, 0);
  if ((!left_name && l.empty()) || (!right_name && r.empty())) return false;
  if (left_name && (l = js_type(left, source, 0)).empty()) return false;
  if (right_name && (r = js_type(right, source, 0)).empty()) return false;
  return l == r;
}

// ---- Java: a weak digest with a drop-in stronger one --------------------------------------------

// `MessageDigest.getInstance("MD5")` and its kin: a digest by name, so "SHA-256" takes its place
// (a Cipher's algorithm is not replaced: a new mode needs an IV and a new key handling).
bool java_weak_digest(TSNode subject, std::string_view source) {
  if (!is(subject, "method_invocation") || text_of(field(subject, "object"), source) != "MessageDigest") return false;
  TSNode args = field(subject, "arguments");
  if (ts_node_named_child_count(args) != 1) return false; // getInstance(name, provider): the provider may lack SHA-256
  return one_of(text_of(ts_node_named_child(args, 0), source),
                {"\"MD5\"", "\"md5\"", "\"MD2\"", "\"md2\"", "\"SHA-1\"", "\"sha-1\"", "\"SHA1\"", "\"sha1\"", "\"SHA\"",
                 "\"sha\""});
}

} // namespace

const std::vector<EstablishmentInfo>& known_establishments() {
  static const std::vector<EstablishmentInfo> k_all = {
      {"python-dict",
       {"python"},
       "the subject is a dict display or comprehension, a dict(...) call, collections.defaultdict/OrderedDict/Counter(...) "
       "(or one imported from collections), a name bound once in its scope to one of those, or a name annotated as "
       "dict/Dict/defaultdict/DefaultDict/OrderedDict/Counter (a parameter or a variable), or **kwargs"},
      {"python-default-movable",
       {"python"},
       "the default value names nothing but builtins (int, str, list, dict, set, ...) and collections' defaultdict, "
       "OrderedDict, deque, Counter imported from collections, none of them rebound anywhere in the file, and the "
       "parameter is not named as a cache, memo or registry: evaluated in the body at call time it means the same"},
      {"python-eval-literal",
       {"python"},
       "the call is the builtin eval (not rebound in the file) with one plain argument, and the module's top level "
       "has `import ast`, the file's only binding of `ast`: ast.literal_eval then takes its place"},
      {"python-truth-value",
       {"python"},
       "the subject is the test of an if/elif/while/assert/conditional expression or a comprehension filter, "
       "directly or through parentheses, not, and, or"},
      {"cpp-std-container",
       {"cpp"},
       "the subject is a name declared once in the enclosing function (parameter, local, range-for variable) or as a "
       "member of the class whose body holds the function, with a std:: container or string type"},
      {"js-same-primitive-type",
       {"javascript", "typescript", "tsx"},
       "both operands have one known primitive type: string, template, number or boolean literals, typeof, !x, "
       "comparisons, string concatenation, or a const that is the file's only binding of its name and holds one"},
      {"js-var-scope",
       {"javascript", "typescript", "tsx"},
       "the subject is a `var` declaration that `let` can replace: each name it binds is used only in its block (its "
       "case, its for statement), after its declarator, by no closure inside a loop and no hoisted function that can run "
       "first; no parameter, import, function or enclosing let/const/catch binding shares the name, other `var`s of it "
       "stand in disjoint blocks that set it first; no eval or with; at the top level the file is a module "
       "(scan/js_scope.hpp)"},
      {"c-char-array",
       {"c", "cpp"},
       "the destination (first argument) is a plain name of a one-dimensional char, signed char or unsigned char array "
       "declared in this file (a local before the call, or at file scope; not a parameter, which is a pointer), with a "
       "size or an initialiser, so `sizeof dest` is its room; for strcpy also a statement of its own (snprintf returns "
       "an int, not the destination) in a file that includes <stdio.h> or <cstdio>"},
      {"cpp-arithmetic-type",
       {"cpp"},
       "the cast's type is one arithmetic type: a primitive (int, double, char, bool, ...), a sized specifier "
       "(unsigned, long long, unsigned char) or a standard integer name (size_t, ptrdiff_t, std::uint8_t, int_fast32_t, "
       "...), without const, pointer or reference: static_cast then does what the C-style cast did or does not compile"},
      {"cpp-typedef-alias",
       {"cpp"},
       "the typedef's declarators (at most three) can be spelled as alias declarations by taking each name out of its "
       "declarator: no struct, union, enum or class body, no attributes, no comments, no name in redundant parentheses"},
      {"c-allocation-statement",
       {"c", "cpp"},
       "the allocation's result is stored by a statement of its own (a declaration `T *p = malloc(n);` or an assignment "
       "to a name or a field chain, `it->name = strdup(s);`) in a block, on lines of its own, in a file that includes "
       "<stdlib.h> or <cstdlib>: a check can follow it on the next line"},
      {"java-weak-digest",
       {"java"},
       "the call is MessageDigest.getInstance with one argument, the literal \"MD5\", \"MD2\", \"SHA-1\", \"SHA1\" or "
       "\"SHA\" (upper or lower case): a digest that \"SHA-256\" replaces; cipher algorithms are left as suggestions"},
      {"cpp-own-declaration",
       {"cpp"},
       "the function definition declares the function itself (in a class body or at namespace scope), not out of line "
       "a member declared in the class (`A::f`), whose declaration the fix would have to change too"},
      {"python-closed-in-block",
       {"python"},
       "the file bound by `name = open(...)` (a statement of its own lines) is closed by `name.close()` later in the "
       "same block, with statements between that neither rebind nor delete the name, return, yield, break or continue "
       "out of the block, nor hold a string of several lines: a `with` block over them does the same and also closes "
       "the file when one raises (scan/checks_python.hpp)"},
  };
  return k_all;
}

const EstablishmentInfo* establishment_by_name(const std::string& name) {
  for (const auto& e : known_establishments())
    if (e.name == name) return &e;
  return nullptr;
}

bool assumption_established(const std::string& name, TSNode subject, std::string_view source) {
  if (ts_node_is_null(subject)) return false;
  if (name == "python-dict") return python_dict(subject, source);
  if (name == "python-truth-value") return python_truth_value(subject, source);
  if (name == "python-default-movable") return python_default_movable(subject, source);
  if (name == "python-eval-literal") return python_eval_of_literal(subject, source);
  if (name == "cpp-std-container") return cpp_std_container(subject, source);
  if (name == "js-same-primitive-type") return js_same_primitive_type(subject, source);
  if (name == "js-var-scope") return js_var_block_local(subject, source);
  if (name == "c-char-array") return char_array_destination(subject, source);
  if (name == "cpp-arithmetic-type") return cpp_arithmetic_type(subject, source);
  if (name == "cpp-typedef-alias") return !typedef_alias_captures(subject, source).empty();
  if (name == "java-weak-digest") return java_weak_digest(subject, source);
  if (name == "c-allocation-statement") return !allocation_check_captures(subject, source).empty();
  if (name == "cpp-own-declaration") return declares_itself(subject);
  if (name == "python-closed-in-block") return !python_with_block_captures(subject, source).empty();
  return false;
}

} // namespace scan
