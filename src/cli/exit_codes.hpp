#pragma once
// Exit codes of git-autoloop, in one place.

#include <utility>
#include <vector>

namespace cli {

constexpr int k_exit_ok = 0;
constexpr int k_exit_findings = 1;     // a check found something (pre-push block, rules --test failures, doctor problems, scan --exit-code)
constexpr int k_exit_usage = 2;        // bad command line
constexpr int k_exit_config = 3;       // malformed configuration or rule
constexpr int k_exit_repository = 4;   // not in a git repository, or a git error
constexpr int k_exit_database = 5;     // the queue database failed
constexpr int k_exit_failed = 6;       // an operation failed (a command could not run, a bad override, ...)
constexpr int k_exit_paused = 7;       // drain: the loop is paused (its circuit breaker tripped, now or before)
constexpr int k_exit_internal = 70;    // anything else (a bug)

// Each code with what it means, for the manual page (cli/help.cpp).
inline const std::vector<std::pair<int, const char*>>& exit_code_meanings() {
  static const std::vector<std::pair<int, const char*>> k_all = {
      {k_exit_ok, "Success."},
      {k_exit_findings, "A check found something: a blocked push, failing rule tests, problems found by doctor, "
                        "ci's findings on ci.block_on, findings of severity error with scan --exit-code."},
      {k_exit_usage, "Bad command line: an unknown command or option, a missing or invalid argument."},
      {k_exit_config, "Malformed configuration or rule (the message names the file, line and column)."},
      {k_exit_repository, "Not in a git repository, or git failed."},
      {k_exit_database, "The queue database failed (a corrupt one is moved aside and started afresh)."},
      {k_exit_failed, "An operation failed: a command could not run, a bad override, a refused accept, a drain "
                      "whose tests fail on the branch itself."},
      {k_exit_paused, "drain: the loop is paused, because fixes failed more often than rollback_threshold allows over "
                      "the last rollback_window attempts (this cycle's good fixes are published) or it was paused before; "
                      "`git autoloop resume` goes on."},
      {k_exit_internal, "An internal error (a bug: please report it with the message)."},
      {130, "Interrupted by SIGINT (128 + the signal; 143 for SIGTERM): an interrupted drain records its cycle."},
  };
  return k_all;
}

} // namespace cli
