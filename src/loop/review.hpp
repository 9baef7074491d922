#pragma once
// Review: the fixes waiting on autoloop/<branch>, and a person's verdict on each. Accept applies the
// fix onto the branch as a real commit touching only its file (work tree and index included, and
// only when that file has no uncommitted changes); reject suppresses the fingerprint for good. Both
// rebuild the side branch.

#include "loop/accept_journal.hpp"
#include "loop/context.hpp"

#include <optional>
#include <string>
#include <vector>

namespace loop {

struct PendingFix {
  queue::Opportunity opportunity;
  std::string commit;        // on the side branch
  std::string subject;
  std::string diff;          // unified diff of the fix
  int lines_changed = 0;
  double risk = 0;
  std::string rule_source;   // which rule set made it: "builtin", "repository (<file>)", "local (<file>)"
  std::string refused;       // why accept refuses it as it stands (its repository rule is not trusted), or empty
  std::string validated;     // its Autoloop-Validated trailer: the gates it passed
  std::string tests_caveat;  // the tests ran but nothing shows they execute the fix (fix::tests_caveat), or empty
  // A sweep (fix/sweep.hpp): the other findings whose fixes the commit holds, reviewed with it as one unit.
  std::vector<queue::Opportunity> swept;
  size_t fixes() const { return 1 + swept.size(); }
};

// The fixes on the current branch's side branch, oldest first. Empty when there is none. A fix made by
// a repository rule that `git autoloop trust` does not cover (any more) is listed with `refused` set.
std::vector<PendingFix> pending_fixes(Context& ctx);

struct VerdictResult {
  bool ok = false;
  std::string message;       // what happened, or why it was refused (nothing changed then)
  std::string commit;        // the new commit on the branch (accept)
  std::string rule;          // the rule of the fixes it decided
  int fixes = 0;             // how many fixes it decided: one, or a sweep's
  bool bulk = false;         // recorded as a bulk accept (Store::record_verdict)
};

// Applies the fix for opportunity `id` onto the current branch: a commit with the branch's own file modes,
// the file written keeping its permission bits, the index entry keeping its (possibly staged) mode. Takes
// git's index lock like git (refused, nothing changed, when another process holds it); everything that can
// fail is done before the branch moves (names past the file system's limits are refused), after it only
// renames are left, and the journal finishes them when killed. A sweep (any of its findings' ids) is
// accepted whole: one verdict per fix, recorded as a bulk accept; `bulk` marks a single fix's verdict so
// too (`review --accept-all` of many fixes of one rule).
VerdictResult accept_fix(Context& ctx, int64_t id, bool bulk = false);
// Rejects the fix for opportunity `id` (with an optional reason); a sweep is rejected whole (each of
// its findings, never proposed again).
VerdictResult reject_fix(Context& ctx, int64_t id, const std::string& reason);
// Rebuilds the side branch after verdicts (a drain adding no new fixes).
void rebuild_side_branch(Context& ctx);


} // namespace loop
