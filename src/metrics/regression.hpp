#pragma once
// Complexity regressions and improvements of one file between two versions (issue 4 §3): what a commit
// did to each function's cyclomatic complexity, judged against metrics.complexity_threshold / _delta.

#include <string>
#include <vector>

namespace metrics {

// A function's measurements in one version of a file.
struct FunctionSample {
  std::string name;
  int start_line = 0, end_line = 0;
  int complexity = 1;
};

struct ComplexityChange {
  enum class Kind { regression, improvement };
  Kind kind = Kind::regression;
  std::string name;
  int start_line = 0, end_line = 0; // in the new version (the old one for a function that is gone)
  int before = 0, after = 0;        // before = 0: the function is new
};

// Pairs functions by name (several of one name pair up in order) and reports:
//  - a regression when a function's complexity rises past `threshold` (it was at or under it, or it is
//    new and above it) or rises by at least `delta`;
//  - an improvement when it falls from above `threshold` to at or under it, or falls by at least `delta`.
// A function that is gone is neither. In the order of the new file. Does not throw.
std::vector<ComplexityChange> complexity_changes(const std::vector<FunctionSample>& before,
                                                 const std::vector<FunctionSample>& after, int threshold, int delta);

} // namespace metrics
