#pragma once
// Whether the tests executed a fix (issue 11): "the tests pass" proves nothing about lines they never
// run, so a fix that needs tests counts as validated by them only when the repository's coverage report
// (metrics.coverage_report, written by test_command or coverage_command) shows a changed line ran. The
// drain asks once per fix after the test run on the chain's tip, and writes the answer into the fix
// commit's Autoloop-Validated trailer; review shows the caveat to the person.
//
// The rules, for one fix commit that changed `path` from parent_text to fix_text, with the tests run on
// the chain's tip whose copy of the file is tip_text:
//  1. The fix's changed lines are the new side of a line diff parent_text -> fix_text; a pure deletion
//     marks the line after it (the last line when it deleted the end of the file).
//  2. Each is mapped to the tip through a line diff fix_text -> tip_text: later fixes in the same file
//     shift it; a line a later fix changed again is lost (its coverage says nothing about this fix).
//  3. yes: a mapped line the report instruments ran (hits > 0).
//     no: the mapped lines the report instruments all have 0 hits.
//  4. When the report instruments none of the mapped lines (the continuation lines of a multi-line
//     statement, lines a tool does not instrument), the nearest instrumented line before the first mapped
//     line decides: yes when it ran, no when it did not.
//  5. unknown: no report, the file is not in it, no changed line survives to the tip, or no instrumented
//     line is at or before the change.

#include "git/repo.hpp"
#include "metrics/line_coverage.hpp"

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace fix {

// One file of a fix commit: its text before the fix, after it, and at the tip the tests ran on.
struct FixLines {
  std::string path; // repository-relative, '/'-separated
  std::string parent_text, fix_text, tip_text;
};

enum class Executed { yes, no, unknown };

// The verdict with what it rests on (tip line numbers), for the trailer, logs and attempt details.
struct Execution {
  Executed executed = Executed::unknown;
  int changed = 0;        // changed lines of the fix (rule 1)
  int mapped = 0;         // of those, still in place at the tip (rule 2)
  int instrumented = 0;   // of the mapped, lines the report instruments
  int ran = 0;            // of the instrumented, lines run at least once
  int decided_by = 0;     // rule 4: the instrumented line before the change that decided, else 0
  std::string reason;     // one line for people: why this verdict
};

// The verdict for one file of a fix (rules above). Never throws on any texts (a failed line diff is
// `unknown`).
Execution check_executed(const metrics::LineCoverage& report, const FixLines& fix);
inline Executed executed(const metrics::LineCoverage& report, const FixLines& fix) {
  return check_executed(report, fix).executed;
}

// The verdict for a fix touching several files (external fixers): yes when the tests execute a change in
// any file, no when every file is in the report and none is executed, else unknown. `reason`s joined.
Execution combine(const std::vector<Execution>& files);

// The coverage report after a test run, or why there is none: reads `report` (metrics.coverage_report,
// relative to `tree`, the validation worktree the tests ran in) keeping only `paths`. Never throws: a
// missing, refused, oversized or malformed report comes back as nullopt with `why_unknown` set.
struct Report {
  std::optional<metrics::LineCoverage> coverage;
  std::string why_unknown;
};
Report read_report(const std::filesystem::path& tree, const std::string& report, const std::set<std::string>& paths);

// The files the chain changed from `base` to `tip`: what to keep of a report (read_report's `paths`).
// Throws git::Error when a commit is missing.
std::set<std::string> changed_paths(const git::Repository& repo, const std::string& base, const std::string& tip);

// The verdict for the fix commit `commit` (its first parent holds the text before it) when the tests
// ran on `tip`: check_executed for each file it added or modified, combined. A file the fix deleted, or
// gone at the tip, is unknown; without a report, everything is unknown with `report.why_unknown`.
// Throws git::Error when a commit or blob is missing.
Execution check_commit(const git::Repository& repo, const Report& report, const std::string& commit, const std::string& tip);

// The Autoloop-Validated item for the tests, replacing the bare "tests":
inline constexpr std::string_view k_tests_coverage_unknown = "tests (coverage unknown)";
inline constexpr std::string_view k_tests_not_executed = "tests (not executed)";
// "tests (executed: 3 changed lines)", "tests (executed: 1 changed line)", "tests (executed: line 41,
// before the change)" for yes; k_tests_not_executed for no; k_tests_coverage_unknown for unknown.
std::string validated_tests(const Execution& e);

// What review tells the person about a fix's tests, from its Autoloop-Validated trailer value: a warning
// when the tests ran but coverage is unknown or shows the change never ran, else "" (no tests, or the
// tests executed the change, or a commit older than the coverage gate).
std::string tests_caveat(std::string_view validated_trailer);

} // namespace fix
