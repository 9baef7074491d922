#pragma once
// Sweeps (issue 13 §7): the findings of one mechanical rule (`mechanical: true`: a safe fix that needs
// no judgement) applied as one commit per file or per directory instead of one commit per finding.
// Still one rule per commit, through the same gates as any fix (each finding's fix re-parses and keeps
// every declaration; the whole file then passes the native check), with the sweep's own size cap, and
// reviewed, accepted, rejected and reverted as one unit that holds N fixes: each finding keeps its own
// attempt (all naming the sweep's commit) and gets its own verdict.
//
// Policy:
//  1. Groups: findings of one rule, by file (or directory), in path and line order; a group whose
//     estimated change (the lines of its findings' nodes) passes sweep.max_change_size is split, in
//     order, into several commits of the same rule.
//  2. A finding whose own fix does not derive (gone, the fix no longer applies, a gate refuses it) is
//     left out of the sweep and stays queued: the drain proposes it alone, as any finding.
//  3. A sweep the gates refuse as a whole (its size, the native check of a file, the tests) is recorded
//     on each of its findings as `sweep_refused` with the gate's reason (`queue`, `status`, `review
//     --list` show it); they stay queued and are never swept again: the drain proposes them one commit
//     each, so its bisection finds the fix that broke the gate.

#include "core/config.hpp"
#include "core/kinds.hpp"
#include "fix/native_check.hpp"
#include "git/repo.hpp"
#include "queue/store.hpp"
#include "scan/engine.hpp"
#include "scan/rule.hpp"

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace fix {

enum class SweepUnit { file, directory };

// "file" or "directory" to a unit; nullopt for anything else. Does not throw.
std::optional<SweepUnit> parse_sweep_unit(const std::string& text);

// What one sweep commit covers for a finding at `path`: the file itself, or its directory ("" for the
// top of the tree). Does not throw.
std::string sweep_scope(const std::string& path, SweepUnit by);

// The most changed lines a finding's fix makes (counted as the size caps count them, removed plus added):
// twice the lines of its node, which the fix's edits stay inside.
int estimated_lines(const queue::Opportunity& o);

// Whether `path` is one of `paths` or lies below one of them (repository-relative, '/'-separated; a
// trailing '/' is allowed). An empty list takes every path. Does not throw.
bool under_any(const std::string& path, const std::vector<std::string>& paths);

// Findings of one rule and one scope, as many as one sweep commit takes.
struct SweepGroup {
  std::string rule_id;
  std::string scope;                         // the file, or the directory
  std::vector<queue::Opportunity> findings;  // path, then line order
  int estimated_lines = 0;
};

// Groups `findings` by rule and scope (policy 1): each group in path and line order, split in order so
// that no group's estimate passes `max_lines` (a finding larger than that alone is a group of its own;
// the commit's own count refuses it). Groups come by rule, then scope, then order. Does not throw but
// for allocation.
std::vector<SweepGroup> group_for_sweep(std::vector<queue::Opportunity> findings, SweepUnit by, int max_lines);

// The rules an automatic drain sweeps: the ids of `configured` (sweep.rules; "mechanical" stands for
// every mechanical rule) that name an enabled mechanical rule of `rules`. Each other id adds a line to
// `problems` (for `status`). Does not throw but for allocation.
std::set<std::string> rules_to_sweep(const std::vector<std::string>& configured, const std::vector<scan::Rule>& rules,
                                     std::vector<std::string>* problems);

// What a drain sweeps.
struct SweepRequest {
  std::set<std::string> rules;       // none: no sweep
  std::vector<std::string> paths;    // only findings under these (under_any); empty: everywhere
  SweepUnit by = SweepUnit::file;
  int max_lines = 300;               // sweep.max_change_size
  bool only = false;                 // `drain --sweep`: the cycle proposes nothing but the sweep
};

// What a cycle sweeps: `drain --sweep`'s `rule` alone (under `paths`, by `by`), or with no rule given,
// sweep.rules of `config` beside the single fixes (rules_to_sweep, its problems in `problems`). Does not
// throw but for allocation.
SweepRequest sweep_request(const core::Config& config, const std::vector<scan::Rule>& rules, const std::string& rule,
                           const std::vector<std::string>& paths, const std::string& by,
                           std::vector<std::string>* problems);

// Takes the findings of `request.rules` under `request.paths` out of `eligible` (the drain's eligible
// findings, best first) and groups them (group_for_sweep), leaving those a sweep refused before (policy
// 3); with `only`, every other finding leaves `eligible` too. Throws queue::Error.
std::vector<SweepGroup> take_sweeps(std::vector<queue::Opportunity>& eligible, const SweepRequest& request,
                                    const queue::Store& store);

// Whether a sweep was refused with this finding in it (an attempt core::Outcome::sweep_refused; policy 3: it is proposed alone from then on).
bool refused_in_a_sweep(const std::vector<queue::Attempt>& attempts);

// What building a sweep reads.
struct SweepEnv {
  const git::Repository& repo;
  const scan::Engine& engine;
  const core::Config& config;
  NativeChecker* checker;    // the native check of each changed file; none: not run
  git::Signature who;        // the commit's author and committer
};

// A finding a sweep left out (policy 2): gone from the file, or refused by its own fix's gates.
struct LeftOut {
  queue::Opportunity finding;
  bool gone = false;
  core::Outcome outcome = core::Outcome::no_fix; // when not gone: what refused its fix (reparse_error, ...)
  std::string detail;
};

// One sweep built on a tip, or why not.
struct Sweep {
  std::vector<git::Entry> files;             // every changed file's new content (blob written); empty when refused
  std::vector<queue::Opportunity> fixed;     // the findings whose fixes it holds, in order
  std::vector<LeftOut> left_out;             // policy 2: their own fix did not derive here
  std::optional<core::Outcome> outcome;      // set when refused (too_large, check_failed, destructive, no_fix)
  std::string detail;
  int lines_changed = 0;
  std::vector<std::string> gates;            // gates beyond the cycle's own it passed ("native-check(javascript)")
};

// Builds one sweep of `findings` (one rule, in order) on `tip`: each finding's fix derived on the
// content the ones before it left (fix::derive_fix, without the native check), then per changed file
// the declarations kept and the native check of the whole file, then sweep.max_change_size over all of
// it. Writes objects only (blobs, and commits no ref names). Throws git::Error.
Sweep build_sweep(const SweepEnv& env, const std::string& tip, const std::vector<queue::Opportunity>& findings);

// The commit of a sweep build_sweep did not refuse, on `tip` (sweep_message with `validated`, the
// commit's Autoloop-Validated value). Throws git::Error.
std::string commit_sweep(const SweepEnv& env, const std::string& tip, const Sweep& sweep, const std::string& validated);

// The commit message of a sweep: "autoloop(<rule>): sweep of N findings in <scope>", what and why, and
// the trailers (Autoloop-Rule, -Rule-Source, -Opportunity and -Fingerprint of its first finding,
// Autoloop-Sweep: N, Autoloop-Sweep-Opportunities and Autoloop-Sweep-Fingerprints: every finding's,
// space-separated, Autoloop-Validated), written by fix::format_trailers. Does not throw but for allocation.
std::string sweep_message(const scan::Rule* rule, const std::vector<queue::Opportunity>& fixed, int lines_changed,
                          const std::string& validated);

// A cycle's Autoloop-Validated value for a sweep commit: its size item is the sweep's cap.
std::string sweep_validated(const std::string& cycle_validated, int sweep_cap);

// The findings whose fixes `commit` holds on the side branch, by their attempts (several for a sweep,
// one for any other fix), each once, in attempt order; only those with status `status` when given.
// Throws queue::Error.
std::vector<int64_t> findings_of_commit(const queue::Store& store, const std::string& commit,
                                        std::optional<core::Status> status = std::nullopt);

} // namespace fix
