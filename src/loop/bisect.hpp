#pragma once
// The validate/bisect step of a drain cycle: the repository's tests on the chain of new fixes, and the
// search for the culprits when they fail (loop/test_gate.hpp runs the tests and keeps the budget).

#include "fix/chain.hpp"
#include "loop/context.hpp"
#include "loop/test_gate.hpp"

#include <string>
#include <vector>

namespace loop {

// Tests the new fixes of `plan` on top of the chain's base (the base passed already). `tip` is the
// whole batch. Fills the outcome of every new fix the tests refuse ("tests_failed", "timed_out") or
// could not get to ("untested": test_budget spent); returns the tip of what is left.
//
// A fix is blamed only by a run that contains it and no other new fix, confirmed by a second run
// (one that passes is a flaky failure: the fix stays, with a note). The culprits are searched for by
// testing each new fix alone when the base's duration makes that cheap, and by halving the batch
// otherwise (fewer runs when most fixes are good). The survivors are tested together at the end.
std::string test_fixes(Context& ctx, fix::ChainEnv& env, TestGate& gate, const std::string& chain_base,
                       std::vector<fix::PlannedFix>& plan, const std::string& validated, std::string tip);

} // namespace loop
