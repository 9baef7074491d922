#pragma once
// What the structured merge knows about each language: the `merge` part of the language's table
// (scan/language.hpp, scan/languages.cpp), where the path syntax of its declarations is described.

#include "scan/language.hpp"

#include <string_view>

namespace merge {

using scan::DeclarationRule;
using scan::MergeProfile;
using scan::SetRule;

// The profile of a language by its scan name, or nullptr.
const MergeProfile* merge_profile(std::string_view language);

} // namespace merge
