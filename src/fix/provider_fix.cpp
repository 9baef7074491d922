#include "fix/provider_fix.hpp"

#include "core/error.hpp"
#include "core/glob.hpp"
#include "fix/destructive.hpp"
#include "fix/validate.hpp"
#include "providers/enabled.hpp"
#include "scan/fingerprint.hpp"
#include "scan/repo_language.hpp"
#include "scan/rule.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <system_error>
#include <unistd.h>

namespace fix {

namespace {

// 1-based line of byte `at` in `content`.
int line_of(const std::string& content, uint32_t at) {
  const auto end = content.begin() + std::min<size_t>(at, content.size());
  return 1 + static_cast<int>(std::count(content.begin(), end, '\n'));
}

// The text a diagnostic points at: its range, or its whole line when the range is empty.
std::string matched_text(const std::string& content, const providers::Diagnostic& d) {
  const size_t start = std::min<size_t>(d.start_byte, content.size());
  const size_t end = std::min<size_t>(std::max(d.start_byte, d.end_byte), content.size());
  if (end > start) return content.substr(start, end - start);
  const size_t line_start = content.rfind('\n', start == 0 ? 0 : start - 1);
  const size_t from = line_start == std::string::npos || start == 0 ? 0 : line_start + 1;
  const size_t to = content.find('\n', start);
  return content.substr(from, (to == std::string::npos ? content.size() : to) - from);
}

// The first line of `text`, trimmed and capped, as findings show their code.
std::string snippet_of(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  const size_t first = line.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  line = line.substr(first, line.find_last_not_of(" \t\r") - first + 1);
  return line.size() > 120 ? line.substr(0, 117) + "..." : line;
}

std::string severity_of(const std::string& provider_severity) {
  if (provider_severity == "high") return "error";
  if (provider_severity == "low") return "info";
  return "warning";
}

} // namespace

std::vector<ProviderFinding> provider_findings(const std::vector<providers::Diagnostic>& diagnostics,
                                              const std::string& content, const scan::FileContext& context) {
  std::vector<scan::Finding> findings;
  std::vector<ProviderFinding> made;
  for (const providers::Diagnostic& d : diagnostics) {
    ProviderFinding p;
    scan::Finding& f = p.finding;
    f.rule_id = d.rule_id;
    f.start_byte = std::min<uint32_t>(d.start_byte, static_cast<uint32_t>(content.size()));
    f.end_byte = std::min<uint32_t>(std::max(d.start_byte, d.end_byte), static_cast<uint32_t>(content.size()));
    f.start_line = d.start_line > 0 ? d.start_line : line_of(content, f.start_byte);
    f.end_line = std::max(f.start_line, d.end_line);
    f.message = d.message;
    const std::string text = matched_text(content, d);
    f.snippet = snippet_of(text);
    f.node_hash = scan::node_hash(text, "provider/");
    f.safety = d.fix && !d.fix->edits.empty() ? d.fix->applicability : core::Safety::suggest;
    p.fix = d.fix;
    p.category = d.category;
    p.severity = severity_of(d.severity);
    p.claim_first = f.start_line;
    p.claim_last = f.end_line;
    if (p.fix)
      for (const providers::Edit& e : p.fix->edits) {
        p.claim_first = std::min(p.claim_first, line_of(content, e.start_byte));
        p.claim_last = std::max(p.claim_last, line_of(content, e.end_byte));
      }
    made.push_back(std::move(p));
  }
  // File order, so that occurrence numbers do not depend on the order the tool printed.
  std::stable_sort(made.begin(), made.end(), [](const ProviderFinding& a, const ProviderFinding& b) {
    return a.finding.start_byte != b.finding.start_byte ? a.finding.start_byte < b.finding.start_byte
                                                        : a.finding.rule_id < b.finding.rule_id;
  });
  for (const auto& p : made) findings.push_back(p.finding);
  scan::number_occurrences(findings);
  // After numbering, (rule, node hash) names one diagnostic: how the kept findings find their fixes.
  std::map<std::pair<std::string, std::string>, size_t> index;
  for (size_t i = 0; i < findings.size(); ++i) {
    made[i].finding.node_hash = findings[i].node_hash;
    index[{findings[i].rule_id, findings[i].node_hash}] = i;
  }
  std::vector<ProviderFinding> out;
  for (scan::Finding& f : scan::apply_context(std::move(findings), content, context)) {
    ProviderFinding p = made[index.at({f.rule_id, f.node_hash})];
    p.finding = std::move(f);
    out.push_back(std::move(p));
  }
  return out;
}

const ProviderLookup& builtin_providers() {
  static const ProviderLookup lookup = [](const std::string& name) { return providers::make_provider(name); };
  return lookup;
}

ProviderWorkDir::ProviderWorkDir() {
  std::error_code ec;
  std::filesystem::path base = std::filesystem::temp_directory_path(ec);
  if (ec) base = "/tmp";
  std::string pattern = (base / "git-autoloop-provider-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw core::Error("cannot make a work directory for a provider under " + base.string());
  m_path = pattern;
}

ProviderWorkDir::~ProviderWorkDir() {
  std::error_code ec;
  std::filesystem::remove_all(m_path, ec);
}

providers::RunOptions provider_run_options(const git::Repository& repo, const std::string& commit,
                                           const std::string& provider, std::chrono::milliseconds budget,
                                           const std::filesystem::path& work_dir) {
  providers::RunOptions options;
  options.work_dir = work_dir;
  options.budget = budget;
  options.tool_dir = providers::tool_dir_of(provider);
  for (const std::string& name : providers::tool_config_files()) {
    try {
      auto entry = repo.entry_at(commit, name);
      if (!entry || (entry->mode & 0170000) != 0100000 || repo.blob_size(entry->blob) > providers::k_max_tool_config_bytes)
        continue;
      options.config_files[name] = repo.read_blob(entry->blob);
    } catch (const std::exception&) {
      // An odd entry is as if there were no such file: the tool's own defaults apply.
    }
  }
  return options;
}

namespace {

Derived not_fixable(Derived d, core::Outcome outcome, std::string detail, Derived::Status status = Derived::Status::no_fix) {
  d.status = status;
  d.outcome = outcome;
  d.detail = std::move(detail);
  return d;
}

// The diagnostics of `path` in a run's result.
const std::vector<providers::Diagnostic>* diagnostics_of(const providers::RunResult& r, const std::string& path) {
  for (const auto& f : r.files)
    if (f.path == path) return &f.diagnostics;
  return nullptr;
}

} // namespace

Derived derive_provider_fix(const scan::Engine& engine, const git::Repository& repo, const core::Config& config,
                            const std::string& commit, const queue::Opportunity& opportunity, NativeChecker* checker,
                            const ProviderLookup& lookup) {
  Derived d;
  d.rule_id = opportunity.rule_id;
  const std::string name = opportunity.rule_id.substr(0, opportunity.rule_id.find('/'));
  auto entry = repo.entry_at(commit, opportunity.path);
  if (!entry) return not_fixable(d, core::Outcome::no_fix, opportunity.path + " no longer exists", Derived::Status::gone);
  d.mode = entry->mode;
  std::unique_ptr<providers::Provider> provider =
      std::find(config.providers.begin(), config.providers.end(), name) != config.providers.end() ? lookup(name) : nullptr;
  if (!provider) return not_fixable(d, core::Outcome::no_fix, "provider " + name + " is not enabled (providers:)");
  if (!providers::provider_rule_enabled(config, opportunity.rule_id))
    return not_fixable(d, core::Outcome::no_fix, "rule " + opportunity.rule_id + " is not active");
  if (repo.blob_size(entry->blob) > static_cast<size_t>(config.scan.max_file_size))
    return not_fixable(d, core::Outcome::no_fix,
                       opportunity.path + " is larger than scan.max_file_size (" +
                           std::to_string(config.scan.max_file_size) + " bytes) now");
  d.before = repo.read_blob(entry->blob);
  scan::FileContext context;
  context.path = opportunity.path;
  context.is_test_file = core::glob_any(config.scan.test_paths, opportunity.path);
  // The tool's diagnostics of `content` as findings, or why it could not say.
  auto run = [&](const std::string& content, std::string& problem) {
    ProviderWorkDir work;
    const providers::RunResult r = provider->run({{opportunity.path, content}},
                                                 provider_run_options(repo, commit, name, std::chrono::milliseconds(0), work.path()));
    problem = r.problem;
    const auto* diagnostics = diagnostics_of(r, opportunity.path);
    return diagnostics ? provider_findings(*diagnostics, content, context) : std::vector<ProviderFinding>{};
  };
  std::string problem;
  const std::vector<ProviderFinding> findings = run(d.before, problem);
  auto found = std::find_if(findings.begin(), findings.end(),
                            [&](const ProviderFinding& p) { return p.finding.fingerprint == opportunity.fingerprint; });
  if (found == findings.end()) {
    // As for rules: identical code twice is told apart by occurrence, which a fix of one renumbers.
    int best = 1 << 30;
    for (auto it = findings.begin(); it != findings.end(); ++it) {
      if (it->finding.rule_id != opportunity.rule_id || it->finding.snippet != opportunity.snippet) continue;
      const int distance = std::abs(it->finding.start_line - opportunity.start_line);
      if (distance < best && distance <= 50) {
        best = distance;
        found = it;
      }
    }
  }
  if (found == findings.end()) {
    if (!problem.empty()) return not_fixable(d, core::Outcome::no_fix, problem);
    return not_fixable(d, core::Outcome::no_fix, "the finding is no longer in " + opportunity.path, Derived::Status::gone);
  }
  d.line = found->finding.start_line;
  std::string why_no_version;
  providers::RunOptions version_options;
  version_options.tool_dir = providers::tool_dir_of(name);
  d.provider = provider->version(version_options, why_no_version).value_or(name);
  if (!found->fix || found->fix->edits.empty())
    return not_fixable(d, core::Outcome::no_fix, name + " offers no fix for this finding");
  if (found->fix->applicability == core::Safety::suggest)
    return not_fixable(d, core::Outcome::no_fix, name + "'s fix for this finding is a suggestion only");
  // Selected at the safety the scan queued; a tool that now says less of its fix is not taken at more.
  if (core::stricter(opportunity.safety, found->finding.safety) != opportunity.safety)
    return not_fixable(d, core::Outcome::no_fix, name + " now calls this fix " +
                                                     std::string(core::to_string(found->finding.safety)) + " (it was queued as " +
                                                     std::string(core::to_string(opportunity.safety)) + ")");
  auto after = providers::apply_fix(d.before, *found->fix);
  if (!after) return not_fixable(d, core::Outcome::no_fix, name + "'s fix edits overlap or lie outside the file");
  d.after = std::move(*after);
  uint32_t lo = found->finding.start_byte, hi = found->finding.end_byte;
  for (const auto& e : found->fix->edits) {
    lo = std::min(lo, e.start_byte);
    hi = std::max(hi, e.end_byte);
  }
  auto reject = [&](core::Outcome outcome, const std::string& detail) {
    return not_fixable(d, outcome, detail, Derived::Status::rejected_by_gate);
  };
  // The gates of every fix, cheapest first (fix/derive.hpp).
  GateResult gate = check_change(d.before, d.after, lo, hi, config.safety_settings.max_change_size);
  d.lines_changed = gate.lines_changed;
  if (!gate.ok) return reject(gate.outcome, gate.detail);
  const scan::LanguageProfile* lang = scan::language_at(repo, commit, opportunity.path, d.before);
  if (lang) {
    const int errors_before = engine.syntax_errors(*lang, d.before);
    const int errors_after = engine.syntax_errors(*lang, d.after);
    if (errors_after < 0 || errors_after > errors_before)
      return reject(core::Outcome::reparse_error, "the fixed file has " + std::to_string(errors_after) +
                                                      " syntax errors (was " + std::to_string(errors_before) + ")");
    GateResult kept = check_declarations(*lang, d.before, d.after);
    if (!kept.ok) return reject(kept.outcome, kept.detail);
  }
  // The fix must remove its finding: one fewer of this rule on this code, by the tool's own account.
  std::string problem_after;
  const std::vector<ProviderFinding> remaining = run(d.after, problem_after);
  if (!problem_after.empty()) return reject(core::Outcome::check_failed, name + " on the fixed file: " + problem_after);
  auto same = [&](const ProviderFinding& p) {
    return p.finding.rule_id == found->finding.rule_id && p.finding.snippet == found->finding.snippet;
  };
  if (std::count_if(remaining.begin(), remaining.end(), same) >= std::count_if(findings.begin(), findings.end(), same))
    return reject(core::Outcome::no_change, "the finding is still there after the fix");
  if (checker && lang)
    if (auto failed = native_check_failure(*checker, std::string(lang->name), repo, commit, opportunity.path, d))
      return reject(core::Outcome::check_failed, *failed);
  return d;
}

} // namespace fix
