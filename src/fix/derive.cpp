#include "fix/derive.hpp"

#include "core/glob.hpp"
#include "fix/destructive.hpp"
#include "fix/provider_fix.hpp"
#include "fix/validate.hpp"
#include "fix/template.hpp"
#include "scan/repo_language.hpp"

#include <algorithm>
#include <cstdlib>

namespace fix {

NativeChecker::RepoFileReader repo_file_reader(const git::Repository& repo, const std::string& commit) {
  return [&repo, commit](const std::string& path) -> std::optional<std::string> {
    try {
      auto entry = repo.entry_at(commit, path);
      if (!entry || (entry->mode & 0170000) != 0100000 || repo.blob_size(entry->blob) > (std::size_t{1} << 20))
        return std::nullopt;
      return repo.read_blob(entry->blob);
    } catch (const std::exception&) {
      return std::nullopt; // an odd path or object: as if there were no such file
    }
  };
}

Derived derive_fix(const scan::Engine& engine, const git::Repository& repo, const core::Config& config,
                   const std::string& commit, const queue::Opportunity& opportunity, NativeChecker* checker) {
  if (opportunity.origin == core::Origin::provider)
    return derive_provider_fix(engine, repo, config, commit, opportunity, checker, builtin_providers());
  Derived d;
  d.rule_id = opportunity.rule_id;
  auto entry = repo.entry_at(commit, opportunity.path);
  if (!entry) {
    d.status = Derived::Status::gone;
    d.detail = opportunity.path + " no longer exists";
    return d;
  }
  d.mode = entry->mode;
  // By extension first (a ".h" header is C or C++: decided below once its text is read).
  const scan::LanguageProfile* lang = scan::language_for_path(opportunity.path);
  const auto& rules = engine.rules();
  auto rule = std::find_if(rules.begin(), rules.end(), [&](const scan::Rule& r) { return r.id == opportunity.rule_id; });
  if (!lang || rule == rules.end() || !rule->enabled) {
    d.status = Derived::Status::no_fix;
    d.outcome = core::Outcome::no_fix;
    d.detail = "rule " + opportunity.rule_id + " is not active";
    return d;
  }
  // The file may have grown past the scan cap since it was scanned: it is not read whole then either.
  if (repo.blob_size(entry->blob) > static_cast<size_t>(config.scan.max_file_size)) {
    d.status = Derived::Status::no_fix;
    d.outcome = core::Outcome::no_fix;
    d.detail = opportunity.path + " is larger than scan.max_file_size (" + std::to_string(config.scan.max_file_size) +
               " bytes) now";
    return d;
  }
  d.before = repo.read_blob(entry->blob);
  lang = scan::language_at(repo, commit, opportunity.path, d.before);
  scan::FileContext context;
  context.path = opportunity.path;
  context.is_test_file = core::glob_any(config.scan.test_paths, opportunity.path);
  scan::FileResult result = engine.scan(*lang, d.before);
  auto findings = scan::apply_context(result.findings, d.before, context);
  auto found = std::find_if(findings.begin(), findings.end(),
                            [&](const scan::Finding& f) { return f.fingerprint == opportunity.fingerprint; });
  if (found == findings.end()) {
    // Identical code twice in one scope is told apart by occurrence; fixing one renumbers the rest.
    // Fall back to the same rule on the same code nearest the recorded line.
    int best = 1 << 30;
    for (auto it = findings.begin(); it != findings.end(); ++it) {
      if (it->rule_id != opportunity.rule_id || it->snippet != opportunity.snippet) continue;
      int distance = std::abs(it->start_line - opportunity.start_line);
      if (distance < best && distance <= 50) {
        best = distance;
        found = it;
      }
    }
  }
  if (found == findings.end()) {
    d.status = Derived::Status::gone;
    d.detail = "the finding is no longer in " + opportunity.path;
    return d;
  }
  d.line = found->start_line;
  // Rescanned now: a queued row may predate the rule's assumption, or the code may have changed since.
  if (rule->assumption && found->safety == core::Safety::suggest) {
    d.status = Derived::Status::no_fix;
    d.outcome = core::Outcome::no_fix;
    d.detail = "the fix assumes " + rule->assumption->text + ", which the code here does not establish (" +
               rule->assumption->established_by + "): a suggestion only";
    return d;
  }
  auto edits = fix::fix_edits(*rule, *found, d.before);
  if (!edits) {
    d.status = Derived::Status::no_fix;
    d.outcome = core::Outcome::no_fix;
    d.detail = "the rule's fix does not apply here";
    return d;
  }
  uint32_t lo = found->start_byte, hi = found->end_byte;
  for (const auto& e : *edits) {
    lo = std::min(lo, e.start);
    hi = std::max(hi, e.end);
  }
  d.after = fix::apply_edits(d.before, *edits);
  auto reject = [&](core::Outcome outcome, const std::string& detail) {
    d.status = Derived::Status::rejected_by_gate;
    d.outcome = outcome;
    d.detail = detail;
    return d;
  };
  // Cheapest gates first.
  GateResult gate = check_change(d.before, d.after, lo, hi, config.safety_settings.max_change_size);
  d.lines_changed = gate.lines_changed;
  if (!gate.ok) return reject(gate.outcome, gate.detail);
  scan::FileResult fixed = engine.scan(*lang, d.after);
  if (fixed.timed_out || fixed.syntax_errors > result.syntax_errors)
    return reject(core::Outcome::reparse_error, "the fixed file has " + std::to_string(fixed.syntax_errors) + " syntax errors (was " +
                                       std::to_string(result.syntax_errors) + ")");
  GateResult kept = check_declarations(*lang, d.before, d.after);
  if (!kept.ok) return reject(kept.outcome, kept.detail);
  // The fix must remove its finding: one fewer of this rule on this code (fingerprints of identical
  // code elsewhere are renumbered, so they cannot tell).
  auto after_findings = scan::apply_context(fixed.findings, d.after, context);
  auto same = [&](const scan::Finding& f) { return f.rule_id == found->rule_id && f.snippet == found->snippet; };
  if (std::count_if(after_findings.begin(), after_findings.end(), same) >=
      std::count_if(findings.begin(), findings.end(), same))
    return reject(core::Outcome::no_change, "the finding is still there after the fix");
  // Last, the most expensive: what the language itself says of the fixed file.
  if (checker)
    if (auto failed = native_check_failure(*checker, std::string(lang->name), repo, commit, opportunity.path, d))
      return reject(core::Outcome::check_failed, *failed);
  return d;
}

std::optional<std::string> native_check_failure(NativeChecker& checker, const std::string& language,
                                                const git::Repository& repo, const std::string& commit,
                                                const std::string& path, Derived& d) {
  NativeVerdict v = checker.compare(language, path, d.before, d.after, repo_file_reader(repo, commit));
  if (v.ran && !v.ok) return v.detail();
  if (v.ran) d.gates.push_back(v.gate_name());
  else d.unchecked = v.why_not;
  return std::nullopt;
}

} // namespace fix
