#pragma once
// Cutting a file into what the structured merge matches: a Region is a stretch of whole lines with a
// head, members and a tail; a member is a declaration (or statement) with the comments and blank
// lines above it, keyed so that the same declaration has the same key on every side of a merge;
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
  std::string key;                 // unique in its region: base_key, plus "#N" for its N-th repeat
  std::string base_key;            // "group:name", "group:name(params)", "set:<text>" or "text:<kind>:<text>"
  bool named = false;              // keyed by a name (a declaration), not by its text
  bool is_set = false;             // an order-free member (an import)
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

// Every member's base key with the keys of its enclosing containers ("def:A/def:f"), in file order.
std::vector<std::string> member_paths(const Region& region);

// `text` with runs of whitespace collapsed to one space and the ends trimmed.
std::string normalise_space(std::string_view text);

} // namespace merge
