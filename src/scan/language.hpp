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
};

// Every supported language, in a fixed order.
const std::vector<LanguageProfile>& languages();

// The profile for a language name, or nullptr.
const LanguageProfile* language_by_name(std::string_view name);

// The profile for a file path by its extension, or nullptr when the file is not a supported language.
const LanguageProfile* language_for_path(std::string_view path);

// Whether `kind` is in `kinds`.
bool contains(const std::vector<std::string_view>& kinds, std::string_view kind);

} // namespace scan
