#include "scan/checks.hpp"

#include "scan/checks_c.hpp"
#include "scan/checks_python.hpp"
#include "scan/function_identity.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace scan {

namespace {

bool kind_in(TSNode node, const std::vector<std::string_view>& kinds) { return contains(kinds, ts_node_type(node)); }

// The innermost loop around the node before any function boundary, or a null node.
TSNode innermost_loop(TSNode node, const LanguageProfile& language) {
  for (TSNode a = ts_node_parent(node); !ts_node_is_null(a); a = ts_node_parent(a)) {
    if (kind_in(a, language.loop_kinds)) return a;
    if (kind_in(a, language.function_kinds)) return {};
  }
  return {};
}

// A loop encloses the node before any function boundary does.
bool inside_loop(TSNode node, const LanguageProfile& language) { return !ts_node_is_null(innermost_loop(node, language)); }

std::string_view node_text(TSNode node, std::string_view source) {
  if (ts_node_is_null(node)) return {};
  uint32_t s = ts_node_start_byte(node), e = ts_node_end_byte(node);
  if (s > source.size() || e > source.size() || e < s) return {};
  return source.substr(s, e - s);
}

TSNode child_field(TSNode node, const char* name) {
  return ts_node_child_by_field_name(node, name, static_cast<uint32_t>(std::strlen(name)));
}

// Whether `value` reads the variable `name`: an identifier of that name that is not a member or a
// keyword argument's name (`x.name`, `f(name=1)`). Text inside string literals does not count.
bool reads(TSNode value, std::string_view name, std::string_view source) {
  if (ts_node_is_null(value)) return false;
  auto is_read = [&](TSNode n) {
    if (std::strcmp(ts_node_type(n), "identifier") != 0 || node_text(n, source) != name) return false;
    TSNode p = ts_node_parent(n);
    if (ts_node_is_null(p)) return true;
    const char* pt = ts_node_type(p);
    if (!std::strcmp(pt, "attribute")) return !ts_node_eq(child_field(p, "attribute"), n);
    if (!std::strcmp(pt, "field_access")) return !ts_node_eq(child_field(p, "field"), n);
    if (!std::strcmp(pt, "keyword_argument")) return !ts_node_eq(child_field(p, "name"), n);
    return true;
  };
  if (is_read(value)) return true;
  bool found = false;
  TSTreeCursor cursor = ts_tree_cursor_new(value);
  bool more = ts_tree_cursor_goto_first_child(&cursor);
  while (more && !found) {
    if (is_read(ts_tree_cursor_current_node(&cursor))) found = true;
    if (ts_tree_cursor_goto_first_child(&cursor)) continue;
    bool moved = false;
    while (!(moved = ts_tree_cursor_goto_next_sibling(&cursor)))
      if (!ts_tree_cursor_goto_parent(&cursor) || ts_node_eq(ts_tree_cursor_current_node(&cursor), value)) break;
    more = moved;
  }
  ts_tree_cursor_delete(&cursor);
  return found;
}

// Whether `target` (an assignment's left side, a declaration's name or a loop variable) is or lists `name`.
bool binds(TSNode target, std::string_view name, std::string_view source) {
  if (ts_node_is_null(target)) return false;
  if (std::strcmp(ts_node_type(target), "identifier") == 0) return node_text(target, source) == name;
  uint32_t n = ts_node_named_child_count(target);
  if (n == 0 || std::strchr(ts_node_type(target), '_') == nullptr) return false; // expression_list, pattern_list...
  for (uint32_t i = 0; i < n; ++i) {
    TSNode c = ts_node_named_child(target, i);
    if (std::strcmp(ts_node_type(c), "identifier") == 0 && node_text(c, source) == name) return true;
  }
  return false;
}

// The loop's own variable (`for s in ...`, `for _, s := range ...`, `for (String s : ...)`) is `name`.
bool loop_variable(TSNode loop, std::string_view name, std::string_view source) {
  if (binds(child_field(loop, "left"), name, source) || binds(child_field(loop, "name"), name, source)) return true;
  for (uint32_t i = 0; i < ts_node_named_child_count(loop); ++i) {
    TSNode c = ts_node_named_child(loop, i);
    if (std::strcmp(ts_node_type(c), "range_clause") == 0 && binds(child_field(c, "left"), name, source)) return true;
  }
  return false;
}

// A statement of the loop's body (a nested loop's too: jinja2's `while True: word = choice(words)`),
// before `node` and outside any function defined there, that binds `name` afresh without reading it:
// `style = ''`, `line := fmt.Sprintf(...)`, `String s = "";`. Then the `+=` after it appends to this
// iteration's string, and nothing grows across iterations.
bool rebound_in_iteration(TSNode loop, TSNode node, std::string_view name, std::string_view source,
                          const LanguageProfile& language) {
  const uint32_t before = ts_node_start_byte(node);
  bool found = false;
  TSTreeCursor cursor = ts_tree_cursor_new(loop);
  bool descend = ts_tree_cursor_goto_first_child(&cursor);
  while (descend && !found) {
    TSNode n = ts_tree_cursor_current_node(&cursor);
    bool go_in = ts_node_start_byte(n) < before;
    if (go_in) {
      const char* t = ts_node_type(n);
      TSNode target{}, value{};
      if (!std::strcmp(t, "assignment") || !std::strcmp(t, "assignment_statement") ||
          !std::strcmp(t, "assignment_expression") || !std::strcmp(t, "short_var_declaration")) {
        TSNode op = child_field(n, "operator");
        std::string_view o = node_text(op, source);
        if (ts_node_is_null(op) || o == "=" || o == ":=") target = child_field(n, "left"), value = child_field(n, "right");
      } else if (!std::strcmp(t, "var_spec") || !std::strcmp(t, "variable_declarator")) {
        target = child_field(n, "name"), value = child_field(n, "value");
      }
      if (binds(target, name, source) && !ts_node_eq(n, node) && !reads(value, name, source)) found = true;
      // A function defined in the loop binds its own names.
      if (kind_in(n, language.function_kinds)) go_in = false;
    }
    if (go_in && ts_tree_cursor_goto_first_child(&cursor)) continue;
    bool moved = false;
    while (!(moved = ts_tree_cursor_goto_next_sibling(&cursor)))
      if (!ts_tree_cursor_goto_parent(&cursor) || ts_node_eq(ts_tree_cursor_current_node(&cursor), loop)) break;
    descend = moved;
  }
  ts_tree_cursor_delete(&cursor);
  return found;
}

// inside-loop, and the accumulator (@acc) carries over from one iteration to the next: it is neither
// the loop's own variable nor bound afresh earlier in the same iteration.
bool accumulates_in_loop(const CheckInput& input) {
  TSNode loop = innermost_loop(input.node, input.language);
  if (ts_node_is_null(loop)) return false;
  std::string_view acc;
  for (const auto& c : input.captures)
    if (c.name == "acc") acc = input.source.substr(c.start_byte, c.end_byte - c.start_byte);
  if (acc.empty()) return true;
  return !loop_variable(loop, acc, input.source) && !rebound_in_iteration(loop, input.node, acc, input.source, input.language);
}

// Whether a comment says the digest is no security measure: MD5 as a file checksum or a cache key,
// "not for security". The comments looked at: those inside the enclosing method or function, those
// just before it (its doc comment), and those on the three lines before the call.
bool declared_non_security(const CheckInput& input) {
  static constexpr std::string_view k_phrases[] = {
      "checksum", "not for security", "not used for security", "not security", "non-security", "non security",
      "noncryptographic", "non-cryptographic", "not cryptographic", "not for cryptograph", "not a security"};
  auto says_so = [&](TSNode comment) {
    std::string text(input.source.substr(ts_node_start_byte(comment),
                                         std::min<uint32_t>(ts_node_end_byte(comment) - ts_node_start_byte(comment), 4096)));
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (std::string_view phrase : k_phrases)
      if (text.find(phrase) != std::string::npos) return true;
    return false;
  };
  auto is_comment = [](TSNode n) { return !ts_node_is_null(n) && std::strstr(ts_node_type(n), "comment") != nullptr; };
  TSNode method{};
  int hops = 0;
  for (TSNode a = ts_node_parent(input.node); !ts_node_is_null(a) && hops < 256; a = ts_node_parent(a), ++hops) {
    if (kind_in(a, input.language.function_kinds)) {
      method = a;
      break;
    }
  }
  const uint32_t call_row = ts_node_start_point(input.node).row;
  bool found = false;
  // Comments inside the method (bounded), or, at class level, around the call.
  TSNode region = ts_node_is_null(method) ? ts_node_parent(input.node) : method;
  uint32_t visited = 0;
  TSTreeCursor cursor = ts_tree_cursor_new(region);
  for (bool more = true; more && !found && ++visited < 20000;) {
    TSNode n = ts_tree_cursor_current_node(&cursor);
    if (is_comment(n)) found = says_so(n);
    if (ts_tree_cursor_goto_first_child(&cursor)) continue;
    while (!ts_tree_cursor_goto_next_sibling(&cursor))
      if (!ts_tree_cursor_goto_parent(&cursor)) {
        more = false;
        break;
      }
  }
  ts_tree_cursor_delete(&cursor);
  // The method's doc comment, and comments on the three lines before the call's statement.
  auto comments_before = [&](TSNode n, uint32_t from_row) {
    for (TSNode prev = ts_node_prev_named_sibling(n); !found && is_comment(prev) && ts_node_end_point(prev).row + 3 >= from_row;
         prev = ts_node_prev_named_sibling(prev))
      found = says_so(prev);
  };
  if (!ts_node_is_null(method)) comments_before(method, ts_node_start_point(method).row);
  TSNode statement = input.node;
  for (int up = 0; up < 16 && !ts_node_is_null(ts_node_parent(statement)) && ts_node_is_null(ts_node_prev_named_sibling(statement)); ++up)
    statement = ts_node_parent(statement);
  comments_before(statement, call_row);
  return found;
}

// Java: whether the name `name` used at `use` is declared with type String (java.lang.String) in an
// enclosing scope: a local declared before the use, a method, constructor or catch parameter, an
// enhanced-for variable, or a field of an enclosing class. A lambda's parameter (no type written) or a
// name found nowhere is not known to be one.
bool java_string_name(TSNode use, std::string_view name, std::string_view source) {
  auto is_string = [&](TSNode type) {
    std::string_view t = node_text(type, source);
    return t == "String" || t == "java.lang.String";
  };
  // A declaration (local_variable_declaration, field_declaration) of `name`: 1 String, 0 other, -1 none.
  auto declares = [&](TSNode decl) {
    for (uint32_t i = 0; i < ts_node_named_child_count(decl); ++i) {
      TSNode d = ts_node_named_child(decl, i);
      if (std::strcmp(ts_node_type(d), "variable_declarator") != 0) continue;
      if (node_text(child_field(d, "name"), source) != name) continue;
      // `String s[]` is an array; dimensions on the declarator make it one.
      if (!ts_node_is_null(child_field(d, "dimensions"))) return 0;
      return is_string(child_field(decl, "type")) ? 1 : 0;
    }
    return -1;
  };
  const uint32_t at = ts_node_start_byte(use);
  int depth = 0;
  for (TSNode a = ts_node_parent(use); !ts_node_is_null(a) && depth < 256; a = ts_node_parent(a), ++depth) {
    const char* t = ts_node_type(a);
    if (!std::strcmp(t, "block") || !std::strcmp(t, "switch_block_statement_group") || !std::strcmp(t, "class_body")) {
      const bool fields = !std::strcmp(t, "class_body");
      int found = -1;
      for (uint32_t i = 0; i < ts_node_named_child_count(a); ++i) {
        TSNode c = ts_node_named_child(a, i);
        if (!fields && ts_node_start_byte(c) >= at) break;
        const char* ct = ts_node_type(c);
        if (!std::strcmp(ct, fields ? "field_declaration" : "local_variable_declaration")) {
          int d = declares(c);
          if (d >= 0) found = d;
        }
      }
      if (found >= 0) return found == 1;
    } else if (!std::strcmp(t, "method_declaration") || !std::strcmp(t, "constructor_declaration")) {
      TSNode params = child_field(a, "parameters");
      for (uint32_t i = 0; i < ts_node_named_child_count(params); ++i) {
        TSNode p = ts_node_named_child(params, i);
        if (node_text(child_field(p, "name"), source) != name) continue;
        return !std::strcmp(ts_node_type(p), "formal_parameter") && is_string(child_field(p, "type")) &&
               ts_node_is_null(child_field(p, "dimensions"));
      }
    } else if (!std::strcmp(t, "enhanced_for_statement")) {
      if (node_text(child_field(a, "name"), source) == name)
        return is_string(child_field(a, "type")) && ts_node_is_null(child_field(a, "dimensions"));
    } else if (!std::strcmp(t, "for_statement")) {
      TSNode init = child_field(a, "init");
      if (!ts_node_is_null(init) && !std::strcmp(ts_node_type(init), "local_variable_declaration")) {
        int d = declares(init);
        if (d >= 0) return d == 1;
      }
    } else if (!std::strcmp(t, "lambda_expression")) {
      if (reads(child_field(a, "parameters"), name, source)) return false; // untyped (or typed: not looked at)
    }
  }
  return false;
}

// java-string-operands: a comparison of two names (@left_name, @right_name) is kept only when both are
// declared as String; any other match of the rule is kept as it is.
bool java_string_operands(const CheckInput& input) {
  const Capture *left = nullptr, *right = nullptr;
  for (const auto& c : input.captures) {
    if (c.name == "left_name") left = &c;
    if (c.name == "right_name") right = &c;
  }
  if (!left || !right) return true;
  TSNode l = child_field(input.node, "left"), r = child_field(input.node, "right");
  return java_string_name(l, input.source.substr(left->start_byte, left->end_byte - left->start_byte), input.source) &&
         java_string_name(r, input.source.substr(right->start_byte, right->end_byte - right->start_byte), input.source);
}

bool overlaps(int a0, int a1, const std::vector<std::pair<int, int>>& ranges) {
  for (const auto& [b0, b1] : ranges)
    if (a0 <= b1 && b0 <= a1) return true;
  return false;
}

} // namespace

CheckOutcome run_check(const std::string& name, const CheckInput& input) {
  CheckOutcome out;
  if (name.empty()) return out;
  if (name == "inside-loop") {
    out.keep = inside_loop(input.node, input.language);
  } else if (name == "unchecked-allocation") {
    out.keep = allocation_unchecked(input);
    if (out.keep) out.captures = allocation_check_captures(input.node, input.source);
  } else if (name == "real-cast") {
    out.keep = is_real_cast(input);
    if (out.keep) out.captures = cast_operand_capture(input.node);
  } else if (name == "unbounded-copy") {
    out.keep = copy_may_overflow(input);
  } else if (name == "parameter-only-read") {
    out.keep = parameter_only_read(input);
  } else if (name == "cpp-only-code" || name == "typedef-alias" || name == "null-pointer-constant") {
    out.keep = !input.facts.compiled_as_c_too();
    // Which file it is is known only with the context: a .h that shows no C++ may be C.
    if (out.keep && !input.facts.shows_cpp_syntax()) out.deferred_check = "cpp-only-code";
    // A literal 0 is a null pointer only where the code shows a pointer.
    if (out.keep && name == "null-pointer-constant") out.keep = null_literal_is_pointer(input.node, input.source);
    // The alias declaration's parts, for the fix template (none: reported, and not fixable here).
    if (out.keep && name == "typedef-alias") out.captures = typedef_alias_captures(input.node, input.source);
  } else if (name == "closed-in-block") {
    out.captures = python_with_block_captures(input.node, input.source); // none: reported, not fixable
  } else if (name == "java-string-operands") {
    out.keep = java_string_operands(input);
  } else if (name == "accumulates-in-loop") {
    out.keep = accumulates_in_loop(input);
  } else if (name == "security-use") {
    out.keep = !declared_non_security(input);
  } else if (name == "receiver-has-empty") {
    for (const auto& c : input.captures)
      if (c.name == "obj") {
        TSNode obj = ts_node_descendant_for_byte_range(input.node, c.start_byte, c.end_byte);
        out.keep = cpp_receiver_may_have_empty(obj, input.source);
      }
  } else if (name == "outside-tests") {
    out.deferred_check = name;
  } else if (name == "untested-public-function") {
    // @name is the function's name; the function is the reported node.
    for (const auto& c : input.captures)
      if (c.name == "name") out.subject = std::string(input.source.substr(c.start_byte, c.end_byte - c.start_byte));
    // An @overload stub is no function of its own: the implementation after it is the one reported.
    if (out.subject.empty() || out.subject[0] == '_' || is_overload_stub(input.node, input.source)) {
      out.keep = false;
      return out;
    }
    out.deferred_check = name;
    out.subject_start_line = static_cast<int>(ts_node_start_point(input.node).row) + 1;
    out.subject_end_line = static_cast<int>(ts_node_end_point(input.node).row) + 1;
  }
  return out;
}

bool apply_deferred_check(const Finding& finding, const FileContext& context) {
  if (finding.deferred_check.empty()) return true;
  if (finding.deferred_check == "outside-tests") return !context.is_test_file;
  if (finding.deferred_check == "cpp-only-code") {
    // A C-looking header: C++-only spellings would break the C files that include it. (`.H` is C++.)
    const std::string& p = context.path;
    return !(p.size() >= 2 && p.compare(p.size() - 2, 2, ".h") == 0);
  }
  if (finding.deferred_check == "untested-public-function") {
    if (context.is_test_file || !context.referenced_by_tests) return false;
    if (!context.all_lines_changed &&
        !overlaps(finding.subject_start_line, finding.subject_end_line, context.changed_lines))
      return false;
    return !context.referenced_by_tests(finding.subject);
  }
  return true;
}

} // namespace scan
