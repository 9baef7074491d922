#include "metrics/regression.hpp"

#include <map>

namespace metrics {

std::vector<ComplexityChange> complexity_changes(const std::vector<FunctionSample>& before,
                                                 const std::vector<FunctionSample>& after, int threshold, int delta) {
  // The k-th function of a name before pairs with the k-th of that name after.
  std::map<std::string, std::vector<const FunctionSample*>> old_by_name;
  for (const auto& f : before) old_by_name[f.name].push_back(&f);
  std::map<std::string, size_t> seen;
  std::vector<ComplexityChange> changes;
  for (const auto& f : after) {
    const auto& olds = old_by_name[f.name];
    size_t k = seen[f.name]++;
    const FunctionSample* old = k < olds.size() ? olds[k] : nullptr;
    const int was = old ? old->complexity : 0;
    ComplexityChange c{ComplexityChange::Kind::regression, f.name, f.start_line, f.end_line, was, f.complexity};
    if (!old) {
      if (f.complexity > threshold) changes.push_back(c);
      continue;
    }
    if ((f.complexity > threshold && was <= threshold) || f.complexity - was >= delta) {
      changes.push_back(c);
    } else if ((was > threshold && f.complexity <= threshold) || was - f.complexity >= delta) {
      c.kind = ComplexityChange::Kind::improvement;
      changes.push_back(c);
    }
  }
  return changes;
}

} // namespace metrics
