#pragma once
// The cheap gates every fix passes before any test runs (docs/ARCHITECTURE.md §7.3): size, no destruction
// beyond the fix's own range, line endings kept. Re-parsing is the caller's (it owns the parser).

#include "core/kinds.hpp"

#include <cstdint>
#include <string>

namespace fix {

struct GateResult {
  bool ok = true;
  core::Outcome outcome = core::Outcome::no_change; // too_large, destructive, line_endings, no_change (when !ok)
  std::string detail;
  int lines_changed = 0;
};

// Checks a proposed change of one file. `allowed_begin`..`allowed_end` is the byte range (in
// `before`) the fix may touch: the finding's node. Refused: no change; more changed lines than
// max_change_size (too_large); a change outside the range, or one deleting net more than half of
// max_change_size lines (destructive); other line endings (line_endings).
GateResult check_change(const std::string& before, const std::string& after, uint32_t allowed_begin,
                        uint32_t allowed_end, int max_change_size);

// "lf", "crlf", "mixed" or "none" (no line break at all).
std::string line_ending_style(const std::string& text);

// A rough risk in [0, 1]: bigger changes, busier files, files many others mention, and fixes that
// are not semantics-preserving are riskier. `churn` is how many scanned commits changed the file;
// `dependents` how many other files name it.
double risk_estimate(int lines_changed, int churn, int dependents, core::Safety safety);

} // namespace fix
