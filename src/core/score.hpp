#pragma once
// The part of a finding's score that the configuration decides: its category's weight in
// improvement_priorities, lifted a little by its severity. The drain computes it when it selects, from
// the priorities in force then (fix/select.hpp), so changing improvement_priorities re-ranks what is
// already queued; the scan stores it too, for `queue`'s order.

#include "core/config.hpp"

#include <string_view>

namespace core {

// priority(category) x lift^(rank(severity) / 3), where rank is 0 for info, 1 for warning, 2 for
// error, and lift is the smallest ratio between two adjacent distinct non-zero priorities (at most
// k_max_severity_lift). Severity thus moves a finding by less than the step to the next category:
// with security first, a security finding of severity info still ranks above a code-quality error.
// An unknown severity weighs as warning. Does not throw.
double base_score(const ImprovementPriorities& priorities, Category category, std::string_view severity);

// The most an error lifts a finding over an info one when the categories' priorities are far apart
// (or all equal): the ratio of 1.5 the scores had before categories were kept in order.
inline constexpr double k_max_severity_lift = 1.5;

} // namespace core
