#pragma once
// What git-autoloop knows about each language, as data: one table per language (scan/languages.cpp)
// for everything the scanner and the merge driver know about it: how files are recognised, which node
// kinds are functions, branches, nesting constructs, comments and loops (metrics, named checks), what
// scopes qualify a function's name (identity), and which declarations the structured merge matches.
// Standard library only (the grammars are opaque entry points): the lean merge driver links it.

#include <string>
#include <string_view>
#include <vector>

struct TSLanguage;

namespace scan {

// What the structured merge (merge/structured.hpp) knows about a language, in the style of mergiraf's
// lang_profile.rs: which node kinds are declarations, how each is named, where its members are, and
// which kinds are order-free set members (imports).
//
// Paths name a node relative to a declaration, as steps separated by '/':
//   `field`      the child in that field            `field*`  that field followed as long as it exists
//   `#N`         the N-th named child (0-based)      `@kind`   the first child of that kind
//   `=kind`      only if the node is of that kind (a wrapper's body only when it wraps a class)
// Alternatives are separated by '|' (the first that resolves wins); `a+b` joins the texts of every
// part that resolves (at least one must). A name is the whitespace-normalised text of its node.
//
// Identity (merge/match.hpp): a member is matched across the sides by its group and name; members that
// share both (overloads, a getter and its setter, two `impl` blocks of one type) are told apart by their
// detail: the parameter list and the texts of the declaration's `detail_kinds` children (decorators).
struct DeclarationRule {
  std::string_view kind;        // node kind of the declaration
  std::string_view group;       // key namespace ("def", "type", "var"): one name per group and container
  std::string_view name;        // path to its name
  std::string_view body = "";   // path to the node whose children are its members ("" none, "." itself)
};

// An order-free member kind (an import) and the path to what it imports from: two entries with the same
// source are one entry rewritten when one replaces the other (`from a import b` → `from a import b, c`).
struct SetRule {
  std::string_view kind;
  std::string_view source = "";  // "" or unresolved: the entry's whole text
};

struct MergeProfile {
  std::vector<DeclarationRule> declarations;
  std::vector<SetRule> set_kinds{};                 // order-free members (imports)
  std::vector<std::string_view> glue_kinds{};       // attach to the member after them (attributes)
  std::vector<std::string_view> detail_kinds{};     // children of a declaration that tell same-named ones apart
  std::vector<std::string_view> section_kinds{};    // labels whose members follow them (C++ `public:`)
  bool overloads = false;                           // one name may be declared with different parameters
  bool indentation_scopes = false;                  // indentation is syntax (Python): a region's members share a column
};

struct LanguageProfile {
  std::string_view name{};                        // "python"; rule files use this name
  const TSLanguage* (*grammar)() = nullptr;       // the compiled grammar's entry point
  std::vector<std::string_view> extensions;       // ".py"
  std::vector<std::string_view> function_kinds;   // nodes that start a function (metrics, names)
  std::vector<std::string_view> branch_kinds;     // each adds one to cyclomatic complexity
  std::vector<std::string_view> logical_kinds;    // binary nodes that add one when their operator is logical
  std::vector<std::string_view> logical_operators;
  std::vector<std::string_view> nesting_kinds;    // constructs that deepen nesting
  std::vector<std::string_view> comment_kinds;
  // Function identity (scan/function_identity.hpp): nodes whose name qualifies the functions inside
  // them (classes, namespaces, impl blocks), how qualified names are joined, and whether parameter
  // types tell functions apart (overloading on types: C++, Java) or only their count does.
  std::vector<std::string_view> scope_kinds{};
  std::string_view scope_separator = ".";
  bool typed_signatures = false;
  // Loops, for the named checks that ask whether a node runs once per iteration (scan/checks.hpp);
  // function_kinds bound that question (a function defined in a loop body runs when called).
  std::vector<std::string_view> loop_kinds{};
  MergeProfile merge{};
};

// Every supported language, in a fixed order.
const std::vector<LanguageProfile>& languages();

// The profile for a language name, or nullptr.
const LanguageProfile* language_by_name(std::string_view name);

// The profile for a file path by its extension, or nullptr when the file is not a supported language.
const LanguageProfile* language_for_path(std::string_view path);

// Whether `path` is a ".h" header, whose language (C or C++) depends on the repository and its text.
bool is_ambiguous_header(std::string_view path);

// Whether `path` names a C++ file by its extension (a source or a C++-only header such as ".hpp").
bool is_cpp_path(std::string_view path);

// Whether a header's text (its first 64 KiB) uses syntax only C++ has, outside comments, string
// literals and `#if[def] __cplusplus` blocks (which mark a header meant for both languages):
// `namespace`, `class X {`/`class X :`, `template <`, an access label (`public:`), `::` (not in a C23
// `[[vendor::attribute]]`), `using namespace`/`using X =`, `nullptr`, `constexpr`, `virtual`,
// `typename`, `extern "C++"`, or `#include <name>` with no extension (`<iostream>`). Linear time.
bool looks_like_cpp(std::string_view content);

// The language of a file: by its extension, except a ".h" header, which is C++ when the repository
// has C++ sources (`repo_has_cpp`) or its text looks like C++, and C otherwise. nullptr when the file
// is not a supported language. Every place that picks a grammar for a repository file uses this.
const LanguageProfile* language_for_file(std::string_view path, std::string_view content, bool repo_has_cpp);

// Whether `kind` is in `kinds`.
bool contains(const std::vector<std::string_view>& kinds, std::string_view kind);

} // namespace scan
