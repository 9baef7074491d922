#pragma once
// Exit codes of git-autoloop, in one place.

namespace cli {

constexpr int k_exit_ok = 0;
constexpr int k_exit_findings = 1;     // a check found something (pre-push block, rules --test failures, doctor problems)
constexpr int k_exit_usage = 2;        // bad command line
constexpr int k_exit_config = 3;       // malformed configuration or rule
constexpr int k_exit_repository = 4;   // not in a git repository, or a git error
constexpr int k_exit_database = 5;     // the queue database failed
constexpr int k_exit_failed = 6;       // an operation failed (a command could not run, a bad override, ...)
constexpr int k_exit_internal = 70;    // anything else (a bug)

} // namespace cli
