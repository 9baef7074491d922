#include "fix/destructive.hpp"

#include "scan/syntax_tree.hpp"

#include <algorithm>
#include <map>

namespace fix {

namespace {

// Type definitions beyond a language's scopes (scan/languages.cpp names the scopes of qualified names).
// A `*_specifier` counts only as a definition (with a body), never as a use (`struct s *p`).
bool is_extra_type_kind(std::string_view language, std::string_view kind) {
  if (language == "c") return kind == "struct_specifier" || kind == "union_specifier" || kind == "enum_specifier";
  if (language == "cpp") return kind == "enum_specifier";
  if (language == "go") return kind == "type_spec";
  return false;
}

constexpr size_t k_max_name = 200;

std::string clip(std::string_view s) {
  std::string out(s.substr(0, k_max_name));
  std::replace(out.begin(), out.end(), '\n', ' ');
  return out;
}

std::string_view text_of(const scan::SyntaxNode& n, std::string_view source) {
  if (n.end_byte > source.size() || n.start_byte > n.end_byte) return {};
  return source.substr(n.start_byte, n.end_byte - n.start_byte);
}

// The declared name of `node`: its `name` field; a C/C++ declarator's innermost name; or, for an
// anonymous function, class or object, the name it is bound to (variable, assignment, property).
std::string name_of(const scan::SyntaxTree& tree, const scan::SyntaxNode& node, std::string_view source) {
  if (const auto* name = tree.child_by_field(node, "name")) return clip(text_of(*name, source));
  if (const auto* declarator = tree.child_by_field(node, "declarator")) {
    const scan::SyntaxNode* d = declarator;
    for (int depth = 0; depth < 32; ++depth) {
      const scan::SyntaxNode* inner = tree.child_by_field(*d, "declarator");
      // A reference declarator has what it declares as a plain child.
      if (!inner && d->kind == "reference_declarator")
        for (uint32_t i = tree.child_count(*d); i-- > 0 && !inner;)
          if (tree.child(*d, i).named) inner = &tree.child(*d, i);
      if (!inner) break;
      d = inner;
    }
    return clip(text_of(*d, source));
  }
  if (node.parent < 0) return "";
  const scan::SyntaxNode& parent = tree.at(static_cast<uint32_t>(node.parent));
  const char* field = parent.kind == "variable_declarator" ? "name"
                      : parent.kind == "assignment_expression" || parent.kind == "assignment" ? "left"
                      : parent.kind == "pair" ? "key"
                                              : nullptr;
  if (!field) return "";
  const auto* bound = tree.child_by_field(parent, field);
  if (!bound || bound->index == node.index) return "";
  return clip(text_of(*bound, source));
}

} // namespace

std::optional<std::vector<Declaration>> declarations(const scan::LanguageProfile& language, std::string_view source) {
  auto tree = scan::parse_syntax_tree(language, source);
  if (!tree) return std::nullopt;
  std::vector<Declaration> out;
  // Depth first, in file order, with each node's qualified prefix; an explicit stack, since a hostile
  // file may nest deeper than the call stack would allow.
  std::vector<std::pair<uint32_t, std::string>> stack{{tree->root().index, ""}};
  const std::string separator(language.scope_separator);
  while (!stack.empty()) {
    auto [index, prefix] = std::move(stack.back());
    stack.pop_back();
    const scan::SyntaxNode& node = tree->at(index);
    std::string inner = prefix;
    const bool function = scan::contains(language.function_kinds, node.kind);
    bool type = scan::contains(language.scope_kinds, node.kind) || is_extra_type_kind(language.name, node.kind);
    if (type && node.kind.size() > 10 && node.kind.substr(node.kind.size() - 10) == "_specifier" &&
        !tree->child_by_field(node, "body"))
      type = false;
    if ((function || type) && !node.error) {
      std::string name = name_of(*tree, node, source);
      if (!name.empty()) {
        std::string qualified = prefix.empty() ? name : prefix + separator + name;
        out.push_back({function ? "function" : "type", qualified, static_cast<int>(node.start_row) + 1});
        inner = qualified;
      }
    }
    for (uint32_t i = tree->child_count(node); i-- > 0;) {
      const auto& c = tree->child(node, i);
      if (c.named && !c.extra) stack.emplace_back(c.index, inner);
    }
  }
  return out;
}

std::vector<Declaration> removed_declarations(const std::vector<Declaration>& before, const std::vector<Declaration>& after) {
  std::map<std::pair<std::string, std::string>, int> left;
  for (const auto& d : after) ++left[{d.kind, d.name}];
  std::vector<Declaration> out;
  for (const auto& d : before)
    if (left[{d.kind, d.name}]-- <= 0) out.push_back(d);
  return out;
}

GateResult check_declarations(const scan::LanguageProfile& language, const std::string& before, const std::string& after) {
  GateResult r;
  auto was = declarations(language, before);
  if (!was) return r; // the original cannot be parsed in time: the re-parse gate speaks for it
  auto now = declarations(language, after);
  if (!now) {
    r.ok = false;
    r.outcome = core::Outcome::destructive;
    r.detail = "the fixed file cannot be parsed in time to compare its declarations";
    return r;
  }
  auto removed = removed_declarations(*was, *now);
  if (removed.empty()) return r;
  r.ok = false;
  r.outcome = core::Outcome::destructive;
  r.detail = "the change removes ";
  for (size_t i = 0; i < removed.size() && i < 3; ++i)
    r.detail += std::string(i ? ", " : "") + (removed[i].kind == "function" ? "the function `" : "the type `") +
                removed[i].name + "` (line " + std::to_string(removed[i].line) + ")";
  if (removed.size() > 3) r.detail += " and " + std::to_string(removed.size() - 3) + " more declarations";
  return r;
}

} // namespace fix
