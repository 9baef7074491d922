#include "merge/profile.hpp"

namespace merge {

const MergeProfile* merge_profile(std::string_view language) {
  const scan::LanguageProfile* profile = scan::language_by_name(language);
  return profile ? &profile->merge : nullptr;
}

} // namespace merge
