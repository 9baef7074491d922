#pragma once
// Named checks: what a rule's query cannot say. Node-level checks run inside the matcher;
// checks that need the file's path or the repository are deferred to apply_context(), so the
// matcher's results stay a pure function of the file's content (and can be cached by blob id).

#include "scan/engine.hpp"

#include <tree_sitter/api.h>

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace scan {

// Facts about a whole file that checks ask for at every match: computed at the first ask and kept
// for the file's other matches (a C++ header has thousands of calls, and each used to rescan the
// source or walk the file's definitions). One per scan of a file's tree; not thread-safe.
class FileFacts {
public:
  explicit FileFacts(std::string_view source) : m_source(source) {}
  FileFacts(const FileFacts&) = delete;
  FileFacts& operator=(const FileFacts&) = delete;

  // checks_c.hpp's compiled_as_c_too() and shows_cpp_syntax() of the source.
  bool compiled_as_c_too();
  bool shows_cpp_syntax();
  // C/C++: the first file-scope function_definition named `name` (namespaces and `extern "C"`
  // blocks looked into) of the tree whose root is `root`, or a null node. Implemented in checks_c.cpp.
  TSNode function_named(TSNode root, std::string_view name);
  // C/C++: whether function_named(root, name) returns a standard allocator's result directly (an
  // `xmalloc` of the file). Implemented in checks_c.cpp.
  bool allocating_wrapper(TSNode root, std::string_view name);

private:
  std::string_view m_source;
  std::optional<bool> m_compiled_as_c_too, m_shows_cpp_syntax;
  bool m_functions_listed = false;
  std::unordered_map<std::string_view, TSNode> m_functions; // name -> first definition
  std::unordered_map<std::string_view, bool> m_wrappers;    // name -> allocating_wrapper()
};

struct CheckInput {
  const Rule& rule;
  const LanguageProfile& language;      // the file's (its loops and functions: scan/language.hpp)
  TSNode node;                          // the reported node (@match)
  const std::vector<Capture>& captures;
  std::string_view source;
  FileFacts& facts;                     // of the file `source` is
};

struct CheckOutcome {
  bool keep = true;
  std::string deferred_check;           // run later, with the file's context
  std::string subject;
  int subject_start_line = 0, subject_end_line = 0;
  std::vector<Capture> captures;        // added to the query's (scan::check_captures names them)
};

// Runs the node-level part of check `name` ("" = no check). Unknown names never reach here
// (rules are validated when loaded).
CheckOutcome run_check(const std::string& name, const CheckInput& input);

// Runs the context part of a finding's deferred check; false drops the finding.
bool apply_deferred_check(const Finding& finding, const FileContext& context);

// Whether type-assumption analysis `name` (scan/assumptions.hpp) establishes its assumption for
// `subject`, a node of a tree parsed from `source`. Unknown names and null nodes give false.
// Implemented in assumptions.cpp. Throws nothing.
bool assumption_established(const std::string& name, TSNode subject, std::string_view source);

// The "receiver-has-empty" check: whether the file shows where `subject` (a C++ receiver, a name or
// `this->name`) is declared, in its function or as a member of its class (the class body holds the
// function, or this file defines the class of an out-of-line member), and not only with a type that has
// size() but no empty() (std::valarray, std::bitset, a class the file does not show to have empty()).
// False for an expression (`msg.name`, `m[k]`) or a member of a class declared elsewhere: their type
// is not in the file, and a suggestion that may not compile is not worth a reader's time.
// Implemented in assumptions.cpp. Throws nothing.
bool cpp_receiver_may_have_empty(TSNode subject, std::string_view source);

// The contexts (scan/code_context.hpp's bits) that the syntax tree puts a reported node in:
// type_checking (an `if TYPE_CHECKING:` body, a type-narrowing assert) and codegen (exec/eval/Function
// of code built from a template), for `language` (a LanguageProfile name). Implemented in
// code_context.cpp. Throws nothing.
unsigned region_contexts(TSNode node, std::string_view source, std::string_view language);

} // namespace scan
