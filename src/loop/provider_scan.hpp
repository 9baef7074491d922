#pragma once
// Providers in the loop (docs/ARCHITECTURE.md §9): after the built-in rules have scanned a commit, each
// enabled provider runs once on the commit's changed files it handles, and its diagnostics become queue
// rows of origin provider through the same paths as built-in findings (fingerprints, hold-the-line,
// scope, suppression comments, resolution of what is gone).
//
// Policy:
//  1. In the hook's worker each provider has `provider_budget` per commit. A run that exceeds it is
//     deferred to the drain (`providers.deferred`), which runs it again without that budget first
//     thing; `status` says so ("ruff: deferred to the drain (12.3 s > 10 s budget)").
//  2. A tool that is missing, crashes, hangs or prints garbage is a problem of that run: logged, kept for
//     `status` and `doctor`, its rows left as they were (nothing is resolved by a run that did not
//     finish); the commit, the hook and the rest of the queue are unharmed. Nothing here throws for it.
//  3. A provider's finding of a rule switched off (rules.disable/enable, ids or prefixes) is not queued;
//     one where a built-in rule that names it among its `equivalents` (config/rules/: `ruff: [E711]` on
//     python/compare-to-none) found the same lines in the same commit is not queued either: the built-in
//     finding is kept (its fix is our tested template, and its verdicts are learnt already).
//  4. A provider's finding is queued with the lines its fix's edits touch, so that the drain's claims
//     (fix::arrange) serialise fixes whose edits overlap.

#include "fix/provider_fix.hpp"
#include "loop/context.hpp"
#include "providers/provider.hpp"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace loop {

// Where a provider runs: in the hook's worker (with the budget) or at the drain (without).
enum class ProviderPass { hook, drain };

struct ProviderScanStats {
  int runs = 0;        // provider runs (one per provider per commit with files it handles)
  int findings = 0;    // findings queued or seen again
  int inserted = 0;    // new queue rows
  int resolved = 0;
  int deferred = 0;    // runs deferred to the drain (policy 1)
  int problems = 0;    // runs with a problem (policy 2)
};

// The enabled providers (config.providers) made by `lookup`, in the configuration's order; names it
// does not know are left out.
std::vector<std::unique_ptr<providers::Provider>> enabled_providers(const core::Config& config,
                                                                    const fix::ProviderLookup& lookup = fix::builtin_providers());

// The built-in rules that find what each provider rule finds, from the rules' `equivalents`:
// "ruff/E711" -> {python/compare-to-none}, "clang-tidy/modernize-use-nullptr" -> {cpp/null-to-nullptr},
// "biome/lint/style/noVar" -> {...} (Biome's ids are under lint/).
std::map<std::string, std::vector<std::string>> equivalent_builtins(const std::vector<scan::Rule>& rules);

// Runs `list` on each commit's changed files (against its first parent). Throws queue::Error or
// git::Error on the queue's or the repository's own failures, never for a provider's.
ProviderScanStats scan_with_providers(Context& ctx, const std::vector<std::string>& commits,
                                      const std::vector<const providers::Provider*>& list, ProviderPass pass);
// The same with the enabled providers; nothing when there are none.
ProviderScanStats scan_with_providers(Context& ctx, const std::vector<std::string>& commits, ProviderPass pass);

// The runs the hook's worker deferred (policy 1), run now without the budget and forgotten. Throws
// as scan_with_providers.
ProviderScanStats run_deferred_providers(Context& ctx, const fix::ProviderLookup& lookup = fix::builtin_providers());

// One line per provider whose last run did not simply succeed, for `status`: "ruff: deferred to the
// drain (12.3 s > 10 s budget)", "biome: biome is not installed (run install.sh --provider biome)".
// Only the providers of `enabled` are shown.
std::vector<std::string> provider_status_lines(const queue::Store& store, const std::vector<std::string>& enabled);

} // namespace loop
