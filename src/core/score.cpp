#include "core/score.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace core {

namespace {

double category_priority(const ImprovementPriorities& p, Category category) {
  switch (category) {
  case Category::security_fixes: return p.security_fixes;
  case Category::performance_issues: return p.performance_issues;
  case Category::test_coverage: return p.test_coverage;
  case Category::code_quality: break;
  }
  return p.code_quality;
}

int severity_rank(std::string_view severity) {
  if (severity == "error") return 2;
  if (severity == "info") return 0;
  return 1;
}

// The smallest ratio between two adjacent distinct non-zero priorities, capped: what severity may
// lift a finding by without passing the next category.
double severity_lift(const ImprovementPriorities& p) {
  std::vector<double> weights = {p.security_fixes, p.performance_issues, p.code_quality, p.test_coverage};
  weights.erase(std::remove_if(weights.begin(), weights.end(), [](double w) { return !(w > 0); }), weights.end());
  std::sort(weights.begin(), weights.end());
  weights.erase(std::unique(weights.begin(), weights.end()), weights.end());
  double lift = k_max_severity_lift;
  for (size_t i = 1; i < weights.size(); ++i) lift = std::min(lift, weights[i] / weights[i - 1]);
  return lift;
}

} // namespace

double base_score(const ImprovementPriorities& priorities, Category category, std::string_view severity) {
  // An error reaches lift^(2/3) of the step: strictly below the next category, whatever the priorities.
  return category_priority(priorities, category) * std::pow(severity_lift(priorities), severity_rank(severity) / 3.0);
}

} // namespace core
