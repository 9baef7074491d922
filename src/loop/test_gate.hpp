#pragma once
// The test gate of one drain cycle: the repository's tests in the validation worktree
// (safety/validation.hpp), first on the unchanged base, then on the fixes.
//
//  - The base runs first, once per (base commit, commands, prepared environment): its result is kept in
//    the queue's state. A base that fails twice, or times out once, or whose test_setup fails, blocks
//    the cycle: no fix is blamed for tests that cannot pass where they run. A base that fails once and
//    passes on the rerun is flaky: the cycle goes on, and that is recorded.
//  - Every run counts against test_budget (seconds per cycle): a run is not started when the time spent
//    plus the base's duration would pass it. Fixes left untested stay open.
//  - The base's duration also sizes the search for culprits (loop/bisect.cpp): each fix alone when that is
//    cheap, halving the batch otherwise.

#include "loop/context.hpp"
#include "safety/validation.hpp"

#include <memory>
#include <optional>
#include <string>

namespace loop {

class TestGate {
public:
  explicit TestGate(Context& ctx);
  ~TestGate();

  struct Base {
    bool ok = false;
    bool cached = false;     // no run was needed
    bool flaky = false;      // failed once, passed on the rerun
    std::string why;         // when !ok: "tests fail on the base <sha12> (exit 1)", ...
  };
  // The tests on `base` (the branch tip the fixes sit on).
  Base check_base(const std::string& base);

  // The tests at `commit`; nullopt when test_budget does not allow another run. A failed test_setup
  // is a failed run here (exit -1, its reason in output_tail): only fixes are tested through this.
  std::optional<safety::TestRun> run(const std::string& commit);

  // The validation worktree (made on first use): where the last run's files, its coverage report
  // included, are until the next run.
  const std::filesystem::path& tree_dir() { return tree().dir(); }

  int runs() const { return m_runs; }
  double seconds() const { return m_spent_ms / 1000.0; }
  // What one run is expected to take: the base's duration (at least a second).
  double expected_ms() const;
  // Milliseconds of budget left.
  double remaining_ms() const;

private:
  safety::ValidationTree& tree();
  std::string base_key(const std::string& base);
  safety::ValidationTree::Outcome timed_run(const std::string& commit);

  Context& m_ctx;
  std::unique_ptr<safety::ValidationTree> m_tree;
  std::string m_command;
  int m_runs = 0;
  double m_spent_ms = 0;
  double m_base_ms = 0;
};

} // namespace loop
