#include "loop/provider_scan.hpp"

#include "core/fs.hpp"
#include "core/glob.hpp"
#include "core/score.hpp"
#include "providers/enabled.hpp"
#include "scan/lineage.hpp"
#include "scan/scanner.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>

namespace loop {

namespace {

// The runs deferred to the drain: a JSON array of [provider, commit].
constexpr const char* k_deferred_state = "providers.deferred";
// Each provider's last run: a JSON object of provider -> {"state": ran|deferred|problem, "detail", "commit"}.
constexpr const char* k_last_state = "providers.last";
// Deferred runs remembered at most (older ones are dropped: the next commit's run sees those files again).
constexpr size_t k_max_deferred = 200;

nlohmann::json state_json(const queue::Store& store, const char* key, nlohmann::json fallback) {
  if (auto saved = store.state(key)) {
    try {
      auto j = nlohmann::json::parse(*saved);
      if (j.type() == fallback.type()) return j;
    } catch (const std::exception&) {
    }
  }
  return fallback;
}

void save_json(queue::Store& store, const char* key, const nlohmann::json& value) {
  store.set_state(key, value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

// "12.3 s"
std::string seconds(double ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", ms / 1000.0);
  return text;
}

bool overlaps(int a0, int a1, const std::vector<std::pair<int, int>>& ranges) {
  for (const auto& [b0, b1] : ranges)
    if (a0 <= b1 && b0 <= a1) return true;
  return false;
}

// A file of a commit a provider may look at.
struct ChangedFile {
  std::string path, blob, content;
  bool all_changed = true;
  std::vector<std::pair<int, int>> changed; // when !all_changed
};

bool handled_by_any(const std::vector<const providers::Provider*>& list, const std::string& path) {
  return std::any_of(list.begin(), list.end(), [&](const providers::Provider* p) { return p->handles(path); });
}

// The files `commit` added or modified that a provider of `list` handles and that the scan would read:
// regular files inside the work tree, not excluded, within scan.max_file_size, not binary, vendored or
// generated. Deleted paths a provider handles go to `deleted`.
std::vector<ChangedFile> changed_files(Context& ctx, scan::RepoProvenance& provenance, const std::string& commit,
                                       const std::vector<const providers::Provider*>& list,
                                       std::vector<std::string>& deleted) {
  const auto parents = ctx.repo.parents(commit);
  const std::string parent = parents.empty() ? std::string() : parents.front();
  const auto max_size = static_cast<size_t>(ctx.config.scan.max_file_size);
  std::vector<ChangedFile> out;
  for (const auto& change : ctx.repo.diff_commits(parent, commit)) {
    if (!handled_by_any(list, change.path) || !core::is_contained_path(change.path)) continue;
    if (change.kind == git::Change::Kind::deleted) {
      deleted.push_back(change.path);
      continue;
    }
    if (change.mode == 0120000 || core::glob_any(ctx.config.scan.exclude, change.path) ||
        ctx.repo.blob_size(change.new_blob) > max_size || provenance.of(commit, change.path, nullptr))
      continue;
    ChangedFile file{change.path, change.new_blob, ctx.repo.read_blob(change.new_blob), true, {}};
    if (scan::content_skip_reason(file.content) || provenance.of(commit, change.path, &file.content)) continue;
    if (change.kind == git::Change::Kind::modified && ctx.repo.blob_size(change.old_blob) <= max_size) {
      file.all_changed = false;
      file.changed = git::changed_line_ranges(ctx.repo.read_blob(change.old_blob), file.content);
    }
    out.push_back(std::move(file));
  }
  return out;
}

using Equivalents = std::map<std::string, std::vector<std::string>>;

// Whether a built-in rule that names this provider rule among its equivalents found the same lines in
// this commit (policy 3).
bool found_by_builtin(const queue::Store& store, const Equivalents& equivalents, const fix::ProviderFinding& p,
                      const std::string& path, const std::string& commit) {
  auto it = equivalents.find(p.finding.rule_id);
  if (it == equivalents.end()) return false;
  for (const std::string& builtin : it->second) {
    queue::OpportunityFilter filter;
    filter.path = path;
    filter.rule_id = builtin;
    for (const auto& o : store.opportunities(filter))
      if (o.commit_id == commit && o.status != core::Status::resolved && o.start_line <= p.finding.end_line &&
          p.finding.start_line <= o.end_line)
        return true;
  }
  return false;
}

// What one run of one provider on one commit came to, for status.
struct RunNote {
  std::string state; // ran, deferred, problem
  std::string detail;
};

void remember(queue::Store& store, const std::string& provider, const std::string& commit, const RunNote& note) {
  nlohmann::json last = state_json(store, k_last_state, nlohmann::json::object());
  last[provider] = {{"state", note.state}, {"detail", note.detail}, {"commit", commit}};
  save_json(store, k_last_state, last);
}

void defer(queue::Store& store, const std::string& provider, const std::string& commit) {
  nlohmann::json deferred = state_json(store, k_deferred_state, nlohmann::json::array());
  const nlohmann::json entry = {provider, commit};
  if (std::find(deferred.begin(), deferred.end(), entry) == deferred.end()) deferred.push_back(entry);
  while (deferred.size() > k_max_deferred) deferred.erase(deferred.begin());
  save_json(store, k_deferred_state, deferred);
}

// Queues the findings of one provider's run on one commit's files; resolves its rows that are gone when
// the run finished (`complete`).
void queue_findings(Context& ctx, const std::string& provider, const std::string& commit,
                    const std::vector<ChangedFile>& files, const std::vector<std::string>& deleted,
                    const providers::RunResult& result, bool complete, const scan::Lineage& lineage,
                    const Equivalents& equivalents, ProviderScanStats& stats) {
  queue::Store& store = ctx.store();
  const auto now = static_cast<int64_t>(std::time(nullptr));
  const queue::ResolveScope scope{queue::ResolveScope::Kind::provider, provider};
  auto alive_elsewhere = [&](int64_t id) { return lineage.alive_on_a_branch(id); };
  queue::Transaction txn = store.begin();
  for (const ChangedFile& file : files) {
    std::vector<providers::Diagnostic> diagnostics;
    for (const auto& f : result.files)
      if (f.path == file.path) diagnostics.insert(diagnostics.end(), f.diagnostics.begin(), f.diagnostics.end());
    // A tool's rule id outside its own name is not taken: a provider speaks for itself only.
    diagnostics.erase(std::remove_if(diagnostics.begin(), diagnostics.end(),
                                     [&](const providers::Diagnostic& d) {
                                       return d.rule_id.compare(0, provider.size() + 1, provider + "/") != 0 ||
                                              !providers::provider_rule_enabled(ctx.config, d.rule_id);
                                     }),
                      diagnostics.end());
    scan::FileContext context;
    context.path = file.path;
    context.is_test_file = core::glob_any(ctx.config.scan.test_paths, file.path);
    std::vector<std::string> present;
    for (const fix::ProviderFinding& p : fix::provider_findings(diagnostics, file.content, context)) {
      if (found_by_builtin(store, equivalents, p, file.path, commit)) continue;
      const scan::Finding& f = p.finding;
      queue::Opportunity o;
      o.fingerprint = f.fingerprint;
      o.rule_id = f.rule_id;
      o.origin = core::Origin::provider;
      o.category = p.category;
      o.severity = p.severity;
      o.safety = f.safety;
      o.path = file.path;
      o.start_line = p.claim_first; // policy 4: the claim covers the fix's edits
      o.end_line = p.claim_last;
      o.start_byte = f.start_byte;
      o.end_byte = f.end_byte;
      o.blob = file.blob;
      o.commit_id = commit;
      o.message = f.message;
      o.snippet = f.snippet;
      o.is_new = file.all_changed || overlaps(f.start_line, f.end_line, file.changed);
      o.score = core::base_score(ctx.config.improvement_priorities, o.category, o.severity);
      o.first_seen = o.last_seen = now;
      present.push_back(f.fingerprint);
      if (ctx.config.scope == "changed_lines" && !o.is_new) continue; // as the scanner: present, not queued
      if (store.upsert_opportunity(o) == queue::UpsertResult::inserted) ++stats.inserted;
      ++stats.findings;
    }
    if (complete) stats.resolved += store.resolve_absent(file.path, present, commit, alive_elsewhere, scope);
  }
  if (complete)
    for (const auto& path : deleted) stats.resolved += store.resolve_absent(path, {}, commit, alive_elsewhere, scope);
  txn.commit();
}

// One provider on one commit's files (one run); returns what it came to.
RunNote run_one(Context& ctx, const providers::Provider& provider, const std::string& commit,
                const std::vector<ChangedFile>& all_files, const std::vector<std::string>& all_deleted,
                ProviderPass pass, const scan::Lineage& lineage, const Equivalents& equivalents,
                ProviderScanStats& stats) {
  const std::string name = provider.name();
  std::vector<ChangedFile> files;
  std::vector<providers::Blob> blobs;
  for (const auto& f : all_files)
    if (provider.handles(f.path)) {
      files.push_back(f);
      blobs.push_back({f.path, f.content});
    }
  std::vector<std::string> deleted;
  for (const auto& path : all_deleted)
    if (provider.handles(path)) deleted.push_back(path);
  if (blobs.empty() && deleted.empty()) return {"", ""};
  const auto budget = std::chrono::milliseconds(pass == ProviderPass::hook ? ctx.config.provider_budget_ms : 0);
  providers::RunResult result;
  if (!blobs.empty()) {
    ++stats.runs;
    try {
      fix::ProviderWorkDir work;
      result = provider.run(blobs, fix::provider_run_options(ctx.repo, commit, name, budget, work.path()));
    } catch (const std::exception& e) {
      result = {};
      result.problem = name + " failed: " + e.what(); // a provider must not throw; if one does, it is its problem
    }
  }
  if (pass == ProviderPass::hook && result.timed_out) {
    ++stats.deferred;
    defer(ctx.store(), name, commit);
    const double took = std::max<double>(static_cast<double>(result.elapsed.count()), static_cast<double>(budget.count()));
    char limit[32];
    std::snprintf(limit, sizeof limit, "%g s", static_cast<double>(budget.count()) / 1000.0);
    RunNote note{"deferred", "deferred to the drain (" + seconds(took) + " > " + limit + " budget)"};
    ctx.log.info("{} on {}: {}", name, commit.substr(0, 12), note.detail);
    return note;
  }
  const bool complete = result.problem.empty() && !result.timed_out;
  queue_findings(ctx, name, commit, files, deleted, result, complete, lineage, equivalents, stats);
  if (!complete) {
    ++stats.problems;
    const std::string why = result.problem.empty() ? name + " timed out" : result.problem;
    ctx.log.warn("{} on {}: {} (its findings there are left as they were)", name, commit.substr(0, 12), why);
    return {"problem", why};
  }
  return {"ran", "ran on " + std::to_string(blobs.size()) + " file" + (blobs.size() == 1 ? "" : "s") + " in " +
                     seconds(static_cast<double>(result.elapsed.count()))};
}

} // namespace

std::map<std::string, std::vector<std::string>> equivalent_builtins(const std::vector<scan::Rule>& rules) {
  std::map<std::string, std::vector<std::string>> out;
  for (const scan::Rule& rule : rules)
    for (const auto& [tool, ids] : rule.equivalents) {
      // The rule ids the providers give: ruff's codes and clang-tidy's checks as they are, Biome's
      // "lint/<group>/<name>" where the rules write "<group>/<name>".
      std::string prefix;
      if (tool == "ruff" || tool == "clang-tidy") prefix = tool + "/";
      else if (tool == "biome") prefix = "biome/lint/";
      else continue;
      for (const auto& id : ids) out[prefix + id].push_back(rule.id);
    }
  return out;
}

std::vector<std::unique_ptr<providers::Provider>> enabled_providers(const core::Config& config,
                                                                    const fix::ProviderLookup& lookup) {
  std::vector<std::unique_ptr<providers::Provider>> out;
  for (const auto& name : config.providers)
    if (auto p = lookup(name)) out.push_back(std::move(p));
  return out;
}

ProviderScanStats scan_with_providers(Context& ctx, const std::vector<std::string>& commits,
                                      const std::vector<const providers::Provider*>& list, ProviderPass pass) {
  ProviderScanStats stats;
  if (list.empty() || commits.empty()) return stats;
  scan::RepoProvenance provenance(ctx.repo, ctx.config, ctx.log);
  const scan::Lineage lineage(ctx.repo, ctx.store(), ctx.config.side_branch_prefix);
  const Equivalents equivalents = equivalent_builtins(ctx.engine().rules());
  for (const auto& commit : commits) {
    std::vector<std::string> deleted;
    const std::vector<ChangedFile> files = changed_files(ctx, provenance, commit, list, deleted);
    for (const providers::Provider* provider : list) {
      const RunNote note = run_one(ctx, *provider, commit, files, deleted, pass, lineage, equivalents, stats);
      if (!note.state.empty()) remember(ctx.store(), provider->name(), commit, note);
    }
  }
  return stats;
}

ProviderScanStats scan_with_providers(Context& ctx, const std::vector<std::string>& commits, ProviderPass pass) {
  if (ctx.config.providers.empty()) return {};
  const auto owned = enabled_providers(ctx.config);
  std::vector<const providers::Provider*> list;
  for (const auto& p : owned) list.push_back(p.get());
  return scan_with_providers(ctx, commits, list, pass);
}

ProviderScanStats run_deferred_providers(Context& ctx, const fix::ProviderLookup& lookup) {
  ProviderScanStats total;
  queue::Store& store = ctx.store();
  const nlohmann::json deferred = state_json(store, k_deferred_state, nlohmann::json::array());
  if (deferred.empty()) return total;
  const auto owned = enabled_providers(ctx.config, lookup);
  for (const auto& entry : deferred) {
    if (!entry.is_array() || entry.size() != 2 || !entry[0].is_string() || !entry[1].is_string()) continue;
    const std::string name = entry[0].get<std::string>(), commit = entry[1].get<std::string>();
    auto provider = std::find_if(owned.begin(), owned.end(), [&](const auto& p) { return p->name() == name; });
    if (provider == owned.end() || !ctx.repo.has_object(commit)) continue; // disabled since, or the commit is gone
    const ProviderScanStats s = scan_with_providers(ctx, {commit}, {provider->get()}, ProviderPass::drain);
    total.runs += s.runs;
    total.findings += s.findings;
    total.inserted += s.inserted;
    total.resolved += s.resolved;
    total.problems += s.problems;
  }
  store.erase_state(k_deferred_state);
  ctx.log.info("drain: ran {} deferred provider run(s): {} findings, {} new", total.runs, total.findings, total.inserted);
  return total;
}

std::vector<std::string> provider_status_lines(const queue::Store& store, const std::vector<std::string>& enabled) {
  std::vector<std::string> lines;
  const nlohmann::json last = state_json(store, k_last_state, nlohmann::json::object());
  for (const auto& [name, run] : last.items()) {
    if (std::find(enabled.begin(), enabled.end(), name) == enabled.end()) continue;
    if (!run.is_object() || run.value("state", "") == "ran") continue;
    lines.push_back(name + ": " + run.value("detail", std::string("did not run")));
  }
  return lines;
}

} // namespace loop
