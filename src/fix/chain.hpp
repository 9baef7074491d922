#pragma once
// The chain of fix commits of one drain cycle: base → fix → fix → ..., one commit per finding, each fix
// derived (or replayed, or generated) on the content the fixes before it left, through the gates (size,
// no destruction, re-parse, line endings, native check), with the Autoloop-* trailers (fix/trailers.hpp).
// Building a chain writes objects only: no ref moves here (the drain publishes).

#include "core/config.hpp"
#include "core/kinds.hpp"
#include "core/log.hpp"
#include "fix/derive.hpp"
#include "fix/generator.hpp"
#include "fix/native_check.hpp"
#include "fix/sweep.hpp"
#include "git/repo.hpp"
#include "queue/store.hpp"
#include "scan/engine.hpp"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace fix {

// A fix in the cycle's chain of commits.
struct PlannedFix {
  queue::Opportunity opportunity;
  bool pending = false;        // carried over from an earlier cycle
  bool reused = false;         // its commit is kept as is: the side branch still sits on the same base
  std::string commit;          // its commit in the chain being built
  std::string previous;        // its commit on the side branch before this cycle (pending fixes)
  int lines_changed = 0;
  double risk = 0;
  std::optional<core::Outcome> outcome; // none while fine; untested (budget spent) leaves the finding open
  std::string detail;
  std::string note;            // recorded with a fix that is fine (a flaky test run it survived)
  std::string tests_item;      // its Autoloop-Validated item for the tests, from the coverage report
                               // ("tests (executed: 2 changed lines)", "tests (coverage unknown)")
  std::vector<std::string> gates; // the gates of its own it passed ("native-check(python)")
  // A generator's change (an improve/<fixer> request, or a finding offered to generator.fixer):
  // generated once, then carried over as file contents as long as its files did not change underneath.
  std::vector<GeneratedFile> external;
  // A sweep (fix/sweep.hpp): the other findings of `opportunity`'s rule whose fixes its commit holds, and
  // those its builds left out (gone, or their own fix refused: recorded as for a fix of their own).
  std::vector<queue::Opportunity> swept;
  std::vector<LeftOut> left_out;
};

// The findings whose fixes `p`'s commit holds: its own, and a sweep's others.
std::vector<int64_t> finding_ids(const PlannedFix& p);

// What building a chain reads and where it may run things.
struct ChainEnv {
  const git::Repository& repo;
  const scan::Engine& engine;
  const core::Config& config;
  NativeChecker& checker;
  std::optional<std::filesystem::path> work_tree; // none in a bare repository: no generator runs then
  std::optional<Place> generator_place;           // where generators run (set with a work tree)
  std::function<int(const std::string& path)> churn; // how often a path changed (risk); 0 when unset
  core::Logger& log;
};

// The rule `id` of `engine`, or nullptr.
const scan::Rule* rule_of(const scan::Engine& engine, const std::string& id);

// Whether a generator makes `o`'s fix: an `improve` request, or a finding offered to generator.fixer.
bool by_generator(const core::Config& config, const scan::Engine& engine, const queue::Opportunity& o);

// A fix's Autoloop-Validated value: the cycle's gates with the fix's own after the re-parse (the native
// check of its language), and its "tests" item replaced by what the coverage report says about this fix.
std::string validated_for(const PlannedFix& p, const std::string& cycle_gates);

// The fixes still to be (re)built on top of the chain's base: fine so far and not reused.
std::vector<PlannedFix*> live(std::vector<PlannedFix>& all);

// Builds the chain base → fixes, each commit one fix (or one sweep: build_swept), re-deriving every fix on the content left by the
// previous ones (a pending fix on a moved base is first replayed with a three-way merge of its file).
// Fills commit (or outcome and detail) of each; returns the tip. `validated` is the cycle's gates.
// Throws git::Error when the repository cannot be read or written.
std::string build_chain(ChainEnv& env, const std::string& base, std::vector<PlannedFix*>& fixes,
                        const std::string& validated);

// Builds `p`, a sweep, on `tip` (fix/sweep.hpp): every finding's fix in one commit, or its refusal in
// p->outcome (swept_nothing when no finding had a fix: they all go back to the queue). The findings whose
// own fix does not derive here leave the unit (p->left_out). Returns the new tip (`tip` when refused).
// Throws git::Error.
std::string build_swept(ChainEnv& env, const std::string& tip, PlannedFix* p, const std::string& validated);

} // namespace fix
