#include "metrics/regression.hpp"

#include <functional>
#include <map>

namespace metrics {

namespace {

const std::string& key_of(const FunctionSample& f) { return f.key.empty() ? f.name : f.key; }
const std::string& qualified_of(const FunctionSample& f) { return f.qualified.empty() ? f.name : f.qualified; }
const std::string& bare_of(const FunctionSample& f) { return f.bare.empty() ? f.name : f.bare; }

using Field = std::function<const std::string&(const FunctionSample&)>;

// Pairs still-unpaired functions of both versions that agree on `field`, the k-th of a value before
// with the k-th after; with `unique_only`, only where one function of that value is left on each side.
void pair_by(const std::vector<FunctionSample>& before, const std::vector<FunctionSample>& after,
             std::vector<int>& old_of, std::vector<bool>& taken, const Field& field, bool unique_only) {
  std::map<std::string, std::vector<size_t>> olds, news;
  for (size_t i = 0; i < before.size(); ++i)
    if (!taken[i]) olds[field(before[i])].push_back(i);
  for (size_t i = 0; i < after.size(); ++i)
    if (old_of[i] < 0) news[field(after[i])].push_back(i);
  for (const auto& [value, new_indexes] : news) {
    auto it = olds.find(value);
    if (it == olds.end()) continue;
    if (unique_only && (it->second.size() != 1 || new_indexes.size() != 1)) continue;
    for (size_t k = 0; k < new_indexes.size() && k < it->second.size(); ++k) {
      old_of[new_indexes[k]] = static_cast<int>(it->second[k]);
      taken[it->second[k]] = true;
    }
  }
}

} // namespace

std::vector<ComplexityChange> complexity_changes(const std::vector<FunctionSample>& before,
                                                 const std::vector<FunctionSample>& after, int threshold, int delta) {
  std::vector<int> old_of(after.size(), -1);
  std::vector<bool> taken(before.size(), false);
  pair_by(before, after, old_of, taken, key_of, false);
  pair_by(before, after, old_of, taken, qualified_of, false);
  pair_by(before, after, old_of, taken, bare_of, true);
  std::vector<ComplexityChange> changes;
  for (size_t i = 0; i < after.size(); ++i) {
    const FunctionSample& f = after[i];
    const FunctionSample* old = old_of[i] < 0 ? nullptr : &before[static_cast<size_t>(old_of[i])];
    const int was = old ? old->complexity : 0;
    ComplexityChange c{ComplexityChange::Kind::regression, f.name, f.start_line, f.end_line, was, f.complexity, key_of(f)};
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
