#include "fix/sweep.hpp"

#include "fix/destructive.hpp"
#include "fix/derive.hpp"
#include "fix/trailers.hpp"
#include "scan/repo_language.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace fix {

std::optional<SweepUnit> parse_sweep_unit(const std::string& text) {
  if (text == "file") return SweepUnit::file;
  if (text == "directory") return SweepUnit::directory;
  return std::nullopt;
}

std::string sweep_scope(const std::string& path, SweepUnit by) {
  if (by == SweepUnit::file) return path;
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

int estimated_lines(const queue::Opportunity& o) { return 2 * std::max(1, o.end_line - o.start_line + 1); }

bool under_any(const std::string& path, const std::vector<std::string>& paths) {
  if (paths.empty()) return true;
  for (std::string p : paths) {
    while (!p.empty() && p.back() == '/') p.pop_back();
    if (p.empty() || p == "." || path == p) return true;
    if (path.size() > p.size() && path.compare(0, p.size(), p) == 0 && path[p.size()] == '/') return true;
  }
  return false;
}

std::vector<SweepGroup> group_for_sweep(std::vector<queue::Opportunity> findings, SweepUnit by, int max_lines) {
  auto key = [by](const queue::Opportunity& o) { return std::make_tuple(o.rule_id, sweep_scope(o.path, by), o.path, o.start_line, o.id); };
  std::sort(findings.begin(), findings.end(),
            [&](const queue::Opportunity& a, const queue::Opportunity& b) { return key(a) < key(b); });
  std::vector<SweepGroup> groups;
  for (auto& o : findings) {
    const std::string scope = sweep_scope(o.path, by);
    const int lines = estimated_lines(o);
    const bool same = !groups.empty() && groups.back().rule_id == o.rule_id && groups.back().scope == scope;
    if (!same || groups.back().estimated_lines + lines > max_lines) groups.push_back({o.rule_id, scope, {}, 0});
    groups.back().estimated_lines += lines;
    groups.back().findings.push_back(std::move(o));
  }
  return groups;
}

std::set<std::string> rules_to_sweep(const std::vector<std::string>& configured, const std::vector<scan::Rule>& rules,
                                     std::vector<std::string>* problems) {
  std::set<std::string> out;
  for (const auto& id : configured) {
    if (id == "mechanical") {
      for (const auto& r : rules)
        if (r.mechanical && r.enabled) out.insert(r.id);
      continue;
    }
    auto r = std::find_if(rules.begin(), rules.end(), [&](const scan::Rule& rule) { return rule.id == id; });
    std::string problem;
    if (r == rules.end()) problem = "no rule " + id;
    else if (!r->mechanical) problem = id + " is not a mechanical rule (its fixes go one commit each)";
    else if (!r->enabled) problem = id + " is disabled";
    if (problem.empty()) out.insert(id);
    else if (problems) problems->push_back("sweep.rules: " + problem);
  }
  return out;
}

bool refused_in_a_sweep(const std::vector<queue::Attempt>& attempts) {
  return std::any_of(attempts.begin(), attempts.end(), [](const queue::Attempt& a) { return a.outcome == core::Outcome::sweep_refused; });
}

SweepRequest sweep_request(const core::Config& config, const std::vector<scan::Rule>& rules, const std::string& rule,
                           const std::vector<std::string>& paths, const std::string& by,
                           std::vector<std::string>* problems) {
  SweepRequest r;
  r.max_lines = config.sweep.max_change_size;
  if (!rule.empty()) {
    r.rules = {rule};
    r.paths = paths;
    r.by = parse_sweep_unit(by).value_or(SweepUnit::file);
    r.only = true;
    return r;
  }
  r.rules = rules_to_sweep(config.sweep.rules, rules, problems);
  r.by = parse_sweep_unit(config.sweep.by).value_or(SweepUnit::file);
  return r;
}

std::vector<SweepGroup> take_sweeps(std::vector<queue::Opportunity>& eligible, const SweepRequest& request,
                                    const queue::Store& store) {
  if (request.rules.empty()) return {};
  std::vector<queue::Opportunity> taken, rest;
  for (auto& o : eligible) {
    const bool swept = request.rules.count(o.rule_id) && under_any(o.path, request.paths) &&
                       !refused_in_a_sweep(store.attempts_of(o.id));
    if (swept) taken.push_back(std::move(o));
    else if (!request.only) rest.push_back(std::move(o));
  }
  eligible = std::move(rest);
  return group_for_sweep(std::move(taken), request.by, request.max_lines);
}

namespace {

// A file as the sweep found it and as it leaves it.
struct SweptFile {
  std::string before, after;
  unsigned mode = 0100644;
};

Sweep refuse(Sweep s, core::Outcome outcome, const std::string& detail) {
  s.files.clear();
  s.outcome = outcome;
  s.detail = detail;
  return s;
}

std::string scope_of(const std::vector<queue::Opportunity>& fixed) {
  if (fixed.empty()) return "";
  std::string scope = fixed.front().path;
  for (const auto& o : fixed)
    while (!scope.empty() && !under_any(o.path, {scope})) {
      const size_t slash = scope.rfind('/');
      scope = slash == std::string::npos ? "" : scope.substr(0, slash);
    }
  return scope.empty() ? "the top directory" : scope;
}

} // namespace

Sweep build_sweep(const SweepEnv& env, const std::string& tip, const std::vector<queue::Opportunity>& findings) {
  Sweep s;
  // 1. Each finding's fix on the content the ones before it left (the cheap gates run per fix).
  std::string current = tip;
  std::map<std::string, SweptFile> files;
  for (const auto& o : findings) {
    Derived d = derive_fix(env.engine, env.repo, env.config, current, o, nullptr);
    if (d.status != Derived::Status::ok) {
      const bool gone = d.status == Derived::Status::gone;
      s.left_out.push_back({o, gone, d.outcome, d.detail});
      continue;
    }
    auto [file, fresh] = files.try_emplace(o.path);
    if (fresh) file->second.before = d.before;
    file->second.after = d.after;
    file->second.mode = d.mode;
    const std::string tree = env.repo.tree_with_file(current, o.path, env.repo.write_blob(d.after), d.mode);
    current = env.repo.create_commit(tree, {current}, env.who, env.who, "autoloop: sweep step\n");
    s.fixed.push_back(o);
  }
  if (s.fixed.empty()) return refuse(std::move(s), core::Outcome::no_fix, "no finding of the sweep has a fix here");
  // 2. The whole of each file: its declarations kept, the language's own check, the sweep's size cap.
  for (const auto& [path, f] : files) {
    s.lines_changed += git::line_stats(f.before, f.after).changed();
    const scan::LanguageProfile* language = scan::language_at(env.repo, tip, path, f.before);
    if (!language) continue;
    GateResult kept = check_declarations(*language, f.before, f.after);
    if (!kept.ok) return refuse(std::move(s), kept.outcome, path + ": " + kept.detail);
    if (!env.checker) continue;
    NativeVerdict v = env.checker->compare(std::string(language->name), path, f.before, f.after,
                                           repo_file_reader(env.repo, tip));
    if (v.ran && !v.ok) return refuse(std::move(s), core::Outcome::check_failed, path + ": " + v.detail());
    if (v.ran && std::find(s.gates.begin(), s.gates.end(), v.gate_name()) == s.gates.end()) s.gates.push_back(v.gate_name());
  }
  const int cap = env.config.sweep.max_change_size;
  if (s.lines_changed > cap)
    return refuse(std::move(s), core::Outcome::too_large,
                  "the sweep changes " + std::to_string(s.lines_changed) + " lines, more than sweep.max_change_size (" +
                      std::to_string(cap) + ")");
  for (const auto& [path, f] : files) s.files.push_back({path, env.repo.write_blob(f.after), f.mode});
  return s;
}

std::string commit_sweep(const SweepEnv& env, const std::string& tip, const Sweep& sweep, const std::string& validated) {
  const scan::Rule* rule = nullptr;
  for (const auto& r : env.engine.rules())
    if (!sweep.fixed.empty() && r.id == sweep.fixed.front().rule_id) rule = &r;
  return env.repo.create_commit(env.repo.tree_with_files(tip, sweep.files), {tip}, env.who, env.who,
                                sweep_message(rule, sweep.fixed, sweep.lines_changed, validated));
}

std::string sweep_message(const scan::Rule* rule, const std::vector<queue::Opportunity>& fixed, int lines_changed,
                          const std::string& validated) {
  if (fixed.empty()) return "";
  const queue::Opportunity& first = fixed.front();
  const std::string n = std::to_string(fixed.size());
  const std::string subject =
      fix_subject(first.rule_id, "sweep of " + n + " finding" + (fixed.size() == 1 ? "" : "s") + " in " + scope_of(fixed));
  std::string body = "What: " + n + " fixes of " + first.rule_id + " (" + std::to_string(lines_changed) +
                     " changed line" + (lines_changed == 1 ? "" : "s") + "): ";
  Trailers trailers;
  trailers.rule = first.rule_id;
  trailers.rule_source = rule ? scan::describe_origin(*rule) : "";
  trailers.opportunity = first.id;
  trailers.fingerprint = first.fingerprint;
  trailers.sweep = static_cast<int64_t>(fixed.size());
  trailers.validated = validated;
  std::string where;
  for (const auto& o : fixed) {
    where += (where.empty() ? "" : ", ") + o.path + ":" + std::to_string(o.start_line);
    trailers.sweep_opportunities.push_back(o.id);
    trailers.sweep_fingerprints.push_back(o.fingerprint);
  }
  body += where + ".\n";
  if (rule && !rule->message.empty()) body += "Each: " + rule->message + "\n";
  if (rule && !rule->description.empty()) body += "Why: " + rule->description + "\n";
  body += "A mechanical rule: one commit for all of them, reviewed and reverted as one unit.\n";
  return subject + "\n\n" + body + format_trailers(trailers);
}

std::string sweep_validated(const std::string& cycle_validated, int sweep_cap) {
  const std::string item = "size<=";
  const std::string sized = "sweep-size<=" + std::to_string(sweep_cap);
  if (cycle_validated.rfind(item, 0) != 0) return sized + ", " + cycle_validated;
  const size_t comma = cycle_validated.find(',');
  return sized + (comma == std::string::npos ? "" : cycle_validated.substr(comma));
}

std::vector<int64_t> findings_of_commit(const queue::Store& store, const std::string& commit,
                                        std::optional<core::Status> status) {
  std::vector<int64_t> out;
  for (const auto& a : store.attempts_by_commit(commit)) {
    if (std::find(out.begin(), out.end(), a.opportunity_id) != out.end()) continue;
    if (status) {
      auto o = store.opportunity(a.opportunity_id);
      if (!o || o->status != *status) continue;
    }
    out.push_back(a.opportunity_id);
  }
  return out;
}

} // namespace fix
