#pragma once
// Cutting a file into what the structured merge matches: a Region is a stretch of whole lines with a
// head, members and a tail; a member is a declaration (or statement) with the comments and blank
// lines above it, with what it is (its identity: kind group and name) and what tells it from
// same-named members (its detail), from which merge/match.hpp finds the same member on each side;
// a member that is a container (class, namespace, impl) has its own Region.

#include "merge/profile.hpp"
#include "scan/syntax_tree.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace merge {

struct Region;

struct Member {
  std::string identity;            // "group:name", "set:<source>" or "text:<kind>:<text>" (not unique)
  std::string detail;              // parameters and decorators of a named member, a set member's text
  std::string section;             // the section label above it (C++ `public`), "" before any; a label's own
  std::string signature;           // a named member's text up to its body's `{`, spaces normalised
  bool is_label = false;           // a section label (its members are the ones below it)
  bool named = false;              // identified by a name (a declaration), not by its text
  bool is_set = false;             // an order-free member (an import)
  bool is_comment = false;         // a comment paragraph standing alone (a blank line below it)
  uint32_t begin = 0, end = 0;     // its chunk: whole lines, comments and blank lines above it included
  std::unique_ptr<Region> region;  // its members, when it is a container whose members could be cut
};

struct Region {
  uint32_t begin = 0, end = 0;                     // the whole region
  uint32_t members_begin = 0, members_end = 0;     // head = [begin, members_begin), tail = [members_end, end)
  std::vector<Member> members;
};

// The file as a region (its members are the top-level declarations and statements). nullopt, with
// the reason in `why`, when the top level cannot be cut into whole-line members (two on one line).
// A nested container that cannot be cut is kept whole (a member without region).
std::optional<Region> decompose(const scan::SyntaxTree& tree, std::string_view source, const MergeProfile& profile,
                                std::string& why);

// What verification counts a member as: its identity, with its detail in a language with overloads
// ("def:f(int a)": overloads are counted apart); "set:<text>" for a set member.
std::string declaration_key(const Member& member, const MergeProfile& profile);

// Every member's declaration key with the keys of its enclosing containers ("def:A/def:f"), in file order;
// comment paragraphs standing alone are not declarations and are left out.
std::vector<std::string> member_paths(const Region& region, const MergeProfile& profile);

// `text` with runs of whitespace collapsed to one space and the ends trimmed.
std::string normalise_space(std::string_view text);

} // namespace merge
