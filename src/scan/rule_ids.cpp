#include "scan/rule_ids.hpp"

#include "core/suggest.hpp"

#include <algorithm>

namespace scan {

namespace {

// How many broken rule files a message names before "and N more".
constexpr size_t k_broken_named = 3;

std::string broken_note(const std::vector<Rule>& rules) {
  std::vector<const Rule*> broken;
  for (const Rule& r : rules)
    if (!r.broken.empty()) broken.push_back(&r);
  if (broken.empty()) return "";
  std::string note = broken.size() == 1 ? "; a rule file is broken and may be the one meant: "
                                        : "; " + std::to_string(broken.size()) + " rule files are broken and may hold it: ";
  for (size_t i = 0; i < broken.size() && i < k_broken_named; ++i)
    note += (i ? ", " : "") + (broken[i]->file.empty() ? broken[i]->source : broken[i]->file) + " (" + broken[i]->id + ")";
  if (broken.size() > k_broken_named) note += " and " + std::to_string(broken.size() - k_broken_named) + " more";
  return note + " (`git autoloop rules` says what is wrong with each)";
}

} // namespace

std::string rule_id_hint(const std::string& id, const std::vector<Rule>& rules) {
  std::vector<std::string> ids;
  for (const Rule& r : rules) ids.push_back(r.id);
  // A repository rule written without its prefix is the likeliest meaning of all.
  const std::string prefixed = k_repository_prefix + id;
  std::optional<std::string> near;
  if (std::find(ids.begin(), ids.end(), prefixed) != ids.end()) near = prefixed;
  else near = core::closest(id, ids);
  if (!near) return " (`git autoloop rules` lists them)" + broken_note(rules);
  const std::string hint = " (did you mean '" + *near + "'?)";
  auto meant = std::find_if(rules.begin(), rules.end(), [&](const Rule& r) { return r.id == *near; });
  if (meant != rules.end() && !meant->broken.empty()) return hint + "; " + *near + " is broken: " + meant->broken;
  return hint + broken_note(rules);
}

std::optional<std::string> unknown_rule_id(const std::string& id, const std::vector<Rule>& rules) {
  if (std::any_of(rules.begin(), rules.end(), [&](const Rule& r) { return r.id == id; })) return std::nullopt;
  return "unknown rule id '" + id + "'" + rule_id_hint(id, rules);
}

void check_configured_rule_ids(const core::Config& config, const std::vector<Rule>& rules,
                               const std::vector<std::string>& provider_names) {
  auto of_provider = [&](const std::string& id) {
    return std::any_of(provider_names.begin(), provider_names.end(), [&](const std::string& name) {
      return id.size() > name.size() + 1 && id.compare(0, name.size() + 1, name + "/") == 0;
    });
  };
  for (const core::RuleIdUse& use : core::rule_id_uses(config))
    if (of_provider(use.id)) continue;
    else if (auto problem = unknown_rule_id(use.id, rules)) core::fail_at_origin(use.origin, use.key + ": " + *problem);
}

} // namespace scan
