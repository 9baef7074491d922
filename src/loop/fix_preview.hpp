#pragma once
// A queued finding's fix as the drain would make it, shown and not made: derived at HEAD through the
// same derivation and gates as the drain's chain (fix::derive_fix with the native check), with nothing
// written: no commit, no ref, no change of the queue. `drain --preview` prints it; the real-code
// differential test (tests/differential/real_fixes.py) checks it file by file.

#include "loop/context.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace loop {

struct FixPreview {
  int64_t id = 0;
  std::string rule, path;
  int line = 0;                    // the finding's first line at HEAD (when found there)
  // "ok" (what the drain would commit), "refused" (a gate said no: `outcome` says which), "no_fix"
  // (the rule's fix does not apply here), "gone" (not at HEAD any more), "unknown" (no such id).
  std::string status;
  std::string outcome;             // refused or no_fix: the outcome the drain would record
  std::string detail;
  std::vector<std::string> gates;  // gates passed beyond the cycle's own ("native-check(python)")
  std::string unchecked;           // why the native check did not run, when it did not
  int lines_changed = 0;
  bool has_after = false;          // `after` holds the fixed file (ok, or refused by a gate after the edit)
  std::string after;
};

// Derives opportunity `id`'s fix on HEAD. Throws core::Error when HEAD has no commit; an unknown id is
// status "unknown", not an error (a caller lists many).
FixPreview preview_fix(Context& ctx, int64_t id);

} // namespace loop
