#pragma once
// Configuration: built-in defaults, then <worktree>/.autoloop.yml (shared), then
// <git-common-dir>/autoloop/config.yml (local), then AUTOLOOP_* environment variables, then
// `-c key.path=value` overrides; later layers win. config/autoloop.yml documents every key.
//
// Policy:
//  - Unknown keys and wrong types are errors, never ignored: in a file they are core::LocatedError
//    ("file:line:column: message"), in the environment or on the command line core::Error naming the
//    variable or override.
//  - A list set by a layer replaces the list below it; a map (rules.severity) merges per key.
//  - In the environment and in overrides, free-form string keys (test_command, notify_command, ...)
//    take the text verbatim, because commands contain YAML syntax (": ", "#", quotes); every other
//    value is parsed as YAML (so `[a, b]` is a list, `{id: error}` a map).
//  - Config::origin records, for each dotted key path, where its value came from: "default",
//    "<file>:<line>:<column>" (the key's position), "env AUTOLOOP_X" or "command line". Callers use it
//    to decide trust: a command whose origin is the shared .autoloop.yml needs `git autoloop trust`.

#include "core/kinds.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace core {

// autonomous_loop: when the loop runs and how much it may do per cycle.
struct AutonomousLoopConfig {
  bool enabled = true;
  int scan_interval = 3600;           // seconds between drains, >= 0
  int debounce = 30;                  // seconds, >= 0
  int max_improvements_per_cycle = 5; // >= 0
  core::SafetyLevel safety_level = core::SafetyLevel::medium; // medium: unsafe fixes only through passing tests
  double max_load_per_cpu = 1.5;      // defer scheduled drains while the 1-min load average per CPU is above; 0 = never
};

// improvement_priorities: weight of each rule category, 0..10.
struct ImprovementPriorities {
  double security_fixes = 1.0;
  double performance_issues = 0.8;
  double code_quality = 0.6;
  double test_coverage = 0.4;
};

// safety_settings: the gates every fix commit passes.
struct SafetySettings {
  bool require_tests = true;
  int max_change_size = 100;        // changed lines per fix commit, >= 1
  double rollback_threshold = 0.95; // 0..1, the success rate a full rollback_window must keep (safety/breaker.hpp)
  int rollback_window = 20;         // attempts the circuit breaker judges, >= 1 (safety/breaker.hpp)
  int rollback_min_attempts = 5;    // attempts in the window before it may pause the loop, >= 1
};

// One external fixer: a command that rewrites a file in a private worktree.
struct FixerConfig {
  std::string name;                   // required, unique
  std::vector<std::string> command;   // required, non-empty argv
  std::vector<std::string> languages; // empty = all
  int timeout = 120;                  // seconds, >= 1
};

// generator: which suggest-only findings (no fix template can do them) a fixer is offered as a
// structured request, and what its commands may see of the environment (fix/generator.hpp).
struct GeneratorConfig {
  std::string fixer;                  // a fixer's name; empty = findings are not offered to any
  std::vector<std::string> offer = {"untested", "complexity", "security"}; // kinds of findings offered
  int max_per_cycle = 1;              // generator requests per drain cycle, >= 0
  // Environment variables every generator command (fixers, `improve` included) gets on top of the
  // scrubbed environment. Only the user's own layers may set it: a repository never widens what its
  // commands see.
  std::vector<std::string> pass_env;
};

// sweep: mechanical rules (`mechanical: true`) whose findings the automatic drain applies as one
// commit per file or directory rather than one per finding (fix/sweep.hpp; `drain --sweep` does it
// on demand).
struct SweepConfig {
  std::vector<std::string> rules;     // rule ids to sweep; "mechanical" = every mechanical rule; empty = none
  std::string by = "file";            // file | directory: what one sweep commit covers
  int max_change_size = 300;          // changed lines per sweep commit, >= 1; a bigger group is split
};

// rules: where repo rules live and which built-in rules to switch or re-grade.
struct RulesConfig {
  std::string directory = ".autoloop/rules";
  std::vector<std::string> disable;
  std::vector<std::string> enable;
  std::map<std::string, std::string> severity; // rule id -> info | warning | error
  // rule id -> the contexts it is not reported in (tests, examples, benchmarks, type_checking, codegen),
  // replacing the rule's own `not_in` (scan/code_context.hpp); merged per rule id across layers.
  std::map<std::string, std::vector<std::string>> contexts;
  bool follow_project_linters = true;          // the project's linter configs turn our equivalents off
};

// scan: budgets and path filters for the scanner.
struct ScanConfig {
  std::int64_t max_file_size = 1048576; // bytes, 1..k_max_scan_file_size (64 MiB)
  std::vector<std::string> exclude = {"vendor/**",    "third_party/**", "node_modules/**", "**/*.min.js",
                                      "**/*.min.css", "dist/**",        "build/**"};
  int threads = 2;             // 1..64
  int parse_timeout_ms = 2000; // >= 1
  std::vector<std::string> test_paths = {"test/**",      "tests/**",      "**/test_*.py",  "**/*_test.py",
                                         "**/*_test.go", "**/*.test.js",  "**/*.test.ts",  "**/*.spec.js",
                                         "**/*.spec.ts", "**/*Test.java", "**/*_test.cpp", "**/*_test.cc"};
  // auto: vendored and generated files (scan/provenance.hpp's list) are skipped; off: only those
  // .gitattributes marks linguist-vendored/linguist-generated/-diff are.
  std::string vendored = "auto";
  std::vector<std::string> include_vendored;   // globs scanned even when vendored or generated
  // Globs of example and benchmark code, added to the detected layouts (scan/code_context.hpp).
  std::vector<std::string> example_paths;
  std::vector<std::string> benchmark_paths;
};

// identity: author and committer of fix commits.
struct IdentityConfig {
  std::string name = "git-autoloop";
  std::string email = "autoloop@localhost";
};

// feedback: how verdicts re-weight the rules (a Beta posterior of acceptance per rule).
struct FeedbackConfig {
  double prior_accepted = 2;       // Beta prior pseudo-counts, > 0
  double prior_rejected = 1;
  double max_false_positive_rate = 0.5; // a rule confidently rejected more often is quarantined, 0..1
  int min_verdicts = 10;           // verdicts before a rule can be quarantined or trusted, >= 1
  double confidence = 0.9;         // how sure the posterior must be, 0.5..1
  double trusted_rate = 0.90;      // posterior acceptance that makes a rule trusted, 0..1
  double category_min = 0.5;       // bounds of the per-category multipliers, 0..10
  double category_max = 1.5;
};

// metrics: what counts as a complexity regression, and where a coverage report is.
struct MetricsConfig {
  int complexity_threshold = 10;   // a function crossing it regresses, >= 1
  int complexity_delta = 5;        // a rise (fall) by at least this regresses (improves), >= 1
  std::string coverage_report;     // lcov .info or Cobertura .xml, relative to the worktree; empty = none
};

// validation: where the repository's tests run for a fix, and how that place is prepared.
struct ValidationConfig {
  // Parent directory of the validation worktrees (absolute). Empty: $XDG_CACHE_HOME/git-autoloop/worktrees
  // when that path holds no dot-directory, else $TMPDIR (or /var/tmp)/git-autoloop-<uid>/worktrees. Only
  // the user's layers may set it: the repository's .autoloop.yml never chooses where git-autoloop writes.
  std::string worktree_dir;
  // Ignored dependency directories of the main worktree linked into the validation worktree when there
  // is no test_setup and the lockfiles equal the main worktree's (relative, inside the work tree).
  std::vector<std::string> link_dirs = {"node_modules", ".venv", "venv", "target"};
  // Files whose content decides whether test_setup must run again (globs on tracked paths).
  std::vector<std::string> lockfiles = {"package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml",
                                        "poetry.lock",       "Pipfile.lock",        "uv.lock",   "requirements*.txt",
                                        "Cargo.lock",        "go.sum",              "Gemfile.lock", "composer.lock"};
};

// ci: what `git autoloop ci` fails on.
struct CiConfig {
  // Categories (security, performance, quality, coverage, or their full names) and severities (info,
  // warning, error: that severity or worse); a new finding matching any entry fails the run.
  std::vector<std::string> block_on = {"security"};
  // Whether `ci` reuses the scan results of the notes ref (refs/notes/autoloop, loop/notes.hpp) when it exists.
  bool import_notes = true;
};

// The whole configuration; a default-constructed Config holds the defaults (origin empty).
struct Config {
  AutonomousLoopConfig autonomous_loop;
  ImprovementPriorities improvement_priorities;
  SafetySettings safety_settings;
  std::string test_command;            // empty = no tests
  int test_timeout = 600;              // seconds, >= 1
  std::string test_setup;              // prepares the validation worktree (e.g. `npm ci`); empty = none
  int test_budget = 3600;              // seconds of test runs per drain cycle, >= 1
  std::string coverage_command;        // runs the tests with coverage, writing metrics.coverage_report; empty = none
  std::vector<std::string> languages;  // empty = all
  std::string scope = "changed_files"; // changed_files | changed_lines
  std::string side_branch_prefix = "autoloop/";
  std::vector<std::string> block_push_on; // rule categories
  bool push_side_branches = false;        // pre-push lets <side_branch_prefix>* refs through
  std::string notify_command;             // empty = none
  std::vector<FixerConfig> fixers;
  // External analyzers whose findings and fixes join the loop's (providers/: ruff, biome, clang-tidy);
  // names are checked against the built-in providers once loaded (providers/enabled.hpp). Their tools
  // are ours (pinned, installed by install.sh) and read the repository only as data: the tracked
  // .autoloop.yml may enable them before `trust`.
  std::vector<std::string> providers;
  // What each provider may take on one commit in the hook's worker, in milliseconds; a slower one is
  // deferred to the drain, which runs it without this budget.
  int provider_budget_ms = 10000;
  GeneratorConfig generator;
  SweepConfig sweep;
  RulesConfig rules;
  ScanConfig scan;
  IdentityConfig identity;
  CiConfig ci;
  FeedbackConfig feedback;
  MetricsConfig metrics;
  ValidationConfig validation;

  // Dotted key path -> where the value came from (see the policy above). Every key of
  // config_entries() is present; rules.severity also has one "rules.severity.<id>" entry per rule id (so
  // do rules.contexts, rules.disable, rules.enable and sweep.rules: see rule_id_uses).
  std::map<std::string, std::string> origin;
  // Keys whose value the repository's tracked .autoloop.yml gave (no later layer replaced it), for the
  // choices it may not make alone: scan.test_paths, scan.example_paths, scan.benchmark_paths and
  // "rules.contexts.<id>" (security rules do not take contexts from it: scan/code_context.hpp).
  std::set<std::string> from_repository;
};

// The layers load_config() reads, lowest first.
struct ConfigSources {
  std::optional<std::filesystem::path> repo_file;  // <worktree>/.autoloop.yml (missing file = skipped)
  std::optional<std::filesystem::path> local_file; // <git-common-dir>/autoloop/config.yml (missing = skipped)
  std::map<std::string, std::string> env;          // environment snapshot; only AUTOLOOP_* keys matter
  std::vector<std::string> overrides;              // command line "-c key.path=value", applied in order
};

// The built-in defaults with every origin set to "default". Does not throw.
Config default_config();

// Applies the layers of `sources` over the defaults. Environment variables are AUTOLOOP_ + the key
// path upper-cased with "." as "__" (AUTOLOOP_SCAN__THREADS); other AUTOLOOP* variables (the AUTOLOOP
// stop switch, AUTOLOOP_MERGE, ...) are ignored. Overrides may name a leaf, a section
// ("scan={threads: 4}") or one severity entry ("rules.severity.<rule-id>=error").
// Throws core::LocatedError for a malformed or invalid file, core::Error for a bad variable or
// override, and core::Error when a file exists but cannot be read.
Config load_config(const ConfigSources& sources);

// A copy of the process environment (environ) as name -> value. Does not throw.
std::map<std::string, std::string> environment_snapshot();

// Every leaf key path with its value rendered as YAML flow text (strings quoted only when needed),
// in the order of config/autoloop.yml; rules.severity and fixers are one entry each. For
// `git autoloop config [--show-origin]` (pair with Config::origin). Does not throw.
std::vector<std::pair<std::string, std::string>> config_entries(const Config& config);

// The entries of config_entries() for `key`: the one leaf of that name, or every leaf of the section
// it names ("scan"); empty when the key is neither. Does not throw.
std::vector<std::pair<std::string, std::string>> config_entries(const Config& config, const std::string& key);

// Every leaf and section key ("scan", "scan.threads"), for "did you mean". Does not throw.
std::vector<std::string> config_keys();

// Whether the value of leaf `key` is the built-in default (no layer set it). Does not throw.
bool is_default(const Config& config, const std::string& key);

// A rule id the configuration names, under which key, and where it was given (an origin as in
// Config::origin: each id of rules.disable, rules.enable and sweep.rules has its own, at the item).
struct RuleIdUse {
  std::string key; // rules.disable, rules.enable, rules.severity, rules.contexts or sweep.rules
  std::string id;
  std::string origin;
};

// Every rule id of rules.disable, rules.enable, rules.severity, rules.contexts and sweep.rules (but its
// "mechanical", which stands for every mechanical rule). The rules are known only once loaded:
// scan/rule_ids.hpp checks these against them. Does not throw.
std::vector<RuleIdUse> rule_id_uses(const Config& config);

// Throws the error for a value given at `origin` (Config::origin): core::LocatedError for
// "<file>:<line>:<column>", else core::Error naming the environment variable or the command line.
[[noreturn]] void fail_at_origin(const std::string& origin, const std::string& message);

} // namespace core

