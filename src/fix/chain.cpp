#include "fix/chain.hpp"

#include "core/process.hpp"
#include "fix/destructive.hpp"
#include "fix/trailers.hpp"
#include "fix/validate.hpp"
#include "merge/merge.hpp"
#include "scan/repo_language.hpp"

#include <algorithm>
#include <cstdio>

namespace fix {

namespace {

// How many other files at `commit` mention the file's name stem (imports, includes, requires): a
// cheap stand-in for its dependents. git grep reads the object database, not the work tree.
int dependents(const ChainEnv& env, const std::string& commit, const std::string& path) {
  std::string stem = std::filesystem::path(path).stem().string();
  if (stem.size() < 3 || !env.work_tree) return 0;
  auto out = core::git_output(*env.work_tree, {"grep", "-l", "-w", "-F", "-e", stem, commit, "--"});
  if (!out) return 0;
  int n = 0;
  for (size_t at = 0; at < out->size();) {
    size_t nl = out->find('\n', at);
    std::string line = out->substr(at, nl == std::string::npos ? std::string::npos : nl - at);
    if (!line.empty() && line != commit + ":" + path) ++n;
    if (nl == std::string::npos) break;
    at = nl + 1;
  }
  return n;
}

// Runs the generator once (first time this opportunity is planned) and applies its change on `tip`
// through the same gates as template fixes (fix/generator.hpp). Returns the new tip or "" with
// p->outcome set.
std::string apply_external(ChainEnv& env, const std::string& tip, PlannedFix* p, const std::string& validated) {
  const queue::Opportunity& o = p->opportunity;
  if (!env.generator_place) {
    p->outcome = core::Outcome::no_fix;
    p->detail = "a generator runs only in a repository with a work tree";
    return "";
  }
  Applied a = apply_generated(env.repo, env.engine, env.config, *env.generator_place, tip, o,
                              rule_of(env.engine, o.rule_id), p->external, validated,
                              {&env.checker, repo_file_reader(env.repo, tip)});
  p->lines_changed = a.lines_changed;
  if (a.refused) {
    p->outcome = a.refused->outcome;
    p->detail = a.refused->detail;
    return "";
  }
  p->risk = a.risk;
  return a.commit;
}

std::string commit_message(const queue::Opportunity& o, const scan::Rule* rule, const Derived& d, double risk,
                           const std::string& validated) {
  const std::string subject = fix_subject(o.rule_id, o.message);
  std::string body = "What: " + o.path + ":" + std::to_string(d.line) + " (" + std::to_string(d.lines_changed) +
                     " changed line" + (d.lines_changed == 1 ? "" : "s") + ")";
  if (!o.snippet.empty()) body += ", `" + o.snippet + "`";
  body += ".\n";
  if (rule && !rule->description.empty()) body += "Why: " + rule->description + "\n";
  char risk_text[32];
  std::snprintf(risk_text, sizeof risk_text, "%.2f", risk);
  body += "Risk: " + std::string(risk_text) + " (" + (risk < 0.34 ? "low" : risk < 0.67 ? "medium" : "high") + ")\n";
  Trailers t;
  t.rule = o.rule_id;
  // Which rule set made the fix: a repository's rule is named as such, never taken for a built-in.
  if (rule) t.rule_source = scan::describe_origin(*rule);
  t.opportunity = o.id;
  t.fingerprint = o.fingerprint;
  t.provider = d.provider;
  t.validated = validated;
  return subject + "\n\n" + body + format_trailers(t);
}

// The change `p` made on the side branch (its previous commit), replayed onto `tip` with a three-way
// merge of that one file: clean, no more syntax errors than before, within the size cap. nullopt when
// it does not replay that way (the caller re-derives the fix); `gone` when the branch already holds
// the same change.
std::optional<Derived> replay_fix(ChainEnv& env, const std::string& tip, const PlannedFix& p) {
  const std::string& path = p.opportunity.path;
  if (!env.repo.has_object(p.previous)) return std::nullopt;
  auto info = env.repo.commit_info(p.previous);
  if (info.parents.empty()) return std::nullopt;
  auto old_base = env.repo.entry_at(info.parents.front(), path);
  auto fixed = env.repo.entry_at(p.previous, path);
  auto current = env.repo.entry_at(tip, path);
  if (!old_base || !fixed || !current) return std::nullopt;
  Derived d;
  d.rule_id = p.opportunity.rule_id;
  d.line = p.opportunity.start_line;
  d.mode = current->mode;
  d.before = env.repo.read_blob(current->blob);
  const scan::LanguageProfile* language = scan::language_at(env.repo, tip, path, d.before);
  if (current->blob == old_base->blob) {
    d.after = env.repo.read_blob(fixed->blob);
  } else {
    merge::Options options;
    options.structured = !merge::structured_disabled_by_environment();
    auto merged = merge::three_way(env.repo.read_blob(old_base->blob), d.before, env.repo.read_blob(fixed->blob),
                                   language, options);
    if (!merged.clean) return std::nullopt;
    d.after = std::move(merged.text);
  }
  if (d.after == d.before) {
    d.status = Derived::Status::gone;
    d.detail = "the branch already has this change";
    return d;
  }
  d.lines_changed = git::line_stats(d.before, d.after).changed();
  if (d.lines_changed > env.config.safety_settings.max_change_size) return std::nullopt;
  if (language && env.engine.syntax_errors(*language, d.after) > env.engine.syntax_errors(*language, d.before)) return std::nullopt;
  // The merged text passes the same gates as a derived one, or the fix is derived again (and refused
  // there, with its reason, when it still does not pass).
  if (language) {
    if (!check_declarations(*language, d.before, d.after).ok) return std::nullopt;
    NativeVerdict v = env.checker.compare(std::string(language->name), path, d.before, d.after,
                                                        repo_file_reader(env.repo, tip));
    if (v.ran && !v.ok) return std::nullopt;
    if (v.ran) d.gates.push_back(v.gate_name());
    else d.unchecked = v.why_not;
  }
  d.detail = "replayed with a three-way merge";
  d.provider = read_trailers(info.message).provider; // a provider's fix keeps naming its tool
  env.log.info("fix #{} on {}: replayed onto {} with a three-way merge", p.opportunity.id, path, tip.substr(0, 12));
  return d;
}

} // namespace

const scan::Rule* rule_of(const scan::Engine& engine, const std::string& id) {
  const auto& rules = engine.rules();
  auto rule = std::find_if(rules.begin(), rules.end(), [&](const scan::Rule& r) { return r.id == id; });
  return rule == rules.end() ? nullptr : &*rule;
}

bool by_generator(const core::Config& config, const scan::Engine& engine, const queue::Opportunity& o) {
  return is_improve_request(o) || offered(config, o, rule_of(engine, o.rule_id));
}

std::string validated_for(const PlannedFix& p, const std::string& cycle_gates) {
  return validated_with_tests(validated_with_gates(cycle_gates, p.gates), p.tests_item);
}

std::vector<int64_t> finding_ids(const PlannedFix& p) {
  std::vector<int64_t> ids{p.opportunity.id};
  for (const auto& o : p.swept) ids.push_back(o.id);
  return ids;
}

std::string build_swept(ChainEnv& env, const std::string& tip, PlannedFix* p, const std::string& validated) {
  std::vector<queue::Opportunity> findings{p->opportunity};
  findings.insert(findings.end(), p->swept.begin(), p->swept.end());
  const SweepEnv sweep_env{env.repo, env.engine, env.config, &env.checker,
                           git::Signature{env.config.identity.name, env.config.identity.email}};
  Sweep s = build_sweep(sweep_env, tip, findings);
  for (auto& l : s.left_out) {
    env.log.info("sweep of {}: #{} left out ({})", l.finding.rule_id, l.finding.id,
                 l.gone ? std::string("gone") : std::string(core::to_string(l.outcome)));
    p->left_out.push_back(std::move(l));
  }
  p->lines_changed = s.lines_changed;
  if (s.fixed.empty()) {
    p->outcome = core::Outcome::swept_nothing; // nothing to refuse: every finding went back to the queue
    p->detail = "no finding of the sweep has a fix here";
    p->swept.clear();
    return tip;
  }
  p->opportunity = s.fixed.front();
  p->swept.assign(s.fixed.begin() + 1, s.fixed.end());
  if (s.outcome) {
    p->outcome = s.outcome;
    p->detail = s.detail;
    return tip;
  }
  p->gates = s.gates;
  const int churn = env.churn ? env.churn(p->opportunity.path) : 0;
  p->risk = risk_estimate(s.lines_changed, churn, 0, p->opportunity.safety);
  p->commit = commit_sweep(sweep_env, tip, s,
                           validated_for(*p, sweep_validated(validated, env.config.sweep.max_change_size)));
  p->outcome.reset();
  return p->commit;
}

std::string build_chain(ChainEnv& env, const std::string& base, std::vector<PlannedFix*>& fixes,
                        const std::string& validated) {
  const scan::Engine& engine = env.engine;
  std::string tip = base;
  git::Signature who{env.config.identity.name, env.config.identity.email};
  for (PlannedFix* p : fixes) {
    p->commit.clear();
    if (by_generator(env.config, engine, p->opportunity)) {
      std::string next = apply_external(env, tip, p, validated_for(*p, validated));
      if (next.empty()) continue;
      tip = next;
      p->commit = tip;
      p->outcome.reset();
      continue;
    }
    if (!p->swept.empty()) {
      tip = build_swept(env, tip, p, validated);
      continue;
    }
    const scan::Rule* rule = rule_of(engine, p->opportunity.rule_id);
    if (rule && !rule->trusted) {
      // A pending fix whose repository rule changed since `trust`: neither replayed nor re-derived.
      p->outcome = core::Outcome::untrusted;
      p->detail = "the repository rule " + rule->id + " (" + rule->file + ") is not trusted: run `git autoloop trust`";
      continue;
    }
    // A pending fix on a moved base: replay its own change with the syntax-aware merge first, then
    // re-derive it from its rule when that does not merge cleanly.
    std::optional<Derived> replayed;
    if (!p->previous.empty()) replayed = replay_fix(env, tip, *p);
    Derived d = replayed ? std::move(*replayed)
                         : derive_fix(engine, env.repo, env.config, tip, p->opportunity, &env.checker);
    if (d.status == Derived::Status::gone) {
      p->outcome = core::Outcome::resolved;
      p->detail = d.detail;
      continue;
    }
    if (d.status != Derived::Status::ok) {
      p->outcome = d.outcome;
      p->detail = d.detail;
      continue;
    }
    p->lines_changed = d.lines_changed;
    p->gates = d.gates;
    if (!d.unchecked.empty())
      env.log.info("fix #{} on {}: no native check ({})", p->opportunity.id, p->opportunity.path, d.unchecked);
    const int churn = env.churn ? env.churn(p->opportunity.path) : 0;
    p->risk = risk_estimate(d.lines_changed, churn, dependents(env, base, p->opportunity.path), p->opportunity.safety);
    std::string blob = env.repo.write_blob(d.after);
    std::string tree = env.repo.tree_with_file(tip, p->opportunity.path, blob, d.mode);
    tip = env.repo.create_commit(tree, {tip}, who, who,
                                 commit_message(p->opportunity, rule, d, p->risk, validated_for(*p, validated)));
    p->commit = tip;
    p->outcome.reset();
  }
  return tip;
}

// The fixes still to be (re)built on top of the chain's base: fine so far and not reused.
std::vector<PlannedFix*> live(std::vector<PlannedFix>& all) {
  std::vector<PlannedFix*> out;
  for (auto& p : all)
    if (!p.outcome.has_value() && !p.reused) out.push_back(&p);
  return out;
}

} // namespace fix
