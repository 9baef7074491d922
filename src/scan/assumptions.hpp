#pragma once
// Establishing a rule's type assumption from the code (issue 11). Some fixes are right only for some
// types: `for k in E.keys()` -> `for k in E` holds for a real dict and breaks an object that offers
// keys() and __getitem__ but no __iter__ (the dict.update protocol). Such a rule names one of these
// analyses (`assumption: {established_by: ...}`); a finding keeps the rule's safety only where the
// analysis says yes, and is a suggestion elsewhere. Each analysis is conservative: "no" whenever the
// code does not show the type (a literal, a constructor call, a declaration or an annotation).
// The analyses themselves run inside the matcher (scan::assumption_established, scan/checks.hpp);
// this header names them for rule validation and `rules --explain` without tree-sitter.

#include <string>
#include <string_view>
#include <vector>

namespace scan {

struct EstablishmentInfo {
  std::string name;                      // what a rule writes in established_by
  std::vector<std::string> languages;    // the languages it understands
  std::string description;               // what counts as established (for `rules --explain`)
};

// Every analysis a rule may name.
const std::vector<EstablishmentInfo>& known_establishments();

// The entry of `name`, or nullptr.
const EstablishmentInfo* establishment_by_name(const std::string& name);

} // namespace scan
