#pragma once
// The destructive-change gate (issue 13 §2): a fix may rewrite code, never remove it wholesale. Beside
// the size and range checks of fix/validate.hpp: every named function, method, class (and other named
// scope or type definition) of the file before the fix is still declared after it, by kind and
// qualified name, counted as a multiset (a file defining `f` twice keeps both). Found through
// tree-sitter, so moving, reformatting or changing a signature is no removal; anonymous functions are
// not counted. (That a generator changes only the files it was given is fix/generator.hpp's check_scope.)

#include "fix/validate.hpp"
#include "scan/language.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fix {

struct Declaration {
  std::string kind;        // "function" (functions, methods, named lambdas) or "type" (classes, structs, ...)
  std::string name;        // qualified by the enclosing declarations ("Outer.Inner.run")
  int line = 0;            // 1-based, for messages
  bool operator==(const Declaration& o) const { return kind == o.kind && name == o.name; }
};

// The named declarations of `source` in file order; nullopt when the parse timed out. Throws
// core::Error when the grammar cannot be loaded.
std::optional<std::vector<Declaration>> declarations(const scan::LanguageProfile& language, std::string_view source);

// The declarations of `before` that `after` no longer has (by kind and name, with multiplicity).
std::vector<Declaration> removed_declarations(const std::vector<Declaration>& before, const std::vector<Declaration>& after);

// The gate: "destructive" when the change removes a declaration (or the fixed file cannot be parsed in
// time while the original could). Throws nothing but core::Error from the grammar.
GateResult check_declarations(const scan::LanguageProfile& language, const std::string& before, const std::string& after);

} // namespace fix
