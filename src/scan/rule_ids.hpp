#pragma once
// Rule ids typed by people (the configuration's rules.disable, rules.enable, rules.severity and
// rules.contexts; a command's --rule): an id that names no rule is an error that says which rule was
// probably meant, rather than a switch that silently does nothing.

#include "core/config.hpp"
#include "scan/rule.hpp"

#include <optional>
#include <string>
#include <vector>

namespace scan {

// What to tell someone who typed `id`, which names none of `rules`: " (did you mean 'y'?)", or where the
// ids are listed; when rule files are broken, which (a broken file's rule may be the one meant, and it
// cannot be known until the file is fixed). Does not throw but for allocation.
std::string rule_id_hint(const std::string& id, const std::vector<Rule>& rules);

// Why `id` names none of `rules`, or nullopt when it names one (a broken rule's id included: such a
// rule is off, and says why wherever rules are listed): "unknown rule id 'x'" and rule_id_hint. Does
// not throw but for allocation.
std::optional<std::string> unknown_rule_id(const std::string& id, const std::vector<Rule>& rules);

// Throws for the first rule id of the configuration (core::rule_id_uses) that names none of `rules`:
// core::LocatedError at the id in a file, core::Error for the environment or the command line. An id
// under one of `provider_names` ("ruff/E501", or a prefix "ruff/E") is a provider's rule, which no list
// holds in advance: it is taken as it is (providers/enabled.hpp says what it selects).
void check_configured_rule_ids(const core::Config& config, const std::vector<Rule>& rules,
                               const std::vector<std::string>& provider_names = {});

} // namespace scan
