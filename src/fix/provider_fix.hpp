#pragma once
// A provider's diagnostics as the loop's findings, and a provider's fix as a derived fix
// (docs/ARCHITECTURE.md §9). One conversion serves the scan (loop/provider_scan.hpp) and the drain, so
// a finding queued at commit time is found again, by the same fingerprint, when its fix is derived.
//
// Policy:
//  1. A diagnostic's node hash is its matched text with white space collapsed (the text of its line
//     when the tool gives an empty range) and its rule: rule + path + that, as for built-in findings
//     (scan/fingerprint.hpp), so a finding keeps its fingerprint when code above it moves. Repeats are
//     numbered; inline `autoloop: ignore[rule]` comments hide them (scan::apply_context).
//  2. Its safety is its fix's applicability (safe, unsafe, suggest) or suggest when the tool offers none:
//     fix::safety_allows decides as for rules, so a suggestion is never committed.
//  3. At drain time the provider runs again on the file as it is at that commit; the diagnostic with the
//     queued fingerprint gives the edits. A fix that no longer applies is thereby re-derived on the new
//     content. Then the gates of every fix: size and range (the edits' span), re-parse, declarations
//     kept, the finding gone (the provider once more), the native check.

#include "core/config.hpp"
#include "fix/derive.hpp"
#include "fix/native_check.hpp"
#include "git/repo.hpp"
#include "providers/provider.hpp"
#include "queue/store.hpp"
#include "scan/engine.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fix {

// One diagnostic as a finding (fingerprint set), with the tool's fix when it offers one.
struct ProviderFinding {
  scan::Finding finding;
  std::optional<providers::Fix> fix;
  core::Category category = core::Category::code_quality;
  std::string severity;                // info, warning, error (the rules' severities)
  int claim_first = 0, claim_last = 0; // the lines the diagnostic and its fix's edits span
};

// The diagnostics of one file of `content` as findings, in file order, suppressed ones left out
// (policy 1). Does not throw but for allocation.
std::vector<ProviderFinding> provider_findings(const std::vector<providers::Diagnostic>& diagnostics,
                                              const std::string& content, const scan::FileContext& context);

// Makes the provider of a name; the built-in registry (providers::make_provider) unless a test gives
// its own.
using ProviderLookup = std::function<std::unique_ptr<providers::Provider>(const std::string& name)>;
const ProviderLookup& builtin_providers();

// A private, empty directory for one provider run, removed with this object.
class ProviderWorkDir {
public:
  ProviderWorkDir(); // throws core::Error when it cannot be made
  ~ProviderWorkDir();
  ProviderWorkDir(const ProviderWorkDir&) = delete;
  ProviderWorkDir& operator=(const ProviderWorkDir&) = delete;
  const std::filesystem::path& path() const { return m_path; }

private:
  std::filesystem::path m_path;
};

// The options of a run of `provider` on blobs of `commit`: the work directory, the budget, the tool
// directory and the repository's configuration files for tools (providers::tool_config_files) read
// from `commit`, each at most providers::k_max_tool_config_bytes. Does not throw for odd files.
providers::RunOptions provider_run_options(const git::Repository& repo, const std::string& commit,
                                           const std::string& provider, std::chrono::milliseconds budget,
                                           const std::filesystem::path& work_dir);

// Derives the fix of `opportunity` (origin provider) on its path at `commit` (policy 3); the tool's
// version goes into Derived::provider for the Autoloop-Provider trailer.
Derived derive_provider_fix(const scan::Engine& engine, const git::Repository& repo, const core::Config& config,
                            const std::string& commit, const queue::Opportunity& opportunity, NativeChecker* checker,
                            const ProviderLookup& lookup);

} // namespace fix
