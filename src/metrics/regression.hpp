#pragma once
// Complexity regressions and improvements of one file between two versions (issue 4 §3): what a commit
// did to each function's cyclomatic complexity, judged against metrics.complexity_threshold / _delta.

#include <string>
#include <vector>

namespace metrics {

// A function's measurements in one version of a file.
struct FunctionSample {
  std::string name;      // how reports name it (scan::FunctionMetric::label)
  int start_line = 0, end_line = 0;
  int complexity = 1;
  std::string key{};     // its identity across versions (scan::FunctionMetric::key); "" = name
  std::string qualified{}; // its qualified name, without signature or kind; "" = name
  std::string bare{};    // its name without scopes; "" = name
};

struct ComplexityChange {
  enum class Kind { regression, improvement };
  Kind kind = Kind::regression;
  std::string name;
  int start_line = 0, end_line = 0; // in the new version (the old one for a function that is gone)
  int before = 0, after = 0;        // before = 0: the function is new
  std::string key{};                // the function's identity in the new version
};

// Pairs each function of the new version with its old self:
//  1. by identity (key);
//  2. what is left, by qualified name, in file order (a changed signature or decorator);
//  3. what is left, by bare name where exactly one function of that name is left on each side (a
//     function moved into another scope, or its class renamed);
// unpaired functions are new. Reports:
//  - a regression when a function's complexity rises past `threshold` (it was at or under it, or it is
//    new and above it) or rises by at least `delta`;
//  - an improvement when it falls from above `threshold` to at or under it, or falls by at least `delta`.
// A function that is gone is neither. In the order of the new file. Does not throw.
std::vector<ComplexityChange> complexity_changes(const std::vector<FunctionSample>& before,
                                                 const std::vector<FunctionSample>& after, int threshold, int delta);

} // namespace metrics
