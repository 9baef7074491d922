#pragma once
// Step 3 of the cascade (merge.hpp): a structured result is kept only when it re-parses with no more
// syntax errors than the sides had and declares nothing more often than either side did.

#include "merge/profile.hpp"
#include "scan/language.hpp"

#include <map>
#include <optional>
#include <string>

namespace merge {

// What verification compares: syntax errors and how often each declaration occurs.
struct Facts {
  int errors = 0;
  std::map<std::string, int> declarations;   // member path (regions.hpp member_paths) → occurrences
};

// The facts of `source`, or nullopt when it cannot be parsed within `timeout_ms` or cut into members.
std::optional<Facts> facts_of(const scan::LanguageProfile& language, const MergeProfile& profile,
                              const std::string& source, uint32_t timeout_ms);

// Why `merged` is worse than the sides it came from (new syntax errors, a declaration duplicated), or
// an empty string when it is not.
std::string verify(const Facts& merged, const Facts& ours, const Facts& theirs);

} // namespace merge
