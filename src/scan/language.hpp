#pragma once
// What git-autoloop knows about each language, as data: how files are recognised, and which
// node kinds are functions, branches, nesting constructs and comments (for metrics).

#include <string>
#include <string_view>
#include <vector>

struct TSLanguage;

namespace scan {

struct LanguageProfile {
  std::string_view name;                          // "python"; rule files use this name
  const TSLanguage* (*grammar)();                 // the compiled grammar's entry point
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
