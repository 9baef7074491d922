#pragma once
// Step 2 of the cascade (merge.hpp): the structured merge of one file. Each side is cut into
// declarations (merge/profile.hpp says which node kinds are declarations, containers and import sets),
// declarations are matched by key (kind group + name, + parameters where overloads exist), and each
// container is merged member by member; the result is then verified (merge/verify.hpp).

#include "merge/merge.hpp"

#include <optional>
#include <string>

namespace merge {

struct StructuredResult {
  bool clean = false;
  std::string text;
};

// The structured merge, or nullopt (with the reason in `why`) when it does not apply: a parse timed
// out, declarations could not be matched safely (same-line members, a declaration deleted on one side
// and changed on the other, both sides reordering, both sides adding statements at the same place),
// or the result failed verification. Throws nothing but std::bad_alloc.
std::optional<StructuredResult> structured_merge(const std::string& base, const std::string& ours,
                                                 const std::string& theirs, const scan::LanguageProfile& language,
                                                 const Options& options, std::string& why);

} // namespace merge
