#pragma once
// Which member of one version of a region is which member of another: identity, not position.
// Members are matched by identity (kind group + name, an import's source, a statement's text); members
// sharing an identity (overloads, a property's getter and setter, two `impl` blocks of one type) by
// equal text, then by their detail (parameters, decorators), then, when one is left on each side, with
// each other, and only then by content similarity, when one pairing is clearly the best.

#include "merge/regions.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace merge {

// Members of one version of a region, with the text they were cut from.
struct MemberList {
  std::string_view source;
  std::vector<const Member*> members;

  std::string_view text(const Member& m) const { return source.substr(m.begin, m.end - m.begin); }
};

// How a pairing is found. Two versions of one region: a member is the same member, changed or not, when
// its identity says so. Two sides' additions: the same member only when equal, or for a named member
// of a language with overloads of equal detail (otherwise another overload), or for a named member of
// another language of the same identity (one name added twice is one member added two ways); an
// import only when equal (two imports from one module are two entries).
enum class Pairing { versions, additions, additions_with_overloads };

// All members of `region`.
MemberList members_of(const Region& region, std::string_view source);

// For each member of `to`, the index of the member of `from` it is, or -1 (none: added). nullopt, with
// the reason in `why`, when same-identity members cannot be told apart with confidence.
std::optional<std::vector<int>> match_members(const MemberList& from, const MemberList& to, Pairing pairing,
                                              std::string& why);

// How alike two texts are: the Dice coefficient of their trimmed non-blank lines (0 to 1).
double similarity(std::string_view a, std::string_view b);

} // namespace merge
