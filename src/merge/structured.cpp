#include "merge/structured.hpp"

namespace merge {

std::optional<StructuredResult> structured_merge(const std::string&, const std::string&, const std::string&,
                                                 const scan::LanguageProfile&, const Options&, std::string& why) {
  why = "structured merge not available yet";
  return std::nullopt;
}

} // namespace merge
