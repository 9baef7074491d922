#pragma once
// What the structured merge knows about each language, as data (one table per language, in the
// style of scan/language.cpp and mergiraf's lang_profile.rs): which node kinds are declarations,
// how each is named, where its members are, and which kinds are order-free set members (imports).
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

#include <string_view>
#include <vector>

namespace merge {

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
  std::string_view language;                     // scan::LanguageProfile::name
  std::vector<DeclarationRule> declarations;
  std::vector<SetRule> set_kinds;                // order-free members (imports)
  std::vector<std::string_view> glue_kinds;      // attach to the member after them (attributes)
  std::vector<std::string_view> detail_kinds = {};  // children of a declaration that tell same-named ones apart
  std::vector<std::string_view> section_kinds = {}; // labels whose members follow them (C++ `public:`)
  bool overloads = false;                        // one name may be declared with different parameters
  bool indentation_scopes = false;               // indentation is syntax (Python): a region's members share a column
};

// The profile of a language by its scan name, or nullptr.
const MergeProfile* merge_profile(std::string_view language);

// Every profile, in scan::languages() order.
const std::vector<MergeProfile>& merge_profiles();

} // namespace merge
