#include "scan/function_identity.hpp"

#include "scan/node_util.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <utility>

namespace scan {

namespace {

constexpr size_t k_max_name = 120;      // bytes of one name
constexpr size_t k_max_signature = 400; // bytes of one signature (generated code has huge ones)

using node::field;
using node::is;

std::string_view text_of(std::string_view source, TSNode node) { return node::text_of(node, source); }

std::string clipped(std::string_view s, size_t limit) { return std::string(s.substr(0, std::min(s.size(), limit))); }



// The name an anonymous node (function, class expression, object literal) is bound to:
// `const f = () => ...`, `obj.f = function () {}`, `{ f: () => ... }`.
TSNode binding_name(TSNode node, TSNode parent) {
  if (ts_node_is_null(parent)) return parent;
  for (const char* f : {"name", "left", "key"}) {
    TSNode n = field(parent, f);
    if (!ts_node_is_null(n) && !ts_node_eq(n, node)) return n;
  }
  return TSNode{};
}

// Whitespace collapsed, and dropped next to punctuation: `const std::string &` → `const std::string&`.
std::string squeeze(std::string_view s) {
  auto punct = [](char c) { return std::strchr("*&,()<>[]:.", c) != nullptr; };
  std::string out;
  bool space = false;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = true;
      continue;
    }
    if (space && !out.empty() && !punct(out.back()) && !punct(c)) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// A type's name without its generic arguments: `Foo<T>` → `Foo`, `*Server[K]` → `*Server`.
std::string without_generics(std::string_view s) {
  size_t cut = s.find_first_of("<[");
  return squeeze(s.substr(0, cut));
}

// The last dotted component of a decorator, without call arguments: `@functools.cached_property` →
// `cached_property`, `@x.setter` → `setter`, `@lru_cache(maxsize=1)` → `lru_cache`.
std::string_view decorator_word(std::string_view decorator) {
  if (!decorator.empty() && decorator.front() == '@') decorator.remove_prefix(1);
  decorator = decorator.substr(0, decorator.find('('));
  while (!decorator.empty() && std::isspace(static_cast<unsigned char>(decorator.back()))) decorator.remove_suffix(1);
  size_t dot = decorator.rfind('.');
  return dot == std::string_view::npos ? decorator : decorator.substr(dot + 1);
}

// The Python decorators of a function whose parent is `parent` (empty when it has none).
std::vector<std::string_view> python_decorators(TSNode parent, std::string_view source) {
  std::vector<std::string_view> out;
  if (!is(parent, "decorated_definition")) return out;
  for (uint32_t i = 0; i < ts_node_named_child_count(parent); ++i) {
    TSNode c = ts_node_named_child(parent, i);
    if (is(c, "decorator")) out.push_back(decorator_word(text_of(source, c)));
  }
  return out;
}

std::string python_kind(TSNode parent, std::string_view source) {
  for (std::string_view d : python_decorators(parent, source)) {
    if (d == "property" || d == "cached_property" || d == "getter") return "getter";
    if (d == "setter" || d == "deleter" || d == "classmethod" || d == "staticmethod") return std::string(d);
  }
  return "";
}

// `get`, `set` and `static` of a JavaScript/TypeScript method (a class may have a getter, a setter
// and a static method of one name).
std::string method_kind(TSNode fn) {
  std::string kind;
  for (uint32_t i = 0; i < ts_node_child_count(fn); ++i) {
    TSNode c = ts_node_child(fn, i);
    if (ts_node_is_named(c)) continue;
    const char* t = ts_node_type(c);
    if (!std::strcmp(t, "static") || !std::strcmp(t, "get") || !std::strcmp(t, "set"))
      kind += (kind.empty() ? "" : " ") + std::string(t);
  }
  return kind;
}

// The parameter list of a function node: its `parameters` field, or a C/C++ function declarator's.
TSNode parameters_of(TSNode fn) {
  TSNode p = field(fn, "parameters");
  if (!ts_node_is_null(p)) return p;
  TSNode single = field(fn, "parameter"); // `x => x + 1`
  if (!ts_node_is_null(single)) return single;
  TSNode d = fn;
  for (int depth = 0; depth < 8; ++depth) {
    TSNode next = field(d, "declarator");
    if (ts_node_is_null(next)) break;
    d = next;
    if (is(d, "function_declarator") || is(d, "abstract_function_declarator")) return field(d, "parameters");
  }
  return TSNode{};
}

// The function declarator of a C/C++ definition (its trailing `const`, `&`, `&&` are part of the signature).
TSNode function_declarator(TSNode fn) {
  TSNode d = fn;
  for (int depth = 0; depth < 8; ++depth) {
    d = field(d, "declarator");
    if (ts_node_is_null(d) || is(d, "function_declarator")) return d;
  }
  return TSNode{};
}

bool is_parameter(TSNode c) {
  const char* t = ts_node_type(c);
  return std::strcmp(t, "comment") && std::strcmp(t, "line_comment") && std::strcmp(t, "block_comment") &&
         std::strcmp(t, "keyword_separator") && std::strcmp(t, "positional_separator") && std::strcmp(t, "attribute_item");
}

// C's `f(void)`: a parameter list that declares none.
bool is_void_list(TSNode params, std::string_view source) {
  if (ts_node_named_child_count(params) != 1) return false;
  TSNode only = ts_node_named_child(params, 0);
  return is(only, "parameter_declaration") && squeeze(text_of(source, only)) == "void";
}

// How many parameters: a Go declaration `a, b int` declares two.
int arity(TSNode params, std::string_view source) {
  if (ts_node_is_null(params)) return 0;
  if (!ts_node_named_child_count(params) || is(params, "identifier")) return is(params, "identifier") ? 1 : 0;
  if (is_void_list(params, source)) return 0;
  int n = 0;
  for (uint32_t i = 0; i < ts_node_named_child_count(params); ++i) {
    TSNode c = ts_node_named_child(params, i);
    if (!is_parameter(c)) continue;
    int names = 0;
    if (is(c, "parameter_declaration") || is(c, "variadic_parameter_declaration"))
      for (uint32_t j = 0; j < ts_node_named_child_count(c); ++j)
        if (is(ts_node_named_child(c, j), "identifier")) ++names;
    n += std::max(names, 1);
  }
  return n;
}

// The identifier a C/C++/Java parameter declares (null for an unnamed one).
TSNode parameter_name(TSNode param) {
  TSNode name = field(param, "name");
  if (!ts_node_is_null(name)) return name;
  TSNode d = field(param, "declarator");
  for (int depth = 0; depth < 8 && !ts_node_is_null(d); ++depth) {
    if (is(d, "identifier") || is(d, "field_identifier")) return d;
    if (is(d, "variable_declarator")) return field(d, "name");
    TSNode next = field(d, "declarator");
    if (ts_node_is_null(next)) { // reference_declarator holds its declarator without a field name
      for (uint32_t i = 0; i < ts_node_named_child_count(d) && ts_node_is_null(next); ++i) {
        TSNode c = ts_node_named_child(d, i);
        const char* t = ts_node_type(c);
        if (!std::strcmp(t, "identifier") || std::strstr(t, "declarator")) next = c;
      }
    }
    d = next;
  }
  // Java's `String... args`: the variable_declarator is a plain child.
  for (uint32_t i = 0; i < ts_node_named_child_count(param); ++i) {
    TSNode c = ts_node_named_child(param, i);
    if (is(c, "variable_declarator")) return field(c, "name");
  }
  return TSNode{};
}

// A parameter's type as written: its text without its name, default value and modifiers (`final`,
// annotations), whitespace squeezed.
std::string parameter_type(TSNode param, std::string_view source) {
  if (is(param, "identifier")) return "_"; // an untyped lambda parameter: `(a, b) -> a + b`
  uint32_t start = ts_node_start_byte(param), end = ts_node_end_byte(param);
  std::vector<std::pair<uint32_t, uint32_t>> cut;
  TSNode name = parameter_name(param);
  if (!ts_node_is_null(name)) cut.emplace_back(ts_node_start_byte(name), ts_node_end_byte(name));
  for (uint32_t i = 0; i < ts_node_child_count(param); ++i) {
    TSNode c = ts_node_child(param, i);
    if (is(c, "=")) {
      end = ts_node_start_byte(c);
      break;
    }
    if (is(c, "modifiers")) cut.emplace_back(ts_node_start_byte(c), ts_node_end_byte(c));
  }
  std::sort(cut.begin(), cut.end());
  std::string out;
  uint32_t at = start;
  for (const auto& [s, e] : cut) {
    if (s < at || e > end || e > source.size()) continue;
    out += source.substr(at, s - at);
    at = e;
  }
  if (end > source.size()) return "";
  if (at < end) out += source.substr(at, end - at);
  return squeeze(out);
}

std::string signature_of(const LanguageProfile& language, TSNode fn, std::string_view source) {
  TSNode params = parameters_of(fn);
  if (!language.typed_signatures) return "/" + std::to_string(arity(params, source));
  std::string sig = "(";
  if (!ts_node_is_null(params) && !is(params, "identifier") && !is_void_list(params, source)) {
    bool first = true;
    for (uint32_t i = 0; i < ts_node_named_child_count(params); ++i) {
      TSNode c = ts_node_named_child(params, i);
      if (!is_parameter(c)) continue;
      sig += (first ? "" : ",") + parameter_type(c, source);
      first = false;
    }
    // C/C++'s `f(int, ...)`: the ellipsis is no named node.
    for (uint32_t i = 0; i < ts_node_child_count(params); ++i)
      if (is(ts_node_child(params, i), "...")) sig += first ? "..." : ",...";
  } else if (is(params, "identifier")) {
    sig += "_"; // a Java lambda's `x -> ...`
  }
  sig += ")";
  // C++: `const`, `volatile`, `&`, `&&` after the parameters select between overloads.
  TSNode d = function_declarator(fn);
  if (!ts_node_is_null(d))
    for (uint32_t i = 0; i < ts_node_named_child_count(d); ++i) {
      TSNode c = ts_node_named_child(d, i);
      if (is(c, "type_qualifier") || is(c, "ref_qualifier")) sig += " " + squeeze(text_of(source, c));
    }
  return clipped(sig, k_max_signature);
}

// The name a scope node gives the functions inside it; "" when it gives none (an unbound object literal).
std::string scope_name(TSNode scope, TSNode parent, std::string_view source) {
  const char* t = ts_node_type(scope);
  if (!std::strcmp(t, "impl_item")) { // Rust: `impl Point`, `impl<T> Display for Point<T>`
    std::string type = without_generics(text_of(source, field(scope, "type")));
    TSNode trait = field(scope, "trait");
    return ts_node_is_null(trait) ? type : "<" + type + " as " + without_generics(text_of(source, trait)) + ">";
  }
  if (!std::strcmp(t, "object_creation_expression")) { // Java anonymous class
    bool has_body = false;
    for (uint32_t i = 0; i < ts_node_named_child_count(scope); ++i)
      if (is(ts_node_named_child(scope, i), "class_body")) has_body = true;
    return has_body ? "new " + without_generics(text_of(source, field(scope, "type"))) : "";
  }
  TSNode name = field(scope, "name");
  if (!ts_node_is_null(name)) return clipped(squeeze(text_of(source, name)), k_max_name);
  if (!std::strcmp(t, "namespace_definition")) return "(anonymous namespace)";
  TSNode bound = binding_name(scope, parent);
  if (!ts_node_is_null(bound)) return clipped(squeeze(text_of(source, bound)), k_max_name);
  return std::strcmp(t, "object") ? "<anonymous>" : "";
}

// Go: a method's receiver type, without pointer and type parameters (`(s *Server[K])` → `Server`):
// a type cannot have a value and a pointer method of one name.
std::string receiver_type(TSNode fn, std::string_view source) {
  TSNode receiver = field(fn, "receiver");
  if (ts_node_is_null(receiver)) return "";
  for (uint32_t i = 0; i < ts_node_named_child_count(receiver); ++i) {
    TSNode c = ts_node_named_child(receiver, i);
    if (!is(c, "parameter_declaration")) continue;
    std::string type = without_generics(text_of(source, field(c, "type")));
    type.erase(0, type.find_first_not_of("*("));
    while (!type.empty() && type.back() == ')') type.pop_back();
    return type;
  }
  return "";
}

} // namespace

std::string function_name(TSNode fn, std::string_view source) {
  TSNode name = field(fn, "name");
  // C/C++: follow declarators to the identifier.
  TSNode d = fn;
  for (int depth = 0; ts_node_is_null(name) && depth < 6; ++depth) {
    TSNode next = field(d, "declarator");
    if (ts_node_is_null(next)) break;
    d = next;
    const char* t = ts_node_type(d);
    if (!std::strcmp(t, "identifier") || !std::strcmp(t, "field_identifier") || !std::strcmp(t, "qualified_identifier") ||
        !std::strcmp(t, "destructor_name") || !std::strcmp(t, "operator_name"))
      name = d;
  }
  if (ts_node_is_null(name)) {
    // Anonymous functions take the name they are bound to.
    TSNode parent = ts_node_parent(fn);
    if (!ts_node_is_null(parent)) {
      for (const char* f : {"name", "left", "key"}) {
        TSNode n = field(parent, f);
        if (!ts_node_is_null(n)) {
          name = n;
          break;
        }
      }
    }
  }
  if (ts_node_is_null(name)) return "<anonymous>";
  return clipped(text_of(source, name), k_max_name);
}

bool is_overload_stub(TSNode fn, std::string_view source) {
  for (std::string_view d : python_decorators(ts_node_parent(fn), source))
    if (d == "overload") return true;
  return false;
}

FunctionIdentity function_identity(const LanguageProfile& language, TSNode fn, std::string_view source,
                                   const std::string& name, const std::string& enclosing,
                                   const std::vector<TSNode>& ancestors) {
  FunctionIdentity id;
  const std::string sep(language.scope_separator);
  // Scopes between the function and its enclosing function, innermost first.
  std::vector<std::string> scopes;
  for (size_t i = ancestors.size(); i-- > 0;) {
    const char* t = ts_node_type(ancestors[i]);
    if (contains(language.function_kinds, t)) break;
    if (!contains(language.scope_kinds, t)) continue;
    // An object literal names its methods only when bound (`const api = { get() {} }`), not as an argument.
    std::string s = scope_name(ancestors[i], i > 0 ? ancestors[i - 1] : TSNode{}, source);
    if (!s.empty()) scopes.push_back(std::move(s));
  }
  std::string qualified = enclosing;
  for (auto it = scopes.rbegin(); it != scopes.rend(); ++it) qualified += (qualified.empty() ? "" : sep) + *it;
  std::string own = name;
  if (language.name == "go") {
    std::string receiver = receiver_type(fn, source);
    if (!receiver.empty()) own = receiver + "." + own;
  }
  id.qualified = qualified.empty() ? own : qualified + sep + own;
  id.signature = signature_of(language, fn, source);
  TSNode parent = ancestors.empty() ? TSNode{} : ancestors.back();
  if (language.name == "python") {
    id.kind = python_kind(parent, source);
    for (std::string_view d : python_decorators(parent, source))
      if (d == "overload") id.overload_stub = true;
  } else if (is(fn, "method_definition")) {
    id.kind = method_kind(fn);
  }
  return id;
}

void settle_identities(std::vector<FunctionMetric>& functions) {
  // 1. Overload stubs fold into the implementation of their qualified name (the next definition that
  //    is not a stub); stubs without one fold into the first stub.
  std::vector<FunctionMetric> kept;
  kept.reserve(functions.size());
  std::map<std::string, size_t> representative; // qualified name → index in kept of a stub kept alone
  for (size_t i = 0; i < functions.size(); ++i) {
    FunctionMetric& f = functions[i];
    if (!f.overload_stub) {
      kept.push_back(std::move(f));
      continue;
    }
    bool implemented = false;
    for (size_t j = i + 1; j < functions.size() && !implemented; ++j)
      implemented = !functions[j].overload_stub && functions[j].qualified == f.qualified;
    if (implemented || representative.count(f.qualified)) continue;
    representative[f.qualified] = kept.size();
    f.overload_stub = false;
    kept.push_back(std::move(f));
  }
  functions = std::move(kept);
  // 2. Keys, numbered in file order when one identity repeats.
  std::map<std::string, int> seen;
  for (auto& f : functions) {
    std::string key = f.qualified + f.signature + (f.kind.empty() ? "" : " [" + f.kind + "]");
    int n = ++seen[key];
    f.key = n > 1 ? key + " #" + std::to_string(n) : key;
  }
  // 3. Labels: the qualified name, plus the kind, signature and number only where needed to tell
  //    this file's functions apart.
  std::map<std::string, int> by_name, by_kind;
  for (const auto& f : functions) {
    ++by_name[f.qualified];
    ++by_kind[f.qualified + "\n" + f.kind];
  }
  for (auto& f : functions) {
    f.label = f.qualified;
    if (by_name[f.qualified] == 1) continue;
    if (!f.kind.empty()) f.label += " (" + f.kind + ")";
    if (by_kind[f.qualified + "\n" + f.kind] == 1) continue;
    f.label = f.key;
  }
}

} // namespace scan
