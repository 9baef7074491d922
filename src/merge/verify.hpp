#pragma once
// Step 3 of the cascade (merge.hpp): a structured result is kept only when it re-parses with no more
// syntax errors than the sides had, declares nothing that no input declares nor anything more often
// than any input did, and, when clean, holds each line as often as some composition of both sides'
// changes can (verify_lines). The checks look only at the inputs and the result, never at how the
// merger matched declarations, so a matching mistake cannot hide from them.

#include "merge/profile.hpp"
#include "scan/language.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace merge {

struct Region;

// One member in file order, for the order check: its path, and whether a name identifies it (an
// edit keeps a declaration's path; an edited statement gets a new one).
struct Placed {
  std::string path;
  bool named = false;
};

// What verification compares: syntax errors, how often each declaration occurs, how often each name
// is declared and bound by an import, and the order of members.
struct Facts {
  int errors = 0;
  std::map<std::string, int> declarations;   // member path (regions.hpp member_paths) → occurrences
  // Member path without parameter names, decorators or accessor kind: what a compiler rejects twice
  // (regions.hpp name_paths).
  std::map<std::string, int> names;
  std::map<std::string, int> bindings;       // a name an import binds (or an include's path) → occurrences
  std::vector<Placed> order;                 // members other than imports and comments, in file order
  // In a container with section labels (C++ `public:`), each named member's path, label and signature:
  // what the member is to its callers. Each one of the result must be one of an input: a member one
  // side moved to another section while the other changed its signature is one thing changed two ways.
  std::map<std::string, int> faces;
};

// The facts of `region`, cut from a text of `language` with `errors` syntax errors.
Facts facts_of_region(std::string_view language, const MergeProfile& profile, const Region& region, int errors);

// The facts of `source`, or nullopt when it cannot be parsed within `timeout_ms` or cut into members.
std::optional<Facts> facts_of(const scan::LanguageProfile& language, const MergeProfile& profile,
                              const std::string& source, uint32_t timeout_ms);

// Why `merged` is worse than the inputs it came from (new syntax errors, a declaration none of them
// has, a declaration, a name or an import binding more often than in any of them, a member under a
// section label with a signature no input gives it there, an order of two members that drops one
// side's move), or an empty string when it is not.
std::string verify(const Facts& merged, const Facts& base, const Facts& ours, const Facts& theirs);

// The names `import_text` (an import member's text, spaces normalised) binds in `language`: JS/TS
// specifiers, Python's bound names, Java's simple name, Rust's `use` leaves or aliases, Go's package
// name; a C/C++ include's path.
std::vector<std::string> bound_names(std::string_view language, std::string_view import_text);

// Why the clean result `merged` cannot be base + ours' changes + theirs' changes, judged by counting
// each non-blank line (trimmed): with d = a side's count minus base's, a line both sides added or both
// removed may be there once or twice (the same change made twice is taken once), otherwise its count
// must be exactly base + d(ours) + d(theirs). That catches a declaration one side deleted brought
// back, a method kept in two versions, a body doubled or lost. When both sides add blank lines and no
// change was taken once, the blank lines must add up too. Empty string when the counts fit.
std::string verify_lines(const std::string& base, const std::string& ours, const std::string& theirs,
                         const std::string& merged);

// Why the clean result `merged` drops a move, judged by lines each text holds once (trimmed, non-blank):
// when a side swapped two such lines of base and the other side kept their order, so must the result.
// A move is a deletion and an insertion to a line merge, which may keep one of them only. And where a
// side moved lines, each line the other side added (new to base, once in it and in the result) must
// keep the line above or below it there, the instance of a repeated line (a `}`) told by the lines
// around it: a move can leave it next to a copy of its neighbour instead. A block of such lines is
// judged by the lines around the block (its own lines keep each other, wherever it went).
std::string verify_order(const std::string& base, const std::string& ours, const std::string& theirs,
                         const std::string& merged);

} // namespace merge
